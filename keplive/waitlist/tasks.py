"""Background work of the waitlist (Huey). Tasks call services; they hold no logic."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from keplive.waitlist.services import process_freed_times

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def process_freed_times_task() -> dict[str, int]:
    """Every minute: expire open offers whose window ran out, end requests whose appointment
    passed, and offer each freed time (quiet hours: nothing is offered; they wait)."""
    counts = process_freed_times(now=timezone.now())
    if counts.offers:
        logger.info("waitlist: %d offers made", counts.offers)
    return counts.__dict__


@db_task()
def process_freed_times_soon_task() -> dict[str, int]:
    """On commit of a transaction that freed time someone waits for."""
    return process_freed_times(now=timezone.now()).__dict__
