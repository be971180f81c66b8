"""The production police registry adapter: the identity check through KED, the
Interoperability Centre of GSIS (ΚΕ.Δ.).

**The request and reply shapes here are an assumption.** KED's actual contract for this
service (its endpoint, field names, audit-record fields and authentication) is issued to the
operating authority on registration and is not available to this project. The shape below is
documented in README.md ("The assumed KED contract"); when the real contract is at hand, this
module and that section change together, and nothing above this package does. It is tested
against a local HTTP server on the loopback interface that speaks this assumed shape
(``tests/police/fake_registry.py``), never against KED.

Request: ``POST`` JSON to ``KEPLIVE_POLICE_REGISTRY_URL`` with HTTP Basic credentials
(``KEPLIVE_POLICE_REGISTRY_CLIENT_ID``/``_SECRET``), optionally a TLS client certificate, and
the audit record KED requires of every call (who asked, for what, a transaction id, when).
Reply: ``200`` with JSON ``{"found": bool, "reference": str}``. Anything else — another status,
a redirect, a timeout, malformed or oversized JSON, a missing or odd reference — is
``RegistryUnavailable``. Only the ``RegistryOutcome`` leaves this module: the reply, the
document number, the name and the secret are never logged, kept or put in an exception.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import ssl
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from http.client import HTTPException
from typing import Any

from keplive.integrations.police.base import (
    PURPOSE,
    REFERENCE_MAX_LENGTH,
    RegistryOutcome,
    RegistryUnavailable,
    validate_request,
)

logger = logging.getLogger(__name__)

# The agreed reply is a few dozen bytes; anything far larger is not it.
MAX_REPLY_BYTES = 16 * 1024
# A reference as it may be stored and shown: letters, digits and ``_.:/-``.
_REFERENCE = re.compile(r"[A-Za-z0-9_.:/-]+")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not the agreed reply: never follow one (it would re-send the request)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class LiveRegistry:
    """The KED adapter (KEPLIVE_POLICE_REGISTRY=live)."""

    def __init__(
        self,
        *,
        url: str,
        client_id: str,
        client_secret: str,
        timeout: float = 10.0,
        client_cert: str = "",
        client_key: str = "",
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.url = url
        self.client_id = client_id
        self._client_secret = client_secret
        self.timeout = timeout
        self._client_cert = client_cert
        self._client_key = client_key
        self._clock = clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r}, client_id={self.client_id!r})"

    def check(
        self, *, document_kind: str, document_number: str, full_name: str, requested_by: str
    ) -> RegistryOutcome:
        number = validate_request(
            document_kind=document_kind,
            document_number=document_number,
            full_name=full_name,
            requested_by=requested_by,
        )
        transaction_id = uuid.uuid4().hex
        started = time.monotonic()
        try:
            body = self._post(
                {
                    "document_kind": document_kind,
                    "document_number": number,
                    "full_name": " ".join(full_name.split()),
                    "audit": {
                        "requested_by": requested_by,
                        "purpose": PURPOSE,
                        "transaction_id": transaction_id,
                        "requested_at": self._clock().isoformat(),
                    },
                },
                deadline=started + self.timeout,
            )
            found, reference = _parse_reply(body)
        except RegistryUnavailable as exc:
            logger.warning(
                "police registry check failed: reason=%s transaction=%s elapsed_ms=%d",
                exc.reason,
                transaction_id,
                (time.monotonic() - started) * 1000,
            )
            raise
        logger.info(
            "police registry check answered: transaction=%s elapsed_ms=%d",
            transaction_id,
            (time.monotonic() - started) * 1000,
        )
        return RegistryOutcome(verified=found, reference=reference, checked_at=self._clock())

    def _post(self, payload: dict[str, Any], *, deadline: float) -> bytes:
        credentials = base64.b64encode(f"{self.client_id}:{self._client_secret}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the URL's scheme is checked at start-up
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Basic {credentials}",
            },
        )
        opener = urllib.request.build_opener(
            _NoRedirects(), urllib.request.HTTPSHandler(context=self._tls_context())
        )
        try:
            with opener.open(request, timeout=self.timeout) as response:
                if response.status != 200:
                    raise RegistryUnavailable(f"http_{int(response.status)}")
                return _read_capped(response, deadline=deadline)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise RegistryUnavailable(f"http_{int(exc.code)}") from None
        except (TimeoutError, urllib.error.URLError) as exc:
            reason = getattr(exc, "reason", exc)
            kind = "timeout" if isinstance(reason, TimeoutError) else "unreachable"
            raise RegistryUnavailable(kind) from None
        except (OSError, HTTPException):
            raise RegistryUnavailable("connection_failed") from None

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self._client_cert:
            context.load_cert_chain(self._client_cert, self._client_key or None)
        return context


def _read_capped(response: Any, *, deadline: float) -> bytes:
    """The body, refused past MAX_REPLY_BYTES or past the deadline: the socket timeout bounds
    each read, this bounds the whole reply (a server dripping bytes cannot hold a check)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(4096):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise RegistryUnavailable("reply_too_large")
        if time.monotonic() > deadline:
            raise RegistryUnavailable("timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_reply(body: bytes) -> tuple[bool, str]:
    """``found`` and ``reference`` of the agreed reply; anything else is unavailable. Nothing
    of the body goes into the exception."""
    try:
        reply = json.loads(body)
    except ValueError:
        raise RegistryUnavailable("malformed_reply") from None
    if not isinstance(reply, dict):
        raise RegistryUnavailable("malformed_reply")
    found, reference = reply.get("found"), reply.get("reference")
    if not isinstance(found, bool) or not isinstance(reference, str):
        raise RegistryUnavailable("malformed_reply")
    if not 0 < len(reference) <= REFERENCE_MAX_LENGTH or not _REFERENCE.fullmatch(reference):
        raise RegistryUnavailable("malformed_reference")
    return found, reference
