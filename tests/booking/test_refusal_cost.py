"""A refusal costs less than a booking (issue 13, goal 2): the refused time's day is read once,
and its alternatives come from that day when no other day's time can be nearer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keplive.booking import schedule_inputs, selectors, services
from keplive.booking.exceptions import SlotNoLongerFree
from keplive.booking.scheduling import nearest_slots
from tests.booking.conftest import TUESDAY
from tests.conftest import ATHENS, athens
from tests.factories import CitizenFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def _book(citizen, kep, service, category, starts_at, now):
    return services.book_appointment(
        citizen=citizen, kep=kep, service=service, category=category, starts_at=starts_at, now=now
    )


@pytest.fixture
def schedule_days(monkeypatch):
    """KEP-days of schedule computed (``kep_schedules``, the expensive part of free times)."""
    computed: list[int] = []
    original = schedule_inputs.kep_schedules

    def counting(*, keps, start, end, **kwargs):
        computed.append(len(keps) * ((end - start).days + 1))
        return original(keps=keps, start=start, end=end, **kwargs)

    for module in (services, selectors):
        monkeypatch.setattr(module, "kep_schedules", counting)
    # On PostgreSQL a booking reads its day's rows with the citizen's lock (ADR 0030) and puts
    # the KEP-day's schedule together from them: one KEP-day too.
    assemble = schedule_inputs.assemble_schedule

    def counting_assembled(*args, **kwargs):
        computed.append(1)
        return assemble(*args, **kwargs)

    monkeypatch.setattr(services, "assemble_schedule", counting_assembled)
    return computed


# Transactional: each command's own BEGIN and COMMIT (or ROLLBACK) are counted as in a request,
# not the savepoints a test's enclosing transaction turns them into.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_taken_time_is_refused_at_less_cost_than_a_booking(
    kep, employee, service, information, citizen, other_citizen, now, schedule_days
):
    at = athens(2026, 11, 24, 10, 0)
    _book(CitizenFactory(), kep, service, information, athens(2026, 11, 24, 9, 0), now)  # warm
    schedule_days.clear()
    with CaptureQueriesContext(connection) as booking:
        _book(citizen, kep, service, information, at, now)
    booked_days = sum(schedule_days)
    schedule_days.clear()
    with CaptureQueriesContext(connection) as refusal, pytest.raises(SlotNoLongerFree) as refused:
        _book(other_citizen, kep, service, information, at, now)
    assert [f"{s.start.astimezone(ATHENS):%H:%M}" for s in refused.value.alternatives] == [
        "09:30",
        "10:30",
        "11:00",
    ]
    # One KEP-day, read once, as for the booking (before: the day twice and a week around it).
    assert sum(schedule_days) == booked_days == 1
    assert len(refusal) < len(booking), (len(refusal), len(booking))


@pytest.mark.parametrize(("hour", "minute"), [(8, 0), (8, 30), (11, 0), (13, 30), (14, 0)], ids=str)
def test_the_alternatives_are_the_nearest_of_the_week_around(
    kep, employee, service, information, now, hour, minute
):
    """Whatever the shortcut, the answer is the nearest of the ±3 days the offer covers: here
    with the day mostly taken, so that some answers need the days around."""
    EmployeeFactory(kep=kep)
    for h, m in [(8, 0), (8, 30), (9, 0), (12, 0), (12, 30), (13, 0), (13, 30), (14, 0)]:
        for _ in range(2):  # both employees
            _book(CitizenFactory(), kep, service, information, athens(2026, 11, 24, h, m), now)
    target = athens(2026, 11, 24, hour, minute)
    week = selectors.free_slots_for(
        kep=kep,
        service=service,
        category=information,
        start=TUESDAY - dt.timedelta(days=1),
        end=TUESDAY + dt.timedelta(days=3),
        now=now,
    )
    expected = nearest_slots(slots=week, target=target, limit=3)
    got = selectors.nearest_free_slots(
        kep=kep, service=service, category=information, target=target, now=now
    )
    assert [s.start for s in got] == [s.start for s in expected]
