"""Start-up checks: production mail goes to a real relay, never to the local stand-in, and a
message's lease outlasts any one send."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from keplive.integrations.smtp import STANDIN_PORT

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
NON_DELIVERING_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)


@register(Tags.security, deploy=False)
def production_email_is_real(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.ENVIRONMENT != "production":
        return []
    errors = []
    if settings.EMAIL_BACKEND in NON_DELIVERING_BACKENDS:
        errors.append(
            Error(
                f"EMAIL_BACKEND {settings.EMAIL_BACKEND} delivers no mail.",
                hint="Use django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST set.",
                id="keplive.notifications.E001",
            )
        )
    if settings.EMAIL_HOST in LOOPBACK_HOSTS and settings.EMAIL_PORT == STANDIN_PORT:
        errors.append(
            Error(
                "EMAIL_HOST/EMAIL_PORT point at the local SMTP stand-in.",
                hint="Set EMAIL_HOST, EMAIL_PORT and credentials of the real mail relay.",
                id="keplive.notifications.E002",
            )
        )
    if settings.KEPLIVE_MAIL_VIEWER:
        errors.append(
            Error(
                "KEPLIVE_MAIL_VIEWER would show every email sent at /dev/mail/.",
                hint="Unset KEPLIVE_MAIL_VIEWER in production.",
                id="keplive.notifications.E004",
            )
        )
    if settings.DEFAULT_FROM_EMAIL == settings.DEVELOPMENT_FROM_EMAIL:
        errors.append(
            Error(
                "DEFAULT_FROM_EMAIL is the development sender.",
                hint="Set DEFAULT_FROM_EMAIL to the service's real address.",
                id="keplive.notifications.E003",
            )
        )
    return errors


# SMTP steps of one send, each bounded by EMAIL_TIMEOUT: connect, EHLO, STARTTLS, EHLO, AUTH,
# MAIL, RCPT, DATA, the message and its reply, with room to spare.
STEPS_PER_SEND = 10


@register(deploy=False)
def lease_outlasts_a_send(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """A lease shorter than the longest send would let a second worker send a message that a
    live worker is still sending (a duplicate, ADR 0013). Checked in production."""
    if settings.ENVIRONMENT != "production":
        return []
    lease_seconds = settings.KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES * 60
    if lease_seconds >= STEPS_PER_SEND * settings.EMAIL_TIMEOUT:
        return []
    return [
        Warning(
            f"KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES ({lease_seconds:g} s) is shorter than "
            f"{STEPS_PER_SEND} × EMAIL_TIMEOUT ({settings.EMAIL_TIMEOUT} s): a slow send could "
            "lose its lease and be sent twice.",
            hint="Raise KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES or lower EMAIL_TIMEOUT.",
            id="keplive.notifications.W005",
        )
    ]


@register(Tags.security, deploy=False)
def production_sms_is_real(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production SMS go to the gateway: never the stand-in, never the /dev/sms/ viewer."""
    from keplive.integrations.sms import CHOICES, HTTP, LOCAL

    errors = []
    if settings.KEPLIVE_SMS_BACKEND not in CHOICES:
        errors.append(
            Error(
                f"KEPLIVE_SMS_BACKEND must be one of {', '.join(CHOICES)}.",
                id="keplive.notifications.E010",
            )
        )
    if settings.ENVIRONMENT != "production":
        return errors
    if settings.KEPLIVE_SMS_BACKEND == LOCAL:
        errors.append(
            Error(
                "The local SMS stand-in is on in production: no citizen would get an SMS.",
                hint="Set KEPLIVE_SMS_BACKEND=http and the gateway's URL and key.",
                id="keplive.notifications.E011",
            )
        )
    if settings.KEPLIVE_SMS_BACKEND == HTTP and not (
        settings.KEPLIVE_SMS_GATEWAY_URL.startswith("https://")
        and settings.KEPLIVE_SMS_GATEWAY_API_KEY
    ):
        errors.append(
            Error(
                "The SMS gateway needs an https:// KEPLIVE_SMS_GATEWAY_URL and an API key.",
                hint="Set KEPLIVE_SMS_GATEWAY_URL and KEPLIVE_SMS_GATEWAY_API_KEY.",
                id="keplive.notifications.E012",
            )
        )
    if settings.KEPLIVE_SMS_VIEWER:
        errors.append(
            Error(
                "KEPLIVE_SMS_VIEWER would show every SMS sent at /dev/sms/.",
                hint="Unset KEPLIVE_SMS_VIEWER in production.",
                id="keplive.notifications.E013",
            )
        )
    return errors
