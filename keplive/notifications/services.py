"""Writing to the outbox and delivering it.

``queue_email`` writes a message in the caller's transaction: a change that rolls back sends
nothing, and nothing is sent inline. ``deliver_due_messages`` (the worker, every minute, and
soon after each commit that queued mail) sends what is due, at most once per message; see
README.md for the rules.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.notifications.delivery import Mailer, Outcome
from keplive.notifications.models import Channel, OutboxMessage, SmsMessage, Status

logger = logging.getLogger(__name__)

INTERRUPTED = "Interrupted (outcome unknown)"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with an email, such as an appointment's ICS file."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"

    def as_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content": base64.b64encode(self.content).decode("ascii"),
        }


@dataclass(slots=True)
class DeliveryCounts:
    """What one delivery run did."""

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


def _check_header(name: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError(f"The {name} of an email must be a single line.")


def queue_email(
    *,
    key: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: Iterable[Attachment] = (),
    language: str = "el",
    cause: models.Model | None = None,
) -> OutboxMessage:
    """Put one email in the outbox, inside the caller's transaction, and return it.

    ``key`` names the message for idempotency (for example ``booking-confirmation:<id>:<seq>``):
    queueing a key that exists returns the existing message unchanged. ``to`` must be a valid
    address. After the transaction commits, the worker is asked to deliver soon.
    """
    validate_email(to)
    _check_header("subject", subject)
    existing = OutboxMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    message = OutboxMessage(
        key=key,
        channel=Channel.EMAIL,
        recipient=to,
        subject=subject,
        text_body=text,
        html_body=html,
        attachments=[attachment.as_json() for attachment in attachments],
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
        # The same key, queued at the same moment by another transaction that has now committed.
        return OutboxMessage.objects.get(key=key)
    _deliver_after_commit()
    logger.info("outbox: queued %s", message.public_id)
    return message


def _deliver_after_commit() -> None:
    if settings.KEPLIVE_OUTBOX_DELIVER_ON_COMMIT:
        transaction.on_commit(_deliver_soon, robust=True)


def _deliver_soon() -> None:
    from keplive.notifications.tasks import deliver_outbox_soon_task

    deliver_outbox_soon_task()


def backoff_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4, 8… minutes up to the cap, each
    spread by ±20 % so that a crowd of messages that failed together does not retry together."""
    cap = settings.KEPLIVE_OUTBOX_BACKOFF_CAP_MINUTES
    minutes = min(2 ** max(attempts - 1, 0), cap)
    jitter = random.uniform(0.8, 1.2)  # noqa: S311 - spreading retries, not a secret
    return dt.timedelta(minutes=minutes * jitter)


Queued = TypeVar("Queued", OutboxMessage, SmsMessage)


def claim_next(model: type[Queued], *, now: dt.datetime) -> Queued | None:
    """Take the oldest due message of an outbox (email or SMS) for this worker: mark it
    ``sending`` and commit, so no other worker takes it. PostgreSQL skips rows another worker has
    locked; SQLite serialises writers."""
    with transaction.atomic():
        due = model.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, no_key=True)
        message = due.order_by("next_attempt_at", "id").first()
        if message is None:
            return None
        claimed = model.objects.filter(pk=message.pk, status=Status.PENDING).update(
            status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
        )
        if not claimed:
            return None
    message.refresh_from_db()
    return message


def _give_up_interrupted(*, now: dt.datetime) -> int:
    """Messages left ``sending`` past the timeout belong to a worker that died mid-send: the
    server may have accepted them, so they become ``failed`` for a person to decide."""
    cutoff = now - dt.timedelta(minutes=settings.KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES)
    stuck = list(
        OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).values_list(
            "pk", "public_id"
        )
    )
    given_up = 0
    for pk, public_id in stuck:
        given_up += OutboxMessage.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.FAILED, last_error=INTERRUPTED, next_attempt_at=None
        )
        logger.warning("outbox: %s interrupted while sending; marked failed", public_id)
    return given_up


def deliver_due_messages(*, now: dt.datetime, limit: int) -> DeliveryCounts:
    """Send up to ``limit`` messages due at ``now``. Call it outside any transaction: each claim
    and each result commits on its own. Safe to run in several workers at once."""
    counts = DeliveryCounts(interrupted=_give_up_interrupted(now=now))
    max_attempts = settings.KEPLIVE_OUTBOX_MAX_ATTEMPTS
    with Mailer() as mailer:
        for _ in range(limit):
            message = claim_next(OutboxMessage, now=now)
            if message is None:
                break
            result = mailer.send(message)
            mine = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING)
            if result.outcome is Outcome.DELIVERED:
                mine.update(
                    status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
                )
                counts.sent += 1
                logger.info("outbox: %s sent (attempt %d)", message.public_id, message.attempts)
            elif result.outcome is Outcome.NOT_ACCEPTED and message.attempts < max_attempts:
                mine.update(
                    status=Status.PENDING,
                    next_attempt_at=now + backoff_delay(message.attempts),
                    last_error=result.error,
                )
                counts.retrying += 1
                logger.info(
                    "outbox: %s not accepted (%s), attempt %d; will retry",
                    message.public_id,
                    result.error,
                    message.attempts,
                )
            else:
                error = result.error
                if result.outcome is Outcome.UNCERTAIN:
                    error = f"{error} (outcome unknown)"
                mine.update(status=Status.FAILED, next_attempt_at=None, last_error=error[:200])
                counts.failed += 1
                logger.warning(
                    "outbox: %s failed (%s) after attempt %d",
                    message.public_id,
                    error,
                    message.attempts,
                )
    return counts


def retry_messages(
    *, messages: Iterable[OutboxMessage], actor: object = None, origin: Origin = SYSTEM
) -> int:
    """A person sends failed messages again: back to ``pending``, due now, with a fresh count of
    attempts. For a message whose outcome was unknown this may deliver it twice; the person
    decides. Each retry is audited."""
    now = timezone.now()
    retried = 0
    with transaction.atomic():
        for message in messages:
            changed = OutboxMessage.objects.filter(pk=message.pk, status=Status.FAILED).update(
                status=Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None
            )
            if changed:
                retried += 1
                record_event(
                    action="outbox.retry",
                    actor=actor,
                    origin=origin,
                    object_type="notifications.outboxmessage",
                    object_id=message.public_id,
                    details={"last_error": message.last_error},
                )
        if retried:
            _deliver_after_commit()
    return retried
