"""Value objects of the scheduling core.

All classes are frozen, slotted dataclasses validated in ``__post_init__``.
Calendars and schedules also keep a private, pre-computed integer form of their
data (``compare=False``, ``repr=False``) so repeated queries do not pay for the
conversion again; treat the mappings passed in as immutable after construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from ._timeline import (
    Spans,
    merge_spans,
    require_aware,
    require_date,
    require_wall_time,
    time_to_us,
    to_us,
    zone,
)

DEFAULT_TIMEZONE = "Europe/Athens"
"""IANA timezone used when a calendar does not name one."""

DEFAULT_WINDOW_START = time(8, 0)
"""Default start of the citizen window (local wall clock)."""

DEFAULT_WINDOW_END = time(14, 30)
"""Default end of the citizen window (local wall clock)."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A local wall-clock range ``[start, end)`` within one day.

    Both ends are naive ``time`` values read in the calendar's timezone;
    ``start < end`` is required (a range cannot cross midnight).
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        require_wall_time(self.start, "TimeRange.start")
        require_wall_time(self.end, "TimeRange.end")
        if not self.start < self.end:
            raise ValueError(
                f"TimeRange.start must be before TimeRange.end, "
                f"got {self.start.isoformat()} >= {self.end.isoformat()}"
            )


@dataclass(frozen=True, slots=True)
class Interval:
    """An absolute half-open range ``[start, end)`` of aware datetimes.

    ``start <= end`` is required; an empty interval (``start == end``)
    overlaps nothing.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware(self.start, "Interval.start")
        require_aware(self.end, "Interval.end")
        if to_us(self.start) > to_us(self.end):
            raise ValueError(
                f"Interval.start must not be after Interval.end, "
                f"got {self.start.isoformat()} > {self.end.isoformat()}"
            )


def _require_int(value: object, name: str, *, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        kind = "positive" if minimum > 0 else "non-negative"
        raise ValueError(f"{name} must be {kind}, got {value}")


@dataclass(frozen=True, slots=True)
class CategoryRules:
    """Booking rules of one service category (data edited by administrators).

    - ``call_minutes``: length of the video call (> 0).
    - ``buffer_minutes``: pause the employee gets after each call (>= 0).
    - ``step_minutes``: slot grid; candidate starts are the local wall times
      that are multiples of the step counted from local midnight (> 0).
    - ``min_notice_minutes``: a slot must start at or after ``now`` plus this.
    - ``horizon_days``: the latest bookable local date is the local date of
      ``now`` plus this many days.
    - ``window_start``/``window_end``: the citizen window; the whole call
      ``[start, start + call)`` must lie inside it (default 08:00-14:30).
    """

    call_minutes: int
    buffer_minutes: int
    step_minutes: int
    min_notice_minutes: int
    horizon_days: int
    window_start: time = DEFAULT_WINDOW_START
    window_end: time = DEFAULT_WINDOW_END

    def __post_init__(self) -> None:
        _require_int(self.call_minutes, "call_minutes", minimum=1)
        _require_int(self.step_minutes, "step_minutes", minimum=1)
        _require_int(self.buffer_minutes, "buffer_minutes", minimum=0)
        _require_int(self.min_notice_minutes, "min_notice_minutes", minimum=0)
        _require_int(self.horizon_days, "horizon_days", minimum=0)
        require_wall_time(self.window_start, "window_start")
        require_wall_time(self.window_end, "window_end")
        if not self.window_start < self.window_end:
            raise ValueError(
                f"window_start must be before window_end, got "
                f"{self.window_start.isoformat()} >= {self.window_end.isoformat()}"
            )


def _wall_spans(ranges: object, name: str) -> Spans:
    """Validate a collection of TimeRange and return merged wall spans."""
    if isinstance(ranges, TimeRange) or not isinstance(ranges, Iterable):
        raise TypeError(f"{name} must be a tuple of TimeRange")
    spans = []
    for item in ranges:
        if not isinstance(item, TimeRange):
            raise TypeError(f"{name} must contain TimeRange, got {type(item).__name__}")
        spans.append((time_to_us(item.start), time_to_us(item.end)))
    return tuple(merge_spans(spans))


def _weekly_spans(weekly: object, name: str) -> tuple[Spans, ...]:
    if not isinstance(weekly, Mapping):
        raise TypeError(f"{name} must be a mapping weekday -> tuple of TimeRange")
    days: list[Spans] = [()] * 7
    for weekday, ranges in weekly.items():
        if not isinstance(weekday, int) or isinstance(weekday, bool):
            raise TypeError(f"{name} keys must be int weekdays, got {weekday!r}")
        if not 0 <= weekday <= 6:
            raise ValueError(f"{name} keys must be 0 (Monday) .. 6 (Sunday), got {weekday}")
        days[weekday] = _wall_spans(ranges, f"{name}[{weekday}]")
    return tuple(days)


@dataclass(frozen=True, slots=True)
class KepCalendar:
    """Opening hours of one KEP.

    - ``weekly_hours``: weekday (0 = Monday) -> opening ranges; a missing
      weekday is closed.
    - ``exceptions``: a dated entry replaces that day's weekly hours entirely;
      an empty tuple closes the day.
    - ``closed_dates``: national holidays and local closures; closed whatever
      the weekly hours or exceptions say.
    - ``timezone``: IANA name in which all wall-clock ranges are read.

    Ranges of one day are combined by union, so touching or overlapping
    ranges form one continuous opening.
    """

    weekly_hours: Mapping[int, tuple[TimeRange, ...]]
    exceptions: Mapping[date, tuple[TimeRange, ...]] = field(default_factory=dict)
    closed_dates: frozenset[date] = frozenset()
    timezone: str = DEFAULT_TIMEZONE
    _weekly: tuple[Spans, ...] = field(init=False, repr=False, compare=False)
    _exceptions: dict[int, Spans] = field(init=False, repr=False, compare=False)
    _closed: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.timezone, str):
            raise TypeError("timezone must be an IANA name such as 'Europe/Athens'")
        zone(self.timezone)
        weekly = _weekly_spans(self.weekly_hours, "weekly_hours")
        if not isinstance(self.exceptions, Mapping):
            raise TypeError("exceptions must be a mapping date -> tuple of TimeRange")
        exceptions: dict[int, Spans] = {}
        for day, ranges in self.exceptions.items():
            require_date(day, "exceptions key")
            exceptions[day.toordinal()] = _wall_spans(ranges, f"exceptions[{day}]")
        closed: set[int] = set()
        for day in self.closed_dates:
            require_date(day, "closed_dates item")
            closed.add(day.toordinal())
        object.__setattr__(self, "_weekly", weekly)
        object.__setattr__(self, "_exceptions", exceptions)
        object.__setattr__(self, "_closed", frozenset(closed))


def _absolute_spans(intervals: object, name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Validate Interval items and return merged (starts, ends) in microseconds."""
    if isinstance(intervals, Interval) or not isinstance(intervals, Iterable):
        raise TypeError(f"{name} must be a tuple of Interval")
    spans = []
    for item in intervals:
        if not isinstance(item, Interval):
            raise TypeError(f"{name} must contain Interval, got {type(item).__name__}")
        start = to_us(item.start)
        end = to_us(item.end)
        if start < end:
            spans.append((start, end))
    merged = merge_spans(spans)
    return tuple(s for s, _ in merged), tuple(e for _, e in merged)


@dataclass(frozen=True, slots=True)
class EmployeeSchedule:
    """Availability and commitments of one employee.

    - ``weekly``: weekday (0 = Monday) -> wall-clock availability ranges in the
      calendar's timezone; a missing weekday means unavailable.
    - ``absences``: the employee is away; a call may not overlap them.
    - ``blocked``: existing appointments and holds, each already covering
      ``[start, end + its own buffer)`` (see ``blocked_interval``); a new call
      plus its buffer may not overlap them.
    """

    employee_id: int
    weekly: Mapping[int, tuple[TimeRange, ...]]
    absences: tuple[Interval, ...] = ()
    blocked: tuple[Interval, ...] = ()
    _weekly: tuple[Spans, ...] = field(init=False, repr=False, compare=False)
    _absence_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _absence_ends: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _blocked_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _blocked_ends: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.employee_id, int) or isinstance(self.employee_id, bool):
            raise TypeError(f"employee_id must be an int, got {self.employee_id!r}")
        weekly = _weekly_spans(self.weekly, "weekly")
        absence_starts, absence_ends = _absolute_spans(self.absences, "absences")
        blocked_starts, blocked_ends = _absolute_spans(self.blocked, "blocked")
        object.__setattr__(self, "_weekly", weekly)
        object.__setattr__(self, "_absence_starts", absence_starts)
        object.__setattr__(self, "_absence_ends", absence_ends)
        object.__setattr__(self, "_blocked_starts", blocked_starts)
        object.__setattr__(self, "_blocked_ends", blocked_ends)


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable call: ``[start, end)`` in UTC and who could take it.

    ``end`` is ``start`` plus the call length in real elapsed minutes (the
    buffer is not included). ``employee_ids`` is in ascending order.
    """

    start: datetime
    end: datetime
    employee_ids: tuple[int, ...]


def overlaps(a: Interval, b: Interval) -> bool:
    """True when the half-open intervals share at least one instant.

    Touching intervals (``a.end == b.start``) do not overlap, and an empty
    interval overlaps nothing (the semantics of PostgreSQL's ``&&`` on
    ``tstzrange``). Instants are compared in UTC, so datetimes in the repeated
    hour of a fall-back day compare correctly whatever their tzinfo.
    """
    a_start, a_end, b_start, b_end = to_us(a.start), to_us(a.end), to_us(b.start), to_us(b.end)
    return a_start < a_end and b_start < b_end and a_start < b_end and b_start < a_end


def blocked_interval(*, start: datetime, call_minutes: int, buffer_minutes: int) -> Interval:
    """What a booking blocks: ``[start, start + call + buffer)`` in real minutes.

    The database exclusion constraint on appointments uses exactly this range,
    so a slot returned by the core never collides with it. Both ends are
    returned in UTC; the arithmetic is done in UTC so that a DST change inside
    the range does not alter its real length.
    """
    require_aware(start, "start")
    _require_int(call_minutes, "call_minutes", minimum=1)
    _require_int(buffer_minutes, "buffer_minutes", minimum=0)
    start_utc = start.astimezone(UTC)
    return Interval(start_utc, start_utc + timedelta(minutes=call_minutes + buffer_minutes))
