"""/workspace/calls/<reference>/ (the employee's call page) and its police-registry check."""

from __future__ import annotations

import pytest

from keplive.audit.models import AuditEvent
from keplive.calls.models import Call, CallState
from keplive.calls.routing import ws_path
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def call_url(appointment, action: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/workspace/calls/{appointment.reference}/" + (f"{action}/" if action else "")


def admitted(appointment, state: str = CallState.IDENTITY_CHECK) -> Call:  # type: ignore[no-untyped-def]
    call, _ = Call.objects.update_or_create(appointment=appointment, defaults={"state": state})
    return call


def test_the_employees_call_page(employee_client, book):
    appointment = book()
    response = employee_client.get(call_url(appointment))
    assert response.status_code == 200
    assert response.templates[0].name == "calls/room.html"
    context = response.context
    assert context["role"] == "employee"
    assert context["ws_path"] == ws_path(str(appointment.reference))
    assert context["appointment"] == appointment
    assert context["registry_check_url"] == call_url(appointment, "registry-check")
    # After the call the employee records its outcome.
    assert context["done_url"] == f"/workspace/appointments/{appointment.reference}/outcome/"
    assert isinstance(context["documents"], list)
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        action="call.viewed", object_id=str(appointment.reference), channel="workspace"
    ).exists()


def test_a_supervisor_of_the_kep_opens_the_call(client, book, supervisor):
    login_staff(client, supervisor.user)
    assert client.get(call_url(book())).status_code == 200


def test_a_cancelled_appointment_has_no_call_page(employee_client, book, citizen):
    from django.utils import timezone

    from keplive.booking import services

    appointment = book()
    services.cancel_appointment(
        reference=appointment.reference, citizen=citizen, now=timezone.now()
    )
    assert employee_client.get(call_url(appointment)).status_code == 404


def test_the_registry_verifies_the_declared_document(employee_client, book):
    appointment = book()
    call = admitted(appointment)
    response = employee_client.post(call_url(appointment, "registry-check"))
    assert response.status_code == 200
    assert response.json()["ok"] is True
    call.refresh_from_db()
    assert call.registry_verified is True
    assert call.registry_reference
    assert call.registry_checked_at is not None


def test_a_number_ending_in_00_is_not_verified(employee_client, book):
    appointment = book(id_card_number="ΚΛ987600")
    call = admitted(appointment, CallState.IN_CALL)
    response = employee_client.post(call_url(appointment, "registry-check"))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "verified": False}
    call.refresh_from_db()
    assert call.registry_verified is False


def test_the_registry_unavailable_is_a_503_with_a_message(employee_client, book):
    appointment = book(id_card_number="ΚΛ987699")
    call = admitted(appointment)
    response = employee_client.post(call_url(appointment, "registry-check"))
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["message"]
    assert "standin" not in body["message"]
    call.refresh_from_db()
    assert call.registry_checked_at is None


@pytest.mark.parametrize(
    "state", [CallState.SCHEDULED, CallState.OPEN, CallState.KNOCKING, CallState.ENDED]
)
def test_the_check_waits_for_the_admitted_citizen(employee_client, book, state):
    appointment = book()
    call = admitted(appointment, state)
    response = employee_client.post(call_url(appointment, "registry-check"))
    assert response.status_code == 409
    assert response.json()["ok"] is False
    assert response.json()["message"]
    call.refresh_from_db()
    assert call.registry_checked_at is None


def test_the_check_needs_the_csrf_token(client, employee, book):
    from django.test import Client

    appointment = book()
    admitted(appointment)
    strict = Client(enforce_csrf_checks=True)
    login_staff(strict, employee.user)
    assert strict.post(call_url(appointment, "registry-check")).status_code == 403
