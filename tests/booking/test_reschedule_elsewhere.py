"""Rescheduling to another KEP or another service of the category (issue 14, item 7): a new
booking under the same reference — the eligibility rules of any booking, the database guard,
the audit trail and the update email naming the new KEP and service."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.declarations import Declaration, InvalidDeclaration
from keplive.booking.exceptions import ServiceNotOffered, SlotNoLongerFree
from keplive.booking.models import Appointment, DeliveryMethod, Status
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category
from keplive.notifications.models import OutboxMessage
from tests.booking.conftest import TUESDAY
from tests.conftest import athens
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return athens(day.year, day.month, day.day, hour, minute)


def declaration(**changes: str) -> Declaration:
    values = {
        "full_name": "Μαρία Παπαδοπούλου",
        "email": "maria@example.gr",
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": "ΑΒ123456",
        "subject": "Πιστοποιητικό",
        "delivery_method": DeliveryMethod.EMAIL,
    } | changes
    return Declaration(**values)


def book(citizen, kep, service, category, starts_at, now, **declared: str) -> Appointment:
    return services.book_appointment(
        citizen=citizen,
        kep=kep,
        service=service,
        category=category,
        starts_at=starts_at,
        now=now,
        declaration=declaration(**declared),
    )


def starts(kep, service, category, now) -> list[dt.datetime]:
    return [
        slot.start
        for slot in free_slots_for(
            kep=kep, service=service, category=category, start=TUESDAY, end=TUESDAY, now=now
        )
    ]


def test_another_kep_and_service_keep_the_reference_and_its_history(
    kep, employee, service, information, citizen, now
):
    other_kep = KepFactory(name_el="ΚΕΠ Καλλιθέας")
    other_employee = EmployeeFactory(kep=other_kep)
    other_service = ServiceFactory(title_el="Έκδοση ληξιαρχικής πράξης γέννησης")
    appointment = book(citizen, kep, service, information, at(9), now)
    OutboxMessage.objects.all().delete()

    moved = services.reschedule_appointment(
        reference=appointment.reference,
        citizen=citizen,
        starts_at=at(11),
        now=now,
        kep=other_kep,
        service=other_service,
    )

    moved.refresh_from_db()
    assert (moved.pk, moved.reference) == (appointment.pk, appointment.reference)
    assert (moved.kep, moved.service, moved.employee) == (other_kep, other_service, other_employee)
    assert (moved.starts_at, moved.status, moved.sequence) == (at(11), Status.BOOKED, 1)
    assert at(9) in starts(kep, service, information, now)  # the old time is free again
    assert at(11) not in starts(other_kep, other_service, information, now)
    event = AuditEvent.objects.get(action="appointment.rescheduled")
    assert event.details["from_kep"] == kep.code
    assert event.details["kep"] == other_kep.code
    assert event.details["service"] == other_service.code
    assert AuditEvent.objects.filter(object_id=str(appointment.reference)).count() == 2
    email = OutboxMessage.objects.get()
    assert "ΚΕΠ Καλλιθέας" in email.text_body
    assert "Έκδοση ληξιαρχικής πράξης γέννησης" in email.text_body
    ics = base64.b64decode(email.attachments[0]["content"]).decode()
    assert "SEQUENCE:1" in ics
    assert "ΚΕΠ Καλλιθέας" in ics.replace("\r\n ", "")  # the location, however folded


def test_only_another_service_at_the_same_kep_keeps_the_employee(
    kep, service, information, citizen, now
):
    EmployeeFactory(kep=kep)
    appointment = book(citizen, kep, service, information, at(9), now)
    other_service = ServiceFactory()
    moved = services.reschedule_appointment(
        reference=appointment.reference,
        citizen=citizen,
        starts_at=at(9),
        now=now,
        service=other_service,
    )
    assert (moved.service, moved.employee_id) == (other_service, appointment.employee_id)


def test_category_4_moves_only_to_a_kep_of_the_services_municipality(citizen, now):
    municipal = Category.objects.get(number=4)
    town = MunicipalityFactory()
    kep = KepFactory(municipality=town)
    EmployeeFactory(kep=kep)
    same_town = KepFactory(municipality=town)
    EmployeeFactory(kep=same_town)
    elsewhere = KepFactory()
    EmployeeFactory(kep=elsewhere)
    service = ServiceFactory(categories=[4], municipality=town)
    appointment = book(citizen, kep, service, municipal, at(9), now)

    with pytest.raises(ServiceNotOffered):
        services.reschedule_appointment(
            reference=appointment.reference,
            citizen=citizen,
            starts_at=at(10),
            now=now,
            kep=elsewhere,
        )
    appointment.refresh_from_db()
    assert (appointment.kep, appointment.starts_at, appointment.sequence) == (kep, at(9), 0)

    moved = services.reschedule_appointment(
        reference=appointment.reference,
        citizen=citizen,
        starts_at=at(10),
        now=now,
        kep=same_town,
    )
    assert moved.kep == same_town


def test_a_service_of_another_category_is_refused(
    kep, employee, service, information, citizen, now
):
    business_only = ServiceFactory(categories=[2])
    appointment = book(citizen, kep, service, information, at(9), now)
    with pytest.raises(ServiceNotOffered):
        services.reschedule_appointment(
            reference=appointment.reference,
            citizen=citizen,
            starts_at=at(10),
            now=now,
            service=business_only,
        )
    appointment.refresh_from_db()
    assert appointment.service == service


def test_the_declaration_must_hold_for_the_new_service(citizen, now):
    """Pick-up at the KEP is for municipal services: a declaration that chose it cannot move to
    a service where it is not offered (here: a municipal service that became national)."""
    municipal = Category.objects.get(number=4)
    town = MunicipalityFactory()
    kep = KepFactory(municipality=town)
    EmployeeFactory(kep=kep)
    service = ServiceFactory(categories=[4], municipality=town)
    other = ServiceFactory(categories=[4], municipality=town)
    appointment = book(
        citizen, kep, service, municipal, at(9), now, delivery_method=DeliveryMethod.PICKUP
    )
    other.municipality = None
    other.save()
    with pytest.raises(InvalidDeclaration):
        services.reschedule_appointment(
            reference=appointment.reference,
            citizen=citizen,
            starts_at=at(10),
            now=now,
            service=other,
        )
    appointment.refresh_from_db()
    assert (appointment.service, appointment.starts_at) == (service, at(9))


def test_a_taken_time_at_the_new_kep_changes_nothing(
    kep, employee, service, information, citizen, now
):
    other_kep = KepFactory()
    EmployeeFactory(kep=other_kep)
    book(CitizenFactory(), other_kep, service, information, at(11), now)
    appointment = book(citizen, kep, service, information, at(9), now)
    with pytest.raises(SlotNoLongerFree) as refused:
        services.reschedule_appointment(
            reference=appointment.reference,
            citizen=citizen,
            starts_at=at(11),
            now=now,
            kep=other_kep,
        )
    assert refused.value.alternatives  # the nearest free times at the new KEP
    appointment.refresh_from_db()
    assert (appointment.kep, appointment.starts_at, appointment.sequence) == (kep, at(9), 0)
