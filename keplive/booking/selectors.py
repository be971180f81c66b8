"""Reading free times and appointments.

Free times come from the pure scheduling core, fed by ``schedule_inputs``. Appointments are
personal data: they are read only through the ``*_for_citizen`` selectors here, which check
ownership and write an audit event.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from keplive.accounts.models import Citizen
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.eligibility import check_kep_serves, keps_serving
from keplive.booking.exceptions import AppointmentNotFound
from keplive.booking.models import Appointment, Status
from keplive.booking.schedule_inputs import ATHENS, category_rules, kep_schedules
from keplive.booking.scheduling import (
    Slot,
    earliest_slot,
    free_days,
    free_slots,
    nearest_slots,
)
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Kep


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ATHENS).date()


def booking_horizon(*, category: Category, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last local dates a citizen may book in this category."""
    today = local_date(now)
    return today, today + dt.timedelta(days=category.horizon_days)


def free_slots_for(
    *,
    kep: Kep,
    service: Service,
    category: Category,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    ignore_appointment_ids: Sequence[int] = (),
) -> list[Slot]:
    """The free times at a KEP for a service, for local dates [start, end]."""
    check_kep_serves(kep=kep, service=service, category=category)
    schedule = kep_schedules(
        keps=[kep], start=start, end=end, now=now, ignore_appointment_ids=ignore_appointment_ids
    )[kep.pk]
    return free_slots(
        calendar=schedule.calendar,
        employees=schedule.employees,
        rules=category_rules(category),
        start=start,
        end=end,
        now=now,
    )


def free_days_in_month(
    *, kep: Kep, service: Service, category: Category, year: int, month: int, now: dt.datetime
) -> list[dt.date]:
    """The dates of a month with at least one free time (for the citizen's calendar)."""
    check_kep_serves(kep=kep, service=service, category=category)
    first_day = dt.date(year, month, 1)
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
    horizon_start, horizon_end = booking_horizon(category=category, now=now)
    start, end = max(first_day, horizon_start), min(last_day, horizon_end)
    if start > end:
        return []
    schedule = kep_schedules(keps=[kep], start=start, end=end, now=now)[kep.pk]
    return free_days(
        calendar=schedule.calendar,
        employees=schedule.employees,
        rules=category_rules(category),
        start=start,
        end=end,
        now=now,
    )


@dataclass(frozen=True, slots=True)
class KepSlot:
    kep: Kep
    slot: Slot


def earliest_free_slots(
    *,
    service: Service,
    category: Category,
    now: dt.datetime,
    limit: int = 5,
    keps: QuerySet[Kep] | None = None,
) -> list[KepSlot]:
    """The KEPs with the earliest free time for a service, earliest first (one slot per KEP)."""
    candidates = list(keps if keps is not None else keps_serving(service=service, category=category))
    start, end = booking_horizon(category=category, now=now)
    rules = category_rules(category)
    schedules = kep_schedules(keps=candidates, start=start, end=end, now=now)
    found: list[KepSlot] = []
    for kep in candidates:
        schedule = schedules[kep.pk]
        slot = earliest_slot(
            calendar=schedule.calendar, employees=schedule.employees, rules=rules, now=now
        )
        if slot is not None:
            found.append(KepSlot(kep=kep, slot=slot))
    found.sort(key=lambda item: (item.slot.start, item.kep.code))
    return found[:limit]


def nearest_free_slots(
    *,
    kep: Kep,
    service: Service,
    category: Category,
    target: dt.datetime,
    now: dt.datetime,
    limit: int = 3,
    days_around: int = 3,
    ignore_appointment_ids: Sequence[int] = (),
) -> list[Slot]:
    """The free times nearest to ``target`` within a few days of it: the alternatives offered
    when the chosen time is gone."""
    horizon_start, horizon_end = booking_horizon(category=category, now=now)
    day = local_date(target)
    start = max(horizon_start, day - dt.timedelta(days=days_around))
    end = min(horizon_end, day + dt.timedelta(days=days_around))
    if start > end:
        start, end = horizon_start, min(horizon_end, horizon_start + dt.timedelta(days=days_around))
    slots = free_slots_for(
        kep=kep,
        service=service,
        category=category,
        start=start,
        end=end,
        now=now,
        ignore_appointment_ids=ignore_appointment_ids,
    )
    return nearest_slots(slots=slots, target=target, limit=limit)


# --- Appointments: personal data, read through access checks ----------------------------


def appointments_for_citizen(
    *, citizen: Citizen, origin: Origin = SYSTEM, include_past: bool = False, now: dt.datetime
) -> QuerySet[Appointment]:
    """A citizen's own booked appointments (never anyone else's)."""
    appointments = Appointment.objects.filter(
        citizen=citizen, status__in=[Status.BOOKED, Status.CANCELLED]
    ).select_related("kep", "kep__municipality", "service", "category")
    if not include_past:
        appointments = appointments.filter(starts_at__gte=now, status=Status.BOOKED)
    record_event(
        action="appointments.listed",
        actor=citizen.user,
        origin=origin,
        object_type="citizen",
        object_id=citizen.pk,
    )
    return appointments


def appointment_for_citizen(
    *, citizen: Citizen, reference: object, origin: Origin = SYSTEM
) -> Appointment:
    """One of the citizen's appointments by reference; anyone else's is reported as not found."""
    try:
        appointment = Appointment.objects.select_related(
            "kep", "kep__municipality", "service", "category", "citizen"
        ).get(reference=reference, citizen=citizen)
    except (Appointment.DoesNotExist, ValueError) as exc:
        record_event(
            action="appointment.viewed",
            actor=citizen.user,
            origin=origin,
            object_type="appointment",
            object_id=str(reference)[:64],
            outcome="refused",
        )
        raise AppointmentNotFound() from exc
    record_event(
        action="appointment.viewed",
        actor=citizen.user,
        origin=origin,
        object_type="appointment",
        object_id=appointment.reference,
    )
    return appointment
