"""Background work of the booking app (Huey). Tasks call services; they hold no logic."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from keplive.booking.earliest import refresh_earliest_free_times
from keplive.booking.reminders import send_due_reminders
from keplive.booking.services import release_expired_holds
from keplive.directory.selectors import bookable_keps

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def release_expired_holds_task() -> int:
    """Every minute: give back held times whose few minutes ran out."""
    released = release_expired_holds(now=timezone.now())
    if released:
        logger.info("released %d expired holds", released)
    return released


@db_periodic_task(crontab(minute="*/10"))
def refresh_earliest_free_times_task() -> int:
    """Every ten minutes: recompute every KEP's earliest free times (directory changes, time
    passing); bookings refresh their own KEP as they commit."""
    return refresh_earliest_free_times(keps=bookable_keps(), now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def send_reminders_task() -> int:
    """Every minute: queue the reminder email of each call starting within the reminder time."""
    return send_due_reminders(now=timezone.now())
