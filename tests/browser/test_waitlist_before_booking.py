"""Asking before booking (issue 16, ADR 0028) in Chromium, against the real server, worker and
SMTP stand-in.

ΕΛΕΝΗ ΚΑΡΑΓΙΑΝΝΗ (through the TAXISnet stand-in) opens the times page of a service at the KEP
of demo.employee and, without booking, asks "Ειδοποιήστε με αν ελευθερωθεί νωρίτερη ώρα"; the
request shows in My appointments. Another citizen cancels a time; the worker offers it to her
(email in the SMTP stand-in's folder); she opens the link, presses "book", lands on the details
step of the held time, confirms, and the appointment is hers. Every page passes axe (WCAG 2.1
AA) and the CSP; screenshots go to var/screenshots/waitlist/.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    ROOT,
    assert_accessible,
    release_booking,
    run_in_server,
    screenshot,
    text_of,
    wait_for_mail,
)
from tests.browser.test_waitlist import NO_QUIET_HOURS, RESTORE_RULES

pytestmark = pytest.mark.browser

WAIT_SECONDS = 90
CITIZEN = "ΕΛΕΝΗ ΚΑΡΑΓΙΑΝΝΗ"
SCREENSHOTS = ROOT / "var" / "screenshots" / "waitlist"

# B books the first free time at least three working days ahead at demo.employee's KEP.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

kep = Employee.objects.get(user__username="demo.employee").kep
category = Category.objects.get(number=1)
service = Service.objects.filter(
    categories=category, remote_servable=True, municipality=None
).order_by("code")[0]
now = timezone.now()
day = timezone.localdate() + dt.timedelta(days=3)
while not (slots := free_slots_for(
    kep=kep, service=service, category=category, start=day, end=day, now=now
)):
    day += dt.timedelta(days=1)
b = services.book_appointment(
    citizen=new_citizen("ΒΑΣΙΛΗΣ", "ΠΡΟΚΡΑΤΗΣΗ"), kep=kep, service=service, category=category,
    starts_at=slots[0].start, now=now,
    declaration=Declaration(
        full_name="ΒΑΣΙΛΗΣ ΠΡΟΚΡΑΤΗΣΗ", email=%(b_email)r, mobile_phone="6900000004",
        postal_address="Σταδίου 5, 10562 Αθήνα", document_kind="id_card",
        id_card_number="ΑΒ112233", subject="Πιστοποιητικό", delivery_method="email",
        language="el",
    ),
)
print(json.dumps({
    "b": str(b.reference),
    "times": f"/book/1/{service.pk}/{kep.code}/?day={timezone.localdate(b.starts_at)}",
    "b_time": timezone.localtime(b.starts_at).strftime("%%H:%%M"),
}))
"""

B_CANCELS = """
import json
from django.utils import timezone
from keplive.booking import services
from keplive.booking.models import Appointment
b = Appointment.objects.get(reference={b!r})
services.cancel_appointment(reference=b.reference, citizen=b.citizen, now=timezone.now())
print(json.dumps(True))
"""

# Whatever the test leaves: her request (removed), an open offer (declined), the booking.
CLEAN_UP = """
import json
from django.utils import timezone
from keplive.accounts.models import Citizen
from keplive.waitlist.models import Offer, OfferStatus, RequestStatus, WaitingRequest
from keplive.waitlist.services import decline_offer, remove_request
citizen = Citizen.objects.get(tax_id="135792468")
for offer in Offer.objects.filter(citizen=citizen, status=OfferStatus.PENDING):
    decline_offer(public_id=offer.public_id, now=timezone.now())
for request in WaitingRequest.objects.filter(citizen=citizen, status=RequestStatus.ACTIVE):
    remove_request(citizen=citizen, public_id=request.public_id, now=timezone.now())
print(json.dumps(True))
"""

TYPED = {
    "id_mobile_phone": "6912345678",
    "id_postal_address": "Ερμού 10, 10563 Αθήνα",
    "id_id_card_number": "ΑΒ123456",
    "id_subject": "Πιστοποιητικό οικογενειακής κατάστασης",
}


def keep(page: Any, name: str) -> None:
    path = screenshot(page, f"waitlist-{name}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENSHOTS / f"{name}.png")


def test_asked_from_the_times_page_offered_and_booked(
    page: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    email = f"waitlist-before-{run}@example.gr"
    before = run_in_server(stack, NO_QUIET_HOURS)
    made = run_in_server(stack, SETUP % {"b_email": f"waitlist-b-{run}@example.gr"})
    booked = ""
    try:
        # She logs in on the way to the times page and is brought back to it.
        page.goto(f"{server}/login/?next={made['times']}")
        page.get_by_role("button", name=CITIZEN).click()
        page.wait_for_url(re.compile(r".*/book/1/\d+/[^/]+/\?day=.*"))
        assert page.locator("html").get_attribute("lang") == "el"
        ask = page.locator("#waiting-ask-service")
        assert ask.inner_text().strip() == "Ειδοποιήστε με αν ελευθερωθεί νωρίτερη ώρα"
        assert_accessible(page)
        keep(page, "1-times")

        with page.expect_navigation():
            ask.click()
        assert_accessible(page)
        page.locator("#id_email").fill(email)
        page.locator("#id_mobile_phone").fill("6912345678")
        keep(page, "2-ask")
        with page.expect_navigation():
            page.locator("#waitlist-submit").click()
        assert page.url.endswith("/appointments/?done=waiting")
        row = page.locator("[data-waiting-service]")
        assert row.count() == 1
        assert row.get_by_role("button").count() == 1  # "stop waiting"
        assert_accessible(page)
        keep(page, "3-my-appointments")

        # Another citizen cancels; the worker offers the time to her.
        run_in_server(stack, B_CANCELS.format(b=made["b"]))
        offer_mail = wait_for_mail(
            mail_dir,
            to=email,
            body_contains="/offers/",
            timeout=WAIT_SECONDS,
            what="the offer email",
        )
        body = text_of(offer_mail)
        assert made["b_time"] in body
        link = re.search(r"https?://\S+/offers/\S+/", body)
        assert link is not None, body

        page.goto(link.group(0))
        assert made["b_time"] in page.locator("#offer-new-time").inner_text()
        assert_accessible(page)
        keep(page, "4-offer")
        with page.expect_navigation():
            page.locator("#offer-take").click()
        assert "/book/details/" in page.url
        assert made["b_time"] in page.get_by_role("heading", level=1).inner_text() or (
            made["b_time"] in page.locator("main").inner_text()
        )
        assert_accessible(page)
        keep(page, "5-details")

        page.locator("#id_email").fill(email)
        for field_id, value in TYPED.items():
            page.locator(f"#{field_id}").fill(value)
        page.locator("#id_consent").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Επιβεβαίωση του ραντεβού").click()
        assert "/book/done/" in page.url
        booked = page.url.rstrip("/").rsplit("/", 1)[-1]
        assert page.locator(".govgr-panel--confirmation").count() == 1
        assert made["b_time"] in page.locator("main").inner_text()
        assert_accessible(page)
        keep(page, "6-done")

        # The request is fulfilled: no longer in My appointments.
        page.goto(f"{server}/appointments/")
        assert page.locator("[data-waiting-service]").count() == 0
        assert_accessible(page)
    finally:
        run_in_server(stack, CLEAN_UP)
        if booked:
            release_booking(stack, booked)
        run_in_server(stack, RESTORE_RULES.format(times=before))
