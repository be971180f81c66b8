"""A working day to try, in development: `make run` calls this after `load_demo`. It books, for
demo.employee's KEP, an appointment starting in 16 minutes (its 15-minute reminder comes at
once), another later today delivered by post, and tomorrow one with a sign-language
interpreter (for the interpreter digest) and one municipal service (for the white
application), and gives the demo municipality its white-application template. Nothing is
booked when demo.employee already has appointments ahead.

The demo keeps the rules: ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ, whom the README invites to try booking, gets only
the first appointment, so she stays under KEPLIVE_MAX_ACTIVE_BOOKINGS and can book; the others
go to ΕΛΕΝΗ ΚΑΡΑΓΙΑΝΝΗ, another identity of the GSIS stand-in.

    .venv/bin/python manage.py demo_day
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from keplive.booking.models import Appointment, Status
from keplive.calls.demo import (
    ELENI,
    MARIA,
    DemoError,
    book_demo_appointment,
    demo_employee,
)
from keplive.catalogue.models import Category, CategoryKind, Service
from keplive.outcomes.demo import load_demo_white_application_templates


class Command(BaseCommand):
    help = "Book a demo working day for demo.employee (development)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production" and not settings.KEPLIVE_ALLOW_STANDINS:
            raise CommandError("demo_day is for development (or a staging: ADR 0017) only.")
        try:
            employee = demo_employee()
        except DemoError as error:
            raise CommandError(str(error)) from error
        load_demo_white_application_templates()
        now = timezone.now().replace(second=0, microsecond=0)
        if (
            Appointment.objects.filter(
                kep=employee.kep, status=Status.BOOKED, starts_at__gt=now, details__isnull=False
            )
            .filter(employee__user__username__in=["demo.employee", "demo.colleague"])
            .exists()
        ):
            self.stdout.write("demo_day: demo.employee already has appointments ahead.")
            return
        tomorrow = timezone.localdate() + dt.timedelta(days=1)

        def at(day: dt.date, hour: int) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())

        def service_of(number: int, **filters: Any) -> tuple[Category, Service | None]:
            category = Category.objects.get(number=number)
            service = (
                Service.objects.filter(categories=category, remote_servable=True, **filters)
                .order_by("code")
                .first()
            )
            return category, service

        information = service_of(CategoryKind.INFORMATION, municipality=None)
        disability = service_of(CategoryKind.DISABILITY, municipality=None)
        municipal = service_of(CategoryKind.MUNICIPAL, municipality=employee.kep.municipality)
        plan: list[tuple[tuple[Category, Service | None], dt.datetime, dict[str, Any]]] = [
            (information, now + dt.timedelta(minutes=16), {"person": MARIA}),
            (
                information,
                now + dt.timedelta(minutes=75),
                {"delivery_method": "post", "person": ELENI},
            ),
            (disability, at(tomorrow, 10), {"interpreter": "sign_language", "person": ELENI}),
            (
                municipal,
                at(tomorrow, 11),
                {"subject": "Βεβαίωση μόνιμης κατοικίας", "person": ELENI},
            ),
        ]
        for (category, service), start, extra in plan:
            if service is None:
                self.stdout.write(f"demo_day: no service in category {category.number}; skipped.")
                continue
            try:
                appointment = book_demo_appointment(
                    employee=employee, category=category, service=service, start=start, **extra
                )
            except DemoError as error:
                self.stdout.write(f"demo_day: {error}; skipped.")
                continue
            if appointment is None:
                self.stdout.write(f"demo_day: {start:%H:%M} busy; skipped.")
                continue
            self.stdout.write(
                f"demo_day: {timezone.localtime(start):%d/%m %H:%M} {service.title_el}"
                + (" (interpreter)" if extra.get("interpreter") else "")
            )
