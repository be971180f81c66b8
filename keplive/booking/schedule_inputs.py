"""Turning the directory and the booked appointments into the scheduling core's inputs.

The core (``booking.scheduling``) is pure Python; this module is the only bridge from the
database to it. It reads many KEPs in a fixed number of queries, so a search across all KEPs
costs the same handful of round trips as one KEP.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from keplive.booking.models import Appointment, Status
from keplive.booking.scheduling import (
    CategoryRules,
    EmployeeSchedule,
    Interval,
    KepCalendar,
    TimeRange,
)
from keplive.catalogue.models import Category
from keplive.directory.models import Absence, Availability, Kep, OpeningException, OpeningHours
from keplive.directory.selectors import closed_dates_for
from keplive.directory.versioning import directory_version

ATHENS = ZoneInfo(settings.TIME_ZONE)
LONGEST_PAUSE = dt.timedelta(hours=2)  # the admin caps a category's pause at 120 minutes
LONGEST_BLOCK = dt.timedelta(hours=6)  # a call (at most 240 minutes) plus its pause


@dataclass(frozen=True, slots=True)
class KepSchedule:
    kep: Kep
    calendar: KepCalendar
    employees: tuple[EmployeeSchedule, ...]


def category_rules(category: Category) -> CategoryRules:
    return CategoryRules(
        call_minutes=category.call_minutes,
        buffer_minutes=category.buffer_minutes,
        step_minutes=category.step_minutes,
        min_notice_minutes=category.min_notice_minutes,
        horizon_days=category.horizon_days,
        window_start=category.window_start,
        window_end=category.window_end,
    )


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ATHENS).date()


def booking_horizon(*, category: Category, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last local dates a citizen may book in this category."""
    today = local_date(now)
    return today, today + dt.timedelta(days=category.horizon_days)


def local_day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants of local midnight before ``start`` and after ``end``."""
    first = dt.datetime.combine(start, dt.time.min, tzinfo=ATHENS).astimezone(dt.UTC)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=ATHENS)
    return first, last.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class EmployeeDirectory:
    employee_id: int
    weekly: dict[int, tuple[TimeRange, ...]]
    absences: tuple[Interval, ...]


@dataclass(frozen=True, slots=True)
class KepDirectory:
    """What the directory says of one KEP over a window of dates: all of a schedule but the
    bookings. It changes rarely, so it is cached per KEP under the directory's version."""

    calendar: KepCalendar
    employees: tuple[EmployeeDirectory, ...]


# A cached snapshot covers this many days from today: more than the longest allowed horizon.
SNAPSHOT_DAYS = 190
# Longer than the worker's ten-minute refresh of every KEP, which so keeps every KEP warm.
SNAPSHOT_SECONDS = 15 * 60


def _load_directories(
    *, keps: Sequence[Kep], start: dt.date, end: dt.date
) -> dict[int, KepDirectory]:
    kep_ids = [kep.pk for kep in keps]
    range_start, range_end = local_day_bounds(start, end)

    weekly: dict[int, dict[int, list[TimeRange]]] = defaultdict(lambda: defaultdict(list))
    for kep_id, weekday, opens, closes in (
        OpeningHours.objects.filter(kep_id__in=kep_ids)
        .order_by()
        .values_list("kep_id", "weekday", "opens", "closes")
    ):
        weekly[kep_id][weekday].append(TimeRange(start=opens, end=closes))

    exceptions: dict[int, dict[dt.date, list[TimeRange]]] = defaultdict(lambda: defaultdict(list))
    for kep_id, day, exception_opens, exception_closes in (
        OpeningException.objects.filter(kep_id__in=kep_ids, date__range=(start, end))
        .order_by()
        .values_list("kep_id", "date", "opens", "closes")
    ):
        day_ranges = exceptions[kep_id][day]  # a closed-day row leaves the list empty
        if exception_opens is not None and exception_closes is not None:
            day_ranges.append(TimeRange(start=exception_opens, end=exception_closes))

    closed = closed_dates_for(
        municipality_ids={kep.municipality_id for kep in keps}, start=start, end=end
    )

    availability: dict[int, dict[int, list[TimeRange]]] = defaultdict(lambda: defaultdict(list))
    employee_kep: dict[int, int] = {}
    for employee_id, kep_id, weekday, starts, ends in (
        Availability.objects.filter(employee__kep_id__in=kep_ids, employee__is_active=True)
        .order_by()
        .values_list("employee_id", "employee__kep_id", "weekday", "starts", "ends")
    ):
        availability[employee_id][weekday].append(TimeRange(start=starts, end=ends))
        employee_kep[employee_id] = kep_id

    absences: dict[int, list[Interval]] = defaultdict(list)
    for employee_id, starts_at, ends_at in (
        Absence.objects.filter(
            employee_id__in=employee_kep.keys(), starts_at__lt=range_end, ends_at__gt=range_start
        )
        .order_by()
        .values_list("employee_id", "starts_at", "ends_at")
    ):
        absences[employee_id].append(Interval(start=starts_at, end=ends_at))

    employees_by_kep: dict[int, list[EmployeeDirectory]] = defaultdict(list)
    for employee_id in sorted(employee_kep):
        employees_by_kep[employee_kep[employee_id]].append(
            EmployeeDirectory(
                employee_id=employee_id,
                weekly={day: tuple(ranges) for day, ranges in availability[employee_id].items()},
                absences=tuple(absences.get(employee_id, ())),
            )
        )
    return {
        kep.pk: KepDirectory(
            calendar=KepCalendar(
                weekly_hours={day: tuple(r) for day, r in weekly[kep.pk].items()},
                exceptions={day: tuple(r) for day, r in exceptions[kep.pk].items()},
                closed_dates=closed.get(kep.municipality_id, frozenset()),
                timezone=settings.TIME_ZONE,
            ),
            employees=tuple(employees_by_kep[kep.pk]),
        )
        for kep in keps
    }


def kep_directories(
    *, keps: Sequence[Kep], start: dt.date, end: dt.date, now: dt.datetime
) -> dict[int, KepDirectory]:
    """The directory side of the KEPs' schedules, from the cache when the dates fall inside
    the cached window (today and the next ``SNAPSHOT_DAYS`` days)."""
    first = local_date(now)
    last = first + dt.timedelta(days=SNAPSHOT_DAYS)
    if start < first or end > last:
        return _load_directories(keps=keps, start=start, end=end)
    version = directory_version()
    keys = {kep.pk: f"kep-directory:{version}:{first.isoformat()}:{kep.pk}" for kep in keps}
    found: dict[int, KepDirectory] = {}
    moment = time.monotonic()
    for kep_id, key in keys.items():
        remembered = _remembered.get(key)
        if remembered is not None and remembered[0] > moment:
            found[kep_id] = remembered[1]
    wanted = [key for kep_id, key in keys.items() if kep_id not in found]
    cached = cache.get_many(wanted) if wanted else {}
    for kep_id, key in keys.items():
        if key in cached:
            found[kep_id] = cached[key]
    missing = [kep for kep in keps if kep.pk not in found]
    if missing:
        loaded = _load_directories(keps=missing, start=first, end=last)
        cache.set_many({keys[k]: v for k, v in loaded.items()}, timeout=SNAPSHOT_SECONDS)
        found.update(loaded)
    if len(keys) <= REMEMBER_AT_MOST:  # a national search does not flush the hot KEPs
        if len(_remembered) + len(keys) > REMEMBER_AT_MOST:
            _remembered.clear()
        for kep_id, key in keys.items():
            if key not in _remembered:
                _remembered[key] = (moment + REMEMBER_SECONDS, found[kep_id])
    return found


# The unpickled directories of the KEPs asked about lately, in this process, under the same
# keys (so the same directory version): reading one from the cache unpickled it on every
# request, a fifth of a warm free-times request's time (docs/PERFORMANCE.md, ADR 0031). A
# ``KepDirectory`` is never changed once built. Kept a minute, well within the cache's own
# lifetime, and at most ``REMEMBER_AT_MOST`` KEPs.
REMEMBER_SECONDS = 60.0
REMEMBER_AT_MOST = 2048
_remembered: dict[str, tuple[float, KepDirectory]] = {}


def kep_schedules(
    *,
    keps: Sequence[Kep],
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    ignore_appointment_ids: Collection[int] = (),
) -> dict[int, KepSchedule]:
    """Calendars and employee schedules of ``keps`` for local dates [start, end].

    The directory side comes from ``kep_directories`` (cached); the blocking appointments are
    always read live. Holds that have expired no longer block time, even before the sweeper
    releases them. ``ignore_appointment_ids`` leaves out appointments being moved, so an
    appointment can be shifted into a range that overlaps its own current one.
    """
    if not keps:
        return {}
    directories = kep_directories(keps=keps, start=start, end=end, now=now)
    range_start, range_end = local_day_bounds(start, end)
    blocked: dict[int, list[Interval]] = defaultdict(list)
    rows: Iterable[tuple[int, dt.datetime, dt.datetime]]
    if connection.vendor == "postgresql" and not ignore_appointment_ids:
        rows = _blocking_rows_sql(
            kep_ids=[kep.pk for kep in keps], range_start=range_start, range_end=range_end, now=now
        )
    else:
        rows = _blocking_rows(
            kep_ids=[kep.pk for kep in keps],
            range_start=range_start,
            range_end=range_end,
            now=now,
            ignore_appointment_ids=ignore_appointment_ids,
        )
    for employee_id, starts_at, blocked_until in rows:
        blocked[employee_id].append(Interval(start=starts_at, end=blocked_until))

    return {kep.pk: assemble_schedule(kep, directories[kep.pk], blocked) for kep in keps}


def assemble_schedule(
    kep: Kep, directory: KepDirectory, blocked: Mapping[int, Sequence[Interval]]
) -> KepSchedule:
    """One KEP's schedule: its directory side and the blocked ranges of its employees."""
    return KepSchedule(
        kep=kep,
        calendar=directory.calendar,
        employees=tuple(
            EmployeeSchedule(
                employee_id=employee.employee_id,
                weekly=employee.weekly,
                absences=employee.absences,
                blocked=tuple(sorted(blocked.get(employee.employee_id, ()), key=_start)),
            )
            for employee in directory.employees
        ),
    )


# The query of ``_blocking_rows`` written out for PostgreSQL: the free-times request's one
# statement, without the ORM building and compiling it anew each time (about a third of the
# request's time in Python; docs/PERFORMANCE.md, issue 13). Same arms, same covering index.
# The instants come as microseconds since the epoch, integers: a month's ~400 rows as timestamps
# were parsed from text by a regular expression each (Django's time-zone loader subclasses
# psycopg's pure-Python one), a fifth of a month request's time.
_BLOCKING_SQL = """
    SELECT employee_id,
           (extract(epoch FROM starts_at) * 1000000)::int8,
           (extract(epoch FROM blocked_until) * 1000000)::int8
      FROM booking_appointment
     WHERE kep_id = ANY(%(keps)s) AND status = %(booked)s
       AND starts_at >= %(from)s AND starts_at < %(to)s AND blocked_until > %(start)s
    UNION ALL
    SELECT employee_id,
           (extract(epoch FROM starts_at) * 1000000)::int8,
           (extract(epoch FROM blocked_until) * 1000000)::int8
      FROM booking_appointment
     WHERE kep_id = ANY(%(keps)s) AND status = %(held)s AND hold_expires_at > %(now)s
       AND starts_at >= %(from)s AND starts_at < %(to)s AND blocked_until > %(start)s
"""
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _blocking_rows_sql(
    *, kep_ids: list[int], range_start: dt.datetime, range_end: dt.datetime, now: dt.datetime
) -> list[tuple[int, dt.datetime, dt.datetime]]:
    params: dict[str, Any] = {
        "keps": kep_ids,
        "booked": Status.BOOKED.value,
        "held": Status.HELD.value,
        "from": range_start - LONGEST_BLOCK,
        "to": range_end + LONGEST_PAUSE,
        "start": range_start,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_BLOCKING_SQL, params)
        found = cursor.fetchall()
    return [
        (
            employee_id,
            EPOCH + dt.timedelta(microseconds=starts),
            EPOCH + dt.timedelta(microseconds=until),
        )
        for employee_id, starts, until in found
    ]


def _blocking_rows(
    *,
    kep_ids: list[int],
    range_start: dt.datetime,
    range_end: dt.datetime,
    now: dt.datetime,
    ignore_appointment_ids: Collection[int],
) -> Iterable[tuple[int, dt.datetime, dt.datetime]]:
    in_range = Appointment.objects.filter(
        kep_id__in=kep_ids,
        # Bounded on both sides so the index scan never walks the KEP's history; a late
        # call's pause may run past midnight into the next day's first booking.
        starts_at__gte=range_start - LONGEST_BLOCK,
        starts_at__lt=range_end + LONGEST_PAUSE,
        blocked_until__gt=range_start,
    ).order_by()
    if ignore_appointment_ids:
        in_range = in_range.exclude(pk__in=list(ignore_appointment_ids))
    columns = ("employee_id", "starts_at", "blocked_until")
    # Booked rows, and holds still running (an expired hold no longer blocks): two arms of one
    # UNION ALL, so that the booked rows come from the covering index ``appt_kep_time`` alone
    # (an index-only scan) instead of one scattered table page per row (docs/PERFORMANCE.md).
    booked = in_range.filter(status=Status.BOOKED).values_list(*columns)
    held = in_range.filter(status=Status.HELD, hold_expires_at__gt=now).values_list(*columns)
    return booked.union(held, all=True)


def _start(interval: Interval) -> dt.datetime:
    return interval.start


def booked_minutes(
    *, employee_ids: Collection[int], around: dt.datetime, days: int = 7
) -> dict[int, int]:
    """Minutes each employee has booked in the ``days`` around a time: the fairness measure (P1)."""
    window = dt.timedelta(days=days / 2)
    totals: dict[int, int] = dict.fromkeys(employee_ids, 0)
    rows = Appointment.objects.filter(
        Q(status=Status.BOOKED),
        employee_id__in=list(employee_ids),
        starts_at__gte=around - window,
        starts_at__lt=around + window,
    ).values_list("employee_id", "starts_at", "ends_at")
    for employee_id, starts_at, ends_at in rows:
        totals[employee_id] += int((ends_at - starts_at).total_seconds() // 60)
    return totals
