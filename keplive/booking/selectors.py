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

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keplive.accounts.models import Citizen
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.earliest import live_earliest, refresh_earliest_free_times
from keplive.booking.eligibility import check_kep_serves, keps_serving
from keplive.booking.exceptions import AppointmentNotFound, TimeNotOffered
from keplive.booking.models import Appointment, EarliestFreeTime, Reference, Status
from keplive.booking.schedule_inputs import (
    ATHENS,
    booking_horizon,
    category_rules,
    kep_schedules,
    local_date,
)
from keplive.booking.scheduling import KepCalendar, Slot, free_days, free_slots, nearest_slots
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Kep, LocalHoliday
from keplive.directory.selectors import national_holiday_names


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


def _beyond_horizon(category: Category) -> TimeNotOffered:
    return TimeNotOffered(
        reason="beyond_horizon",
        message=_("Appointments can be booked up to %(days)d days ahead.")
        % {"days": category.horizon_days},
    )


def free_days_in_month(
    *,
    kep: Kep,
    service: Service,
    category: Category,
    year: int,
    month: int,
    now: dt.datetime,
    ignore_appointment_ids: Sequence[int] = (),
) -> list[dt.date]:
    """The dates of a month with at least one free time (for the citizen's calendar).

    A month wholly in the past or beyond the booking horizon is refused with the reason. When
    moving an appointment, pass it in ``ignore_appointment_ids`` so its own time (and buffer)
    does not hide the times around it.
    """
    check_kep_serves(kep=kep, service=service, category=category)
    horizon_start, horizon_end = booking_horizon(category=category, now=now)
    if (year, month) < (horizon_start.year, horizon_start.month):
        raise TimeNotOffered(reason="past", message=_("This month has already passed."))
    if (year, month) > (horizon_end.year, horizon_end.month):
        raise _beyond_horizon(category)
    first_day = dt.date(year, month, 1)
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
    start, end = max(first_day, horizon_start), min(last_day, horizon_end)
    schedule = kep_schedules(
        keps=[kep], start=start, end=end, now=now, ignore_appointment_ids=ignore_appointment_ids
    )[kep.pk]
    return free_days(
        calendar=schedule.calendar,
        employees=schedule.employees,
        rules=category_rules(category),
        start=start,
        end=end,
        now=now,
    )


def free_times_on(
    *, kep: Kep, service: Service, category: Category, day: dt.date, now: dt.datetime
) -> list[Slot]:
    """The free times of one day; a past day or one beyond the horizon is refused with the
    reason."""
    check_kep_serves(kep=kep, service=service, category=category)
    horizon_start, horizon_end = booking_horizon(category=category, now=now)
    if day < horizon_start:
        raise TimeNotOffered(reason="past", message=_("This date has already passed."))
    if day > horizon_end:
        raise _beyond_horizon(category)
    return free_slots_for(kep=kep, service=service, category=category, start=day, end=day, now=now)


# How many times the search re-reads the index after finding stale rows among its candidates.
MAX_VERIFY_ROUNDS = 4


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
    """The KEPs with the earliest free time for a service, earliest first (one slot per KEP).

    Candidates come from the ``EarliestFreeTime`` index; each one returned is checked against
    live data first, so a stale index row can reorder the search but never produce a wrong
    answer. KEPs missing from the index, or whose indexed time has passed, are refreshed here.
    """
    eligible = keps if keps is not None else keps_serving(service=service, category=category)
    threshold = now + dt.timedelta(minutes=category.min_notice_minutes)
    indexed = EarliestFreeTime.objects.filter(category=category, kep__in=eligible)
    fresh = EarliestFreeTime.objects.filter(
        Q(starts_at__isnull=True) | Q(starts_at__gte=threshold),
        kep=OuterRef("pk"),
        category=category,
    )
    outdated = list(eligible.exclude(Exists(fresh)))
    if outdated:
        refresh_earliest_free_times(keps=outdated, now=now, categories=[category])

    verified: list[KepSlot] = []
    for _round in range(MAX_VERIFY_ROUNDS):
        candidates = list(
            indexed.filter(starts_at__isnull=False)
            .exclude(kep_id__in=[item.kep.pk for item in verified])
            .select_related("kep", "kep__municipality")
            .order_by("starts_at", "kep__code")[: limit - len(verified)]
        )
        if not candidates:
            break
        live = live_earliest(keps=[row.kep for row in candidates], categories=[category], now=now)
        changed = False
        for row in candidates:
            slot = live[(row.kep_id, category.number)]
            if slot is not None and slot.start == row.starts_at:
                verified.append(KepSlot(kep=row.kep, slot=slot))
            else:
                EarliestFreeTime.objects.filter(pk=row.pk).update(
                    starts_at=slot.start if slot else None, refreshed_at=now
                )
                changed = True
        if not changed or len(verified) >= limit:
            break
    verified.sort(key=lambda item: (item.slot.start, item.kep.code))
    return verified[:limit]


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
    day_slots: Sequence[Slot] | None = None,
) -> list[Slot]:
    """The free times nearest to ``target`` within a few days of it: the alternatives offered
    when the chosen time is gone.

    The target's own day is looked at first (``day_slots``: its free times when the caller has
    them already, as the booking service does): when its ``limit`` nearest are closer to the
    target than either midnight around it, no time of another day can be nearer, and the other
    days are never read. A refusal then costs one day's free times, not a week's.
    """
    horizon_start, horizon_end = booking_horizon(category=category, now=now)
    day = local_date(target)
    if horizon_start <= day <= horizon_end:
        if day_slots is None:
            day_slots = free_slots_for(
                kep=kep,
                service=service,
                category=category,
                start=day,
                end=day,
                now=now,
                ignore_appointment_ids=ignore_appointment_ids,
            )
        nearest = _nearest_within_the_day(day_slots, target=target, day=day, limit=limit)
        if nearest is not None:
            return nearest
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


def _nearest_within_the_day(
    slots: Sequence[Slot], *, target: dt.datetime, day: dt.date, limit: int
) -> list[Slot] | None:
    """The ``limit`` slots of ``day`` nearest to ``target``, when no slot of another day can be
    as near (strictly nearer than both midnights around the target); otherwise None."""
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=ATHENS)
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=ATHENS)
    reach = min(target - midnight, next_midnight - target)
    same_day = [slot for slot in slots if local_date(slot.start) == day]
    nearest = nearest_slots(slots=same_day, target=target, limit=limit)
    if len(nearest) < limit or any(abs(slot.start - target) >= reach for slot in nearest):
        return None
    return nearest


# --- Appointments: personal data, read through access checks ----------------------------


def upcoming_booking_count(*, citizen: Citizen, now: dt.datetime) -> int:
    """How many of the citizen's appointments count against KEPLIVE_MAX_ACTIVE_BOOKINGS: booked
    and still ahead, as the booking service counts them when it refuses one more."""
    return Appointment.objects.filter(
        citizen=citizen, status=Status.BOOKED, starts_at__gt=now
    ).count()


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
    *, citizen: Citizen, reference: Reference, origin: Origin = SYSTEM
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


# --- Why a day has no free times (issue 14, item 14) ----------------------------------------


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """Why a day of the citizen's calendar offers no time: ``reason`` is one of ``past``
    (before the first bookable day), ``later`` (beyond the booking horizon), ``holiday``
    (``name`` says which), ``closed`` (the KEP does not open that day) or ``full`` (open, but
    every time is taken or no employee serves)."""

    reason: str
    name: str = ""


def closed_days_in_month(
    *,
    kep: Kep,
    category: Category,
    year: int,
    month: int,
    free: Sequence[dt.date],
    now: dt.datetime,
) -> dict[dt.date, ClosedDay]:
    """Each day of the month without free times, with the reason (the KEP's own calendar, read
    from the same cached directory data the free times come from)."""
    horizon_start, horizon_end = booking_horizon(category=category, now=now)
    first_day = dt.date(year, month, 1)
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
    free_set = set(free)
    # Today's remaining hours are past the minimum notice: "can no longer be booked", not "full".
    first_open = max(horizon_start, local_date(now) + dt.timedelta(days=1))
    start, end = max(first_day, horizon_start), min(last_day, horizon_end)
    kep_calendar: KepCalendar | None = None
    if start <= end:
        kep_calendar = kep_schedules(keps=[kep], start=start, end=end, now=now)[kep.pk].calendar
    names = dict(national_holiday_names(year))
    names.update(
        LocalHoliday.objects.filter(
            municipality_id=kep.municipality_id, date__range=(first_day, last_day)
        ).values_list("date", "name")
    )
    reasons: dict[dt.date, ClosedDay] = {}
    day = first_day
    while day <= last_day:
        if day not in free_set:
            reasons[day] = _why_closed(day, kep_calendar, first_open, horizon_end, names)
        day += dt.timedelta(days=1)
    return reasons


def _why_closed(
    day: dt.date,
    kep_calendar: KepCalendar | None,
    horizon_start: dt.date,
    horizon_end: dt.date,
    names: dict[dt.date, str],
) -> ClosedDay:
    if day < horizon_start:
        return ClosedDay("past")
    if day > horizon_end or kep_calendar is None:
        return ClosedDay("later")
    if day in kep_calendar.closed_dates:
        return ClosedDay("holiday", names.get(day, ""))
    exceptions = kep_calendar.exceptions
    hours = exceptions[day] if day in exceptions else kep_calendar.weekly_hours.get(day.weekday())
    if not hours:
        return ClosedDay("closed")
    return ClosedDay("full")


def first_free_times(
    *, keps: Sequence[Kep], category: Category, now: dt.datetime
) -> dict[int, dt.datetime | None]:
    """Each listed KEP's first free time in the category, as the earliest-free-time index keeps
    it (refreshed by bookings and every ten minutes; the calendar checks it live). A KEP the
    index has not seen yet is computed and stored first; ``None``: nothing free."""

    def read() -> dict[int, dt.datetime | None]:
        rows = EarliestFreeTime.objects.filter(
            kep_id__in=[kep.pk for kep in keps], category=category
        ).values_list("kep_id", "starts_at")
        return dict(rows)

    found = read()
    missing = [kep for kep in keps if kep.pk not in found]
    if missing:
        refresh_earliest_free_times(keps=missing, now=now, categories=[category])
        found = read()
    return found
