"""A video call to try right now, in development: an appointment starting in a few minutes at
demo.employee's KEP, for the stand-in identity ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ, with the links to open it.

    .venv/bin/python manage.py demo_call [--minutes 5] [--interpreter]
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.utils import timezone

from keplive.accounts.models import Citizen, Role, User
from keplive.booking.ics import interpreter_url, join_url
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.catalogue.models import Category, CategoryKind, Service
from keplive.directory.models import Employee

TAX_ID = "123456783"  # ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ of the GSIS stand-in


class Command(BaseCommand):
    help = "Create an appointment starting in a few minutes, to try the video call (development)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=5, help="start in this many minutes")
        parser.add_argument(
            "--interpreter",
            action="store_true",
            help="category 3, with a sign-language interpreter",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("demo_call is for development only.")
        employee = (
            Employee.objects.select_related("kep").filter(user__username="demo.employee").first()
        )
        if employee is None:
            raise CommandError("No demo.employee: run `manage.py load_demo` first (make run does).")
        citizen = Citizen.objects.filter(tax_id=TAX_ID).first()
        if citizen is None:
            user = User.objects.create(
                username=f"citizen-{secrets.token_hex(8)}",
                role=Role.CITIZEN,
                first_name="ΜΑΡΙΑ",
                last_name="ΠΑΠΑΔΟΠΟΥΛΟΥ",
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            citizen = Citizen.objects.create(
                user=user, tax_id=TAX_ID, first_name="ΜΑΡΙΑ", last_name="ΠΑΠΑΔΟΠΟΥΛΟΥ"
            )
        number = CategoryKind.DISABILITY if options["interpreter"] else CategoryKind.INFORMATION
        category = Category.objects.get(number=number)
        service = (
            Service.objects.filter(categories=category, remote_servable=True, municipality=None)
            .order_by("code")
            .first()
        )
        if service is None:
            raise CommandError("No bookable service: run `manage.py load_demo` first.")
        start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(
            minutes=options["minutes"]
        )
        length = dt.timedelta(minutes=category.call_minutes)
        # demo.employee serves it when free; otherwise a colleague created for the demo.
        for candidate in (employee, None):
            serving = (
                candidate
                or Employee.objects.get_or_create(
                    user=User.objects.get_or_create(
                        username="demo.colleague", defaults={"role": Role.EMPLOYEE}
                    )[0],
                    defaults={"kep": employee.kep},
                )[0]
            )
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
                        blocked_until=start
                        + length
                        + dt.timedelta(minutes=category.buffer_minutes),
                    )
                break
            except IntegrityError:
                continue
        else:
            raise CommandError("Both demo employees are busy then: try another --minutes.")
        AppointmentDetails.objects.create(
            appointment=appointment,
            full_name="Μαρία Παπαδοπούλου",
            email="maria@example.gr",
            mobile_phone="+306912345678",
            postal_address="Ερμού 10, 10563 Αθήνα",
            document_kind="id_card",
            id_card_number="ΑΒ123456",
            subject="Έκδοση πιστοποιητικού",
            delivery_method="email",
            interpreter="sign_language" if options["interpreter"] else "",
            consent_at=timezone.now(),
        )
        base = settings.KEPLIVE_PUBLIC_URL
        lines = [
            f"Appointment {appointment.reference} at {employee.kep.name}, "
            f"{timezone.localtime(start):%H:%M} ({service.title}).",
            f"  Employee (sign in as demo.employee / keplive-demo): "
            f"{base}/workspace/calls/{appointment.reference}/",
            f"  Citizen (another browser or a private window): {join_url(appointment)}",
        ]
        if options["interpreter"]:
            lines.append(f"  Interpreter: {interpreter_url(appointment)}")
        self.stdout.write("\n".join(lines))
