"""Property-based tests: random calendars, staff, bookings and rules.

The core is compared with a naive minute-by-minute reference implementation
(``reference.py``) and checked against the invariants it must never break.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from keplive.booking.scheduling import (
    EmployeeSchedule,
    Interval,
    Slot,
    blocked_interval,
    choose_employee,
    earliest_slot,
    free_days,
    free_slots,
    nearest_slots,
    overlaps,
)

from .reference import Reference, each_date
from .strategies import ATHENS, PROFILE, Scenario, scenarios


def slots_of(scenario: Scenario) -> list[Slot]:
    return free_slots(
        calendar=scenario.calendar,
        employees=scenario.employees,
        rules=scenario.rules,
        start=scenario.start,
        end=scenario.end,
        now=scenario.now,
    )


def reference_of(scenario: Scenario) -> Reference:
    return Reference(calendar=scenario.calendar, rules=scenario.rules, now=scenario.now)


def assert_well_formed(scenario: Scenario, slots: list[Slot]) -> None:
    """UTC, sorted, distinct instants, real call length, sorted unique ids."""
    call = timedelta(minutes=scenario.rules.call_minutes)
    starts = [slot.start for slot in slots]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    known = {employee.employee_id for employee in scenario.employees}
    for slot in slots:
        assert slot.start.tzinfo is UTC
        assert slot.end.tzinfo is UTC
        assert slot.end - slot.start == call
        assert slot.employee_ids
        assert list(slot.employee_ids) == sorted(set(slot.employee_ids))
        assert set(slot.employee_ids) <= known


@settings(PROFILE, max_examples=150)
@given(scenarios())
def test_free_slots_match_the_minute_by_minute_reference(scenario: Scenario) -> None:
    slots = slots_of(scenario)
    assert_well_formed(scenario, slots)
    expected = reference_of(scenario).free_slots(scenario.employees, scenario.start, scenario.end)
    assert slots == expected


@settings(PROFILE)
@given(scenarios())
def test_every_listed_employee_really_is_free(scenario: Scenario) -> None:
    """Soundness, rule by rule: window, opening hours, availability, closed
    dates, absences, blocked ranges plus buffer, notice and horizon."""
    reference = reference_of(scenario)
    by_id = {employee.employee_id: employee for employee in scenario.employees}
    rules = scenario.rules
    for slot in slots_of(scenario):
        local_start = slot.start.astimezone(scenario.tz)
        assert scenario.start <= local_start.date() <= scenario.end
        assert local_start.date() not in scenario.calendar.closed_dates
        # Arithmetic in UTC: adding to a ZoneInfo datetime would be wall-clock arithmetic.
        earliest = scenario.now.astimezone(UTC) + timedelta(minutes=rules.min_notice_minutes)
        assert slot.start >= earliest
        assert local_start.date() <= (
            scenario.now.astimezone(scenario.tz).date() + timedelta(days=rules.horizon_days)
        )
        assert reference.on_grid(slot.start)
        with_buffer = blocked_interval(
            start=slot.start, call_minutes=rules.call_minutes, buffer_minutes=rules.buffer_minutes
        )
        call = Interval(slot.start, slot.end)
        for employee_id in slot.employee_ids:
            employee = by_id[employee_id]
            assert not any(overlaps(with_buffer, b) for b in employee.blocked)
            assert not any(overlaps(call, a) for a in employee.absences)
            runs = reference.call_runs(employee, local_start.date())
            assert runs.get(slot.start, 0) >= rules.call_minutes
            assert reference.is_free(employee, slot.start)
        for employee_id in by_id.keys() - set(slot.employee_ids):
            assert not reference.is_free(by_id[employee_id], slot.start)


@settings(PROFILE)
@given(scenarios(), st.lists(st.integers(0, 10_000), max_size=6))
def test_greedy_bookings_never_overlap_including_buffer(
    scenario: Scenario, picks: list[int]
) -> None:
    """Book slot after slot the way the Django side does and recompute each time."""
    rules = scenario.rules
    employees = {employee.employee_id: employee for employee in scenario.employees}
    booked_minutes: dict[int, int] = {}
    bookings: dict[int, list[Interval]] = {employee_id: [] for employee_id in employees}
    for pick in picks:
        slots = free_slots(
            calendar=scenario.calendar,
            employees=tuple(employees.values()),
            rules=rules,
            start=scenario.start,
            end=scenario.end,
            now=scenario.now,
        )
        if not slots:
            break
        slot = slots[pick % len(slots)]
        employee_id = choose_employee(candidates=slot.employee_ids, booked_minutes=booked_minutes)
        assert employee_id in slot.employee_ids
        new = blocked_interval(
            start=slot.start, call_minutes=rules.call_minutes, buffer_minutes=rules.buffer_minutes
        )
        employee = employees[employee_id]
        employees[employee_id] = replace(employee, blocked=(*employee.blocked, new))
        bookings[employee_id].append(new)
        booked_minutes[employee_id] = booked_minutes.get(employee_id, 0) + rules.call_minutes
    for employee_id, intervals in bookings.items():
        original = next(e for e in scenario.employees if e.employee_id == employee_id).blocked
        for index, interval in enumerate(intervals):
            assert not any(overlaps(interval, other) for other in intervals[index + 1 :])
            assert not any(overlaps(interval, other) for other in original)


@settings(PROFILE, max_examples=80)
@given(scenarios(zones=(ATHENS,), transition_days_only=True, wide_window=True))
def test_athens_dst_days_give_real_distinct_grid_instants(scenario: Scenario) -> None:
    slots = slots_of(scenario)
    assert_well_formed(scenario, slots)
    reference = reference_of(scenario)
    for slot in slots:
        local = slot.start.astimezone(scenario.tz)
        # The wall time exists: it maps back to the very same instant.
        naive = local.replace(tzinfo=None)
        assert naive.replace(tzinfo=scenario.tz, fold=local.fold).astimezone(UTC) == slot.start
        assert (local.hour * 60 + local.minute) % scenario.rules.step_minutes == 0
        assert local.second == local.microsecond == 0
        # Real elapsed minutes, whatever the wall clock does in between.
        assert (slot.end.timestamp() - slot.start.timestamp()) == scenario.rules.call_minutes * 60
    assert slots == reference.free_slots(scenario.employees, scenario.start, scenario.end)


@settings(PROFILE)
@given(scenarios())
def test_free_days_agree_with_free_slots(scenario: Scenario) -> None:
    days = free_days(
        calendar=scenario.calendar,
        employees=scenario.employees,
        rules=scenario.rules,
        start=scenario.start,
        end=scenario.end,
        now=scenario.now,
    )
    expected = sorted({slot.start.astimezone(scenario.tz).date() for slot in slots_of(scenario)})
    assert days == expected


@settings(PROFILE)
@given(scenarios(), st.one_of(st.none(), st.integers(-24 * 60, 5 * 24 * 60)))
def test_earliest_slot_is_the_first_free_slot_in_the_horizon(
    scenario: Scenario, not_before_minutes: int | None
) -> None:
    rules = scenario.rules
    not_before: datetime | None = None
    if not_before_minutes is not None:
        not_before = scenario.now.astimezone(UTC) + timedelta(minutes=not_before_minutes)
    local_now = scenario.now.astimezone(scenario.tz).date()
    everything = free_slots(
        calendar=scenario.calendar,
        employees=scenario.employees,
        rules=rules,
        start=local_now - timedelta(days=1),
        end=local_now + timedelta(days=rules.horizon_days),
        now=scenario.now,
    )
    if not_before is not None:
        everything = [slot for slot in everything if slot.start >= not_before]
    found = earliest_slot(
        calendar=scenario.calendar,
        employees=scenario.employees,
        rules=rules,
        now=scenario.now,
        not_before=not_before,
    )
    assert found == (everything[0] if everything else None)


@settings(PROFILE, max_examples=200)
@given(
    st.lists(st.integers(1, 30), min_size=1, max_size=8, unique=True),
    st.dictionaries(st.integers(1, 30), st.integers(0, 600), max_size=10),
)
def test_choose_employee_picks_fewest_minutes_then_lowest_id(
    candidates: list[int], booked_minutes: dict[int, int]
) -> None:
    chosen = choose_employee(candidates=candidates, booked_minutes=booked_minutes)
    assert chosen in candidates
    fewest = min(booked_minutes.get(c, 0) for c in candidates)
    assert booked_minutes.get(chosen, 0) == fewest
    assert chosen == min(c for c in candidates if booked_minutes.get(c, 0) == fewest)


@settings(PROFILE, max_examples=200)
@given(
    st.lists(st.integers(0, 200), max_size=12, unique=True),
    st.integers(-20, 220),
    st.integers(0, 5),
)
def test_nearest_slots_are_the_closest_ones_sorted_by_start(
    offsets: list[int], target_offset: int, limit: int
) -> None:
    origin = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    slots = [
        Slot(origin + timedelta(minutes=5 * o), origin + timedelta(minutes=5 * o + 20), (1,))
        for o in offsets
    ]
    target = origin + timedelta(minutes=5 * target_offset)
    chosen = nearest_slots(slots=slots, target=target, limit=limit)
    ranked = sorted(slots, key=lambda s: (abs(s.start - target), s.start))
    assert chosen == sorted(ranked[:limit], key=lambda s: s.start)


@settings(PROFILE, max_examples=30)
@given(scenarios(max_employees=2))
def test_dates_outside_the_requested_range_are_never_returned(scenario: Scenario) -> None:
    for day in each_date(scenario.start, scenario.end):
        single = free_slots(
            calendar=scenario.calendar,
            employees=scenario.employees,
            rules=scenario.rules,
            start=day,
            end=day,
            now=scenario.now,
        )
        assert all(slot.start.astimezone(scenario.tz).date() == day for slot in single)


def test_employee_schedule_is_a_value() -> None:
    """replace() keeps the pre-computed form in sync (used by the booking loop)."""
    employee = EmployeeSchedule(employee_id=1, weekly={})
    start = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    changed = replace(employee, blocked=(Interval(start, start + timedelta(minutes=30)),))
    assert changed.blocked != employee.blocked
    assert changed != employee
