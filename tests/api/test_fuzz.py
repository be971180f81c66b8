"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis): whatever
a client sends, the answer is never a server error. Runs as a logged-in citizen, with CSRF, so
holds and bookings are exercised too, against a small real directory."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_wsgi

from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

schema = from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """The real handler closes the database connection after each request, which would end the
    test's transaction; Django's own test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def citizen_headers(client, db):
    kep = KepFactory(code="0001")
    EmployeeFactory(kep=kep)
    ServiceFactory(code="family-status-certificate")
    citizen = CitizenFactory()
    client.force_login(citizen.user)
    token = _get_new_csrf_string()
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_input_makes_the_api_fail(case, citizen_headers):
    case.call_and_validate(headers=citizen_headers, checks=[not_a_server_error])
