"""Loose performance guards (the real benchmarks live elsewhere).

Timings use the best of several rounds so a busy CI machine does not make them
flaky; the limits are the product targets, roughly ten times what CPython
needs on a laptop.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from keplive.booking.scheduling import (
    EmployeeSchedule,
    Interval,
    blocked_interval,
    earliest_slot,
    free_days,
    free_slots,
)
from keplive.booking.scheduling._timeline import local_day

from .builders import ATHENS, calendar, rules, tr, weekdays

FIRST_DAY = date(2026, 5, 4)
NOW = datetime(2026, 5, 4, 7, 13, tzinfo=ATHENS)
CATEGORY = rules(call=20, buffer=10, step=15, notice=60, horizon=30)


def national_scale_staff() -> list[EmployeeSchedule]:
    """Five employees, each with ten bookings a day for a month."""
    staff = []
    for employee_id in range(1, 6):
        blocked: list[Interval] = []
        for offset in range(31):
            day = FIRST_DAY + timedelta(days=offset)
            for k in range(10):
                start = datetime.combine(day, time(8), tzinfo=ATHENS) + timedelta(
                    minutes=35 * k + 15 * employee_id
                )
                blocked.append(blocked_interval(start=start, call_minutes=20, buffer_minutes=10))
        staff.append(
            EmployeeSchedule(
                employee_id=employee_id,
                weekly=weekdays(tr("08:00", "15:00")),
                blocked=tuple(blocked),
            )
        )
    return staff


STAFF = national_scale_staff()
CALENDAR = calendar(closed=[date(2026, 6, 1)])


def best_time(action: Callable[[], object], *, rounds: int = 5, repeat: int = 20) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = clock.perf_counter()
        for _ in range(repeat):
            action()
        best = min(best, (clock.perf_counter() - started) / repeat)
    return best


def test_free_slots_for_one_kep_day_is_well_under_a_millisecond() -> None:
    def one_day() -> object:
        return free_slots(
            calendar=CALENDAR,
            employees=STAFF,
            rules=CATEGORY,
            start=FIRST_DAY + timedelta(days=1),
            end=FIRST_DAY + timedelta(days=1),
            now=NOW,
        )

    assert one_day()
    assert best_time(one_day) < 0.001


def test_free_days_for_thirty_days_is_under_ten_milliseconds_even_cold() -> None:
    def month() -> object:
        local_day.cache_clear()  # include the per-day timezone work
        return free_days(
            calendar=CALENDAR,
            employees=STAFF,
            rules=CATEGORY,
            start=FIRST_DAY,
            end=FIRST_DAY + timedelta(days=29),
            now=NOW,
        )

    assert month()
    assert best_time(month, repeat=3) < 0.010


def test_earliest_slot_stops_at_the_first_day_with_a_slot() -> None:
    far = rules(call=20, buffer=10, step=15, notice=60, horizon=365)

    def earliest() -> object:
        return earliest_slot(calendar=CALENDAR, employees=STAFF, rules=far, now=NOW)

    assert earliest() is not None
    assert best_time(earliest) < 0.001
