"""An appointment whose call can happen now (the links check the real clock)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.calls.models import Call
from keplive.calls.selectors import call_for_appointment
from keplive.catalogue.models import Category
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory


def make_appointment(
    *,
    kep=None,
    citizen=None,
    starts_in=dt.timedelta(minutes=5),
    details=True,
    category_number=1,
    interpreter="",
):  # type: ignore[no-untyped-def]
    kep = kep or KepFactory()
    employee = EmployeeFactory(kep=kep, availability=False)
    starts_at = timezone.now().replace(microsecond=0) + starts_in
    appointment = Appointment.objects.create(
        status=Status.BOOKED,
        citizen=citizen or CitizenFactory(),
        kep=kep,
        employee=employee,
        category=Category.objects.get(number=category_number),
        service=ServiceFactory(),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=20),
        blocked_until=starts_at + dt.timedelta(minutes=25),
    )
    if details:
        AppointmentDetails.objects.create(
            appointment=appointment,
            full_name="Γιώργος Νικολάου",
            email="giorgos@example.gr",
            mobile_phone="+306912345678",
            postal_address="Ερμού 1, 10563 Αθήνα",
            document_kind="id_card",
            id_card_number="ΑΒ123456",
            subject="Πιστοποιητικό",
            delivery_method="email",
            interpreter=interpreter,
            consent_at=timezone.now(),
        )
    return appointment


@pytest.fixture
def appointment(db):  # type: ignore[no-untyped-def]
    return make_appointment()


@pytest.fixture
def call(appointment) -> Call:  # type: ignore[no-untyped-def]
    return call_for_appointment(appointment)


@pytest.fixture
def employee(appointment):  # type: ignore[no-untyped-def]
    return appointment.employee
