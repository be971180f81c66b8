"""The employee's reminder email (E3), ``KEPLIVE_EMPLOYEE_REMINDER_MINUTES`` (15) before each
appointment assigned to them.

The worker runs ``send_employee_reminders`` every minute. An appointment is due when it is
booked, starts within the window, its call has not been opened yet, its employee has an email
address, and no ``EmployeeReminder`` records a reminder for its current time and employee.
Each due appointment is claimed in its own transaction with a statement the database decides
(a conditional update of the reminder row, or its insert under the one-row-per-appointment
constraint), and the email is queued in that same transaction: two workers running at once
never remind twice, and a run that fails for one appointment leaves the others alone. The
outbox key (reference, time, employee) is a second guard. A move or a reassignment changes
the time or the employee, so the next reminder is due for the new ones.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from keplive.alerts.emails import queue_employee_reminder
from keplive.alerts.models import EmployeeReminder
from keplive.audit.services import record_event
from keplive.booking.models import Appointment, Status

logger = logging.getLogger(__name__)

# Appointments reminded per run at most: the next minute's run takes the rest.
BATCH = 500


def _due(now: dt.datetime) -> list[Appointment]:
    horizon = now + dt.timedelta(minutes=settings.KEPLIVE_EMPLOYEE_REMINDER_MINUTES)
    reminded = EmployeeReminder.objects.filter(
        appointment=OuterRef("pk"),
        starts_at=OuterRef("starts_at"),
        employee=OuterRef("employee"),
    )
    return list(
        Appointment.objects.filter(status=Status.BOOKED, starts_at__gt=now, starts_at__lte=horizon)
        .filter(Q(call__isnull=True) | Q(call__opened_at__isnull=True))
        .exclude(employee__user__email="")
        .filter(~Exists(reminded))
        .select_related("kep", "service", "category", "employee__user")
        .order_by("starts_at", "pk")[:BATCH]
    )


def _claim(appointment: Appointment, *, now: dt.datetime) -> EmployeeReminder | None:
    """Record the reminder of ``appointment`` for its current time and employee, or None when
    one is recorded already (by this run's rival). Call it inside a transaction."""
    changed = (
        EmployeeReminder.objects.filter(appointment=appointment)
        .exclude(starts_at=appointment.starts_at, employee_id=appointment.employee_id)
        .update(
            starts_at=appointment.starts_at,
            employee_id=appointment.employee_id,
            sent_at=now,
            message=None,
        )
    )
    if changed:
        return EmployeeReminder.objects.get(appointment=appointment)
    if EmployeeReminder.objects.filter(appointment=appointment).exists():
        return None
    try:
        with transaction.atomic():
            return EmployeeReminder.objects.create(
                appointment=appointment,
                employee_id=appointment.employee_id,
                starts_at=appointment.starts_at,
                sent_at=now,
            )
    except IntegrityError:
        return None


def send_employee_reminders(*, now: dt.datetime) -> int:
    """Queue the reminder of every appointment due one at ``now``; return how many."""
    sent = 0
    for appointment in _due(now):
        try:
            with transaction.atomic():
                reminder = _claim(appointment, now=now)
                if reminder is None:
                    continue
                reminder.message = queue_employee_reminder(
                    appointment=appointment, to=appointment.employee.user.email, cause=reminder
                )
                reminder.save(update_fields=["message"])
                record_event(
                    action="alert.employee_reminded",
                    object_type="appointment",
                    object_id=appointment.reference,
                    details={"employee": appointment.employee_id},
                )
        except Exception:
            # One bad row (an address the outbox refuses, say) must not hold back the others.
            logger.exception("employee reminder for appointment %s not queued", appointment.pk)
            continue
        sent += 1
    if sent:
        logger.info("queued %d employee reminders", sent)
    return sent
