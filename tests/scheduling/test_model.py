"""Validation of the value objects and the interval helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from keplive.booking.scheduling import (
    CategoryRules,
    EmployeeSchedule,
    Interval,
    KepCalendar,
    TimeRange,
    blocked_interval,
    earliest_slot,
    overlaps,
)

from .builders import ATHENS, athens, calendar, employee, rules

T0 = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


# --- TimeRange and Interval ---------------------------------------------------------


def test_time_range_needs_start_before_end() -> None:
    with pytest.raises(ValueError, match="before"):
        TimeRange(time(10), time(9))
    with pytest.raises(ValueError, match="before"):
        TimeRange(time(10), time(10))


def test_time_range_rejects_aware_times() -> None:
    with pytest.raises(ValueError, match="wall-clock"):
        TimeRange(time(8, tzinfo=UTC), time(9))


def test_interval_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2026, 5, 4, 8), T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(T0, datetime(2026, 5, 4, 8))


def test_interval_rejects_start_after_end() -> None:
    with pytest.raises(ValueError, match="not be after"):
        Interval(T0, T0 - minutes(1))


def test_interval_catches_wall_clock_arithmetic_in_the_repeated_hour() -> None:
    # Python adds timedeltas to ZoneInfo datetimes on the wall clock and drops
    # fold: 03:00 (second pass, +02) + 30 min becomes 03:30 of the FIRST pass
    # (+03), which is earlier. Callers must do arithmetic in UTC.
    second = athens(date(2026, 10, 25), "03:00", fold=1)
    with pytest.raises(ValueError, match="not be after"):
        Interval(second, second + minutes(30))
    Interval(second, second.astimezone(UTC) + minutes(30))


def test_interval_compares_instants_not_wall_clocks() -> None:
    # 03:30 EET (second pass) is one real hour after 03:30 EEST (first pass).
    first = athens(date(2026, 10, 25), "03:30", fold=0)
    second = athens(date(2026, 10, 25), "03:30", fold=1)
    assert Interval(first, second)
    with pytest.raises(ValueError, match="not be after"):
        Interval(second, first)


# --- CategoryRules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("call_minutes", 0, "call_minutes must be positive"),
        ("call_minutes", -5, "call_minutes must be positive"),
        ("step_minutes", 0, "step_minutes must be positive"),
        ("buffer_minutes", -1, "buffer_minutes must be non-negative"),
        ("min_notice_minutes", -1, "min_notice_minutes must be non-negative"),
        ("horizon_days", -1, "horizon_days must be non-negative"),
    ],
)
def test_category_rules_reject_bad_numbers(field: str, value: int, message: str) -> None:
    values = {
        "call_minutes": 30,
        "buffer_minutes": 10,
        "step_minutes": 15,
        "min_notice_minutes": 60,
        "horizon_days": 30,
    }
    values[field] = value
    with pytest.raises(ValueError, match=message):
        CategoryRules(**values)  # type: ignore[arg-type]


def test_category_rules_accept_zero_buffer_notice_and_horizon() -> None:
    CategoryRules(
        call_minutes=1, buffer_minutes=0, step_minutes=1, min_notice_minutes=0, horizon_days=0
    )


def test_category_rules_default_window_is_0800_to_1430() -> None:
    category = CategoryRules(
        call_minutes=30, buffer_minutes=10, step_minutes=15, min_notice_minutes=0, horizon_days=1
    )
    assert (category.window_start, category.window_end) == (time(8), time(14, 30))


def test_category_rules_reject_inverted_window() -> None:
    with pytest.raises(ValueError, match="window_start must be before window_end"):
        rules(window=("14:30", "08:00"))


def test_category_rules_reject_non_int_minutes() -> None:
    with pytest.raises(TypeError):
        CategoryRules(
            call_minutes=30.0,  # type: ignore[arg-type]
            buffer_minutes=0,
            step_minutes=15,
            min_notice_minutes=0,
            horizon_days=1,
        )


# --- KepCalendar and EmployeeSchedule -----------------------------------------------


def test_calendar_rejects_unknown_timezone() -> None:
    with pytest.raises(ValueError, match="unknown IANA timezone"):
        calendar(timezone="Europe/Atlantis")


def test_calendar_rejects_bad_weekday() -> None:
    with pytest.raises(ValueError, match=r"0 \(Monday\) \.\. 6"):
        KepCalendar(weekly_hours={7: ()})


def test_calendar_rejects_datetime_keys_for_dates() -> None:
    with pytest.raises(TypeError, match="date"):
        KepCalendar(weekly_hours={}, closed_dates=frozenset({T0}))


def test_calendar_defaults_to_athens_and_no_exceptions() -> None:
    cal = KepCalendar(weekly_hours={})
    assert cal.timezone == "Europe/Athens"
    assert cal.exceptions == {}
    assert cal.closed_dates == frozenset()


def test_schedules_compare_by_their_public_fields() -> None:
    assert employee(3) == employee(3)
    assert employee(3) != employee(4)
    assert "absence_starts" not in repr(employee(3))


def test_employee_schedule_rejects_non_interval_blocked() -> None:
    with pytest.raises(TypeError, match="Interval"):
        EmployeeSchedule(employee_id=1, weekly={}, blocked=((T0, T0),))  # type: ignore[arg-type]


def test_naive_not_before_is_rejected() -> None:
    with pytest.raises(ValueError, match="not_before must be timezone-aware"):
        earliest_slot(
            calendar=calendar(),
            employees=[employee()],
            rules=rules(),
            now=T0,
            not_before=datetime(2026, 5, 4, 8),
        )


# --- overlaps and blocked_interval --------------------------------------------------


def test_overlaps_is_half_open() -> None:
    a = Interval(T0, T0 + minutes(30))
    assert overlaps(a, Interval(T0 + minutes(29), T0 + minutes(60)))
    assert not overlaps(a, Interval(T0 + minutes(30), T0 + minutes(60)))
    assert not overlaps(Interval(T0 + minutes(30), T0 + minutes(60)), a)
    assert overlaps(a, Interval(T0 - minutes(5), T0 + minutes(60)))


def test_empty_interval_overlaps_nothing() -> None:
    assert not overlaps(
        Interval(T0 + minutes(10), T0 + minutes(10)), Interval(T0, T0 + minutes(30))
    )


def test_overlaps_works_across_tzinfos_and_the_repeated_hour() -> None:
    first = athens(date(2026, 10, 25), "03:00", fold=0).astimezone(UTC)
    second = athens(date(2026, 10, 25), "03:00", fold=1).astimezone(UTC)
    # Same wall clock, one real hour apart: 30-minute ranges do not overlap.
    assert not overlaps(
        Interval(first, first + minutes(30)), Interval(second, second + minutes(30))
    )
    assert overlaps(Interval(first, first + minutes(61)), Interval(second, second + minutes(30)))
    plus_three = timezone(timedelta(hours=3))
    assert overlaps(
        Interval(T0, T0 + minutes(30)),
        Interval(T0.astimezone(plus_three), T0.astimezone(plus_three) + minutes(1)),
    )


def test_blocked_interval_is_call_plus_buffer_in_utc() -> None:
    blocked = blocked_interval(
        start=athens(date(2026, 5, 4), "10:00"), call_minutes=30, buffer_minutes=10
    )
    assert blocked == Interval(T0 + minutes(0), T0 + minutes(40))
    assert blocked.start.tzinfo is UTC


def test_blocked_interval_counts_real_minutes_across_dst() -> None:
    start = datetime(2026, 3, 29, 2, 30, tzinfo=ATHENS)  # EET; the clock jumps at 03:00
    blocked = blocked_interval(start=start, call_minutes=30, buffer_minutes=30)
    assert blocked.end - blocked.start == minutes(60)
    assert blocked.end.astimezone(ATHENS).strftime("%H:%M") == "04:30"


@pytest.mark.parametrize(
    ("call", "buffer", "error"),
    [(0, 0, ValueError), (30, -1, ValueError)],
)
def test_blocked_interval_validates_minutes(call: int, buffer: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        blocked_interval(start=T0, call_minutes=call, buffer_minutes=buffer)


def test_blocked_interval_rejects_naive_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        blocked_interval(start=datetime(2026, 5, 4, 10), call_minutes=30, buffer_minutes=0)


def test_zoneinfo_datetimes_are_accepted_everywhere() -> None:
    Interval(datetime(2026, 5, 4, 10, tzinfo=ZoneInfo("Europe/Athens")), T0 + minutes(60))
