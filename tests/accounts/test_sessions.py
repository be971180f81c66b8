"""Signed-in sessions end after their idle and absolute limits (issue 11, finding 8; ADR 0014):
staff 30 minutes idle and 12 hours after signing in, citizens 15 minutes idle; the workspace's
background poll is not activity. The clocks live in the session: the tests move them back
instead of waiting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from keplive.accounts import sessions
from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent
from tests.factories import CitizenFactory, EmployeeFactory, UserFactory
from tests.staff import login_staff

pytestmark = pytest.mark.django_db

BACKGROUND = {"HTTP_X_KEPLIVE_BACKGROUND": "1"}


def set_clocks(client: Client, *, signed_in_ago: dt.timedelta, active_ago: dt.timedelta) -> None:
    """Pretend the client signed in ``signed_in_ago`` and was last active ``active_ago``."""
    now = timezone.now()
    session = client.session
    session[sessions.LOGIN_AT] = int((now - signed_in_ago).timestamp())
    session[sessions.SEEN_AT] = int((now - active_ago).timestamp())
    session.save()


def minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.fixture
def employee_client(client: Client) -> Client:
    return login_staff(client, EmployeeFactory().user)


@pytest.fixture
def citizen_client(client: Client) -> Client:
    client.force_login(CitizenFactory().user)
    return client


# --- Staff -----------------------------------------------------------------------------------


def test_staff_stay_signed_in_just_under_thirty_idle_minutes(employee_client):
    set_clocks(employee_client, signed_in_ago=minutes(29), active_ago=minutes(29))
    started = int(timezone.now().timestamp())
    assert employee_client.get("/workspace/").status_code == 200
    assert signed_in(employee_client)
    # ... and that request was activity: the idle clock starts again.
    assert employee_client.session[sessions.SEEN_AT] >= started


def test_staff_idle_for_thirty_minutes_are_signed_out_and_told_why_in_greek(employee_client):
    set_clocks(employee_client, signed_in_ago=minutes(45), active_ago=minutes(30))
    response = employee_client.get("/workspace/week/")
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/?next=/workspace/week/")
    assert not signed_in(employee_client)
    login = employee_client.get(response["Location"])
    assert login.status_code == 200
    page = login.content.decode()
    assert "Αποσυνδεθήκατε" in page
    assert "30 λεπτά" in page
    # Said once only.
    assert "Αποσυνδεθήκατε" not in employee_client.get(response["Location"]).content.decode()
    event = AuditEvent.objects.get(action="session.expired")
    assert event.details == {"reason": "idle"}
    assert event.object_type == "staff"


def test_staff_are_signed_out_twelve_hours_after_signing_in_however_active(employee_client):
    set_clocks(employee_client, signed_in_ago=dt.timedelta(hours=12), active_ago=minutes(1))
    response = employee_client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/")
    page = employee_client.get(response["Location"]).content.decode()
    assert "12 ώρες" in page
    assert AuditEvent.objects.get(action="session.expired").details == {"reason": "absolute"}


def test_ministry_staff_have_the_same_limits_and_their_own_login_page(client):
    login_staff(client, UserFactory(role=Role.ADMINISTRATOR))
    set_clocks(client, signed_in_ago=minutes(31), active_ago=minutes(31))
    response = client.get("/administration/keps/")
    assert response["Location"].startswith("/administration/login/?next=/administration/keps/")
    assert "Αποσυνδεθήκατε" in client.get(response["Location"]).content.decode()


def test_the_django_admin_sends_an_idle_administrator_back_to_sign_in(client):
    login_staff(client, UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    set_clocks(client, signed_in_ago=minutes(40), active_ago=minutes(30))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not signed_in(client)


def test_the_limits_are_settings(employee_client, settings):
    settings.KEPLIVE_STAFF_IDLE_MINUTES = 5
    set_clocks(employee_client, signed_in_ago=minutes(6), active_ago=minutes(6))
    assert employee_client.get("/workspace/").status_code == 302
    assert not signed_in(employee_client)


# --- The workspace's background poll -----------------------------------------------------------


def test_the_background_poll_is_not_activity(employee_client):
    set_clocks(employee_client, signed_in_ago=minutes(20), active_ago=minutes(20))
    before = employee_client.session[sessions.SEEN_AT]
    response = employee_client.get(
        "/workspace/upcoming.json", HTTP_ACCEPT="application/json", **BACKGROUND
    )
    assert response.status_code == 200
    assert employee_client.session[sessions.SEEN_AT] == before
    # The same request made by the user (no header) is activity.
    employee_client.get("/workspace/upcoming.json", HTTP_ACCEPT="application/json")
    assert employee_client.session[sessions.SEEN_AT] > before


def test_an_idle_tab_polling_in_the_background_still_times_out_with_401_json(employee_client):
    set_clocks(employee_client, signed_in_ago=minutes(30), active_ago=minutes(30))
    response = employee_client.get(
        "/workspace/upcoming.json", HTTP_ACCEPT="application/json", **BACKGROUND
    )
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"
    assert not signed_in(employee_client)


def test_the_calendar_refresh_in_the_background_is_not_activity(employee_client):
    set_clocks(employee_client, signed_in_ago=minutes(10), active_ago=minutes(10))
    before = employee_client.session[sessions.SEEN_AT]
    response = employee_client.get("/workspace/", HTTP_X_KEPLIVE_FRAGMENT="calendar", **BACKGROUND)
    assert response.status_code == 200
    assert employee_client.session[sessions.SEEN_AT] == before


def test_the_workspace_script_marks_its_requests_as_background():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "keplive/static/js/workspace.js").read_text()
    assert '"X-KEPlive-Background": "1"' in script
    assert script.count("...BACKGROUND") == 2  # the poll and the calendar's refresh
    assert "response.status === 401" in script  # an ended session stops the polling


def test_activity_is_written_at_most_once_a_minute(employee_client):
    set_clocks(employee_client, signed_in_ago=minutes(5), active_ago=dt.timedelta(seconds=30))
    before = employee_client.session[sessions.SEEN_AT]
    employee_client.get("/workspace/")
    assert employee_client.session[sessions.SEEN_AT] == before
    set_clocks(employee_client, signed_in_ago=minutes(5), active_ago=dt.timedelta(seconds=61))
    before = employee_client.session[sessions.SEEN_AT]
    employee_client.get("/workspace/")
    assert employee_client.session[sessions.SEEN_AT] > before


# --- Citizens ----------------------------------------------------------------------------------


def test_citizens_idle_for_fifteen_minutes_are_signed_out(citizen_client):
    set_clocks(citizen_client, signed_in_ago=minutes(14), active_ago=minutes(14))
    assert citizen_client.get("/appointments/").status_code == 200
    set_clocks(citizen_client, signed_in_ago=minutes(30), active_ago=minutes(15))
    response = citizen_client.get("/appointments/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/appointments/")
    assert not signed_in(citizen_client)
    assert AuditEvent.objects.get(action="session.expired").object_type == "citizen"


def test_an_api_request_of_an_ended_session_gets_401_json(citizen_client):
    set_clocks(citizen_client, signed_in_ago=minutes(20), active_ago=minutes(16))
    response = citizen_client.get("/api/v1/bookings")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "session_expired"
    assert body["message"]
    assert not signed_in(citizen_client)


def test_public_pages_go_on_for_the_visitor_whose_session_ended(citizen_client):
    set_clocks(citizen_client, signed_in_ago=minutes(20), active_ago=minutes(16))
    response = citizen_client.get("/services/")
    assert response.status_code == 200
    assert not signed_in(citizen_client)


# --- The session store and the helpers ------------------------------------------------------------


def test_signing_in_bounds_the_session_itself_to_the_absolute_limit(employee_client):
    # The session store forgets the session, and the browser its cookie, 12 hours after the
    # sign-in, even if nothing else ran: activity does not push that bound.
    age = employee_client.session.get_expiry_age()
    assert 12 * 3600 - 60 < age <= 12 * 3600
    set_clocks(employee_client, signed_in_ago=minutes(0), active_ago=minutes(2))
    response = employee_client.get("/workspace/")
    assert response.status_code == 200
    assert 12 * 3600 - 60 < int(response.cookies["sessionid"]["max-age"]) <= 12 * 3600


def test_signing_in_again_restarts_the_clocks(client):
    user = EmployeeFactory().user
    login_staff(client, user)
    set_clocks(client, signed_in_ago=dt.timedelta(hours=11), active_ago=minutes(1))
    started = int(timezone.now().timestamp())
    login_staff(client, user)
    assert client.session[sessions.LOGIN_AT] >= started


def test_a_session_from_before_the_clocks_is_stamped_on_its_next_request(employee_client):
    session = employee_client.session
    del session[sessions.LOGIN_AT], session[sessions.SEEN_AT]
    session.save()
    assert employee_client.get("/workspace/").status_code == 200
    assert sessions.LOGIN_AT in employee_client.session


def _store(**values: Any) -> SessionStore:
    store = SessionStore()
    for key, value in values.items():
        store[key] = value
    return store


def test_session_expired_for_the_websocket_consumer():
    now = timezone.now()
    staff = UserFactory(role=Role.EMPLOYEE)
    citizen = UserFactory(role=Role.CITIZEN)
    fresh = _store(keplive_login_at=int(now.timestamp()), keplive_seen_at=int(now.timestamp()))
    assert not sessions.session_expired(fresh, staff, now + minutes(29))
    assert sessions.session_expired(fresh, staff, now + minutes(30))
    assert not sessions.session_expired(fresh, citizen, now + minutes(14))
    assert sessions.session_expired(fresh, citizen, now + minutes(15))
    active = _store(
        keplive_login_at=int((now - dt.timedelta(hours=12)).timestamp()),
        keplive_seen_at=int(now.timestamp()),
    )
    assert sessions.session_expired(active, staff, now)
    assert sessions.expiry_reason(active, user=staff, now=now) == "absolute"
    assert not sessions.session_expired(fresh, AnonymousUser(), now + dt.timedelta(days=1))
    assert not sessions.session_expired(_store(), staff, now)  # not stamped yet


def test_record_activity_moves_the_idle_clock_for_a_long_call():
    now = timezone.now()
    staff = UserFactory(role=Role.EMPLOYEE)
    store = _store(keplive_login_at=int(now.timestamp()), keplive_seen_at=int(now.timestamp()))
    assert not sessions.record_activity(store, user=staff, now=now + dt.timedelta(seconds=30))
    assert sessions.record_activity(store, user=staff, now=now + minutes(25))
    assert not sessions.session_expired(store, staff, now + minutes(50))
    assert sessions.session_expired(store, staff, now + minutes(55))
