"""A booking through the API on PostgreSQL: the statements a warm booking sends (issue 13, goal
2; ADR 0030), counted with every BEGIN, COMMIT and SAVEPOINT, over a real session as the
TAXISnet sign-in makes it; and the two-statement path keeps the guard's, the limit's and the
audit's behaviour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keplive.accounts.backends import CITIZEN_SESSION_BACKEND
from keplive.audit.models import AuditEvent
from keplive.booking import codes
from keplive.booking.models import Appointment, EarliestFreeTime, Status
from tests.conftest import ATHENS, working_day
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
API = "/api/v1"
MOST_STATEMENTS = 6


@pytest.fixture
def kep():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    EmployeeFactory(kep=kep)  # two: the fair choice between them is part of the booking
    return kep


@pytest.fixture
def service():
    return ServiceFactory()


@pytest.fixture
def citizen_client(client):
    citizen = CitizenFactory()
    client.force_login(citizen.user, backend=CITIZEN_SESSION_BACKEND)
    client.citizen = citizen
    return client


def body(kep, service, hour, minute=0):
    at = dt.datetime.combine(working_day(3), dt.time(hour, minute), tzinfo=ATHENS)
    return {"kep": kep.code, "service": service.code, "category": 1, "starts_at": at.isoformat()}


def book(client, kep, service, hour, minute=0):
    return client.post(
        f"{API}/bookings", body(kep, service, hour, minute), content_type="application/json"
    )


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the request's own BEGIN and COMMIT, as in production
def test_a_warm_booking_sends_at_most_six_statements(
    require_postgres, citizen_client, kep, service
):
    assert book(citizen_client, kep, service, 9).status_code == 201  # warms the caches
    with CaptureQueriesContext(connection) as queries:
        answer = book(citizen_client, kep, service, 10)
    assert answer.status_code == 201, answer.content
    statements = [query["sql"] for query in queries.captured_queries]
    # Honest count: the transaction's own statements are among those counted.
    assert "BEGIN" in statements
    assert "COMMIT" in statements
    assert len(statements) <= MOST_STATEMENTS, "\n".join(s[:120] for s in statements)
    booked = Appointment.objects.get(reference=answer.json()["reference"])
    assert booked.status == Status.BOOKED
    assert booked.citizen == citizen_client.citizen
    event = AuditEvent.objects.get(action="appointment.booked", object_id=str(booked.reference))
    assert event.actor == citizen_client.citizen.user
    assert event.details["kep"] == kep.code


def test_the_two_employees_are_both_used_and_then_the_time_is_refused(
    require_postgres, citizen_client, kep, service
):
    assert book(citizen_client, kep, service, 10).status_code == 201
    assert book(citizen_client, kep, service, 10).status_code == 201
    refused = book(citizen_client, kep, service, 10)
    assert refused.status_code == 409
    assert refused.json()["alternatives"]
    rows = Appointment.objects.filter(kep=kep, status=Status.BOOKED)
    assert sorted(rows.values_list("employee_id", flat=True)) == sorted(
        kep.employees.values_list("pk", flat=True)
    )
    assert AuditEvent.objects.filter(action="appointment.booked").count() == 2


def test_a_code_drawn_twice_is_drawn_again(
    require_postgres, citizen_client, kep, service, monkeypatch
):
    first = Appointment.objects.get(
        reference=book(citizen_client, kep, service, 9).json()["reference"]
    )
    # The field caches its default: the new row starts from the taken code.
    monkeypatch.setattr(Appointment._meta.get_field("code"), "_get_default", lambda: first.code)
    fresh = codes.new_code()
    monkeypatch.setattr(codes, "new_code", lambda: fresh)
    second = book(citizen_client, kep, service, 11)
    assert second.status_code == 201, second.content
    assert Appointment.objects.get(reference=second.json()["reference"]).code == fresh


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the refresh runs after COMMIT
def test_a_booking_at_the_kep_earliest_time_refreshes_it_and_another_does_not(
    require_postgres, citizen_client, kep, service, settings
):
    from django.utils import timezone

    from keplive.booking.earliest import refresh_earliest_free_times

    refresh_earliest_free_times(keps=[kep], now=timezone.now())
    row = EarliestFreeTime.objects.get(kep=kep, category_id=1)
    earliest = row.starts_at
    local = earliest.astimezone(ATHENS)
    late = dt.datetime.combine(working_day(5), dt.time(13, 0), tzinfo=ATHENS)
    answer = citizen_client.post(
        f"{API}/bookings",
        {"kep": kep.code, "service": service.code, "category": 1, "starts_at": late.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 201
    row.refresh_from_db()
    assert row.starts_at == earliest  # untouched: nothing to refresh
    for _employee in range(2):  # both employees at the earliest time: it is gone
        answer = citizen_client.post(
            f"{API}/bookings",
            {
                "kep": kep.code,
                "service": service.code,
                "category": 1,
                "starts_at": local.isoformat(),
            },
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
    row.refresh_from_db()
    assert row.starts_at > earliest
