"""e-KEP, the KEP case registry (E11): register each served case.

Public surface: ``case_registry()`` (the configured adapter), the ``CaseRegistry`` protocol, the
``CaseRegistration`` it takes, the ``Receipt`` it returns and the ``RegistrationFailed`` it
raises. See README.md.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from keplive.integrations.ekep.base import (
    CaseRegistration,
    CaseRegistry,
    Receipt,
    RegistrationFailed,
)
from keplive.integrations.ekep.live import LiveCaseRegistry
from keplive.integrations.ekep.local import LocalCaseRegistry

__all__ = ["CaseRegistration", "CaseRegistry", "Receipt", "RegistrationFailed", "case_registry"]

LOCAL = "local"
LIVE = "live"
CHOICES = (LOCAL, LIVE)


def case_registry() -> CaseRegistry:
    """The adapter KEPLIVE_EKEP chooses: the stand-in ("local") or e-KEP ("live")."""
    choice = settings.KEPLIVE_EKEP
    if choice == LOCAL:
        return LocalCaseRegistry(path=Path(settings.KEPLIVE_EKEP_LOCAL_FILE))
    if choice == LIVE:
        return LiveCaseRegistry(
            url=settings.KEPLIVE_EKEP_URL,
            token=settings.KEPLIVE_EKEP_TOKEN,
            timeout=settings.KEPLIVE_EKEP_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(f"KEPLIVE_EKEP must be one of {', '.join(CHOICES)}.")
