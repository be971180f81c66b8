"""The production e-KEP adapter (KEPLIVE_EKEP=live).

**The request and reply shapes are an assumption**, as for the police registry: e-KEP's
interface is issued to the operating authority and is not available to this project. The shape
is documented in README.md; when the real contract is at hand this module and that section
change together, and nothing above this package does.

Request: ``POST`` JSON (the case, ``CaseRegistration.as_json``) to ``KEPLIVE_EKEP_URL`` with a
bearer token (``KEPLIVE_EKEP_TOKEN``) and ``Idempotency-Key: <protocol number>``. Reply:
``200``/``201`` with JSON ``{"reference": str}``. A timeout, an unreachable host, any other
status, a redirect, or a malformed reply raise ``RegistrationFailed`` with a short reason
(``timeout``, ``unreachable``, ``http_503``, ``malformed_reply`` …). The token and the reply
are never logged or stored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from typing import Any

from keplive.integrations.ekep.base import (
    REFERENCE_MAX_LENGTH,
    CaseRegistration,
    Receipt,
    RegistrationFailed,
)

logger = logging.getLogger(__name__)

MAX_REPLY_BYTES = 16 * 1024
_REFERENCE = re.compile(r"[A-Za-z0-9_.:/-]+")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class LiveCaseRegistry:
    def __init__(
        self,
        *,
        url: str,
        token: str,
        timeout: float = 10.0,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.url = url
        self._token = token
        self.timeout = timeout
        self._clock = clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r})"

    def register(self, case: CaseRegistration) -> Receipt:
        started = time.monotonic()
        try:
            body = self._post(case)
            reference = _parse_reply(body)
        except RegistrationFailed as failed:
            logger.warning(
                "e-KEP registration failed: reason=%s protocol=%s elapsed_ms=%d",
                failed.reason,
                case.protocol_number,
                (time.monotonic() - started) * 1000,
            )
            raise
        logger.info(
            "e-KEP registration answered: protocol=%s elapsed_ms=%d",
            case.protocol_number,
            (time.monotonic() - started) * 1000,
        )
        return Receipt(reference=reference, registered_at=self._clock())

    def _post(self, case: CaseRegistration) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the URL's scheme is checked at start-up
            self.url,
            data=json.dumps(case.as_json(), ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self._token}",
                "Idempotency-Key": case.protocol_number,
            },
        )
        opener = urllib.request.build_opener(_NoRedirects())
        deadline = time.monotonic() + self.timeout
        try:
            with opener.open(request, timeout=self.timeout) as response:
                if response.status not in (200, 201):
                    raise RegistrationFailed(f"http_{int(response.status)}")
                return _read_capped(response, deadline=deadline)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise RegistrationFailed(f"http_{int(exc.code)}") from None
        except (TimeoutError, urllib.error.URLError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RegistrationFailed(
                "timeout" if isinstance(reason, TimeoutError) else "unreachable"
            ) from None
        except (OSError, HTTPException):
            raise RegistrationFailed("connection_failed") from None


def _read_capped(response: Any, *, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(4096):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise RegistrationFailed("reply_too_large")
        if time.monotonic() > deadline:
            raise RegistrationFailed("timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_reply(body: bytes) -> str:
    try:
        reply = json.loads(body)
    except ValueError:
        raise RegistrationFailed("malformed_reply") from None
    reference = reply.get("reference") if isinstance(reply, dict) else None
    if not isinstance(reference, str):
        raise RegistrationFailed("malformed_reply")
    if not 0 < len(reference) <= REFERENCE_MAX_LENGTH or not _REFERENCE.fullmatch(reference):
        raise RegistrationFailed("malformed_reference")
    return reference
