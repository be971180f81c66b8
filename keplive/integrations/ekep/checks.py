"""Start-up checks: a known e-KEP adapter everywhere; in production the real one, over HTTPS,
with its token. Registered from ``keplive.outcomes.apps.OutcomesConfig.ready``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from keplive.integrations.ekep import CHOICES, LOCAL


@register(Tags.security)
def ekep_is_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    choice = settings.KEPLIVE_EKEP
    if choice not in CHOICES:
        return [Error(f"KEPLIVE_EKEP must be one of {', '.join(CHOICES)}.", id="keplive.ekep.E001")]
    if settings.ENVIRONMENT != "production":
        return []
    if choice == LOCAL:
        return [
            Error(
                "The local e-KEP stand-in is on in production.",
                hint="Set KEPLIVE_EKEP=live: served cases must reach e-KEP.",
                id="keplive.ekep.E002",
            )
        ]
    errors: list[CheckMessage] = []
    if urlsplit(settings.KEPLIVE_EKEP_URL).scheme != "https":
        errors.append(
            Error("KEPLIVE_EKEP_URL must be e-KEP's https:// address.", id="keplive.ekep.E003")
        )
    if not settings.KEPLIVE_EKEP_TOKEN:
        errors.append(Error("Set KEPLIVE_EKEP_TOKEN (issued by e-KEP).", id="keplive.ekep.E004"))
    return errors
