"""The call pages opened by signed links: the citizen's join link and the interpreter's link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.booking.links import interpreter_token, join_token
from keplive.booking.models import Appointment
from keplive.calls.routing import ws_path
from tests.workspace.conftest import ID_CARD

pytestmark = pytest.mark.django_db


def move(appointment: Appointment, *, ended_ago: dt.timedelta) -> None:
    ends = timezone.now() - ended_ago
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=ends - dt.timedelta(minutes=20), ends_at=ends, blocked_until=ends
    )


def assert_private(response) -> None:  # type: ignore[no-untyped-def]
    assert response["Referrer-Policy"] == "same-origin"
    cache = response["Cache-Control"]
    assert "no-store" in cache or cache.startswith("max-age=0")


def test_the_citizens_call_page(client, book):
    appointment = book()
    token = join_token(appointment)
    response = client.get(f"/call/{token}/")
    assert response.status_code == 200
    assert response.templates[0].name == "calls/room.html"
    assert response.context["role"] == "citizen"
    assert response.context["ws_path"] == ws_path(str(appointment.reference), link=token)
    assert response.context["appointment"] == appointment
    assert "registry_check_url" not in response.context
    assert_private(response)
    assert ID_CARD not in response.content.decode()
    assert AuditEvent.objects.filter(
        object_id=str(appointment.reference), channel="join-link"
    ).exists()


def test_the_interpreters_call_page(client, book):
    appointment = book(interpreter="sign_language")
    token = interpreter_token(appointment)
    response = client.get(f"/interpret/{token}/")
    assert response.status_code == 200
    assert response.context["role"] == "interpreter"
    assert response.context["ws_path"] == ws_path(str(appointment.reference), link=token)
    assert "registry_check_url" not in response.context
    assert_private(response)
    content = response.content.decode()
    assert ID_CARD not in content
    assert "Μαρία" not in content
    assert AuditEvent.objects.filter(
        action="call.page_opened", object_id=str(appointment.reference), channel="interpreter-link"
    ).exists()


@pytest.mark.parametrize("prefix", ["call", "interpret"])
def test_a_forged_token_is_410(client, prefix):
    response = client.get(f"/{prefix}/forged-token/")
    assert response.status_code == 410
    assert_private(response)


def test_the_links_do_not_swap(client, book):
    appointment = book()
    assert client.get(f"/interpret/{join_token(appointment)}/").status_code == 410
    assert client.get(f"/call/{interpreter_token(appointment)}/").status_code == 410


@pytest.mark.parametrize("prefix", ["call", "interpret"])
def test_a_call_running_late_still_opens(client, book, prefix):
    appointment = book()
    token = join_token(appointment) if prefix == "call" else interpreter_token(appointment)
    move(appointment, ended_ago=dt.timedelta(hours=1, minutes=50))
    assert client.get(f"/{prefix}/{token}/").status_code == 200
    move(appointment, ended_ago=dt.timedelta(hours=2, minutes=1))
    assert client.get(f"/{prefix}/{token}/").status_code == 410


@pytest.mark.parametrize("prefix", ["call", "interpret"])
def test_a_cancelled_appointments_links_stop(client, book, citizen, prefix):
    from keplive.booking import services

    appointment = book()
    token = join_token(appointment) if prefix == "call" else interpreter_token(appointment)
    services.cancel_appointment(
        reference=appointment.reference, citizen=citizen, now=timezone.now()
    )
    assert client.get(f"/{prefix}/{token}/").status_code == 410


def test_the_links_are_post_free(client, book):
    appointment = book()
    assert client.post(f"/call/{join_token(appointment)}/").status_code == 405
    assert client.post(f"/interpret/{interpreter_token(appointment)}/").status_code == 405
