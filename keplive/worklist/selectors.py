"""Reading the worklist: open and resolved items, and what each open item can be resolved
with (employees of the same KEP free at that time, free times at the same KEP). Nothing here
reads the citizen's declared details."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from keplive.booking.schedule_inputs import ATHENS, category_rules, kep_schedules, local_date
from keplive.booking.scheduling import Interval, Slot, free_days, free_slots, overlaps
from keplive.directory.models import Employee
from keplive.worklist.conflicts import covered
from keplive.worklist.models import Cause, ConflictItem

# How far ahead the move offers free days.
MOVE_DAYS = 30


def _items() -> QuerySet[ConflictItem]:
    return ConflictItem.objects.select_related(
        "appointment",
        "appointment__kep",
        "appointment__kep__municipality",
        "appointment__service",
        "appointment__category",
        "appointment__employee__user",
        "resolved_by",
    )


def open_items(*, kep_id: int | None = None) -> QuerySet[ConflictItem]:
    """Open items, the soonest appointment first."""
    items = _items().filter(resolved_at__isnull=True)
    if kep_id is not None:
        items = items.filter(appointment__kep_id=kep_id)
    return items.order_by("appointment__starts_at", "pk")


def resolved_items(*, limit: int = 50) -> QuerySet[ConflictItem]:
    """The latest resolved items, latest first."""
    return _items().filter(resolved_at__isnull=False).order_by("-resolved_at", "-pk")[:limit]


def open_item(pk: int) -> ConflictItem | None:
    return open_items().filter(pk=pk).first()


def can_reassign(item: ConflictItem) -> bool:
    """Another employee helps only when the employee is the problem (or the KEP, deactivated,
    still serves what it has booked)."""
    return item.cause in {Cause.EMPLOYEE_UNAVAILABLE, Cause.KEP_DEACTIVATED}


def free_employees(*, item: ConflictItem, now: dt.datetime) -> list[Employee]:
    """Active employees of the appointment's KEP, other than its own, available for the whole
    call, not absent and not booked then (call plus pause)."""
    appointment = item.appointment
    day = local_date(appointment.starts_at)
    schedule = kep_schedules(
        keps=[appointment.kep],
        start=day,
        end=day,
        now=now,
        ignore_appointment_ids=[appointment.pk],
    )[appointment.kep_id]
    start = appointment.starts_at.astimezone(ATHENS)
    end = appointment.ends_at.astimezone(ATHENS)
    call = Interval(start=appointment.starts_at, end=appointment.ends_at)
    busy = Interval(start=appointment.starts_at, end=appointment.blocked_until)
    free_ids = [
        employee.employee_id
        for employee in schedule.employees
        if employee.employee_id != appointment.employee_id
        and end.date() == start.date()
        and covered(employee.weekly.get(start.weekday(), ()), start.time(), end.time())
        and not any(overlaps(call, absence) for absence in employee.absences)
        and not any(overlaps(busy, blocked) for blocked in employee.blocked)
    ]
    return list(
        Employee.objects.filter(pk__in=free_ids, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _move_window(item: ConflictItem, now: dt.datetime) -> tuple[dt.date, dt.date]:
    today = local_date(now)
    horizon = min(MOVE_DAYS, item.appointment.category.horizon_days)
    return today, today + dt.timedelta(days=horizon)


def move_days(*, item: ConflictItem, now: dt.datetime) -> list[dt.date]:
    """The days with a free time at the same KEP in the appointment's category."""
    appointment = item.appointment
    start, end = _move_window(item, now)
    schedule = kep_schedules(
        keps=[appointment.kep],
        start=start,
        end=end,
        now=now,
        ignore_appointment_ids=[appointment.pk],
    )[appointment.kep_id]
    return free_days(
        calendar=schedule.calendar,
        employees=schedule.employees,
        rules=category_rules(appointment.category),
        start=start,
        end=end,
        now=now,
    )


def move_times(*, item: ConflictItem, day: dt.date, now: dt.datetime) -> list[Slot]:
    """The free times of one day at the same KEP in the appointment's category."""
    appointment = item.appointment
    start, end = _move_window(item, now)
    if not start <= day <= end:
        return []
    schedule = kep_schedules(
        keps=[appointment.kep],
        start=day,
        end=day,
        now=now,
        ignore_appointment_ids=[appointment.pk],
    )[appointment.kep_id]
    return free_slots(
        calendar=schedule.calendar,
        employees=schedule.employees,
        rules=category_rules(appointment.category),
        start=day,
        end=day,
        now=now,
    )
