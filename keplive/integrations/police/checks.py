"""Start-up checks: a known police registry everywhere; in production the real one (KED),
with credentials, over HTTPS.

Registered from ``keplive.config.apps.KepliveConfig.ready``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from keplive.integrations.police import CHOICES, LOCAL


@register(Tags.security)
def police_registry_is_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    choice = settings.KEPLIVE_POLICE_REGISTRY
    if choice not in CHOICES:
        return [
            Error(
                f"KEPLIVE_POLICE_REGISTRY must be one of {', '.join(CHOICES)}.",
                id="keplive.police.E005",
            )
        ]
    if settings.ENVIRONMENT != "production":
        return []
    if choice == LOCAL:
        return [
            Error(
                "The local police registry stand-in is on in production.",
                hint="Set KEPLIVE_POLICE_REGISTRY=live: identity checks must reach KED.",
                id="keplive.police.E001",
            )
        ]
    errors: list[CheckMessage] = []
    if urlsplit(settings.KEPLIVE_POLICE_REGISTRY_URL).scheme != "https":
        errors.append(
            Error(
                "KEPLIVE_POLICE_REGISTRY_URL must be KED's https:// address in production.",
                id="keplive.police.E002",
            )
        )
    if not settings.KEPLIVE_POLICE_REGISTRY_CLIENT_ID:
        errors.append(
            Error(
                "Set KEPLIVE_POLICE_REGISTRY_CLIENT_ID (issued by KED).", id="keplive.police.E003"
            )
        )
    if not settings.KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET:
        errors.append(
            Error(
                "Set KEPLIVE_POLICE_REGISTRY_CLIENT_SECRET (issued by KED).",
                id="keplive.police.E004",
            )
        )
    for name in ("KEPLIVE_POLICE_REGISTRY_CLIENT_CERT", "KEPLIVE_POLICE_REGISTRY_CLIENT_KEY"):
        value = getattr(settings, name)
        if value and not Path(value).is_file():
            errors.append(Error(f"{name} names no readable file.", id="keplive.police.E006"))
    return errors
