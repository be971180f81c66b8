"""The local police registry: a deterministic stand-in for development and tests.

A document number ending in ``00`` is not found (``verified=False``), one ending in ``99`` makes
the registry unavailable, any other is verified. It answers at once, over no network, and keeps
nothing. Production refuses it (``keplive.police.E001``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.crypto import salted_hmac

from keplive.integrations.police.base import RegistryOutcome, RegistryUnavailable, validate_request

NOT_FOUND_SUFFIX = "00"
UNAVAILABLE_SUFFIX = "99"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LocalRegistry:
    """The stand-in (KEPLIVE_POLICE_REGISTRY=local)."""

    def __init__(self, *, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self._clock = clock

    def check(
        self, *, document_kind: str, document_number: str, full_name: str, requested_by: str
    ) -> RegistryOutcome:
        number = validate_request(
            document_kind=document_kind,
            document_number=document_number,
            full_name=full_name,
            requested_by=requested_by,
        )
        if number.endswith(UNAVAILABLE_SUFFIX):
            raise RegistryUnavailable("standin_unavailable")
        checked_at = self._clock()
        # Keyed with SECRET_KEY, so the stored reference does not give the number away.
        digest = salted_hmac(
            "keplive.integrations.police.local",
            f"{document_kind}|{number}|{requested_by}|{checked_at.isoformat()}",
            algorithm="sha256",
        ).hexdigest()
        return RegistryOutcome(
            verified=not number.endswith(NOT_FOUND_SUFFIX),
            reference=f"LOCAL-{digest[:8]}",
            checked_at=checked_at,
        )
