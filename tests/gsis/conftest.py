"""Fixtures for the TAXISnet login: the stand-in served by a real threaded server
(pytest-django's ``live_server``), or a scriptable fake GSIS, and helpers that walk the flow."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from tests.gsis.fake_gsis import FakeGsis, start_fake_gsis


@pytest.fixture
def standin(live_server, settings) -> str:  # type: ignore[no-untyped-def]
    """KEPlive's client talks over HTTP to the stand-in, served by a live server."""
    settings.KEPLIVE_GSIS_STANDIN = True
    settings.KEPLIVE_GSIS_BASE_URL = live_server.url
    return str(live_server.url)


@pytest.fixture
def fake_gsis(settings, db) -> Iterator[FakeGsis]:  # type: ignore[no-untyped-def]
    fake, server = start_fake_gsis()
    settings.KEPLIVE_GSIS_BASE_URL = fake.url
    settings.KEPLIVE_GSIS_TIMEOUT_SECONDS = 0.5
    yield fake
    server.shutdown()
    server.server_close()


def start(client: Client, **query: str) -> dict[str, str]:
    """GET /login/; the authorize parameters KEPlive sent the browser to GSIS with."""
    response = client.get("/login/", query)
    assert response.status_code == 302
    return dict(parse_qsl(urlsplit(response["Location"]).query))


def consent(client: Client, params: dict[str, str], choice: str) -> str:
    """What the citizen does on the stand-in's page; the address GSIS sends them back to."""
    response = client.post("/oauth2server/oauth/authorize", {**params, "choice": choice})
    assert response.status_code == 302, response.content
    return str(response["Location"])


def log_in(client: Client, choice: str = "maria", **query: str):  # type: ignore[no-untyped-def]
    """The whole flow; the callback's response."""
    return client.get(consent(client, start(client, **query), choice))
