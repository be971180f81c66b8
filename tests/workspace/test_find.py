"""The employee finds an appointment by the code the citizen reads out (issue 14, item 9)."""

from __future__ import annotations

import pytest

from keplive.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def loosely(code: str) -> str:
    """How a person might type it: lower case, no dash, letter O for zero, l for one."""
    return code.lower().replace("0", "o").replace("1", "l")


def test_the_code_typed_loosely_opens_the_appointment(employee_client, book):
    appointment = book(9)
    response = employee_client.get("/workspace/find/", {"code": loosely(appointment.code)})
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/appointments/{appointment.reference}/"
    page = employee_client.get(response["Location"])
    assert appointment.display_code in page.content.decode()
    assert AuditEvent.objects.filter(
        action="appointment.viewed", object_id=str(appointment.reference), outcome="success"
    ).exists()


def test_the_appointment_page_takes_the_code_as_well_as_the_uuid(employee_client, book):
    appointment = book(9)
    response = employee_client.get(f"/workspace/appointments/{appointment.display_code}/")
    assert response.status_code == 200


def test_a_mistyped_code_says_so(employee_client, book):
    appointment = book(9)
    last = appointment.code[-1]
    wrong = appointment.code[:-1] + ("0" if last != "0" else "1")
    response = employee_client.get("/workspace/find/", {"code": wrong})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert "τελευταίος χαρακτήρας" in page  # "its last character does not match", in Greek


def test_another_keps_code_is_not_found_and_the_refusal_is_audited(
    employee_client, book, other_employee
):
    elsewhere = book(9, at_kep=other_employee.kep)
    response = employee_client.get("/workspace/find/", {"code": elsewhere.display_code})
    assert response.status_code == 404
    assert elsewhere.display_code in response.content.decode()
    assert AuditEvent.objects.filter(action="appointment.viewed", outcome="refused").exists()
