"""A request the database could not serve right now (a deadlock, a restart, no free connection)
answers 503 with Retry-After — a Problem under /api/ — never a 500; other errors stay errors."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.db import OperationalError, ProgrammingError

from keplive.config.errors import database_says_try_again
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def failed(cause: BaseException, kind: type[Exception] = OperationalError) -> Exception:
    """How Django raises a driver's error: its own class, the driver's error as the cause."""
    error = kind(str(cause))
    error.__cause__ = cause
    return error


@pytest.fixture
def citizen_client(client):
    client.force_login(CitizenFactory().user)
    return client


def test_a_deadlock_in_the_api_answers_503_with_a_problem(citizen_client, monkeypatch):
    def deadlocked(**kwargs):  # type: ignore[no-untyped-def]
        raise failed(psycopg.errors.DeadlockDetected("deadlock detected"))

    monkeypatch.setattr("keplive.api.bookings.services.cancel_appointment", deadlocked)
    response = citizen_client.post(f"/api/v1/bookings/{uuid.uuid4()}/cancel")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "try_again"
    assert response.json()["message"]


def test_a_database_gone_under_a_page_answers_503(citizen_client, monkeypatch):
    def gone(**kwargs):  # type: ignore[no-untyped-def]
        raise failed(psycopg.OperationalError("server closed the connection unexpectedly"))

    monkeypatch.setattr("keplive.portal.appointments.appointments_for_citizen", gone)
    response = citizen_client.get("/appointments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "Δοκιμάστε ξανά" in response.content.decode()  # Greek, as every page


def test_a_programming_error_is_not_disguised(citizen_client, monkeypatch):
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise failed(psycopg.errors.UndefinedColumn("column x does not exist"), ProgrammingError)

    monkeypatch.setattr("keplive.portal.appointments.appointments_for_citizen", broken)
    with pytest.raises(ProgrammingError):
        citizen_client.get("/appointments/")


@pytest.mark.parametrize(
    ("error", "try_again"),
    [
        (failed(psycopg.errors.DeadlockDetected()), True),
        (failed(psycopg.errors.SerializationFailure()), True),
        (failed(psycopg.errors.LockNotAvailable()), True),
        (failed(psycopg.errors.TooManyConnections()), True),
        (failed(psycopg.errors.AdminShutdown()), True),
        (failed(psycopg.errors.CannotConnectNow()), True),
        (failed(psycopg.OperationalError("connection failed")), True),
        (OperationalError("database is locked"), True),
        (failed(psycopg.errors.QueryCanceled()), False),
        (failed(psycopg.errors.DiskFull()), False),
        (OperationalError("no such table: booking_appointment"), False),
        (ValueError("not a database error"), False),
    ],
)
def test_which_database_errors_say_try_again(error, try_again):
    assert database_says_try_again(error) is try_again
