"""The waitlist's journey (issue 16, "Done when") in Chromium, against the real server, worker,
SMTP stand-in and SMS stand-in.

Citizen A (ANNA KOWALSKA, through the TAXISnet stand-in) has an appointment in three
weeks and asks, on its page, to be told if an earlier time frees up. Citizen C, later, waits
too. Citizen B cancels an earlier time: the worker offers it to A (the first to ask) — the email
arrives in the SMTP stand-in's folder and the SMS in the SMS stand-in's — A opens the link and
takes the time with one tap; the appointment moves (same reference, update email); A's freed
time is then offered to C. Every page passes axe (WCAG 2.1 AA) and the CSP.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    assert_accessible,
    release_booking,
    run_in_server,
    screenshot,
    text_of,
    wait_for_mail,
    wait_until,
)

pytestmark = pytest.mark.browser

WAIT_SECONDS = 90
CITIZEN_A = "ANNA KOWALSKA"
A_TAX_ID = "147258367"

# The offer rules with no quiet hours (the test may run at night), as the ministry would set
# them in the admin; printed back so the test restores them.
NO_QUIET_HOURS = """
import datetime as dt, json
from keplive.waitlist.services import rules
current = rules()
before = [current.quiet_from.isoformat(), current.quiet_until.isoformat()]
current.quiet_from = current.quiet_until = dt.time(0, 0)
current.save()
print(json.dumps(before))
"""

RESTORE_RULES = """
import datetime as dt, json
from keplive.waitlist.services import rules
current = rules()
current.quiet_from, current.quiet_until = (dt.time.fromisoformat(t) for t in {times!r})
current.save()
print(json.dumps(True))
"""

# A's appointment about three weeks ahead, B's on the first working day with a free time at
# least three days ahead, C's after A's; all at the KEP of demo.employee, category 1.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.accounts.models import Citizen
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


def first_free(day):
    while True:
        slots = free_slots_for(
            kep=kep, service=service, category=category, start=day, end=day, now=now
        )
        if slots:
            return slots[0].start
        day += dt.timedelta(days=1)


def book(citizen, starts_at, email, phone):
    return services.book_appointment(
        citizen=citizen, kep=kep, service=service, category=category, starts_at=starts_at,
        now=now,
        declaration=Declaration(
            full_name=f"{citizen.first_name} {citizen.last_name}", email=email,
            mobile_phone=phone, postal_address="Σταδίου 5, 10562 Αθήνα",
            document_kind="id_card", id_card_number="ΑΒ112233", subject="Πιστοποιητικό",
            delivery_method="email", language="el",
        ),
    )


today = timezone.localdate()
a = book(
    Citizen.objects.get(tax_id=%(a_tax_id)r),
    first_free(today + dt.timedelta(days=21)), %(a_email)r, %(a_phone)r,
)
b = book(new_citizen("ΒΑΣΙΛΗΣ", "ΑΚΥΡΩΣΗ"), first_free(today + dt.timedelta(days=3)),
         %(b_email)r, "6900000002")
c = book(new_citizen("ΧΡΥΣΑ", "ΑΝΑΜΟΝΗ"),
         first_free(timezone.localdate(a.starts_at) + dt.timedelta(days=1)), %(c_email)r,
         "6900000003")
print(json.dumps({
    "a": str(a.reference), "b": str(b.reference), "c": str(c.reference),
    "a_time": timezone.localtime(a.starts_at).strftime("%%H:%%M"),
    "b_time": timezone.localtime(b.starts_at).strftime("%%H:%%M"),
    "b_day": timezone.localtime(b.starts_at).strftime("%%-d"),
}))
"""

# C asks to be told (after A), then B cancels through the booking service.
C_WAITS_AND_B_CANCELS = """
import json
from django.utils import timezone
from keplive.booking import services
from keplive.booking.models import Appointment
from keplive.waitlist.services import ask_to_be_told

c = Appointment.objects.get(reference={c!r})
ask_to_be_told(citizen=c.citizen, reference=c.reference, now=timezone.now())
b = Appointment.objects.get(reference={b!r})
services.cancel_appointment(reference=b.reference, citizen=b.citizen, now=timezone.now())
print(json.dumps(True))
"""

# Give back everything the test holds: C's open offer (its hold) and the bookings.
CLEAN_UP = """
import json
from django.utils import timezone
from keplive.waitlist.models import Offer, OfferStatus
from keplive.waitlist.services import decline_offer
for offer in Offer.objects.filter(
    status=OfferStatus.PENDING, request__appointment__reference__in={references!r}
):
    decline_offer(public_id=offer.public_id, now=timezone.now())
print(json.dumps(True))
"""


def _sms_to(stack: dict[str, object], number: str, contains: str) -> list[dict[str, str]]:
    sms_dir = Path(str(stack["var"])) / "sms"
    found = []
    for path in sms_dir.glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["to"] == number and contains in record["text"]:
            found.append(record)
    return found


def test_a_freed_time_is_offered_taken_with_one_tap_and_the_later_time_offered_on(
    page: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    emails = {who: f"waitlist-{who}-{run}@example.gr" for who in "abc"}
    a_phone = f"69{int(run, 16) % 10**8:08d}"

    # A logs in through the TAXISnet stand-in (which creates the citizen).
    page.goto(f"{server}/login/?next=/appointments/")
    page.get_by_role("button", name=CITIZEN_A).click()
    page.wait_for_url("**/appointments/")

    before = run_in_server(stack, NO_QUIET_HOURS)
    made = run_in_server(
        stack,
        SETUP
        % {
            "a_tax_id": A_TAX_ID,
            "a_email": emails["a"],
            "a_phone": a_phone,
            "b_email": emails["b"],
            "c_email": emails["c"],
        },
    )
    try:
        # A asks, on the appointment's page, to be told of an earlier time.
        page.goto(f"{server}/appointments/{made['a']}/")
        assert page.locator("html").get_attribute("lang") == "el"
        with page.expect_navigation():
            page.locator("#waiting-ask").click()
        assert_accessible(page)
        screenshot(page, "waitlist-ask")
        with page.expect_navigation():
            page.locator("#waitlist-submit").click()
        page.locator("#waiting-notice").wait_for()
        assert_accessible(page)
        page.goto(f"{server}/appointments/")
        assert page.locator("#waiting-requests li").count() >= 1
        assert_accessible(page)

        # C waits too; B cancels an earlier time.
        run_in_server(stack, C_WAITS_AND_B_CANCELS.format(b=made["b"], c=made["c"]))

        # The worker offers it to A: an email (SMTP stand-in) and an SMS (SMS stand-in).
        offer_mail = wait_for_mail(
            mail_dir,
            to=emails["a"],
            body_contains="/offers/",
            timeout=WAIT_SECONDS,
            what="the offer email to A",
        )
        body = text_of(offer_mail)
        assert made["b_time"] in body
        assert made["a_time"] in body
        link = re.search(r"https?://\S+/offers/\S+/", body)
        assert link is not None, body
        sms = wait_until(
            lambda: _sms_to(stack, "+30" + a_phone, "/offers/"),
            "the offer SMS to A",
            timeout=WAIT_SECONDS,
            interval=0.5,
        )
        assert link.group(0) in sms[0]["text"]

        # One tap on the offer page: the appointment moves.
        page.goto(link.group(0))
        assert made["b_time"] in page.locator("#offer-new-time").inner_text()
        assert_accessible(page)
        screenshot(page, "waitlist-offer")
        with page.expect_navigation():
            page.locator("#offer-take").click()
        assert page.locator("#offer-answer").get_attribute("data-answer") == "taken"
        assert_accessible(page)
        page.goto(f"{server}/appointments/{made['a']}/")
        heading = page.get_by_role("heading", level=1).inner_text()
        assert made["b_time"] in heading
        assert made["b_day"] in heading
        updated = wait_for_mail(
            mail_dir,
            to=emails["a"],
            match=lambda m: (
                any(p.get_filename() == "appointment.ics" for p in m.iter_attachments())
                and made["b_time"] in text_of(m)
                and "/offers/" not in text_of(m)
            ),
            timeout=WAIT_SECONDS,
            what="the update email to A with the new ICS",
        )
        assert updated is not None

        # A's freed later time goes to C.
        offer_c = wait_for_mail(
            mail_dir,
            to=emails["c"],
            body_contains="/offers/",
            timeout=WAIT_SECONDS,
            what="the offer of A's old time to C",
        )
        assert made["a_time"] in text_of(offer_c)

        # The link, used again, changes nothing and says so.
        page.goto(link.group(0))
        assert page.locator("#offer-answer").get_attribute("data-answer") == "closed"
        assert_accessible(page)
    finally:
        run_in_server(stack, CLEAN_UP.format(references=[made["a"], made["c"]]))
        for reference in (made["a"], made["c"]):
            release_booking(stack, reference)
        run_in_server(stack, RESTORE_RULES.format(times=before))
