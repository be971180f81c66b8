"""A deliberately naive reference implementation of the slot rules.

It shares no code with the core: it walks every whole UTC minute of a local
day with ``datetime.astimezone`` and checks each rule minute by minute. It is
far too slow for production but easy to read, which makes it a good oracle for
the property-based tests. It assumes that every TimeRange bound is a whole
minute and that UTC offsets are whole minutes (true for all zones used here).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from keplive.booking.scheduling import (
    CategoryRules,
    EmployeeSchedule,
    Interval,
    KepCalendar,
    Slot,
    TimeRange,
)

MINUTE = timedelta(minutes=1)


def wall_minute(value: time) -> int:
    """Minutes from midnight of a whole-minute wall time."""
    assert value.second == 0, "reference needs whole minutes"
    assert value.microsecond == 0, "reference needs whole minutes"
    return value.hour * 60 + value.minute


def each_date(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@lru_cache(maxsize=1024)
def day_minutes(zone_key: str, day: date) -> tuple[tuple[datetime, int], ...]:
    """Every whole UTC minute whose local wall clock reads ``day``, in time order.

    Each entry is ``(instant in UTC, wall minute of day)``.
    """
    tz = ZoneInfo(zone_key)
    instant = datetime.combine(day, time(), tzinfo=UTC) - timedelta(hours=16)
    stop = instant + timedelta(hours=16 + 24 + 16)
    found = []
    while instant < stop:
        local = instant.astimezone(tz)
        if local.date() == day:
            found.append((instant, local.hour * 60 + local.minute))
        instant += MINUTE
    return tuple(found)


def opening_ranges(calendar: KepCalendar, day: date) -> tuple[TimeRange, ...]:
    if day in calendar.exceptions:
        return tuple(calendar.exceptions[day])
    return tuple(calendar.weekly_hours.get(day.weekday(), ()))


def _inside(minute: int, ranges: Sequence[TimeRange]) -> bool:
    return any(wall_minute(r.start) <= minute < wall_minute(r.end) for r in ranges)


def utc_overlap(a_start: datetime, a_end: datetime, b: Interval) -> bool:
    """Half-open overlap of two ranges, compared in UTC."""
    b_start = b.start.astimezone(UTC)
    b_end = b.end.astimezone(UTC)
    return b_start < b_end and a_start < b_end and b_start < a_end


class Reference:
    """The slot rules for one calendar, category and ``now``, checked naively."""

    def __init__(self, *, calendar: KepCalendar, rules: CategoryRules, now: datetime) -> None:
        self.calendar = calendar
        self.rules = rules
        self.tz = ZoneInfo(calendar.timezone)
        self.now = now.astimezone(UTC)
        self.earliest = self.now + timedelta(minutes=rules.min_notice_minutes)
        self.last_day = self.now.astimezone(self.tz).date() + timedelta(days=rules.horizon_days)
        self._runs: dict[tuple[int, date], dict[datetime, int]] = {}

    def call_runs(self, employee: EmployeeSchedule, day: date) -> dict[datetime, int]:
        """For each minute of ``day``: how many consecutive real minutes from it
        on read a wall time inside the opening hours, the citizen window and
        the employee's availability."""
        key = (employee.employee_id, day)
        if key in self._runs:
            return self._runs[key]
        minutes = day_minutes(self.calendar.timezone, day)
        opening = opening_ranges(self.calendar, day)
        available = employee.weekly.get(day.weekday(), ())
        window = (TimeRange(self.rules.window_start, self.rules.window_end),)
        runs: dict[datetime, int] = {}
        following = 0
        next_instant: datetime | None = None
        for instant, wall in reversed(minutes):
            ok = _inside(wall, opening) and _inside(wall, window) and _inside(wall, available)
            if not ok:
                following = 0
            elif next_instant is not None and next_instant - instant == MINUTE:
                following += 1
            else:
                following = 1
            runs[instant] = following
            next_instant = instant
        self._runs[key] = runs
        return runs

    def on_grid(self, start: datetime) -> bool:
        local = start.astimezone(self.tz)
        minute = local.hour * 60 + local.minute
        return not (minute % self.rules.step_minutes or local.second or local.microsecond)

    def is_free(self, employee: EmployeeSchedule, start: datetime) -> bool:
        """Every slot rule for one employee and one start instant."""
        rules = self.rules
        start = start.astimezone(UTC)
        day = start.astimezone(self.tz).date()
        if day in self.calendar.closed_dates or not self.on_grid(start):
            return False
        if start < self.earliest or day > self.last_day:
            return False
        if self.call_runs(employee, day).get(start, 0) < rules.call_minutes:
            return False
        call_end = start + timedelta(minutes=rules.call_minutes)
        if any(utc_overlap(start, call_end, absence) for absence in employee.absences):
            return False
        blocked_end = call_end + timedelta(minutes=rules.buffer_minutes)
        return not any(utc_overlap(start, blocked_end, b) for b in employee.blocked)

    def free_slots(
        self, employees: Sequence[EmployeeSchedule], start: date, end: date
    ) -> list[Slot]:
        """Free slots of local dates ``[start, end]``, found minute by minute."""
        call = timedelta(minutes=self.rules.call_minutes)
        ordered = sorted(employees, key=lambda e: e.employee_id)
        slots: list[Slot] = []
        for day in each_date(start, end):
            for instant, wall in day_minutes(self.calendar.timezone, day):
                if wall % self.rules.step_minutes:
                    continue
                free = tuple(e.employee_id for e in ordered if self.is_free(e, instant))
                if free:
                    slots.append(Slot(instant, instant + call, free))
        slots.sort(key=lambda slot: slot.start)
        return slots


def reference_free_slots(
    *,
    calendar: KepCalendar,
    employees: Sequence[EmployeeSchedule],
    rules: CategoryRules,
    start: date,
    end: date,
    now: datetime,
) -> list[Slot]:
    """Free slots computed minute by minute (see module docstring)."""
    return Reference(calendar=calendar, rules=rules, now=now).free_slots(employees, start, end)
