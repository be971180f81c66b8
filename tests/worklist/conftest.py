"""Fixtures of the worklist tests: a KEP open Monday to Friday 07:30–15:00 with two employees
(08:00–14:30), and appointments booked there on a fixed Tuesday, seen from a fixed Monday."""

from __future__ import annotations

import datetime as dt

import pytest

from keplive.accounts.models import Role
from keplive.audit.services import Origin
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.models import Appointment
from keplive.catalogue.models import Category
from tests.conftest import athens
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    ServiceFactory,
    UserFactory,
)

NOW = athens(2026, 11, 23, 6, 0)  # a Monday without holidays that week
TUESDAY = dt.date(2026, 11, 24)
ORIGIN = Origin(ip_address="127.0.0.1", channel="administration")


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return athens(day.year, day.month, day.day, hour, minute)


def declaration() -> Declaration:
    return Declaration(
        full_name="Μαρία Παπαδοπούλου",
        email="maria@example.gr",
        mobile_phone="6912345678",
        postal_address="Ερμού 10, 10563 Αθήνα",
        document_kind="id_card",
        id_card_number="ΚΛ987654",
        subject="Πιστοποιητικό οικογενειακής κατάστασης",
        delivery_method="email",
        language="el",
    )


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def kep(db):
    return KepFactory()


@pytest.fixture
def employee(kep):
    return EmployeeFactory(kep=kep)


@pytest.fixture
def colleague(kep):
    return EmployeeFactory(kep=kep, user__last_name="Αλεξίου")


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.ADMINISTRATOR, first_name="Άννα", last_name="Διοικητή")


@pytest.fixture
def service(db):
    return ServiceFactory()


@pytest.fixture
def book(kep, employee, service):
    """Book an appointment at ``kep`` (category 1 unless given) at the hour on TUESDAY."""

    def book(hour: int = 10, minute: int = 0, *, number: int = 1, day: dt.date = TUESDAY):
        return services.book_appointment(
            citizen=CitizenFactory(),
            kep=kep,
            service=service,
            category=Category.objects.get(number=number),
            starts_at=at(hour, minute, day),
            now=NOW,
            declaration=declaration(),
        )

    return book


def reload(appointment: Appointment) -> Appointment:
    return Appointment.objects.get(pk=appointment.pk)
