"""choose_employee (fair assignment) and nearest_slots (alternatives)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from keplive.booking.scheduling import Slot, choose_employee, nearest_slots

T0 = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)


def slot_at(minutes: int) -> Slot:
    start = T0 + timedelta(minutes=minutes)
    return Slot(start, start + timedelta(minutes=30), (1,))


def test_choose_employee_picks_fewest_booked_minutes() -> None:
    assert choose_employee(candidates=[1, 2, 3], booked_minutes={1: 90, 2: 30, 3: 60}) == 2


def test_choose_employee_breaks_ties_by_lowest_id() -> None:
    assert choose_employee(candidates=[7, 3, 5], booked_minutes={7: 30, 3: 30, 5: 30}) == 3


def test_choose_employee_counts_missing_as_zero() -> None:
    assert choose_employee(candidates=[4, 9], booked_minutes={4: 15}) == 9


def test_choose_employee_rejects_empty_candidates() -> None:
    with pytest.raises(ValueError, match="at least one candidate"):
        choose_employee(candidates=[], booked_minutes={})


def test_nearest_slots_returns_closest_sorted_by_start() -> None:
    slots = [slot_at(m) for m in (0, 30, 60, 90, 120, 150)]
    chosen = nearest_slots(slots=slots, target=T0 + timedelta(minutes=100), limit=3)
    assert [s.start for s in chosen] == [T0 + timedelta(minutes=m) for m in (60, 90, 120)]


def test_nearest_slots_prefers_the_earlier_slot_on_a_tie() -> None:
    slots = [slot_at(m) for m in (0, 60)]
    chosen = nearest_slots(slots=slots, target=T0 + timedelta(minutes=30), limit=1)
    assert chosen == [slots[0]]


def test_nearest_slots_handles_short_inputs_and_zero_limit() -> None:
    slots = [slot_at(0)]
    assert nearest_slots(slots=slots, target=T0, limit=3) == slots
    assert nearest_slots(slots=slots, target=T0, limit=0) == []
    assert nearest_slots(slots=[], target=T0) == []


def test_nearest_slots_rejects_naive_target_and_negative_limit() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        nearest_slots(slots=[], target=datetime(2026, 5, 4, 7))
    with pytest.raises(ValueError, match="non-negative"):
        nearest_slots(slots=[], target=T0, limit=-1)
