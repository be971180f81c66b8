"""The production SMS gateway adapter: JSON over HTTPS to the gateway the operator contracts.

**The request and reply shapes are this project's own, kept minimal so that a thin proxy can
translate them for any provider** (see docs/sms.md):

Request: ``POST`` to ``KEPLIVE_SMS_GATEWAY_URL`` with ``Authorization: Bearer <API key>``,
``Idempotency-Key: <message id>`` and JSON ``{"to": "+30…", "text": "…", "sender": "myKEPlive",
"message_id": "…"}``. Reply: ``2xx`` with JSON ``{"id": "…"}`` (the id is optional).

Errors: ``400``/``422`` (the gateway refuses this message: invalid number, text) →
``SmsRejected``; anything else — unreachable, timeout, ``401``/``403`` (credentials), ``429``,
``5xx``, a redirect — → ``SmsGatewayUnavailable``, tried again later. A timeout after the request
left may mean the gateway took it: the ``Idempotency-Key`` lets it recognise the retry. The
number, the text and the key are never logged or put in an exception.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from http.client import HTTPException
from typing import Any

from keplive.integrations.sms.base import (
    SmsGatewayUnavailable,
    SmsReceipt,
    SmsRejected,
    validate_message,
)

logger = logging.getLogger(__name__)

MAX_REPLY_BYTES = 16 * 1024
REJECTING_STATUSES = frozenset({400, 422})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not the agreed reply; following it would send the message elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpSmsGateway:
    """KEPLIVE_SMS_BACKEND=http."""

    def __init__(self, *, url: str, api_key: str, sender: str = "myKEPlive", timeout: float = 10.0):
        if not url:
            raise ValueError("The SMS gateway URL is not set.")
        self.url = url
        self._api_key = api_key
        self.sender = sender
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirects())

    def __repr__(self) -> str:  # never the key
        return f"HttpSmsGateway(url={self.url!r})"

    def send(self, *, to: str, text: str, message_id: str) -> SmsReceipt:
        validate_message(to=to, text=text)
        body = json.dumps(
            {"to": to, "text": text, "sender": self.sender, "message_id": message_id}
        ).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._api_key}",
                "Idempotency-Key": message_id,
                "User-Agent": "KEPlive-SMS/1",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                reply = response.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as error:
            status = error.code
            error.close()
            if status in REJECTING_STATUSES:
                raise SmsRejected(f"http_{status}") from None
            raise SmsGatewayUnavailable(f"http_{status}") from None
        except TimeoutError:
            raise SmsGatewayUnavailable("timeout") from None
        except (urllib.error.URLError, HTTPException, OSError) as error:
            raise SmsGatewayUnavailable(f"unreachable_{type(error).__name__}") from None
        if not 200 <= status < 300:
            raise SmsGatewayUnavailable(f"http_{status}")
        return SmsReceipt(gateway_id=_gateway_id(reply))


def _gateway_id(reply: bytes) -> str:
    """The gateway's id of the message, if its reply gives one; a sent message all the same."""
    if not reply or len(reply) > MAX_REPLY_BYTES:
        return ""
    try:
        data = json.loads(reply)
    except ValueError:
        return ""
    value = data.get("id") if isinstance(data, dict) else None
    return str(value)[:100] if isinstance(value, str | int) else ""
