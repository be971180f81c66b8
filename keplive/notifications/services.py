"""Writing to the outbox and delivering it.

``queue_email`` writes a message in the caller's transaction: a change that rolls back sends
nothing, and nothing is sent inline. ``deliver_due_messages`` (the worker, every minute, and
soon after each commit that queued mail) sends what is due, at least once per message and with
the same Message-ID on every attempt, so receivers recognise a repeat; see README.md and
ADR 0013 for the rules.
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

# ``last_error`` of a message whose lease ran out: its worker died (or hung) mid-send.
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
    """What one delivery run did. ``interrupted``: messages whose lease had run out (their
    worker died mid-send), taken back to be sent again."""

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


def sending_lease() -> dt.timedelta:
    """How long a claimed message belongs to its worker (KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES)."""
    return dt.timedelta(minutes=settings.KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES)


def claim_next(model: type[Queued], *, now: dt.datetime) -> Queued | None:
    """Take the oldest due message of an outbox (email or SMS) for this worker: mark it
    ``sending``, count the attempt, start its lease (``claimed_at``) and commit, so no other
    worker takes it while the lease runs. PostgreSQL skips rows another worker has locked;
    SQLite serialises writers."""
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


def still_mine(model: type[Queued], message: Queued) -> models.QuerySet[Queued]:
    """The message, only while this worker's lease holds: ``sending`` with the ``claimed_at``
    this worker set. A worker whose lease ran out (and was taken over) records nothing."""
    return model.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=message.claimed_at)


def resume_expired_leases(model: type[Queued], *, now: dt.datetime, max_attempts: int) -> int:
    """Messages still ``sending`` after their lease belong to a worker that died (or hung)
    mid-send. The server may or may not have taken them; a message never received is worse than
    one received twice, so each is due again at once, to be sent again with the same id
    (Message-ID, the SMS gateway's idempotency key). The interrupted try counts as an attempt:
    a message that has used them all (one that kills its worker every time) becomes ``failed``.
    Returns how many leases were taken back. Each row is changed only if nobody claimed it
    meanwhile, so several workers may run this at once."""
    cutoff = now - sending_lease()
    expired = list(
        model.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff).values_list(
            "pk", "public_id", "claimed_at", "attempts"
        )
    )
    outbox = "sms outbox" if model is SmsMessage else "outbox"
    resumed = 0
    for pk, public_id, claimed_at, attempts in expired:
        lapsed = model.objects.filter(pk=pk, status=Status.SENDING, claimed_at=claimed_at)
        if attempts >= max_attempts:
            changed = lapsed.update(
                status=Status.FAILED,
                next_attempt_at=None,
                last_error=INTERRUPTED,
                interruptions=F("interruptions") + 1,
            )
            if changed:
                logger.warning(
                    "%s: %s interrupted while sending after attempt %d; marked failed",
                    outbox,
                    public_id,
                    attempts,
                )
        else:
            changed = lapsed.update(
                status=Status.PENDING,
                next_attempt_at=now,
                last_error=INTERRUPTED,
                interruptions=F("interruptions") + 1,
            )
            if changed:
                logger.warning(
                    "%s: %s interrupted while sending (attempt %d); due again",
                    outbox,
                    public_id,
                    attempts,
                )
        resumed += changed
    return resumed


def deliver_due_messages(*, now: dt.datetime, limit: int) -> DeliveryCounts:
    """Send up to ``limit`` messages due at ``now``. Call it outside any transaction: each claim
    and each result commits on its own. Safe to run in several workers at once."""
    max_attempts = settings.KEPLIVE_OUTBOX_MAX_ATTEMPTS
    counts = DeliveryCounts(
        interrupted=resume_expired_leases(OutboxMessage, now=now, max_attempts=max_attempts)
    )
    with Mailer() as mailer:
        for _ in range(limit):
            message = claim_next(OutboxMessage, now=now)
            if message is None:
                break
            result = mailer.send(message)
            mine = still_mine(OutboxMessage, message)
            error = result.error
            if result.outcome is Outcome.UNCERTAIN:
                error = f"{error} (outcome unknown)"
            if result.outcome is Outcome.DELIVERED:
                recorded = mine.update(
                    status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
                )
                counts.sent += recorded
                logger.info("outbox: %s sent (attempt %d)", message.public_id, message.attempts)
            elif result.outcome is not Outcome.UNSENDABLE and message.attempts < max_attempts:
                # Not accepted, or the conversation broke after the message was offered: try
                # again later, with the same Message-ID.
                recorded = mine.update(
                    status=Status.PENDING,
                    next_attempt_at=now + backoff_delay(message.attempts),
                    last_error=error[:200],
                )
                counts.retrying += recorded
                logger.info(
                    "outbox: %s not sent (%s), attempt %d; will retry",
                    message.public_id,
                    error,
                    message.attempts,
                )
            else:
                recorded = mine.update(
                    status=Status.FAILED, next_attempt_at=None, last_error=error[:200]
                )
                counts.failed += recorded
                logger.warning(
                    "outbox: %s failed (%s) after attempt %d",
                    message.public_id,
                    error,
                    message.attempts,
                )
            if not recorded:
                logger.warning(
                    "outbox: %s outlived its lease; another worker has taken it over",
                    message.public_id,
                )
    return counts


def retry_messages(
    *, messages: Iterable[OutboxMessage], actor: object = None, origin: Origin = SYSTEM
) -> int:
    """A person sends failed messages again (after every automatic attempt was used, or a
    message that could not be built and was since fixed): back to ``pending``, due now, with a
    fresh count of attempts. Each retry is audited."""
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
