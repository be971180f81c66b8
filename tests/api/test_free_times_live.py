"""Free times are read live: the very next request after a booking, a hold, a cancellation, a
released hold or an expired one shows the change (issue 13, goal 1). On PostgreSQL the day's
blocking rows are read by a written-out statement (``schedule_inputs._BLOCKING_SQL``) instead of
the ORM's; the second test holds it to the ORM's query, row for row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.booking.models import Appointment, Status
from keplive.booking.schedule_inputs import _blocking_rows, _blocking_rows_sql, local_day_bounds
from keplive.catalogue.models import Category
from tests.conftest import working_day
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
API = "/api/v1"


def times(client, kep, service, day: dt.date) -> list[str]:
    answer = client.get(
        f"{API}/keps/{kep.code}/free-times",
        {"service": service.code, "category": 1, "date": day.isoformat()},
    )
    assert answer.status_code == 200, answer.content
    return [item["starts_at"] for item in answer.json()["times"]]


def test_every_change_to_a_kep_day_shows_in_the_next_free_times_request(require_postgres, client):
    kep, service, citizen = KepFactory(), ServiceFactory(), CitizenFactory()
    EmployeeFactory(kep=kep)  # one employee: a time taken is a time gone
    client.force_login(citizen.user)
    day = working_day(3)
    first = times(client, kep, service, day)
    assert first
    wanted = first[0]
    slot = {"kep": kep.code, "service": service.code, "category": 1, "starts_at": wanted}

    booked = client.post(f"{API}/bookings", slot, content_type="application/json")
    assert booked.status_code == 201, booked.content
    assert wanted not in times(client, kep, service, day)

    reference = booked.json()["reference"]
    cancelled = client.post(f"{API}/bookings/{reference}/cancel", content_type="application/json")
    assert cancelled.status_code == 200, cancelled.content
    assert wanted in times(client, kep, service, day)

    held = client.post(f"{API}/holds", slot, content_type="application/json")
    assert held.status_code == 201, held.content
    assert wanted not in times(client, kep, service, day)
    released = client.delete(f"{API}/holds/{held.json()['reference']}")
    assert released.status_code == 204
    assert wanted in times(client, kep, service, day)

    held = client.post(f"{API}/holds", slot, content_type="application/json")
    assert held.status_code == 201, held.content
    assert wanted not in times(client, kep, service, day)
    # The hold runs out; the sweeper has not released it yet: the time is free at once.
    Appointment.objects.filter(reference=held.json()["reference"]).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert wanted in times(client, kep, service, day)


def test_the_written_out_query_reads_what_the_orm_query_reads(require_postgres):
    kep, other = KepFactory(), KepFactory()
    employees = [EmployeeFactory(kep=kep), EmployeeFactory(kep=kep), EmployeeFactory(kep=other)]
    citizen, service = CitizenFactory(), ServiceFactory()
    category = Category.objects.get(number=1)
    now = timezone.now()
    day = working_day(3)
    start, end = local_day_bounds(day, day)
    hour = dt.timedelta(hours=1)
    cases = [
        # (employee, starts_at, status, hold expiry)
        (employees[0], start + 9 * hour, Status.BOOKED, None),
        (employees[1], start + 10 * hour, Status.BOOKED, None),
        (employees[0], start + 11 * hour, Status.HELD, now + 5 * dt.timedelta(minutes=1)),
        (employees[1], start + 12 * hour, Status.HELD, now - dt.timedelta(minutes=1)),  # expired
        (employees[0], start + 13 * hour, Status.CANCELLED, None),
        (employees[2], start + 9 * hour, Status.BOOKED, None),  # the other KEP
        (employees[0], start - 5 * hour, Status.BOOKED, None),  # the day before, runs past midnight
        (employees[0], start - 30 * hour, Status.BOOKED, None),  # well before
        (employees[1], end + 2 * hour, Status.BOOKED, None),  # the day after
    ]
    for employee, starts_at, status, expires in cases:
        Appointment.objects.create(
            citizen=citizen,
            kep=employee.kep,
            employee=employee,
            service=service,
            category=category,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=30),
            blocked_until=starts_at + (6 * hour if starts_at < start else dt.timedelta(minutes=40)),
            status=status,
            hold_expires_at=expires,
        )
    for kep_ids in ([kep.pk], [kep.pk, other.pk]):
        written = _blocking_rows_sql(kep_ids=kep_ids, range_start=start, range_end=end, now=now)
        orm = list(
            _blocking_rows(
                kep_ids=kep_ids,
                range_start=start,
                range_end=end,
                now=now,
                ignore_appointment_ids=(),
            )
        )
        assert sorted(written) == sorted(orm)
        # Two booked, the running hold and the day before's late call; and the other KEP's.
        assert len(orm) == (4 if len(kep_ids) == 1 else 5)
