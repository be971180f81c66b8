"""The TAXISnet login end to end against the GSIS stand-in, served by a real threaded server:
the browser steps through the Django test client or a ``requests`` session, and KEPlive's
token and userinfo calls go over HTTP to the stand-in."""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client

from keplive.accounts.models import Citizen, Role, User
from keplive.audit.models import AuditEvent, Outcome
from tests.factories import CitizenFactory
from tests.gsis.conftest import consent, log_in, start

# live_server needs a transactional database; like the suite's other transactional tests, these
# restore the migrated data afterwards, so the tests that follow still find it.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("standin"),
]


def _standin_tokens() -> list[str]:
    """The access tokens the stand-in has issued (it keeps them in the local-memory cache)."""
    keys = [str(key) for key in getattr(cache, "_cache", {})]
    return [key.split("gsis-standin:token:", 1)[1] for key in keys if "gsis-standin:token:" in key]


def _database_dump() -> str:
    return "\n".join(connection.connection.iterdump())


def _failures() -> list[str]:
    events = AuditEvent.objects.filter(action="citizen.login_failed")
    assert all(event.outcome == Outcome.REFUSED and event.actor is None for event in events)
    return [event.details["reason"] for event in events]


def test_a_citizen_logs_in_through_the_standin_over_http(standin, caplog):
    """A browser's path: KEPlive → the stand-in's page → pick an identity → back to KEPlive."""
    caplog.set_level(logging.DEBUG)
    browser = requests.Session()
    to_gsis = browser.get(f"{standin}/login/?category=3", allow_redirects=False)
    assert to_gsis.status_code == 302
    authorize = urlsplit(to_gsis.headers["Location"])
    params = dict(parse_qsl(authorize.query))
    assert authorize.path == "/oauth2server/oauth/authorize"
    assert params["response_type"] == "code"
    assert params["scope"] == "read"
    assert params["client_id"] == "keplive-local"
    assert params["redirect_uri"] == f"{standin}/login/callback/"
    assert len(params["state"]) >= 32

    anonymous_session = browser.cookies["sessionid"]

    page = browser.get(to_gsis.headers["Location"])
    assert page.status_code == 200
    assert "ΝΙΚΟΛΑΟΥ" in page.text
    form = {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page.text)
    }
    form["choice"] = "giorgos"  # sends the tax number as 00045671233
    back = browser.post(page.url, data=form, allow_redirects=False)
    assert back.status_code == 302
    assert back.headers["Location"].startswith(f"{standin}/login/callback/?code=")

    landed = browser.get(back.headers["Location"], allow_redirects=False)
    assert landed.status_code == 302
    assert landed.headers["Location"] == "/book/3/"  # the gov.gr deep link lands on its category

    citizen = Citizen.objects.select_related("user").get()
    assert citizen.tax_id == "045671233"
    assert (citizen.first_name, citizen.last_name, citizen.father_name) == (
        "ΓΕΩΡΓΙΟΣ",
        "ΝΙΚΟΛΑΟΥ",
        "ΔΗΜΗΤΡΙΟΣ",
    )
    assert citizen.user.role == Role.CITIZEN
    assert not citizen.user.has_usable_password()

    assert browser.cookies["sessionid"] != anonymous_session  # a new session key on login
    assert not Session.objects.filter(session_key=anonymous_session).exists()
    session = Session.objects.get(session_key=browser.cookies["sessionid"]).get_decoded()
    assert session["_auth_user_id"] == str(citizen.user.pk)
    assert "taxisnet_login" not in session  # the state is gone once used

    [event] = AuditEvent.objects.filter(action="citizen.logged_in")
    assert event.actor_id == citizen.user.pk
    assert event.details == {"first_login": True}

    [token] = _standin_tokens()
    stored = _database_dump()
    for secret_or_personal in (token, "keplive-local-not-secret"):
        assert secret_or_personal not in stored
        assert secret_or_personal not in str(session)
        assert secret_or_personal not in caplog.text
    assert "045671233" not in caplog.text
    assert "ΝΙΚΟΛΑΟΥ" not in caplog.text
    assert "ΜΑΡΙΑ" not in str(AuditEvent.objects.values_list("details", flat=True))


def test_the_next_login_reuses_the_account_and_refreshes_the_names(client):
    old = CitizenFactory(tax_id="123456783", first_name="Μαρία", last_name="Παλαιό")
    response = log_in(client, "maria")
    assert response.status_code == 302
    citizen = Citizen.objects.get()
    assert citizen.pk == old.pk
    assert (citizen.first_name, citizen.last_name) == ("ΜΑΡΙΑ", "ΠΑΠΑΔΟΠΟΥΛΟΥ")
    assert User.objects.count() == 1
    assert int(client.session["_auth_user_id"]) == old.user.pk
    assert AuditEvent.objects.get(action="citizen.logged_in").details == {"first_login": False}


def test_a_foreign_citizen_logs_in(client):
    assert log_in(client, "anna").status_code == 302
    assert Citizen.objects.get().last_name == "KOWALSKA"


def test_a_deactivated_account_is_not_logged_in(client):
    CitizenFactory(tax_id="123456783", user__is_active=False)
    response = log_in(client, "maria")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert _failures() == ["account_disabled"]


def test_a_callback_without_a_started_login_is_refused(client):
    callback = consent(client, start(Client()), "maria")  # someone else's login
    response = client.get(callback)
    assert response.status_code == 400
    assert "Δεν συνδεθήκατε" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not Citizen.objects.exists()
    assert _failures() == ["state_mismatch"]


@pytest.mark.parametrize("state", ["", "not-the-state"])
def test_a_missing_or_wrong_state_is_refused(client, state):
    params = start(client)
    callback = consent(client, {**params, "state": state}, "maria")
    response = client.get(callback)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert not Citizen.objects.exists()
    # The started login is used up: the right state no longer works either.
    retry = consent(client, params, "maria")
    assert client.get(retry).status_code == 400


def test_a_replayed_callback_is_refused(client):
    callback = consent(client, start(client), "maria")
    assert client.get(callback).status_code == 302
    assert client.get(callback).status_code == 400
    stranger = Client()
    assert stranger.get(callback).status_code == 400
    assert "_auth_user_id" not in stranger.session
    assert _failures() == ["state_mismatch", "state_mismatch"]


def test_refused_consent_explains_and_offers_to_try_again(client):
    response = log_in(client, "refuse", next="/services/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "TAXISnet" in text
    assert 'href="/login/?next=%2Fservices%2F"' in text
    assert "_auth_user_id" not in client.session
    assert _failures() == ["access_denied"]


def test_a_gsis_failure_at_the_token_endpoint_is_explained_not_500(client):
    response = log_in(client, "fail", next="/services/")
    assert response.status_code == 502
    assert 'href="/login/?next=%2Fservices%2F"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _failures() == ["gsis_unavailable"]


def test_a_json_error_from_userinfo_is_explained(client):
    response = log_in(client, "broken")
    assert response.status_code == 502
    assert not Citizen.objects.exists()
    assert _failures() == ["gsis_refused"]


@pytest.mark.parametrize(
    ("query", "landing"),
    [
        ({"next": "/services/?category=2"}, "/services/?category=2"),
        ({"next": "https://evil.example/"}, "/"),
        ({"next": "//evil.example/path"}, "/"),
        ({"next": "/\\evil.example"}, "/"),
        ({"next": "javascript:alert(1)"}, "/"),
        ({"next": "/logout/"}, "/"),
        ({"category": "4"}, "/book/4/"),
        ({"category": "9"}, "/"),
        ({"category": "٣"}, "/"),
    ],
)
def test_after_login_only_same_site_paths_are_followed(client, query, landing):
    response = log_in(client, "eleni", **query)
    assert response.status_code == 302
    assert response["Location"] == landing


def test_logout_ends_the_session_and_goes_through_the_gsis_logout(client, standin):
    log_in(client, "maria")
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{standin}/oauth2server/logout/keplive-local/?url=http%3A%2F%2Ftestserver%2F"
    )
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="citizen.logged_out").count() == 1
    back = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    assert back.headers["Location"] == "http://testserver/"
