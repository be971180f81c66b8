"""Example-based tests of free_slots, free_days and earliest_slot."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from keplive.booking.scheduling import (
    TimeRange,
    blocked_interval,
    earliest_slot,
    free_days,
    free_slots,
)

from .builders import (
    ATHENS,
    MONDAY,
    NOW,
    SATURDAY,
    SUNDAY,
    TUESDAY,
    athens,
    by_label,
    calendar,
    employee,
    interval,
    local_starts,
    rules,
    slots_on,
    tr,
    weekdays,
)


def grid(start: str, end: str, step: int) -> list[str]:
    """Local "HH:MM" labels from start to end inclusive, every step minutes."""
    first = datetime.combine(MONDAY, time.fromisoformat(start))
    last = datetime.combine(MONDAY, time.fromisoformat(end))
    labels = []
    while first <= last:
        labels.append(first.strftime("%H:%M"))
        first += timedelta(minutes=step)
    return labels


# --- grid, window and opening hours -------------------------------------------------


def test_slots_start_on_the_step_grid_inside_the_window() -> None:
    slots = slots_on(MONDAY, category=rules(call=30, step=15))
    assert local_starts(slots) == grid("08:00", "14:00", 15)


def test_call_must_end_inside_citizen_window() -> None:
    slots = slots_on(MONDAY, category=rules(call=45, step=15))
    assert local_starts(slots)[-1] == "13:45"  # 13:45 + 45 = 14:30, the end of the window


def test_longer_category_call_leaves_fewer_starts() -> None:
    short = slots_on(MONDAY, category=rules(call=20, step=20))
    long = slots_on(MONDAY, category=rules(call=60, step=20))
    assert local_starts(short)[-1] == "14:00"
    assert local_starts(long)[-1] == "13:20"


def test_grid_counts_from_local_midnight_not_from_opening_time() -> None:
    cal = calendar(weekly=weekdays(tr("08:10", "10:00")))
    slots = slots_on(MONDAY, cal=cal, category=rules(call=30, step=30))
    assert local_starts(slots) == ["08:30", "09:00", "09:30"]


def test_call_must_end_inside_opening_hours() -> None:
    cal = calendar(weekly=weekdays(tr("08:00", "12:00")))
    slots = slots_on(MONDAY, cal=cal, category=rules(call=30, step=15))
    assert local_starts(slots)[-1] == "11:30"


def test_call_must_fit_to_the_microsecond() -> None:
    cal = calendar(weekly=weekdays(TimeRange(time(9), time(9, 59, 59, 999_999))))
    slots = slots_on(MONDAY, cal=cal, category=rules(call=60, step=60, window=("00:00", "23:59")))
    assert slots == []


def test_buffer_tail_may_run_past_closing_time() -> None:
    cal = calendar(weekly=weekdays(tr("08:00", "12:00")))
    slots = slots_on(MONDAY, cal=cal, category=rules(call=30, buffer=20, step=30))
    assert local_starts(slots)[-1] == "11:30"


def test_split_opening_hours_do_not_allow_a_call_across_the_break() -> None:
    cal = calendar(weekly=weekdays(tr("08:00", "10:00"), tr("11:00", "12:00")))
    slots = slots_on(MONDAY, cal=cal, category=rules(call=60, step=30))
    assert local_starts(slots) == ["08:00", "08:30", "09:00", "11:00"]


def test_touching_opening_ranges_form_one_continuous_opening() -> None:
    cal = calendar(weekly=weekdays(tr("08:00", "09:00"), tr("09:00", "10:00")))
    slots = slots_on(MONDAY, cal=cal, category=rules(call=60, step=30))
    assert local_starts(slots) == ["08:00", "08:30", "09:00"]


def test_employee_availability_limits_the_slots() -> None:
    staff = [employee(weekly=weekdays(tr("10:00", "11:00")))]
    slots = slots_on(MONDAY, staff=staff, category=rules(call=30, step=15))
    assert local_starts(slots) == ["10:00", "10:15", "10:30"]


def test_employee_without_availability_that_weekday_gets_nothing() -> None:
    staff = [employee(weekly={1: (tr("08:00", "15:00"),)})]  # Tuesdays only
    assert slots_on(MONDAY, staff=staff) == []
    assert slots_on(TUESDAY, staff=staff) != []


# --- closed days and exceptions -----------------------------------------------------


def test_holiday_has_no_slots() -> None:
    whit_monday = date(2026, 6, 1)
    cal = calendar(closed=[whit_monday])
    now = athens(date(2026, 5, 29), "09:00")
    assert slots_on(whit_monday, cal=cal, now=now) == []
    assert slots_on(whit_monday + timedelta(days=1), cal=cal, now=now) != []


def test_closed_date_overrides_an_exception() -> None:
    cal = calendar(exceptions={MONDAY: (tr("08:00", "12:00"),)}, closed=[MONDAY])
    assert slots_on(MONDAY, cal=cal) == []


def test_missing_weekday_is_closed() -> None:
    assert slots_on(SUNDAY) == []


def test_exception_replaces_weekly_hours() -> None:
    cal = calendar(exceptions={MONDAY: (tr("10:00", "11:00"),)})
    slots = slots_on(MONDAY, cal=cal, category=rules(call=30, step=30))
    assert local_starts(slots) == ["10:00", "10:30"]


def test_empty_exception_closes_the_day() -> None:
    cal = calendar(exceptions={MONDAY: ()})
    assert slots_on(MONDAY, cal=cal) == []
    assert slots_on(TUESDAY, cal=cal) != []


def test_exception_can_open_a_normally_closed_day() -> None:
    cal = calendar(exceptions={SATURDAY: (tr("09:00", "10:00"),)})
    slots = slots_on(SATURDAY, cal=cal, category=rules(call=30, step=30))
    assert local_starts(slots) == ["09:00", "09:30"]


# --- notice and horizon -------------------------------------------------------------


def test_min_notice_excludes_earlier_starts() -> None:
    now = athens(MONDAY, "09:07")
    slots = slots_on(MONDAY, now=now, category=rules(notice=60, step=15))
    assert local_starts(slots)[0] == "10:15"


def test_min_notice_boundary_is_inclusive() -> None:
    now = athens(MONDAY, "09:00")
    slots = slots_on(MONDAY, now=now, category=rules(notice=60, step=15))
    assert local_starts(slots)[0] == "10:00"


def test_past_days_have_no_slots() -> None:
    assert slots_on(MONDAY, now=athens(TUESDAY, "07:00")) == []


def test_horizon_is_counted_in_local_dates() -> None:
    # 22:30 UTC on Sunday is already 01:30 on Monday in Athens.
    now = datetime(2026, 5, 3, 22, 30, tzinfo=UTC)
    days = free_days(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(horizon=1),
        start=SUNDAY - timedelta(days=7),
        end=MONDAY + timedelta(days=7),
        now=now,
    )
    assert days == [MONDAY, TUESDAY]


def test_horizon_zero_allows_only_today() -> None:
    now = athens(MONDAY, "07:00")
    category = rules(horizon=0)
    assert slots_on(MONDAY, now=now, category=category) != []
    assert slots_on(TUESDAY, now=now, category=category) == []


# --- absences, blocked ranges and buffers -------------------------------------------


def test_absence_removes_only_overlapping_calls() -> None:
    staff = [employee(absences=[interval(MONDAY, "10:00", "11:00")])]
    starts = local_starts(slots_on(MONDAY, staff=staff, category=rules(call=30, step=15)))
    assert "09:30" in starts  # ends exactly when the absence begins
    assert "09:45" not in starts
    assert "10:45" not in starts
    assert "11:00" in starts  # begins exactly when the absence ends


def test_absence_does_not_need_room_for_the_buffer() -> None:
    staff = [employee(absences=[interval(MONDAY, "10:00", "11:00")])]
    starts = local_starts(slots_on(MONDAY, staff=staff, category=rules(call=30, buffer=15)))
    assert "09:30" in starts


def test_buffer_after_a_blocked_call() -> None:
    booked = blocked_interval(start=athens(MONDAY, "10:00"), call_minutes=30, buffer_minutes=10)
    staff = [employee(blocked=[booked])]
    starts = local_starts(
        slots_on(MONDAY, staff=staff, category=rules(call=30, buffer=10, step=10))
    )
    assert "10:30" not in starts  # still inside the booked call's buffer
    assert "10:40" in starts  # right after the buffer


def test_new_call_plus_its_buffer_may_not_run_into_a_blocked_range() -> None:
    booked = blocked_interval(start=athens(MONDAY, "10:00"), call_minutes=30, buffer_minutes=0)
    staff = [employee(blocked=[booked])]
    starts = local_starts(
        slots_on(MONDAY, staff=staff, category=rules(call=30, buffer=20, step=10))
    )
    assert "09:10" in starts  # call ends 09:40, buffer ends 10:00
    assert "09:20" not in starts  # buffer would end 10:10


def test_blocked_range_only_affects_its_own_employee() -> None:
    booked = blocked_interval(start=athens(MONDAY, "10:00"), call_minutes=30, buffer_minutes=0)
    staff = [employee(1, blocked=[booked]), employee(2)]
    by_start = by_label(slots_on(MONDAY, staff=staff))
    assert by_start["10:00"] == (2,)
    assert by_start["11:00"] == (1, 2)


def test_employee_ids_lists_every_free_employee_in_ascending_order() -> None:
    staff = [
        employee(9),
        employee(3, weekly=weekdays(tr("10:00", "12:00"))),
        employee(5, absences=[interval(MONDAY, "08:00", "10:30")]),
    ]
    slots = by_label(slots_on(MONDAY, staff=staff))
    assert slots["08:00"] == (9,)
    assert slots["10:00"] == (3, 9)
    assert slots["10:30"] == (3, 5, 9)
    assert slots["12:00"] == (5, 9)


def test_slot_is_offered_while_at_least_one_employee_is_free() -> None:
    full = [interval(MONDAY, "08:00", "15:00")]
    staff = [employee(1, blocked=full), employee(2, absences=full)]
    assert slots_on(MONDAY, staff=staff) == []
    assert slots_on(MONDAY, staff=[*staff, employee(3)]) != []


def test_no_employees_means_no_slots() -> None:
    assert slots_on(MONDAY, staff=[]) == []


def test_duplicate_employee_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate employee_id"):
        slots_on(MONDAY, staff=[employee(1), employee(1)])


# --- results ------------------------------------------------------------------------


def test_slots_are_utc_and_last_call_minutes() -> None:
    slots = slots_on(MONDAY, category=rules(call=45, step=15))
    first = slots[0]
    assert first.start == datetime(2026, 5, 4, 5, 0, tzinfo=UTC)  # 08:00 EEST
    assert first.start.tzinfo is UTC
    assert first.end.tzinfo is UTC
    assert all(slot.end - slot.start == timedelta(minutes=45) for slot in slots)


def test_multi_day_range_is_sorted_and_skips_the_weekend() -> None:
    slots = free_slots(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(call=30, step=60),
        start=date(2026, 5, 8),
        end=date(2026, 5, 11),
        now=NOW,
    )
    days = [slot.start.astimezone(ATHENS).date() for slot in slots]
    assert sorted(set(days)) == [date(2026, 5, 8), date(2026, 5, 11)]
    assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_start_after_end_gives_nothing() -> None:
    result = free_slots(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(),
        start=TUESDAY,
        end=MONDAY,
        now=NOW,
    )
    assert result == []


def test_calendar_in_another_timezone_uses_its_own_wall_clock() -> None:
    kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+05:45
    cal = calendar(timezone="Asia/Kathmandu")
    slots = slots_on(MONDAY, cal=cal, category=rules(step=30))
    assert local_starts(slots, kathmandu)[0] == "08:00"
    assert slots[0].start == datetime(2026, 5, 4, 2, 15, tzinfo=UTC)


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        slots_on(MONDAY, now=datetime(2026, 5, 1, 9, 0))


# --- free_days ----------------------------------------------------------------------


def test_free_days_skip_closed_and_fully_booked_days() -> None:
    whole_tuesday = interval(TUESDAY, "00:00", "23:59")
    days = free_days(
        calendar=calendar(closed=[date(2026, 5, 6)]),
        employees=[employee(blocked=[whole_tuesday])],
        rules=rules(),
        start=MONDAY,
        end=SUNDAY,
        now=NOW,
    )
    assert days == [MONDAY, date(2026, 5, 7), date(2026, 5, 8)]


def test_free_days_stop_at_the_horizon() -> None:
    days = free_days(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(horizon=5),  # NOW is Friday 1 May: last bookable day is Wednesday 6 May
        start=NOW.date(),
        end=NOW.date() + timedelta(days=30),
        now=NOW,
    )
    assert days == [NOW.date(), MONDAY, TUESDAY, date(2026, 5, 6)]


# --- earliest_slot ------------------------------------------------------------------


def test_earliest_slot_is_the_next_grid_time_after_notice() -> None:
    slot = earliest_slot(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(notice=30, step=15),
        now=athens(MONDAY, "10:01"),
    )
    assert slot is not None
    assert slot.start == athens(MONDAY, "10:45")


def test_earliest_slot_skips_to_the_next_open_day() -> None:
    slot = earliest_slot(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(),
        now=athens(date(2026, 5, 8), "14:20"),  # Friday, too late for a call today
    )
    assert slot is not None
    assert slot.start == athens(date(2026, 5, 11), "08:00")


def test_earliest_slot_respects_not_before() -> None:
    slot = earliest_slot(
        calendar=calendar(),
        employees=[employee()],
        rules=rules(),
        now=NOW,
        not_before=athens(TUESDAY, "11:05"),
    )
    assert slot is not None
    assert slot.start == athens(TUESDAY, "11:15")


def test_earliest_slot_lists_all_free_employees() -> None:
    staff = [employee(4), employee(2, weekly=weekdays(tr("09:00", "15:00"))), employee(7)]
    slot = earliest_slot(
        calendar=calendar(), employees=staff, rules=rules(), now=athens(MONDAY, "07:00")
    )
    assert slot is not None
    assert slot.start == athens(MONDAY, "08:00")
    assert slot.employee_ids == (4, 7)


def test_earliest_slot_is_none_beyond_the_horizon() -> None:
    cal = calendar(weekly={}, exceptions={date(2026, 6, 1): (tr("08:00", "12:00"),)})
    staff = [employee()]
    assert earliest_slot(calendar=cal, employees=staff, rules=rules(horizon=30), now=NOW) is None
    found = earliest_slot(calendar=cal, employees=staff, rules=rules(horizon=31), now=NOW)
    assert found is not None
    assert found.start == athens(date(2026, 6, 1), "08:00")


def test_earliest_slot_without_employees_is_none() -> None:
    assert earliest_slot(calendar=calendar(), employees=[], rules=rules(), now=NOW) is None
