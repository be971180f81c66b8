"""The GSIS stand-in keeps GSIS's rules: codes are single use and bound to the client and the
return address, clients must authenticate, userinfo takes only a Bearer token, and nothing
redirects to an address that is not this app's."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.gsis.conftest import consent, start

pytestmark = pytest.mark.django_db

TOKEN_URL = "/oauth2server/oauth/token"
USERINFO_URL = "/oauth2server/userinfo"


def _code(client, choice: str = "maria") -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    params = start(client)
    query = dict(parse_qsl(urlsplit(consent(client, params, choice)).query))
    return query["code"], params


def _exchange(client, code: str, /, **overrides: str):  # type: ignore[no-untyped-def]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://testserver/login/callback/",
        "client_id": "keplive-local",
        "client_secret": "keplive-local-not-secret",
        **overrides,
    }
    return client.post(TOKEN_URL, form)


def test_the_authorize_page_lists_test_identities_and_the_other_outcomes(client):
    params = start(client)
    response = client.get("/oauth2server/oauth/authorize", params)
    text = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="el">' in text
    for shown in ("ΠΑΠΑΔΟΠΟΥΛΟΥ", "00045671233", "KOWALSKA", 'value="refuse"', 'value="fail"'):
        assert shown in text


def test_a_code_is_exchanged_once_and_the_token_reads_the_userinfo_xml(client):
    code, _params = _code(client)
    reply = _exchange(client, code)
    assert reply.status_code == 200
    assert reply["Cache-Control"] == "no-store"
    token = reply.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] > 0
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    userinfo = client.get(USERINFO_URL, {"format": "xml"}, headers=bearer)
    assert userinfo.status_code == 200
    assert userinfo["Content-Type"].startswith("application/xml")
    body = userinfo.content.decode()
    assert body.startswith("<?xml")
    assert '<userinfo userid="mpapadopoulou" taxid="123456783" lastname="ΠΑΠΑΔΟΠΟΥΛΟΥ"' in body
    assert _exchange(client, code).json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"redirect_uri": "http://testserver/elsewhere/"}, 400, "invalid_grant"),
        ({"code": "made-up"}, 400, "invalid_grant"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_the_token_endpoint_refuses_bad_requests(client, overrides, status, error):
    code, _params = _code(client)
    reply = _exchange(client, code, **overrides)
    assert reply.status_code == status
    assert reply.json() == {"error": error}


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({}, {"format": "xml"}),
        ({"Authorization": "Bearer made-up"}, {"format": "xml"}),
        ({"Authorization": "Basic a2VwbGl2ZTp4"}, {"format": "xml"}),
    ],
)
def test_userinfo_needs_a_valid_bearer_token(client, headers, query):
    reply = client.get(USERINFO_URL, query, headers=headers)
    assert reply.status_code == 401
    assert reply.json() == {"error": "invalid_token"}


def test_userinfo_does_not_take_the_token_in_the_query_string(client):
    code, _params = _code(client)
    token = _exchange(client, code).json()["access_token"]
    reply = client.get(USERINFO_URL, {"format": "xml", "access_token": token})
    assert reply.status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "https://evil.example/login/callback/"},
        {"redirect_uri": "javascript:alert(1)"},
        {"client_id": "unknown"},
        {"scope": "write"},
        {"response_type": "token"},
    ],
)
def test_authorize_refuses_bad_parameters_with_a_page_not_a_redirect(client, change):
    params = {**start(client), **change}
    assert client.get("/oauth2server/oauth/authorize", params).status_code == 400
    response = client.post("/oauth2server/oauth/authorize", {**params, "choice": "maria"})
    assert response.status_code == 400
    assert "Location" not in response


def test_authorize_refuses_an_unknown_identity(client):
    response = client.post("/oauth2server/oauth/authorize", {**start(client), "choice": "nobody"})
    assert response.status_code == 400


def test_logout_returns_only_to_this_app(client):
    ok = client.get("/oauth2server/logout/keplive-local/", {"url": "http://testserver/"})
    assert ok.status_code == 302
    assert ok["Location"] == "http://testserver/"
    evil = client.get("/oauth2server/logout/keplive-local/", {"url": "https://evil.example/"})
    assert evil.status_code == 400
    other = client.get("/oauth2server/logout/other/", {"url": "http://testserver/"})
    assert other.status_code == 400


def test_the_standin_answers_nothing_when_switched_off(client, settings):
    settings.KEPLIVE_GSIS_STANDIN = False
    assert client.get("/oauth2server/oauth/authorize").status_code == 404
    assert client.post(TOKEN_URL).status_code == 404
