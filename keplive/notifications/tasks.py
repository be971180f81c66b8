"""Background work of the outbox (Huey). Tasks call services; they hold no logic."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from keplive.notifications.services import deliver_due_messages

logger = logging.getLogger(__name__)


def _deliver() -> dict[str, int]:
    counts = deliver_due_messages(now=timezone.now(), limit=settings.KEPLIVE_OUTBOX_BATCH_SIZE)
    if counts.sent or counts.retrying or counts.failed or counts.interrupted:
        logger.info("outbox run: %s", counts.as_dict())
    return counts.as_dict()


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_task() -> dict[str, int]:
    """Every minute: send the messages that are due (new ones, retries after backoff, and
    messages whose worker died mid-send once their lease has run out)."""
    return _deliver()


@db_task()
def deliver_outbox_soon_task() -> None:
    """Queued after each commit that put mail in the outbox, so it leaves within seconds rather
    than at the next minute. Returns nothing, so no result is kept."""
    _deliver()


def _deliver_sms() -> dict[str, int]:
    from keplive.notifications.sms import deliver_due_sms

    counts = deliver_due_sms(now=timezone.now(), limit=settings.KEPLIVE_OUTBOX_BATCH_SIZE)
    if counts.sent or counts.retrying or counts.failed or counts.interrupted:
        logger.info("sms outbox run: %s", counts.as_dict())
    return counts.as_dict()


@db_periodic_task(crontab(minute="*"))
def deliver_sms_task() -> dict[str, int]:
    """Every minute: send the SMS that are due (new ones and retries after backoff)."""
    return _deliver_sms()


@db_task()
def deliver_sms_soon_task() -> None:
    """Queued after each commit that put an SMS in the outbox."""
    _deliver_sms()
