"""A NUL character anywhere in a request is refused with a clear 400, never a 500 from the
database (PostgreSQL cannot hold NUL in text)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/services/?municipality=abc%00def",
        "/services/?q=%00",
        "/api/v1/earliest?service=ab%00c&category=1",
        "/api/v1/keps?municipality=%00",
    ],
)
def test_a_nul_in_the_query_is_refused(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_form_is_refused(client):
    response = client.post("/i18n/setlang/", {"language": "e\x00n"})
    assert response.status_code == 400


def test_a_nul_in_json_is_refused_with_a_problem(client):
    response = client.post(
        "/api/v1/holds", data='{"kep": "\\u0000"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


def test_ordinary_requests_pass(client):
    assert client.get("/services/?q=πιστοποιητικό").status_code == 200


def test_pages_are_greek_even_for_a_browser_set_to_english(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="el">' in page


def test_the_language_switch_is_followed(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="el").content.decode()
    assert '<html lang="en">' in page


def test_an_unknown_language_cookie_falls_back_to_greek(client):
    client.cookies["django_language"] = "fr"
    assert '<html lang="el">' in client.get("/").content.decode()


def test_the_api_follows_accept_language(client):
    english = client.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="en").json()
    greek = client.get("/api/v1/categories").json()
    assert english[0]["title"] != greek[0]["title"]
