"""The waitlist on the ministry's dashboard (issue 16): waiting requests per KEP and service,
offers made, taken, declined and expired, and days earlier — on the page and in its CSV."""

from __future__ import annotations

import csv
import io

import pytest

from keplive.accounts.models import Role
from keplive.booking import services
from keplive.waitlist import services as waitlist
from keplive.waitlist.models import Offer
from tests.factories import EmployeeFactory, KepFactory, ServiceFactory, UserFactory
from tests.staff import login_staff
from tests.waitlist.helpers import FRIDAY_10, NOW, TUESDAY_10, book

pytestmark = pytest.mark.django_db

QUERY = {"start": "2026-11-23", "end": "2026-11-29"}


@pytest.fixture
def figures():
    kep = KepFactory(code="7001", name_el="ΚΕΠ Αναμονής")
    EmployeeFactory(kep=kep)
    service = ServiceFactory()
    a = book(kep, service, FRIDAY_10)
    waitlist.ask_to_be_told(citizen=a.citizen, reference=a.reference, now=NOW)
    b = book(kep, service, TUESDAY_10)
    services.cancel_appointment(reference=b.reference, citizen=b.citizen, now=NOW)
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get()
    waitlist.take_offer(public_id=offer.public_id, now=NOW)
    return kep, service


def test_the_dashboard_and_its_csv_show_the_waitlist(client, figures) -> None:
    _kep, service = figures
    login_staff(client, UserFactory(role=Role.ADMINISTRATOR))
    page = client.get("/administration/dashboard/", QUERY)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="table-waitlist"' in html
    assert "Αναμονή για νωρίτερη ώρα" in html

    exported = client.get("/administration/dashboard/waitlist.csv", QUERY)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    # KEP, service, waiting now (0: fulfilled), offers 1, taken 1, declined 0, expired 0, 3 days.
    assert rows[1] == ["7001", "ΚΕΠ Αναμονής", service.title, "0", "1", "1", "0", "0", "3"]


def test_requests_made_before_booking_count_in_the_csv(client, figures) -> None:
    """A request without appointment (ADR 0028) waits at its KEP and service; its offer taken
    counts as taken without adding days earlier (there was no appointment to move)."""
    from django.db import transaction

    from keplive.catalogue.models import Category
    from tests.factories import CitizenFactory
    from tests.waitlist.helpers import declaration

    kep, service = figures
    category = Category.objects.get(number=1)
    waiting = CitizenFactory()
    still = CitizenFactory()
    for citizen in (waiting, still):
        waitlist.ask_for_service(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            now=NOW,
            email="wait@example.gr",
        )
    # A's old Friday time (freed when A took Tuesday) goes to the first of them.
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get(citizen=waiting)
    with transaction.atomic():
        booked = services.confirm_hold(
            hold_reference=offer.hold.reference,
            citizen=waiting,
            now=NOW,
            declaration=declaration(),
        )
        waitlist.offer_hold_confirmed(hold=booked, now=NOW)

    login_staff(client, UserFactory(role=Role.ADMINISTRATOR))
    exported = client.get("/administration/dashboard/waitlist.csv", QUERY)
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    # Waiting now: the other citizen's request; offers 2, taken 2, days earlier still 3.
    assert rows[1] == ["7001", "ΚΕΠ Αναμονής", service.title, "1", "2", "2", "0", "0", "3"]
    assert offer.starts_at == FRIDAY_10
    assert 'id="table-waitlist"' in client.get("/administration/dashboard/", QUERY).content.decode()
