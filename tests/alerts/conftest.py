"""Fixtures of the alert tests: a KEP with two employees and a supervisor, another KEP, an
administrator, and a way to book appointments on a fixed Tuesday with an injected clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from keplive.accounts.models import Role
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

# A Monday in a week without holidays; the appointments are on the Tuesday after it.
MONDAY = dt.date(2026, 11, 23)
TUESDAY = dt.date(2026, 11, 24)
NOW = athens(2026, 11, 23, 6, 0)


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return athens(day.year, day.month, day.day, hour, minute)


def declaration(**changes: str) -> Declaration:
    values = {
        "full_name": "Μαρία Παπαδοπούλου",
        "email": "maria@example.gr",
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": "ΚΛ987654",
        "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
        "delivery_method": "email",
        "language": "el",
    }
    return Declaration(**(values | changes))


@pytest.fixture(autouse=True)
def settings_of_alerts():
    with override_settings(
        KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False,
        KEPLIVE_EMPLOYEE_REMINDER_MINUTES=15,
        KEPLIVE_WAITING_ALERT_MINUTES=3,
        KEPLIVE_INTERPRETER_DIGEST_TIME="18:00",
        KEPLIVE_INTERPRETER_DIGEST_TO="dierminia@idrimakofon.gr",
        KEPLIVE_PUBLIC_URL="https://keplive.example.gr",
    ):
        yield


def staff(kep, role: str = Role.EMPLOYEE, email: str = ""):  # type: ignore[no-untyped-def]
    employee = EmployeeFactory(kep=kep, user__role=role)
    employee.user.email = email or f"{employee.user.username}@kep.example.gr"
    employee.user.save(update_fields=["email"])
    return employee


@pytest.fixture
def kep(db):
    return KepFactory(name_el="ΚΕΠ Αθηνών", city="Αθήνα")


@pytest.fixture
def other_kep(db):
    return KepFactory(name_el="ΚΕΠ Πάτρας", city="Πάτρα")


@pytest.fixture
def employee(kep):
    return staff(kep)


@pytest.fixture
def colleague(kep):
    return staff(kep)


@pytest.fixture
def supervisor(kep):
    return staff(kep, Role.SUPERVISOR, "supervisor@kep.example.gr")


@pytest.fixture
def other_employee(other_kep):
    return staff(other_kep)


@pytest.fixture
def other_supervisor(other_kep):
    return staff(other_kep, Role.SUPERVISOR, "other.supervisor@kep.example.gr")


@pytest.fixture
def administrator(db):
    return UserFactory(role=Role.ADMINISTRATOR, email="admin@minedu.example.gr")


@pytest.fixture
def service(db):
    return ServiceFactory(title_el="Πιστοποιητικό γέννησης")


@pytest.fixture
def book(service):
    """Book an appointment at ``kep`` on Tuesday (or ``day``) with an injected clock; with
    ``employee`` it goes to that employee (the only one free), else to any."""

    def book(
        kep,
        hour: int = 9,
        minute: int = 0,
        *,
        day: dt.date = TUESDAY,
        now: dt.datetime = NOW,
        **changes: str,
    ) -> Appointment:
        return services.book_appointment(
            citizen=CitizenFactory(),
            kep=kep,
            service=service,
            category=Category.objects.get(number=3 if changes.get("interpreter") else 1),
            starts_at=at(hour, minute, day),
            now=now,
            declaration=declaration(**changes),
        )

    return book
