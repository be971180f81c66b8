"""Demo appointments for development (`manage.py demo_call`, `manage.py demo_day`): booked
straight into the database at the times asked for, past the minimum notice that the booking
rules would apply, so that a newcomer has something to serve at once. Never in production."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from keplive.accounts.models import Citizen, Role, User
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

TAX_ID = "123456783"  # ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ of the GSIS stand-in


@dataclass(frozen=True)
class DemoPerson:
    """A citizen of the GSIS stand-in, with the details she would type when booking."""

    tax_id: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    mobile_phone: str


MARIA = DemoPerson(
    "123456783", "ΜΑΡΙΑ", "ΠΑΠΑΔΟΠΟΥΛΟΥ", "Μαρία Παπαδοπούλου", "maria@example.gr", "+306912345678"
)
ELENI = DemoPerson(
    "135792468", "ΕΛΕΝΗ", "ΚΑΡΑΓΙΑΝΝΗ", "Ελένη Καραγιάννη", "eleni@example.gr", "+306912345679"
)


class DemoError(Exception):
    pass


def demo_employee() -> Employee:
    employee = Employee.objects.select_related("kep").filter(user__username="demo.employee").first()
    if employee is None:
        raise DemoError("No demo.employee: run `manage.py load_demo` first (make run does).")
    return employee


def demo_citizen(person: DemoPerson = MARIA) -> Citizen:
    citizen = Citizen.objects.filter(tax_id=person.tax_id).first()
    if citizen is not None:
        return citizen
    user = User.objects.create(
        username=f"citizen-{secrets.token_hex(8)}",
        role=Role.CITIZEN,
        first_name=person.first_name,
        last_name=person.last_name,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return Citizen.objects.create(
        user=user, tax_id=person.tax_id, first_name=person.first_name, last_name=person.last_name
    )


def upcoming_bookings(citizen: Citizen) -> int:
    """The citizen's booked appointments ahead, as the booking limit counts them."""
    return Appointment.objects.filter(
        citizen=citizen, status=Status.BOOKED, starts_at__gt=timezone.now()
    ).count()


def _colleague(employee: Employee) -> Employee:
    user = User.objects.get_or_create(username="demo.colleague", defaults={"role": Role.EMPLOYEE})[
        0
    ]
    return Employee.objects.get_or_create(user=user, defaults={"kep": employee.kep})[0]


def book_demo_appointment(
    *,
    employee: Employee,
    category: Category,
    service: Service,
    start: dt.datetime,
    interpreter: str = "",
    subject: str = "Έκδοση πιστοποιητικού",
    delivery_method: str = "email",
    person: DemoPerson = MARIA,
) -> Appointment | None:
    """Book ``start`` for ``person`` with ``employee`` or, when they are busy, demo.colleague of
    the same KEP. None when both are busy then. Demo data keeps the rules: a citizen already at
    the booking limit (KEPLIVE_MAX_ACTIVE_BOOKINGS) is refused with DemoError."""
    citizen = demo_citizen(person)
    limit = settings.KEPLIVE_MAX_ACTIVE_BOOKINGS
    if upcoming_bookings(citizen) >= limit:
        raise DemoError(
            f"{person.first_name} {person.last_name} already has {limit} upcoming appointments "
            "(the limit): cancel one first."
        )
    length = dt.timedelta(minutes=category.call_minutes)
    for serving in (employee, _colleague(employee)):
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    status=Status.BOOKED,
                    citizen=citizen,
                    kep=employee.kep,
                    employee=serving,
                    category=category,
                    service=service,
                    starts_at=start,
                    ends_at=start + length,
                    blocked_until=start + length + dt.timedelta(minutes=category.buffer_minutes),
                )
                AppointmentDetails.objects.create(
                    appointment=appointment,
                    full_name=person.full_name,
                    email=person.email,
                    mobile_phone=person.mobile_phone,
                    postal_address="Ερμού 10, 10563 Αθήνα",
                    document_kind="id_card",
                    id_card_number="ΑΒ123456",
                    subject=subject,
                    delivery_method=delivery_method,
                    interpreter=interpreter,
                    consent_at=timezone.now(),
                )
            return appointment
        except IntegrityError:
            continue
    return None
