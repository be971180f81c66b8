"""Demo appointments for development (`manage.py demo_call`, `manage.py demo_day`): booked
straight into the database at the times asked for, past the minimum notice that the booking
rules would apply, so that a newcomer has something to serve at once. Never in production."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from keplive.accounts.models import Citizen, Role, User
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

TAX_ID = "123456783"  # ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ of the GSIS stand-in


class DemoError(Exception):
    pass


def demo_employee() -> Employee:
    employee = Employee.objects.select_related("kep").filter(user__username="demo.employee").first()
    if employee is None:
        raise DemoError("No demo.employee: run `manage.py load_demo` first (make run does).")
    return employee


def demo_citizen() -> Citizen:
    citizen = Citizen.objects.filter(tax_id=TAX_ID).first()
    if citizen is not None:
        return citizen
    user = User.objects.create(
        username=f"citizen-{secrets.token_hex(8)}",
        role=Role.CITIZEN,
        first_name="ΜΑΡΙΑ",
        last_name="ΠΑΠΑΔΟΠΟΥΛΟΥ",
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return Citizen.objects.create(
        user=user, tax_id=TAX_ID, first_name="ΜΑΡΙΑ", last_name="ΠΑΠΑΔΟΠΟΥΛΟΥ"
    )


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
) -> Appointment | None:
    """Book ``start`` with ``employee`` or, when they are busy, demo.colleague of the same KEP.
    None when both are busy then."""
    citizen = demo_citizen()
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
                    full_name="Μαρία Παπαδοπούλου",
                    email="maria@example.gr",
                    mobile_phone="+306912345678",
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
