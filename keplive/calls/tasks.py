"""Background work of the calls app (Huey). Tasks call services; they hold no logic."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from keplive.calls.services import mark_no_shows

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def mark_no_shows_task() -> int:
    """Every minute: record the citizens who have not arrived 10 minutes after the start (E5)."""
    marked = mark_no_shows(now=timezone.now())
    if marked:
        logger.info("recorded %d citizen no-shows", marked)
    return marked
