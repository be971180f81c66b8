"""Free-slot computation.

A candidate start ``s`` on local date ``d`` is free for an employee when

1. ``s`` is on the grid: its local wall time is a multiple of ``step_minutes``
   counted from local midnight of ``d`` (a wall time that does not exist on a
   spring-forward day has no instant and yields nothing; a wall time repeated
   on a fall-back day yields each real instant once);
2. ``d`` is not in ``closed_dates``;
3. every instant of the call ``[s, s + call)`` reads, on ``d``'s wall clock,
   a time that is inside the day's opening hours (the dated exception if any,
   else the weekly hours), inside the citizen window and inside the
   employee's availability for that weekday;
4. the call does not overlap any of the employee's absences;
5. the call plus the buffer, ``[s, s + call + buffer)``, does not overlap any
   of the employee's blocked ranges (the buffer tail may run past closing
   time, the call may not);
6. ``s >= now + min_notice`` and ``d <= local date of now + horizon_days``.

All durations are real elapsed time. The work is done on sorted lists of
integer microsecond ranges: per employee and day the allowed call ranges are
intersected, shrunk to the set of admissible *start* instants, cut by the
absences and blocked ranges (found by bisection) and only then expanded to the
grid, so the cost depends on the number of ranges, not on minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from ._timeline import (
    US_PER_MINUTE,
    LocalDay,
    Span,
    Spans,
    first_grid_point,
    from_us,
    grid_points,
    intersect,
    local_date,
    local_day,
    require_aware,
    require_date,
    subtract,
    time_to_us,
    to_us,
    wall_to_absolute,
    zone,
)
from .model import CategoryRules, EmployeeSchedule, KepCalendar, Slot

__all__ = ["earliest_slot", "free_days", "free_slots"]


class _Query:
    """Per-call state: rules in microseconds and lazily computed day walls."""

    __slots__ = (
        "calendar",
        "call",
        "employees",
        "extend_absence",
        "extend_blocked",
        "horizon",
        "lower",
        "step",
        "weekly_walls",
        "window",
        "zone_key",
    )

    def __init__(
        self,
        calendar: KepCalendar,
        employees: Sequence[EmployeeSchedule],
        rules: CategoryRules,
        now: datetime,
        not_before: datetime | None,
    ) -> None:
        if not isinstance(calendar, KepCalendar):
            raise TypeError("calendar must be a KepCalendar")
        if not isinstance(rules, CategoryRules):
            raise TypeError("rules must be a CategoryRules")
        require_aware(now, "now")
        ordered = sorted(employees, key=_employee_id)
        for index in range(1, len(ordered)):
            if ordered[index - 1].employee_id == ordered[index].employee_id:
                raise ValueError(f"duplicate employee_id {ordered[index].employee_id}")
        tz = zone(calendar.timezone)
        self.calendar = calendar
        self.employees = ordered
        self.zone_key = calendar.timezone
        self.call = rules.call_minutes * US_PER_MINUTE
        self.step = rules.step_minutes * US_PER_MINUTE
        # A start s is excluded by a range [a, b) when a - extend <= s < b.
        self.extend_absence = self.call - 1
        self.extend_blocked = self.call + rules.buffer_minutes * US_PER_MINUTE - 1
        now_us = to_us(now)
        lower = now_us + rules.min_notice_minutes * US_PER_MINUTE
        if not_before is not None:
            require_aware(not_before, "not_before")
            lower = max(lower, to_us(not_before))
        self.lower = lower
        self.horizon = local_date(now_us, tz).toordinal() + rules.horizon_days
        self.window: Spans = ((time_to_us(rules.window_start), time_to_us(rules.window_end)),)
        self.weekly_walls: dict[int, list[Span]] = {}

    def first_ordinal(self, start: date | None) -> int:
        """First day worth visiting: no slot can lie before the lower bound.

        One day of slack covers zones whose local date can step backwards
        (a fall-back at midnight); such a day is skipped cheaply.
        """
        earliest = local_date(self.lower, zone(self.zone_key)).toordinal() - 1
        if start is None:
            return earliest
        return max(start.toordinal(), earliest)

    def day_walls(self, ordinal: int) -> list[Span]:
        """Opening hours of the day intersected with the citizen window."""
        calendar = self.calendar
        if ordinal in calendar._closed:
            return []
        exception = calendar._exceptions.get(ordinal)
        if exception is not None:
            return intersect(exception, self.window)
        weekday = (ordinal - 1) % 7
        walls = self.weekly_walls.get(weekday)
        if walls is None:
            walls = intersect(calendar._weekly[weekday], self.window)
            self.weekly_walls[weekday] = walls
        return walls

    def starts(
        self, employee: EmployeeSchedule, day: LocalDay, walls: list[Span], weekday: int
    ) -> list[Span]:
        """Admissible start instants ``[a, b)`` of one employee on one day."""
        available = employee._weekly[weekday]
        if not available:
            return []
        own_walls = intersect(walls, available)
        if not own_walls:
            return []
        call = self.call
        lower = self.lower
        spans: list[Span] = []
        for start, end in wall_to_absolute(day, own_walls):
            # The call [s, s + call) fits when start <= s <= end - call.
            last = end - call + 1
            if start < lower:
                start = lower
            if start < last:
                spans.append((start, last))
        if not spans:
            return spans
        spans = subtract(
            spans, employee._absence_starts, employee._absence_ends, self.extend_absence
        )
        return subtract(
            spans, employee._blocked_starts, employee._blocked_ends, self.extend_blocked
        )


def _employee_id(employee: EmployeeSchedule) -> int:
    return employee.employee_id


def _check_range(start: date, end: date) -> None:
    require_date(start, "start")
    require_date(end, "end")


def _collect(query: _Query, first: int, last: int) -> list[tuple[int, list[int]]]:
    """All free starts with their employees for local days ``first..last``."""
    found: list[tuple[int, list[int]]] = []
    step = query.step
    lower = query.lower
    for ordinal in range(first, last + 1):
        walls = query.day_walls(ordinal)
        if not walls:
            continue
        day = local_day(query.zone_key, ordinal)
        if day.last <= lower:
            continue
        weekday = (ordinal - 1) % 7
        by_start: dict[int, list[int]] = {}
        for employee in query.employees:
            spans = query.starts(employee, day, walls, weekday)
            if not spans:
                continue
            employee_id = employee.employee_id
            for point in grid_points(day, spans, step):
                ids = by_start.get(point)
                if ids is None:
                    by_start[point] = [employee_id]
                else:
                    ids.append(employee_id)
        if by_start:
            found.extend(sorted(by_start.items()))
    return found


def free_slots(
    *,
    calendar: KepCalendar,
    employees: Sequence[EmployeeSchedule],
    rules: CategoryRules,
    start: date,
    end: date,
    now: datetime,
) -> list[Slot]:
    """Every free slot whose local date is in ``[start, end]``, sorted by start.

    A slot is returned when at least one employee is free at that instant (see
    the module docstring for the exact rules); ``employee_ids`` lists every
    free employee in ascending id order. Slot times are aware UTC datetimes
    and ``end - start`` equals ``call_minutes`` of real time.
    """
    _check_range(start, end)
    query = _Query(calendar, employees, rules, now, None)
    first = query.first_ordinal(start)
    last = min(end.toordinal(), query.horizon)
    if first > last or not query.employees:
        return []
    found = _collect(query, first, last)
    if any(found[i][0] >= found[i + 1][0] for i in range(len(found) - 1)):
        found.sort()  # only possible when local days interleave in time
    call = timedelta(microseconds=query.call)
    slots: list[Slot] = []
    for point, ids in found:
        slot_start = from_us(point)
        slots.append(Slot(slot_start, slot_start + call, tuple(ids)))
    return slots


def free_days(
    *,
    calendar: KepCalendar,
    employees: Sequence[EmployeeSchedule],
    rules: CategoryRules,
    start: date,
    end: date,
    now: datetime,
) -> list[date]:
    """The local dates in ``[start, end]`` that have at least one free slot.

    Same rules as :func:`free_slots`; each day stops at the first free slot
    found, so this is much cheaper than computing the slots.
    """
    _check_range(start, end)
    query = _Query(calendar, employees, rules, now, None)
    first = query.first_ordinal(start)
    last = min(end.toordinal(), query.horizon)
    days: list[date] = []
    if not query.employees:
        return days
    step = query.step
    lower = query.lower
    for ordinal in range(first, last + 1):
        walls = query.day_walls(ordinal)
        if not walls:
            continue
        day = local_day(query.zone_key, ordinal)
        if day.last <= lower:
            continue
        weekday = (ordinal - 1) % 7
        for employee in query.employees:
            spans = query.starts(employee, day, walls, weekday)
            if spans and first_grid_point(day, spans, step) is not None:
                days.append(date.fromordinal(ordinal))
                break
    return days


def earliest_slot(
    *,
    calendar: KepCalendar,
    employees: Sequence[EmployeeSchedule],
    rules: CategoryRules,
    now: datetime,
    not_before: datetime | None = None,
) -> Slot | None:
    """The first free slot starting at or after ``max(now + notice, not_before)``.

    Only days up to the horizon are considered; returns None when there is no
    free slot. Days are visited in order and each employee contributes only
    its first admissible grid instant, so the search stops as soon as a day
    has a slot. ``employee_ids`` lists every employee free at that instant.
    """
    query = _Query(calendar, employees, rules, now, not_before)
    if not query.employees:
        return None
    step = query.step
    lower = query.lower
    best: int | None = None
    best_ids: list[int] = []
    for ordinal in range(query.first_ordinal(None), query.horizon + 1):
        if best is not None and local_day(query.zone_key, ordinal).first >= best:
            break  # later local days cannot start earlier
        walls = query.day_walls(ordinal)
        if not walls:
            continue
        day = local_day(query.zone_key, ordinal)
        if day.last <= lower:
            continue
        weekday = (ordinal - 1) % 7
        for employee in query.employees:
            spans = query.starts(employee, day, walls, weekday)
            if not spans:
                continue
            point = first_grid_point(day, spans, step)
            if point is None:
                continue
            if best is None or point < best:
                best = point
                best_ids = [employee.employee_id]
            elif point == best:
                best_ids.append(employee.employee_id)
    if best is None:
        return None
    slot_start = from_us(best)
    return Slot(slot_start, slot_start + timedelta(microseconds=query.call), tuple(best_ids))
