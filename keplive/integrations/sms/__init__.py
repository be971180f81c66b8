"""SMS to citizens (E4): the gateway protocol, the local stand-in and the HTTP gateway adapter.

Public surface: ``gateway()`` (the configured adapter), ``SmsGateway``, ``SmsReceipt``, and the
errors ``SmsGatewayUnavailable`` (try again later) and ``SmsRejected`` (never). Nothing sends an
SMS directly: ``keplive.notifications.sms.queue_sms`` puts it in the durable outbox, and the
worker hands it to ``gateway()``. See docs/sms.md.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from keplive.integrations.sms.base import (
    SmsError,
    SmsGateway,
    SmsGatewayUnavailable,
    SmsReceipt,
    SmsRejected,
    is_valid_number,
)
from keplive.integrations.sms.live import HttpSmsGateway
from keplive.integrations.sms.local import LocalSmsGateway

__all__ = [
    "CHOICES",
    "HTTP",
    "LOCAL",
    "SmsError",
    "SmsGateway",
    "SmsGatewayUnavailable",
    "SmsReceipt",
    "SmsRejected",
    "gateway",
    "is_valid_number",
]

LOCAL = "local"
HTTP = "http"
CHOICES = (LOCAL, HTTP)


def gateway() -> SmsGateway:
    """The adapter KEPLIVE_SMS_BACKEND chooses: the stand-in ("local") or the gateway ("http")."""
    choice = settings.KEPLIVE_SMS_BACKEND
    if choice == LOCAL:
        return LocalSmsGateway(directory=Path(settings.KEPLIVE_SMS_DIR))
    if choice == HTTP:
        return HttpSmsGateway(
            url=settings.KEPLIVE_SMS_GATEWAY_URL,
            api_key=settings.KEPLIVE_SMS_GATEWAY_API_KEY,
            sender=settings.KEPLIVE_SMS_SENDER,
            timeout=settings.KEPLIVE_SMS_GATEWAY_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(f"KEPLIVE_SMS_BACKEND must be one of {', '.join(CHOICES)}.")
