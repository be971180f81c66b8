"""Resolving an item: reassigning to a free employee of the same KEP, or moving (the citizen is
told by email and SMS). A refused resolution leaves the item open and the appointment as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from keplive.audit.models import AuditEvent
from keplive.booking.models import Status
from keplive.directory.models import Absence
from keplive.notifications.models import OutboxMessage
from keplive.worklist import changes
from keplive.worklist.models import Resolution
from keplive.worklist.selectors import free_employees, move_days, move_times, open_items
from keplive.worklist.services import (
    WorklistError,
    find_conflicts,
    resolve_by_moving,
    resolve_by_reassigning,
)
from tests.factories import EmployeeFactory, KepFactory
from tests.worklist.conftest import NOW, ORIGIN, TUESDAY, at, reload

T = dt.time


@pytest.fixture
def absent_item(book, employee, colleague, admin):  # type: ignore[no-untyped-def]
    appointment = book(10)
    Absence.objects.create(employee=employee, starts_at=at(9), ends_at=at(12))
    find_conflicts(now=NOW, actor=admin, origin=ORIGIN, employee_ids=[employee.pk])
    return open_items().get(appointment=appointment)


@pytest.fixture
def hours_item(book, kep, admin):  # type: ignore[no-untyped-def]
    appointment = book(10)
    changes.set_weekday_hours(
        kep=kep, weekday=1, intervals=[(T(7, 30), T(9, 0))], actor=admin, origin=ORIGIN, now=NOW
    )
    return open_items().get(appointment=appointment)


def test_free_employees_are_the_kep_colleagues_free_then(absent_item, colleague, book):
    busy = EmployeeFactory(kep=absent_item.appointment.kep)
    EmployeeFactory()  # another KEP's
    book(10)  # takes the colleague or the busy one at 10:00 …
    taken = {e.pk for e in free_employees(item=absent_item, now=NOW)}

    assert taken <= {colleague.pk, busy.pk}
    assert len(taken) == 1  # … so only the other one is free


def test_reassigning_resolves_the_item(absent_item, colleague, admin):
    appointment = absent_item.appointment

    resolve_by_reassigning(
        item=absent_item,
        to_employee=colleague,
        reason="Άδεια υπαλλήλου",
        actor=admin,
        origin=ORIGIN,
        now=NOW,
    )

    absent_item.refresh_from_db()
    assert absent_item.resolution == Resolution.REASSIGNED
    assert absent_item.resolved_by == admin
    assert reload(appointment).employee == colleague
    assert AuditEvent.objects.filter(action="worklist.item_resolved").exists()


def test_reassigning_to_another_keps_employee_is_refused_and_changes_nothing(
    absent_item, admin, employee
):
    stranger = EmployeeFactory(kep=KepFactory())

    with pytest.raises(WorklistError):
        resolve_by_reassigning(
            item=absent_item, to_employee=stranger, reason="x", actor=admin, origin=ORIGIN, now=NOW
        )

    absent_item.refresh_from_db()
    assert absent_item.is_open
    assert reload(absent_item.appointment).employee == employee


def test_moving_resolves_the_item_and_tells_the_citizen(hours_item, admin):
    appointment = hours_item.appointment
    day = move_days(item=hours_item, now=NOW)[0]
    slot = move_times(item=hours_item, day=day, now=NOW)[0]

    resolve_by_moving(
        item=hours_item,
        starts_at=slot.start,
        reason="Αλλαγή ωραρίου του ΚΕΠ",
        actor=admin,
        origin=ORIGIN,
        now=NOW,
    )

    hours_item.refresh_from_db()
    assert hours_item.resolution == Resolution.MOVED
    moved = reload(appointment)
    assert moved.status == Status.BOOKED
    assert moved.starts_at == slot.start
    assert moved.sequence == appointment.sequence + 1
    assert OutboxMessage.objects.filter(recipient="maria@example.gr").count() >= 2  # booked, moved
    # The moved appointment fits: nothing to list again.
    assert find_conflicts(now=NOW, origin=ORIGIN).created == []


def test_the_free_times_offered_respect_the_new_hours(hours_item):
    times = move_times(item=hours_item, day=TUESDAY, now=NOW)

    assert times
    assert all(slot.end <= at(9) for slot in times)


def test_moving_to_a_time_outside_the_hours_is_refused_and_changes_nothing(hours_item, admin):
    appointment = hours_item.appointment

    with pytest.raises(WorklistError):
        resolve_by_moving(
            item=hours_item, starts_at=at(12), reason="x", actor=admin, origin=ORIGIN, now=NOW
        )

    hours_item.refresh_from_db()
    assert hours_item.is_open
    assert reload(appointment).starts_at == appointment.starts_at


def test_a_resolved_item_cannot_be_resolved_twice(absent_item, colleague, admin):
    resolve_by_reassigning(
        item=absent_item, to_employee=colleague, reason="x", actor=admin, origin=ORIGIN, now=NOW
    )

    with pytest.raises(WorklistError):
        resolve_by_moving(
            item=absent_item, starts_at=at(12), reason="x", actor=admin, origin=ORIGIN, now=NOW
        )
