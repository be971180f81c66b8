"""Fixtures of the workspace tests: two KEPs, an employee of each, appointments booked at the
first one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.models import Appointment
from keplive.catalogue.models import Category
from tests.conftest import ATHENS, working_day
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory
from tests.staff import login_staff

PASSWORD = "correct horse battery staple"
ID_CARD = "ΚΛ987654"
DAY = working_day(3)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ATHENS)


def declaration(**changes: str) -> Declaration:
    values = {
        "full_name": "Μαρία Παπαδοπούλου",
        "email": "maria@example.gr",
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": ID_CARD,
        "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
        "delivery_method": "email",
        "language": "el",
    }
    return Declaration(**(values | changes))


def with_password(user):  # type: ignore[no-untyped-def]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def kep():
    return KepFactory()


@pytest.fixture
def other_kep():
    return KepFactory()


@pytest.fixture
def employee(kep):
    employee = EmployeeFactory(kep=kep)
    with_password(employee.user)
    return employee


@pytest.fixture
def other_employee(other_kep):
    return EmployeeFactory(kep=other_kep)


@pytest.fixture
def supervisor(kep):
    return EmployeeFactory(kep=kep, user__role=Role.SUPERVISOR)


@pytest.fixture
def citizen():
    return CitizenFactory()


@pytest.fixture
def service():
    return ServiceFactory()


@pytest.fixture
def book(employee, other_employee, service, citizen):
    """Book an appointment at the employee's KEP (or ``at_kep``), declared with ``changes``."""

    def book(
        hour: int = 9, minute: int = 0, *, at_kep=None, day: dt.date = DAY, **changes: str
    ) -> Appointment:
        return services.book_appointment(
            citizen=citizen,
            kep=at_kep or employee.kep,
            service=service,
            # An interpreter is offered in category 3 (hearing disabilities) only.
            category=Category.objects.get(number=3 if changes.get("interpreter") else 1),
            starts_at=at(hour, minute, day),
            now=timezone.now(),
            declaration=declaration(**changes),
        )

    return book


@pytest.fixture
def employee_client(client, employee):
    return login_staff(client, employee.user)
