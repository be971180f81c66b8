"""Background work of the booking app (Huey). Tasks call services; they hold no logic."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from keplive.booking.services import release_expired_holds

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def release_expired_holds_task() -> int:
    """Every minute: give back held times whose few minutes ran out."""
    released = release_expired_holds(now=timezone.now())
    if released:
        logger.info("released %d expired holds", released)
    return released
