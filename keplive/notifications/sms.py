"""The SMS outbox: ``queue_sms`` in the caller's transaction, ``deliver_due_sms`` by the worker.

Like the email outbox (services.py), an SMS is first a row written with the change that causes
it: a change that rolls back sends nothing, one that commits has its SMS on record even while
the gateway is down. Every attempt carries the message's public id as the gateway's idempotency
key, so an attempt whose outcome is unknown (a timeout, a worker that died mid-send and whose
lease ran out) is simply tried again — the gateway recognises a repeat and sends it once. An
SMS is given up (``failed``) only when the gateway rejects it for good or after
``KEPLIVE_SMS_MAX_ATTEMPTS`` tries; a person can then send it again from the admin. See
docs/sms.md and ADR 0013.

Logs name messages by public id and reason code only: never the number or the text.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.integrations.sms import (
    SmsGatewayUnavailable,
    SmsRejected,
    gateway,
    is_valid_number,
)
from keplive.notifications.models import SmsMessage, Status
from keplive.notifications.services import (
    backoff_delay,
    claim_next,
    resume_expired_leases,
    still_mine,
)

logger = logging.getLogger(__name__)


class InvalidPhoneNumber(ValueError):
    """The number is not an international mobile number (``+`` and digits)."""


@dataclass(slots=True)
class SmsCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "interrupted": self.interrupted,
        }


def queue_sms(
    *,
    key: str,
    to: str,
    text: str,
    language: str = "el",
    cause: models.Model | None = None,
) -> SmsMessage:
    """Put one SMS in the outbox, inside the caller's transaction, and return it.

    ``key`` names the message for idempotency: queueing a key that exists returns the existing
    message unchanged. ``to`` must be an international number (``+30…``), as the booking form
    stores it (``InvalidPhoneNumber`` otherwise). After the commit the worker is asked to send it.
    """
    if not is_valid_number(to):
        raise InvalidPhoneNumber("The phone number must be in international form (+30…).")
    existing = SmsMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    message = SmsMessage(
        key=key,
        recipient=to,
        text=text,
        language=language,
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
    )
    if cause is not None:
        message.reference_type = cause._meta.label_lower
        message.reference_id = str(cause.pk)
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return SmsMessage.objects.get(key=key)
    if settings.KEPLIVE_SMS_DELIVER_ON_COMMIT:
        transaction.on_commit(_deliver_soon, robust=True)
    logger.info("sms outbox: queued %s", message.public_id)
    return message


def _deliver_soon() -> None:
    from keplive.notifications.tasks import deliver_sms_soon_task

    deliver_sms_soon_task()


def deliver_due_sms(*, now: dt.datetime, limit: int) -> SmsCounts:
    """Send up to ``limit`` SMS due at ``now`` through the configured gateway. Call it outside any
    transaction; safe to run in several workers at once (each message is claimed by one)."""
    max_attempts = settings.KEPLIVE_SMS_MAX_ATTEMPTS
    counts = SmsCounts(
        interrupted=resume_expired_leases(SmsMessage, now=now, max_attempts=max_attempts)
    )
    adapter = gateway()
    for _ in range(limit):
        message = claim_next(SmsMessage, now=now)
        if message is None:
            break
        mine = still_mine(SmsMessage, message)
        try:
            receipt = adapter.send(
                to=message.recipient, text=message.text, message_id=str(message.public_id)
            )
        except SmsRejected as error:
            mine.update(status=Status.FAILED, next_attempt_at=None, last_error=error.reason)
            counts.failed += 1
            logger.warning("sms outbox: %s rejected (%s)", message.public_id, error.reason)
            continue
        except Exception as error:  # any other failure: not sent, try again
            reason = (
                error.reason
                if isinstance(error, SmsGatewayUnavailable)
                else f"error_{type(error).__name__}"
            )
            if message.attempts >= max_attempts:
                mine.update(status=Status.FAILED, next_attempt_at=None, last_error=reason)
                counts.failed += 1
                logger.warning(
                    "sms outbox: %s failed (%s) after attempt %d",
                    message.public_id,
                    reason,
                    message.attempts,
                )
            else:
                mine.update(
                    status=Status.PENDING,
                    next_attempt_at=now + backoff_delay(message.attempts),
                    last_error=reason,
                )
                counts.retrying += 1
                logger.info(
                    "sms outbox: %s not sent (%s), attempt %d; will retry",
                    message.public_id,
                    reason,
                    message.attempts,
                )
            continue
        mine.update(
            status=Status.SENT,
            sent_at=timezone.now(),
            next_attempt_at=None,
            last_error="",
            gateway_id=receipt.gateway_id,
        )
        counts.sent += 1
        logger.info("sms outbox: %s sent (attempt %d)", message.public_id, message.attempts)
    return counts


def retry_sms(*, messages: list[SmsMessage], actor: object = None, origin: Origin = SYSTEM) -> int:
    """A person sends failed SMS again (audited, like ``retry_messages`` for email)."""
    now = timezone.now()
    retried = 0
    with transaction.atomic():
        for message in messages:
            changed = SmsMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
                status=Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None
            )
            if changed:
                retried += 1
                record_event(
                    action="sms.retry",
                    actor=actor,
                    origin=origin,
                    object_type="notifications.smsmessage",
                    object_id=message.public_id,
                    details={"last_error": message.last_error},
                )
    return retried
