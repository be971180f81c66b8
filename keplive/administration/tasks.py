"""The administration's background work: the dashboard's per-KEP-day summary (ADR 0029)."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from keplive.administration.summary import summarise_days

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def summarise_days_task() -> int:
    """Every minute: summarise days a change marked dirty, then days never summarised (a few
    a run); today is always computed live."""
    done = summarise_days(now=timezone.now())
    if done:
        logger.info("summarised %d days for the dashboard", len(done))
    return len(done)
