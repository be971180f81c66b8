"""Daylight-saving days in Europe/Athens (2026).

Spring forward: Sunday 29 March, 03:00 EET (+02) jumps to 04:00 EEST (+03).
Fall back: Sunday 25 October, 04:00 EEST (+03) returns to 03:00 EET (+02).
Both are Sundays, so these tests open the KEP with a dated exception.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from keplive.booking.scheduling import blocked_interval, earliest_slot, free_days, free_slots

from .builders import (
    ATHENS,
    athens,
    calendar,
    employee,
    every_day,
    local_starts,
    rules,
    slots_on,
    tr,
)

SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)
WIDE = ("00:00", "23:59")


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_spring_forward_day_has_no_slot_at_missing_hour() -> None:
    cal = calendar(exceptions={SPRING_FORWARD: (tr("02:00", "05:00"),)})
    slots = slots_on(
        SPRING_FORWARD,
        cal=cal,
        category=rules(call=30, step=30, window=WIDE),
        now=athens(SPRING_FORWARD - timedelta(days=2), "12:00"),
    )
    assert local_starts(slots) == ["02:00", "02:30", "04:00", "04:30"]
    assert [s.start for s in slots] == [
        utc(2026, 3, 29, 0, 0),
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 1, 0),
        utc(2026, 3, 29, 1, 30),
    ]
    # 02:30 EET plus 30 real minutes is 04:00 EEST.
    assert slots[1].end.astimezone(ATHENS).strftime("%H:%M") == "04:00"


def test_spring_forward_call_across_the_jump_lasts_real_minutes() -> None:
    cal = calendar(exceptions={SPRING_FORWARD: (tr("02:00", "05:00"),)})
    slots = slots_on(
        SPRING_FORWARD,
        cal=cal,
        category=rules(call=60, step=60, window=WIDE),
        now=athens(SPRING_FORWARD - timedelta(days=2), "12:00"),
    )
    assert local_starts(slots) == ["02:00", "04:00"]
    assert all(s.end - s.start == timedelta(minutes=60) for s in slots)
    # Two wall hours are open (02-03 and 04-05): exactly two one-hour calls fit.


def test_spring_forward_window_uses_summer_time() -> None:
    friday = date(2026, 3, 27)
    monday = date(2026, 3, 30)
    slots = free_slots(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(),
        start=friday,
        end=monday,
        now=athens(friday, "07:00"),
    )
    firsts: dict[date, datetime] = {}
    for slot in slots:
        firsts.setdefault(slot.start.astimezone(ATHENS).date(), slot.start)
    assert firsts[friday] == utc(2026, 3, 27, 6, 0)  # 08:00 EET
    assert firsts[monday] == utc(2026, 3, 30, 5, 0)  # 08:00 EEST


def test_fall_back_day_slots_are_distinct_instants() -> None:
    cal = calendar(exceptions={FALL_BACK: (tr("02:00", "05:00"),)})
    slots = slots_on(
        FALL_BACK,
        cal=cal,
        category=rules(call=30, step=30, window=WIDE),
        now=athens(FALL_BACK - timedelta(days=2), "12:00"),
    )
    # 03:00 and 03:30 happen twice: first in EEST (+03), then in EET (+02).
    assert local_starts(slots) == [
        "02:00",
        "02:30",
        "03:00",
        "03:30",
        "03:00",
        "03:30",
        "04:00",
        "04:30",
    ]
    starts = [s.start for s in slots]
    assert len(set(starts)) == len(starts)
    assert starts == [utc(2026, 10, 24, 23, 0) + timedelta(minutes=30 * i) for i in range(8)]
    assert [s.start.astimezone(ATHENS).fold for s in slots] == [0, 0, 0, 0, 1, 1, 0, 0]


def test_fall_back_repeated_hour_counts_real_minutes() -> None:
    # The wall hour 03:00-04:00 lasts two real hours on this day, so a 90-minute
    # call fits in it, starting in the first pass (EEST) only.
    cal = calendar(exceptions={FALL_BACK: (tr("03:00", "04:00"),)})
    slots = slots_on(
        FALL_BACK,
        cal=cal,
        category=rules(call=90, step=30, window=WIDE),
        now=athens(FALL_BACK - timedelta(days=2), "12:00"),
    )
    assert [s.start for s in slots] == [utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30)]
    assert all(s.end - s.start == timedelta(minutes=90) for s in slots)


def test_fall_back_blocked_booking_in_the_repeated_hour_blocks_only_its_instant() -> None:
    cal = calendar(exceptions={FALL_BACK: (tr("03:00", "04:00"),)})
    first_pass = athens(FALL_BACK, "03:00", fold=0)  # 00:00 UTC
    booked = blocked_interval(start=first_pass, call_minutes=60, buffer_minutes=0)
    assert booked.start == utc(2026, 10, 25, 0, 0)
    assert booked.end == utc(2026, 10, 25, 1, 0)
    slots = slots_on(
        FALL_BACK,
        cal=cal,
        staff=[employee(blocked=[booked])],
        category=rules(call=60, step=60, window=WIDE),
        now=athens(FALL_BACK - timedelta(days=2), "12:00"),
    )
    # The same wall time one real hour later (second pass, EET) is still free.
    assert [s.start for s in slots] == [utc(2026, 10, 25, 1, 0)]
    assert slots[0].start.astimezone(ATHENS).fold == 1


def test_dst_days_count_23_and_25_hours_of_starts() -> None:
    def count(day: date) -> int:
        return len(
            free_slots(
                calendar=calendar(weekly=every_day(tr("00:00", "23:59"))),
                employees=[employee()],
                rules=rules(call=1, step=60, window=WIDE),
                start=day,
                end=day,
                now=athens(day - timedelta(days=1), "00:00"),
            )
        )

    assert count(SPRING_FORWARD - timedelta(days=7)) == 24
    assert count(SPRING_FORWARD) == 23
    assert count(FALL_BACK) == 25


def test_free_days_and_earliest_slot_on_dst_days() -> None:
    cal = calendar(
        weekly={},
        exceptions={SPRING_FORWARD: (tr("03:00", "04:00"),), FALL_BACK: (tr("03:00", "04:00"),)},
    )
    category = rules(call=30, step=30, window=WIDE, horizon=365)
    now = athens(date(2026, 3, 1), "12:00")
    # The only opening of 29 March does not exist on the wall clock.
    days = free_days(
        calendar=cal,
        employees=[employee()],
        rules=category,
        start=now.date(),
        end=FALL_BACK,
        now=now,
    )
    assert days == [FALL_BACK]
    slot = earliest_slot(calendar=cal, employees=[employee()], rules=category, now=now)
    assert slot is not None
    assert slot.start == utc(2026, 10, 25, 0, 0)
