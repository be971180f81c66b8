"""The reminder email (C8): sent once, ``KEPLIVE_REMINDER_MINUTES`` before each booked call.

The worker runs ``send_due_reminders`` every minute. Each run takes the booked appointments with
declared details that start in ``(now, now + KEPLIVE_REMINDER_MINUTES]`` and have no reminder
yet, queues the email and stamps ``reminder_sent_at`` in the same transaction. On PostgreSQL the
rows are locked with ``SKIP LOCKED``, so two workers running at once share the work and never
remind twice; SQLite serialises writers anyway. The outbox key (reference and sequence) is a
second guard. A reschedule clears ``reminder_sent_at``, so the new time gets its own reminder.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction

from keplive.booking.emails import EmailKind, queue_appointment_email
from keplive.booking.models import Appointment, Status

logger = logging.getLogger(__name__)


def send_due_reminders(*, now: dt.datetime) -> int:
    """Queue the reminder of every booked call due one at ``now``; return how many."""
    horizon = now + dt.timedelta(minutes=settings.KEPLIVE_REMINDER_MINUTES)
    sent = 0
    with transaction.atomic():
        due = Appointment.objects.filter(
            status=Status.BOOKED,
            starts_at__gt=now,
            starts_at__lte=horizon,
            reminder_sent_at__isnull=True,
            details__isnull=False,
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, no_key=True, of=("self",))
        appointments = list(
            due.select_related("kep", "service", "category").order_by("starts_at", "pk")
        )
        for appointment in appointments:
            try:
                # A savepoint each: one bad row (say, an address the mail server refuses to
                # accept as valid) must not hold back everyone else's reminder.
                with transaction.atomic():
                    queue_appointment_email(appointment, EmailKind.REMINDER, now=now)
                    stamped = Appointment.objects.filter(
                        pk=appointment.pk, reminder_sent_at__isnull=True
                    ).update(reminder_sent_at=now)
            except Exception:
                logger.exception("reminder for appointment %s not queued", appointment.pk)
                continue
            sent += stamped
    if sent:
        logger.info("queued %d reminders", sent)
    return sent
