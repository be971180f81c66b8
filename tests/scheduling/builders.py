"""Small builders that keep the example-based tests readable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from keplive.booking.scheduling import (
    CategoryRules,
    EmployeeSchedule,
    Interval,
    KepCalendar,
    Slot,
    TimeRange,
    free_slots,
)

ATHENS = ZoneInfo("Europe/Athens")
MONDAY = date(2026, 5, 4)
TUESDAY = date(2026, 5, 5)
SATURDAY = date(2026, 5, 9)
SUNDAY = date(2026, 5, 10)
# Friday before MONDAY, 09:00 in Athens: far enough for most tests.
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=ATHENS)


def tr(start: str, end: str) -> TimeRange:
    """TimeRange from "HH:MM" strings."""
    return TimeRange(time.fromisoformat(start), time.fromisoformat(end))


def weekdays(*ranges: TimeRange) -> dict[int, tuple[TimeRange, ...]]:
    """The same ranges Monday to Friday."""
    return {weekday: tuple(ranges) for weekday in range(5)}


def every_day(*ranges: TimeRange) -> dict[int, tuple[TimeRange, ...]]:
    return {weekday: tuple(ranges) for weekday in range(7)}


def athens(day: date, hhmm: str, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ATHENS).replace(fold=fold)


def interval(day: date, start: str, end: str) -> Interval:
    return Interval(athens(day, start), athens(day, end))


def calendar(
    *,
    weekly: dict[int, tuple[TimeRange, ...]] | None = None,
    exceptions: dict[date, tuple[TimeRange, ...]] | None = None,
    closed: Iterable[date] = (),
    timezone: str = "Europe/Athens",
) -> KepCalendar:
    return KepCalendar(
        weekly_hours=weekdays(tr("08:00", "15:00")) if weekly is None else weekly,
        exceptions=exceptions or {},
        closed_dates=frozenset(closed),
        timezone=timezone,
    )


def employee(
    employee_id: int = 1,
    *,
    weekly: dict[int, tuple[TimeRange, ...]] | None = None,
    absences: Sequence[Interval] = (),
    blocked: Sequence[Interval] = (),
) -> EmployeeSchedule:
    return EmployeeSchedule(
        employee_id=employee_id,
        weekly=every_day(tr("00:00", "23:59")) if weekly is None else weekly,
        absences=tuple(absences),
        blocked=tuple(blocked),
    )


def rules(
    *,
    call: int = 30,
    buffer: int = 0,
    step: int = 15,
    notice: int = 0,
    horizon: int = 30,
    window: tuple[str, str] = ("08:00", "14:30"),
) -> CategoryRules:
    return CategoryRules(
        call_minutes=call,
        buffer_minutes=buffer,
        step_minutes=step,
        min_notice_minutes=notice,
        horizon_days=horizon,
        window_start=time.fromisoformat(window[0]),
        window_end=time.fromisoformat(window[1]),
    )


def slots_on(
    day: date,
    *,
    cal: KepCalendar | None = None,
    staff: Sequence[EmployeeSchedule] | None = None,
    category: CategoryRules | None = None,
    now: datetime = NOW,
) -> list[Slot]:
    return free_slots(
        calendar=cal or calendar(),
        employees=[employee()] if staff is None else staff,
        rules=category or rules(),
        start=day,
        end=day,
        now=now,
    )


def local_starts(slots: Iterable[Slot], zone: ZoneInfo = ATHENS) -> list[str]:
    """Slot starts as local "HH:MM" strings."""
    return [slot.start.astimezone(zone).strftime("%H:%M") for slot in slots]


def by_label(slots: Sequence[Slot], zone: ZoneInfo = ATHENS) -> dict[str, tuple[int, ...]]:
    """Local "HH:MM" -> employee_ids."""
    return dict(zip(local_starts(slots, zone), (s.employee_ids for s in slots), strict=True))
