"""Hypothesis strategies and settings for the scheduling core.

Sizes are bounded (a few days, at most three employees, a handful of ranges)
so that the whole ``tests/scheduling`` run stays within a few seconds. The
profile is applied per test (``@settings(PROFILE, ...)``) instead of being
loaded globally, so it does not change other test packages. Set
``KEPLIVE_SCHEDULING_PROFILE=thorough`` for a long exploratory run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from keplive.booking.scheduling import (
    CategoryRules,
    EmployeeSchedule,
    Interval,
    KepCalendar,
    TimeRange,
)

settings.register_profile(
    "scheduling",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "scheduling-thorough",
    parent=settings.get_profile("scheduling"),
    max_examples=2_000,
)
PROFILE = settings.get_profile(
    "scheduling-thorough"
    if os.environ.get("KEPLIVE_SCHEDULING_PROFILE") == "thorough"
    else "scheduling"
)

ATHENS = "Europe/Athens"
SPRING_FORWARD = date(2026, 3, 29)  # Athens: 03:00 -> 04:00 local
FALL_BACK = date(2026, 10, 25)  # Athens: 04:00 -> 03:00 local

# Zones with unusual offsets or DST steps, and their 2026 transition days.
TRANSITION_DAYS: dict[str, tuple[date, ...]] = {
    ATHENS: (SPRING_FORWARD, FALL_BACK),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Lord_Howe": (date(2026, 4, 5), date(2026, 10, 4)),  # 30-minute DST
    "Asia/Kathmandu": (),  # +05:45, no DST
}
ZONES = (ATHENS, ATHENS, ATHENS, *[key for key in TRANSITION_DAYS if key != ATHENS])

STEPS = (5, 10, 15, 20, 30, 60, 7, 25, 45)
CALLS = (15, 20, 30, 45, 60, 5, 10, 90)
LAST_MINUTE = 23 * 60 + 59


def minute_time(minute: int) -> time:
    return time(minute // 60, minute % 60)


@st.composite
def time_ranges(draw: st.DrawFn, *, granularity: int = 5) -> TimeRange:
    """A wall-clock range on a coarse grid (whole minutes, end at most 23:59)."""
    slots = LAST_MINUTE // granularity
    start = draw(st.integers(0, slots - 1)) * granularity
    end = min(LAST_MINUTE, start + draw(st.integers(1, slots)) * granularity)
    return TimeRange(minute_time(start), minute_time(end))


ALL_DAY = (TimeRange(time(0, 0), minute_time(LAST_MINUTE)),)

day_ranges = st.one_of(
    st.just(ALL_DAY),
    st.lists(time_ranges(), max_size=3).map(tuple),
)

weekly_ranges = st.one_of(
    st.just(dict.fromkeys(range(7), ALL_DAY)),
    st.dictionaries(st.integers(0, 6), day_ranges, max_size=7),
)


@dataclass(frozen=True)
class Scenario:
    calendar: KepCalendar
    employees: tuple[EmployeeSchedule, ...]
    rules: CategoryRules
    start: date
    end: date
    now: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.calendar.timezone)


@st.composite
def rules_strategy(draw: st.DrawFn, *, wide_window: bool | None = None) -> CategoryRules:
    if wide_window is None:
        wide_window = draw(st.booleans())
    if wide_window:
        window = (time(0, 0), minute_time(LAST_MINUTE))
    else:
        window_range = draw(st.one_of(st.just(TimeRange(time(8), time(14, 30))), time_ranges()))
        window = (window_range.start, window_range.end)
    return CategoryRules(
        call_minutes=draw(st.sampled_from(CALLS)),
        buffer_minutes=draw(st.integers(0, 30)),
        step_minutes=draw(st.sampled_from(STEPS)),
        min_notice_minutes=draw(
            st.one_of(st.just(0), st.integers(0, 12 * 60), st.integers(0, 3 * 24 * 60))
        ),
        horizon_days=draw(st.integers(0, 6)),
        window_start=window[0],
        window_end=window[1],
    )


@st.composite
def intervals(draw: st.DrawFn, *, origin: datetime, zone: ZoneInfo) -> Interval:
    """An absolute interval near ``origin``, expressed in a random tzinfo."""
    start = origin + timedelta(
        minutes=draw(st.integers(-12 * 60, 4 * 24 * 60)),
        seconds=draw(st.sampled_from((0, 0, 0, 30))),
    )
    end = start + timedelta(minutes=draw(st.integers(1, 240)))
    tzinfo = draw(st.sampled_from((UTC, zone)))
    return Interval(start.astimezone(tzinfo), end.astimezone(tzinfo))


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    zones: tuple[str, ...] = ZONES,
    transition_days_only: bool = False,
    wide_window: bool | None = None,
    max_employees: int = 3,
) -> Scenario:
    """A random but plausible calendar, staff, category and ``now``."""
    zone_key = draw(st.sampled_from(zones))
    zone = ZoneInfo(zone_key)
    special = TRANSITION_DAYS.get(zone_key, ())
    if transition_days_only and special:
        base = draw(st.sampled_from(special))
    elif special:
        base = draw(
            st.one_of(st.sampled_from(special), st.dates(date(2026, 1, 1), date(2026, 12, 31)))
        )
    else:
        base = draw(st.dates(date(2026, 1, 1), date(2026, 12, 31)))
    start = base - timedelta(days=draw(st.integers(0, 1)))
    end = start + timedelta(days=draw(st.integers(0, 2)))
    origin = datetime.combine(start, time(), tzinfo=zone).astimezone(UTC)
    nearby = st.dates(start - timedelta(days=1), end + timedelta(days=1))

    calendar = KepCalendar(
        weekly_hours=draw(weekly_ranges),
        exceptions=draw(st.dictionaries(nearby, day_ranges, max_size=2)),
        closed_dates=frozenset(draw(st.sets(nearby, max_size=2))),
        timezone=zone_key,
    )
    ids = draw(st.lists(st.integers(1, 40), min_size=1, max_size=max_employees, unique=True))
    employees = tuple(
        EmployeeSchedule(
            employee_id=employee_id,
            weekly=draw(weekly_ranges),
            absences=tuple(draw(st.lists(intervals(origin=origin, zone=zone), max_size=2))),
            blocked=tuple(draw(st.lists(intervals(origin=origin, zone=zone), max_size=4))),
        )
        for employee_id in ids
    )
    now = origin + timedelta(
        minutes=draw(st.integers(-3 * 24 * 60, 2 * 24 * 60)),
        seconds=draw(st.sampled_from((0, 0, 17))),
    )
    return Scenario(
        calendar=calendar,
        employees=employees,
        rules=draw(rules_strategy(wide_window=wide_window)),
        start=start,
        end=end,
        now=now.astimezone(draw(st.sampled_from((UTC, zone)))),
    )
