"""Shared set-up of the waitlist tests: one KEP with one employee, so a freed time is one slot."""

from __future__ import annotations

import datetime as dt

from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.models import Appointment
from keplive.catalogue.models import Category
from tests.conftest import athens
from tests.factories import CitizenFactory

# A Monday at 09:00, outside the quiet hours; the times below are later that week.
NOW = athens(2026, 11, 23, 9, 0)
TUESDAY_10 = athens(2026, 11, 24, 10, 0)
FRIDAY_10 = athens(2026, 11, 27, 10, 0)


def declaration(**changes: str) -> Declaration:
    values = {
        "full_name": "Μαρία Αναμονή",
        "email": "maria.wait@example.gr",
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": "ΑΒ123456",
        "subject": "Πιστοποιητικό",
        "delivery_method": "email",
        "language": "el",
    }
    return Declaration(**(values | changes))


def book(kep, service, starts_at: dt.datetime, *, citizen=None, **changes: str) -> Appointment:
    return services.book_appointment(
        citizen=citizen or CitizenFactory(),
        kep=kep,
        service=service,
        category=Category.objects.get(number=1),
        starts_at=starts_at,
        now=NOW,
        declaration=declaration(**changes),
    )
