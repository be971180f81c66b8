"""Booking through the API with the citizen's declaration (C4, C5): the same rules as the form."""

from __future__ import annotations

import pytest

from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.notifications.models import OutboxMessage
from tests.api.test_api import API, citizen_client, kep, local, service, slot_body  # noqa: F401
from tests.conftest import working_day

pytestmark = pytest.mark.django_db

DETAILS = {
    "full_name": "Μαρία Παπαδοπούλου",
    "email": "maria@example.gr",
    "mobile_phone": "69 1234 5678",
    "postal_address": "Ερμού 10, 10563 Αθήνα",
    "document_kind": "id_card",
    "id_card_number": "ab 123456",
    "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
    "delivery_method": "email",
    "consent": True,
}


def _hold(client, kep, service, hour=9):  # noqa: F811
    response = client.post(
        f"{API}/holds",
        slot_body(kep, service, local(working_day(), hour)),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["reference"]


def test_confirming_a_hold_with_details_keeps_them_normalised_and_queues_the_email(
    citizen_client,  # noqa: F811
    kep,  # noqa: F811
    service,  # noqa: F811
):
    reference = _hold(citizen_client, kep, service)
    booked = citizen_client.post(
        f"{API}/bookings", {"hold": reference, "details": DETAILS}, content_type="application/json"
    )
    assert booked.status_code == 201, booked.content
    details = AppointmentDetails.objects.get(appointment__reference=reference)
    assert details.mobile_phone == "+306912345678"
    assert details.id_card_number == "ΑΒ123456"  # Latin look-alikes read as the Greek letters
    assert details.language == "el"
    assert OutboxMessage.objects.filter(recipient="maria@example.gr").count() == 1


def test_a_landline_and_special_requirements_are_accepted_in_category_1(
    citizen_client,  # noqa: F811
    kep,  # noqa: F811
    service,  # noqa: F811
):
    reference = _hold(citizen_client, kep, service)
    details = DETAILS | {
        "mobile_phone": "210 123 4567",
        "special_requirements": "  Χρειάζομαι περισσότερο χρόνο.  ",
    }
    booked = citizen_client.post(
        f"{API}/bookings", {"hold": reference, "details": details}, content_type="application/json"
    )
    assert booked.status_code == 201, booked.content
    stored = AppointmentDetails.objects.get(appointment__reference=reference)
    assert stored.mobile_phone == "+302101234567"
    assert stored.special_requirements == "Χρειάζομαι περισσότερο χρόνο."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "maria-at-example"}, "email"),
        ({"mobile_phone": "12345"}, "mobile_phone"),
        ({"id_card_number": "123"}, "id_card_number"),
        (
            {"document_kind": "passport", "passport_number": "", "residence_permit_number": ""},
            "passport_number",
        ),
        ({"interpreter": "sign_language"}, "interpreter"),
        ({"delivery_method": "pickup"}, "delivery_method"),
        ({"subject": "   "}, "subject"),
        ({"mobile_phone": "21012345"}, "mobile_phone"),  # a landline is ten digits
        ({"consent": False}, "consent"),
    ],
)
def test_a_bad_declaration_is_422_with_the_field_and_books_nothing(
    citizen_client,  # noqa: F811
    kep,  # noqa: F811
    service,  # noqa: F811
    change,
    field,
):
    reference = _hold(citizen_client, kep, service)
    response = citizen_client.post(
        f"{API}/bookings",
        {"hold": reference, "details": DETAILS | change},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert field in {error["field"] for error in response.json()["errors"]}
    assert Appointment.objects.get(reference=reference).status == Status.HELD
    assert not AppointmentDetails.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_direct_booking_with_a_bad_declaration_takes_no_time(
    citizen_client,  # noqa: F811
    kep,  # noqa: F811
    service,  # noqa: F811
):
    body = slot_body(kep, service, local(working_day(), 10)) | {
        "details": DETAILS | {"email": "nope"}
    }
    response = citizen_client.post(f"{API}/bookings", body, content_type="application/json")
    assert response.status_code == 422
    assert not Appointment.objects.exists()


def test_declaration_errors_in_english_when_asked(
    citizen_client,  # noqa: F811
    kep,  # noqa: F811
    service,  # noqa: F811
):
    reference = _hold(citizen_client, kep, service)
    response = citizen_client.post(
        f"{API}/bookings",
        {"hold": reference, "details": DETAILS | {"email": "x"}},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    [error] = response.json()["errors"]
    assert error == {"field": "email", "message": "Enter an email address like name@example.gr."}
