"""KEPlive's client against a scriptable GSIS over real HTTP: every reply that is not a
citizen — unsafe or malformed XML, a bad tax number, errors, outages — gives a clear page,
never a 500, and nobody is logged in."""

from __future__ import annotations

import json
import socket

import pytest

from keplive.accounts.models import Citizen
from keplive.audit.models import AuditEvent
from tests.gsis.fake_gsis import ACCESS_TOKEN, GOOD_USERINFO, Reply
from tests.gsis.test_userinfo import BILLION_LAUGHS, EXTERNAL_ENTITY


def _callback(client, code: str = "code-1"):  # type: ignore[no-untyped-def]
    client.get("/login/")
    state = client.session["taxisnet_login"]["state"]
    return client.get("/login/callback/", {"code": code, "state": state})


def _failure_reasons() -> list[str]:
    return [
        event.details["reason"]
        for event in AuditEvent.objects.filter(action="citizen.login_failed")
    ]


def test_the_code_goes_in_the_form_and_the_token_only_in_a_bearer_header(client, fake_gsis):
    response = _callback(client, code="code-42")
    assert response.status_code == 302
    token_request, userinfo_request = fake_gsis.seen
    assert token_request.method == "POST"
    assert token_request.path == "/oauth2server/oauth/token"
    assert token_request.form == {
        "grant_type": ["authorization_code"],
        "code": ["code-42"],
        "redirect_uri": ["http://testserver/login/callback/"],
        "client_id": ["keplive-local"],
        "client_secret": ["keplive-local-not-secret"],
    }
    assert userinfo_request.method == "GET"
    assert userinfo_request.path == "/oauth2server/userinfo"
    assert userinfo_request.query == {"format": ["xml"]}
    assert userinfo_request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert Citizen.objects.get().tax_id == "123456783"
    assert ACCESS_TOKEN not in str(dict(client.session))


@pytest.mark.parametrize(
    ("userinfo", "reason"),
    [
        (Reply(body=b"<root><userinfo taxid=", content_type="application/xml"), "malformed_reply"),
        (Reply(body=GOOD_USERINFO.replace(b"123456783", b"123456789")), "invalid_tax_id"),
        (Reply(body=BILLION_LAUGHS, content_type="application/xml"), "unsafe_xml"),
        (Reply(body=EXTERNAL_ENTITY, content_type="application/xml"), "unsafe_xml"),
        (Reply(body=b"<root>" + b"x" * 70_000 + b"</root>"), "malformed_reply"),
        (Reply(status=401, body=b'{"error": "invalid_token"}'), "userinfo_refused"),
        (Reply(status=200, body=b'{"error": "server_error"}'), "gsis_refused"),
        (Reply(status=500, body=b"<html>down</html>"), "gsis_unavailable"),
        (Reply(delay=2.0, body=GOOD_USERINFO), "gsis_unavailable"),
    ],
)
def test_unusable_userinfo_replies_are_explained(client, fake_gsis, userinfo, reason):
    fake_gsis.userinfo = userinfo
    response = _callback(client)
    assert response.status_code == 502
    assert 'href="/login/"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not Citizen.objects.exists()
    assert _failure_reasons() == [reason]


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (Reply(status=400, body=json.dumps({"error": "invalid_grant"}).encode()), "token_refused"),
        (Reply(status=401, body=b'{"error": "invalid_client"}'), "token_refused"),
        (Reply(status=403, body=b"<html>forbidden</html>"), "token_refused"),
        (Reply(status=502, body=b"<html>bad gateway</html>"), "gsis_unavailable"),
        (Reply(status=200, body=b"not json"), "malformed_reply"),
        (Reply(status=200, body=b'{"token_type": "bearer"}'), "malformed_reply"),
        (Reply(status=200, body=b'{"access_token": "x", "token_type": "mac"}'), "malformed_reply"),
        (Reply(delay=2.0), "gsis_unavailable"),
    ],
)
def test_unusable_token_replies_are_explained(client, fake_gsis, token, reason):
    if token.body == b"":
        token.body = fake_gsis.token.body
    fake_gsis.token = token
    response = _callback(client)
    assert response.status_code == 502
    assert "_auth_user_id" not in client.session
    assert _failure_reasons() == [reason]
    assert [seen.path for seen in fake_gsis.seen] == ["/oauth2server/oauth/token"]


def test_gsis_unreachable_is_explained(client, settings, db):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.KEPLIVE_GSIS_BASE_URL = f"http://127.0.0.1:{port}"
    response = _callback(client)
    assert response.status_code == 502
    assert _failure_reasons() == ["gsis_unavailable"]


def test_failures_are_logged_with_a_reason_and_no_personal_data(client, fake_gsis, caplog):
    fake_gsis.userinfo = Reply(body=GOOD_USERINFO.replace(b"123456783", b"123456789"))
    _callback(client)
    assert "reason=invalid_tax_id" in caplog.text
    assert "123456789" not in caplog.text
    assert ACCESS_TOKEN not in caplog.text
    assert "keplive-local-not-secret" not in caplog.text
