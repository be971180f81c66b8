"""A video call to try right now, in development: an appointment starting in a few minutes at
demo.employee's KEP, for the stand-in identity ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ, with the links to open it.

    .venv/bin/python manage.py demo_call [--minutes 5] [--interpreter]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keplive.booking.ics import interpreter_url, join_url
from keplive.calls.demo import DemoError, book_demo_appointment, demo_employee
from keplive.catalogue.models import Category, CategoryKind, Service


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
        try:
            employee = demo_employee()
        except DemoError as error:
            raise CommandError(str(error)) from error
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
        try:
            appointment = book_demo_appointment(
                employee=employee,
                category=category,
                service=service,
                start=start,
                interpreter="sign_language" if options["interpreter"] else "",
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        if appointment is None:
            raise CommandError("Both demo employees are busy then: try another --minutes.")
        base = settings.KEPLIVE_PUBLIC_URL
        lines = [
            f"Appointment {appointment.reference} at {employee.kep.name}, "
            f"{timezone.localtime(start):%H:%M} ({service.title}).",
            f"  Employee (sign in as demo.employee / keplive-demo, code from {base}/dev/codes/): "
            f"{base}/workspace/calls/{appointment.reference}/",
            f"  Citizen (another browser or a private window): {join_url(appointment)}",
        ]
        if options["interpreter"]:
            lines.append(f"  Interpreter: {interpreter_url(appointment)}")
        self.stdout.write("\n".join(lines))
