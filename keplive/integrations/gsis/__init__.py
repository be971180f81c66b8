"""TAXISnet login: the GSIS OAuth2 authorization-code client, and a local stand-in of GSIS.

Public surface: ``gsis_client()`` (the configured client), the ``Userinfo`` it returns and the
``GsisError`` family it raises; ``taxid`` for the Greek tax number. See README.md.
"""

from __future__ import annotations

from django.conf import settings

from keplive.integrations.gsis.base import (
    GsisClient,
    GsisError,
    GsisRefused,
    GsisUnavailable,
    InvalidTaxIdReply,
    MalformedReply,
    UnsafeXml,
    Userinfo,
)
from keplive.integrations.gsis.live import LiveGsis
from keplive.integrations.gsis.local import LocalGsis

__all__ = [
    "GsisClient",
    "GsisError",
    "GsisRefused",
    "GsisUnavailable",
    "InvalidTaxIdReply",
    "MalformedReply",
    "UnsafeXml",
    "Userinfo",
    "gsis_client",
]


def gsis_client() -> GsisClient:
    """The client the settings choose: the stand-in when KEPLIVE_GSIS_STANDIN is on, else GSIS."""
    client_class = LocalGsis if settings.KEPLIVE_GSIS_STANDIN else LiveGsis
    return client_class(
        base_url=settings.KEPLIVE_GSIS_BASE_URL,
        client_id=settings.KEPLIVE_GSIS_CLIENT_ID,
        client_secret=settings.KEPLIVE_GSIS_CLIENT_SECRET,
        timeout=settings.KEPLIVE_GSIS_TIMEOUT_SECONDS,
    )
