"""The waitlist at another KEP (issue 16) in Chromium, against the real server and worker.

Citizen A (ANNA KOWALSKA, through the TAXISnet stand-in) has an appointment in three weeks at
the demo employee's KEP and asks to be told of an earlier time at "any KEP of the
municipality". Citizen B cancels an earlier time at another KEP of the same municipality: the
worker offers it to A — the email names that KEP — the offer page says it is another KEP, which
and where, A takes it with one tap and the appointment moves there (same reference, update
email with the new ICS). Every page passes axe (WCAG 2.1 AA) and the CSP.
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
from tests.browser.test_waitlist import (
    A_TAX_ID,
    CITIZEN_A,
    NO_QUIET_HOURS,
    RESTORE_RULES,
    WAIT_SECONDS,
)

pytestmark = pytest.mark.browser

SHOTS = ROOT / "var" / "screenshots" / "waitlist"

# A's appointment about three weeks ahead at the demo employee's KEP; B's at another KEP of the
# same municipality (one with people), on the first working day with a free time at least three
# days ahead; category 1.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.accounts.models import Citizen
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee, Kep

home = Employee.objects.get(user__username="demo.employee").kep
category = Category.objects.get(number=1)
service = Service.objects.filter(
    categories=category, remote_servable=True, municipality=None
).order_by("code")[0]
now = timezone.now()
today = timezone.localdate()


def first_free(kep, day, days=20):
    for _ in range(days):
        slots = free_slots_for(
            kep=kep, service=service, category=category, start=day, end=day, now=now
        )
        if slots:
            return slots[0].start
        day += dt.timedelta(days=1)
    return None


there = None
for candidate in Kep.objects.filter(
    municipality=home.municipality, is_active=True
).exclude(pk=home.pk).order_by("code"):
    if first_free(candidate, today + dt.timedelta(days=3), days=7):
        there = candidate
        break
assert there is not None, "no other KEP of the municipality with a free time"


def book(citizen, kep, starts_at, email, phone):
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


a = book(
    Citizen.objects.get(tax_id=%(a_tax_id)r), home,
    first_free(home, today + dt.timedelta(days=21)), %(a_email)r, "6900000011",
)
b = book(new_citizen("ΒΑΣΙΛΙΚΗ", "ΑΛΛΟΥ"), there, first_free(there, today + dt.timedelta(days=3)),
         %(b_email)r, "6900000012")
print(json.dumps({
    "a": str(a.reference), "b": str(b.reference),
    "home": home.name_el, "there": there.name_el, "there_address": there.address,
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

WHERE = """
import json
from keplive.booking.models import Appointment
a = Appointment.objects.select_related("kep").get(reference={a!r})
print(json.dumps({{"kep": a.kep.name_el, "status": a.status}}))
"""


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


def test_asked_for_the_municipality_a_time_at_another_kep_is_offered_and_taken(
    page: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    emails = {who: f"waitlist-elsewhere-{who}-{run}@example.gr" for who in "ab"}

    page.goto(f"{server}/login/?next=/appointments/")
    page.get_by_role("button", name=CITIZEN_A).click()
    page.wait_for_url("**/appointments/")

    before = run_in_server(stack, NO_QUIET_HOURS)
    made = run_in_server(
        stack,
        SETUP % {"a_tax_id": A_TAX_ID, "a_email": emails["a"], "b_email": emails["b"]},
    )
    try:
        # A asks, choosing any KEP of the municipality.
        page.goto(f"{server}/appointments/{made['a']}/earlier/")
        assert page.locator("html").get_attribute("lang") == "el"
        page.get_by_label("Οποιοδήποτε ΚΕΠ του δήμου").check()
        assert_accessible(page)
        shot(page, "waitlist-ask-municipality")
        with page.expect_navigation():
            page.locator("#waitlist-submit").click()
        page.locator("#waiting-notice").wait_for()

        run_in_server(stack, B_CANCELS.format(b=made["b"]))

        offer_mail = wait_for_mail(
            mail_dir,
            to=emails["a"],
            body_contains="/offers/",
            timeout=WAIT_SECONDS,
            what="the offer email to A at the other KEP",
        )
        body = text_of(offer_mail)
        assert made["there"] in body
        assert made["there_address"] in body
        assert made["home"] in body
        link = re.search(r"https?://\S+/offers/\S+/", body)
        assert link is not None, body

        # The offer page says it is another KEP, which and where.
        page.goto(link.group(0))
        other = page.locator("#offer-other-kep")
        assert made["there"] in other.inner_text()
        assert made["home"] in other.inner_text()
        assert made["b_time"] in page.locator("#offer-new-time").inner_text()
        assert_accessible(page)
        shot(page, "waitlist-offer-other-kep")
        with page.expect_navigation():
            page.locator("#offer-take").click()
        assert page.locator("#offer-answer").get_attribute("data-answer") == "taken"
        assert made["there"] in page.locator("#offer-answer-kep").inner_text()
        assert_accessible(page)
        shot(page, "waitlist-taken-other-kep")

        assert run_in_server(stack, WHERE.format(a=made["a"])) == {
            "kep": made["there"],
            "status": "booked",
        }
        updated = wait_for_mail(
            mail_dir,
            to=emails["a"],
            match=lambda m: (
                any(p.get_filename() == "appointment.ics" for p in m.iter_attachments())
                and made["there"] in text_of(m)
                and "/offers/" not in text_of(m)
            ),
            timeout=WAIT_SECONDS,
            what="the update email to A with the new KEP and ICS",
        )
        assert updated is not None
        page.goto(f"{server}/appointments/{made['a']}/")
        assert made["there"] in page.locator("main").inner_text()
        assert_accessible(page)
    finally:
        release_booking(stack, made["a"])
        run_in_server(stack, RESTORE_RULES.format(times=before))
