"""The police identity registry (E6): check the document a citizen shows in the call.

Public surface: ``registry()`` (the configured adapter), the ``IdentityRegistry`` protocol, the
``RegistryOutcome`` it returns and the ``RegistryUnavailable`` it raises. See README.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from keplive.integrations.police.base import (
    DOCUMENT_KINDS,
    IdentityRegistry,
    RegistryOutcome,
    RegistryUnavailable,
)
from keplive.integrations.police.live import LiveRegistry
from keplive.integrations.police.local import LocalRegistry

__all__ = [
    "DOCUMENT_KINDS",
    "IdentityRegistry",
    "RegistryOutcome",
    "RegistryUnavailable",
    "registry",
]

LOCAL = "local"
LIVE = "live"
CHOICES = (LOCAL, LIVE)


def registry() -> IdentityRegistry:
    """The adapter KEPLIVE_POLICE_REGISTRY chooses: the stand-in ("local") or KED ("live")."""
    choice = settings.KEPLIVE_POLICE_REGISTRY
    if choice == LOCAL:
        return LocalRegistry()
    if choice == LIVE:
        return LiveRegistry(
            url=settings.KEPLIVE_POLICE_REGISTRY_URL,
            client_id=settings.KEPLIVE_POLICE_REGISTRY_CLIENT_ID,
            client_secret=settings.KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET,
            timeout=settings.KEPLIVE_POLICE_REGISTRY_TIMEOUT_SECONDS,
            client_cert=settings.KEPLIVE_POLICE_REGISTRY_CLIENT_CERT,
            client_key=settings.KEPLIVE_POLICE_REGISTRY_CLIENT_KEY,
        )
    raise ImproperlyConfigured(f"KEPLIVE_POLICE_REGISTRY must be one of {', '.join(CHOICES)}.")
