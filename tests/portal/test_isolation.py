"""Citizen A can neither see nor change citizen B's appointments through any page, link or API
call (issue 3, Proof). Each refusal says "not found" (existence is not revealed), changes
nothing, and is recorded as a refused audit event."""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.links import MANAGE_SALT, join_token, manage_token
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.catalogue.models import Category
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory
from tests.portal.test_appointments import ID_CARD, at, declaration, details_form, iso

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return {"kep": kep, "service": ServiceFactory(), "category": Category.objects.get(number=1)}


@pytest.fixture
def owner():
    return CitizenFactory()


@pytest.fixture
def intruder():
    return CitizenFactory()


def book(setting, citizen, hour: int) -> Appointment:
    return services.book_appointment(
        citizen=citizen,
        starts_at=at(hour),
        now=timezone.now(),
        declaration=declaration(),
        **setting,
    )


@pytest.fixture
def appointment(setting, owner):
    return book(setting, owner, 9)


def snapshot(appointment: Appointment) -> tuple:
    fresh = Appointment.objects.get(pk=appointment.pk)
    details = AppointmentDetails.objects.get(appointment=fresh)
    return (fresh.status, fresh.starts_at, fresh.sequence, details.postal_address, details.notes)


PAGES = [
    ("get", "", {}),
    ("get", "reschedule/", {}),
    ("get", "reschedule/", {"day": "2026-12-01"}),
    ("post", "reschedule/", {"starts_at": "2026-12-01T11:00+02:00"}),
    ("get", "details/", {}),
    ("post", "details/", None),
    ("get", "cancel/", {}),
    ("post", "cancel/", {}),
]


@pytest.mark.parametrize(("method", "action", "data"), PAGES)
def test_another_citizen_gets_not_found_and_nothing_changes(
    client, appointment, intruder, method, action, data
):
    before = snapshot(appointment)
    client.force_login(intruder.user)
    if data is None:
        data = details_form(notes="changed by someone else", id_card_number=ID_CARD)
    if method == "post" and "starts_at" in data:
        data = {"starts_at": iso(at(11))}
    response = getattr(client, method)(f"/appointments/{appointment.reference}/{action}", data)
    assert response.status_code == 404
    text = response.content.decode()
    assert ID_CARD not in text
    assert "Ερμού" not in text
    assert snapshot(appointment) == before
    assert AuditEvent.objects.filter(
        actor=intruder.user, object_id=str(appointment.reference), outcome="refused"
    ).exists()
    assert (
        not AuditEvent.objects.filter(
            actor=intruder.user, object_id=str(appointment.reference), outcome="success"
        )
        .exclude(outcome="refused")
        .exists()
    )


def test_the_list_shows_only_ones_own(client, setting, appointment, intruder):
    own = book(setting, intruder, 11)
    client.force_login(intruder.user)
    text = client.get("/appointments/").content.decode()
    assert own.display_code in text
    assert appointment.display_code not in text


def test_the_api_refuses_another_citizens_booking(client, appointment, intruder):
    before = snapshot(appointment)
    client.force_login(intruder.user)
    base = f"/api/v1/bookings/{appointment.reference}"
    assert client.get(base).status_code == 404
    moved = client.post(
        base + "/reschedule",
        data=json.dumps({"starts_at": at(11).isoformat()}),
        content_type="application/json",
    )
    assert moved.status_code == 404
    assert client.post(base + "/cancel", content_type="application/json").status_code == 404
    listed = client.get("/api/v1/bookings").json()
    assert all(item.get("reference") != str(appointment.reference) for item in listed)
    assert snapshot(appointment) == before


def test_a_manage_link_opens_only_its_own_appointment(client, setting, appointment, intruder):
    other = book(setting, intruder, 11)
    response = client.get(f"/manage/{manage_token(other)}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert other.display_code in text
    assert appointment.display_code not in text
    # A cancel through the intruder's link cancels the intruder's appointment only.
    client.post(f"/manage/{manage_token(other)}/cancel/")
    assert Appointment.objects.get(pk=other.pk).status == Status.CANCELLED
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED


def test_forged_links_to_another_appointment_are_refused(client, appointment):
    before = snapshot(appointment)
    payload = {"r": str(appointment.reference), "s": appointment.sequence}
    wrong_key = signing.dumps(payload, key="not-the-secret", salt=MANAGE_SALT, compress=True)
    wrong_salt = join_token(appointment)  # a join link is not a manage link
    for token in (wrong_key, wrong_salt):
        assert client.get(f"/manage/{token}/").status_code == 410
        assert client.post(f"/manage/{token}/cancel/").status_code == 410
        assert client.get(f"/manage/{token}/details/").status_code == 410
    assert snapshot(appointment) == before
    assert (
        not AuditEvent.objects.filter(object_id=str(appointment.reference))
        .exclude(action="appointment.booked")
        .exists()
    )


def test_the_manage_link_is_not_a_login(client, appointment):
    client.get(f"/manage/{manage_token(appointment)}/")
    response = client.get("/appointments/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
