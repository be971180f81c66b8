"""Start-up check: production talks to the real GSIS, with real credentials, over HTTPS.

Registered from ``keplive.config.apps.KepliveConfig.ready``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def gsis_login_is_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.ENVIRONMENT != "production":
        return []
    errors: list[CheckMessage] = []
    if settings.KEPLIVE_GSIS_STANDIN:
        errors.append(
            Error(
                "The local GSIS stand-in is on in production.",
                hint="Set KEPLIVE_GSIS_STANDIN=0: citizens must log in through TAXISnet.",
                id="keplive.gsis.E001",
            )
        )
    if not settings.KEPLIVE_GSIS_CLIENT_ID:
        errors.append(Error("Set KEPLIVE_GSIS_CLIENT_ID (issued by GSIS).", id="keplive.gsis.E002"))
    if not settings.KEPLIVE_GSIS_CLIENT_SECRET:
        errors.append(
            Error("Set KEPLIVE_GSIS_CLIENT_SECRET (issued by GSIS).", id="keplive.gsis.E003")
        )
    if urlsplit(settings.KEPLIVE_GSIS_BASE_URL).scheme != "https":
        errors.append(
            Error(
                "KEPLIVE_GSIS_BASE_URL must be an https:// address in production.",
                id="keplive.gsis.E004",
            )
        )
    return errors
