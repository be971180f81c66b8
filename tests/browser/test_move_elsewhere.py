"""Rescheduling to another KEP and another service of the category (issue 14, item 7), in
Chromium through the email's manage link: search the services, choose another service and
another KEP, a day and a time, confirm the move on its own page; the reference stays, and the
update email names the new KEP and service. axe-core finds nothing on any page."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import (
    axe_violations,
    release_booking,
    run_in_server,
    screenshot,
    text_of,
    wait_for_mail,
)

pytestmark = pytest.mark.browser

# A new citizen books the earliest free time in category 1 for the first service, with
# details; prints the reference, the manage link's token, the KEP's code and the service's id.
BOOK = """
import json
from django.utils import timezone
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.links import manage_token
from keplive.booking.selectors import earliest_free_slots
from keplive.catalogue.models import Category, Service

category = Category.objects.get(number=1)
service = Service.objects.filter(
    categories=category, remote_servable=True, is_active=True, municipality=None
).order_by("code")[0]
now = timezone.now()
earliest = earliest_free_slots(service=service, category=category, now=now, limit=1)[0]
appointment = services.book_appointment(
    citizen=new_citizen("ΝΙΚΟΣ", "ΔΗΜΗΤΡΙΟΥ"), kep=earliest.kep, service=service,
    category=category, starts_at=earliest.slot.start, now=now,
    declaration=Declaration(
        full_name="Νίκος Δημητρίου", email="EMAIL", mobile_phone="6987654321",
        postal_address="Πατησίων 20, 10434 Αθήνα", document_kind="id_card",
        id_card_number="ΞΑ765432", subject="Πιστοποιητικό", delivery_method="email",
    ),
)
print(json.dumps([str(appointment.reference), manage_token(appointment), earliest.kep.code,
                  service.pk, appointment.display_code]))
"""


def _go(page, locator) -> None:  # type: ignore[no-untyped-def]
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _check(page, name: str) -> None:  # type: ignore[no-untyped-def]
    assert page.title(), name
    screenshot(page, f"move-elsewhere-{name}")
    assert axe_violations(page) == [], name


def test_move_to_another_kep_and_service_with_a_confirmation(page, server, stack, mail_dir):
    email = f"move-{uuid.uuid4().hex[:12]}@example.gr"
    reference, token, kep_code, _service, code = run_in_server(stack, BOOK.replace("EMAIL", email))
    try:
        page.goto(f"{server}/manage/{token}/reschedule/")
        _check(page, "1-reschedule")

        # Another service, found by a search (a GET form: no JavaScript needed).
        services = page.locator("#move-service option")
        titles = [services.nth(i).inner_text() for i in range(services.count())]
        current = page.locator("#move-service option:checked").inner_text()
        other_title = next(title for title in titles if title != current)
        word = max(other_title.split(), key=len)
        page.locator("#move-q").fill(word)
        _go(page, page.get_by_role("button", name="Εμφάνιση των ελεύθερων ωρών"))
        found = page.locator("#move-service option")
        found_titles = [found.nth(i).inner_text() for i in range(found.count())]
        assert other_title in found_titles
        assert all(word.casefold() in t.casefold() for t in found_titles if t != current)
        _check(page, "2-search")

        page.locator("#move-service").select_option(label=other_title)
        keps = page.locator("#move-kep option")
        other_kep = next(
            keps.nth(i).get_attribute("value")
            for i in range(keps.count())
            if keps.nth(i).get_attribute("value") != kep_code
        )
        other_kep_label = page.locator(f'#move-kep option[value="{other_kep}"]').inner_text()
        page.locator("#move-kep").select_option(other_kep)
        _go(page, page.get_by_role("button", name="Εμφάνιση των ελεύθερων ωρών"))
        assert f"kep={other_kep}" in page.url
        banner = page.locator(".govgr-notification-banner").inner_text()
        assert other_title in banner
        _check(page, "3-elsewhere")

        days = page.locator(".kl-calendar a.kl-calendar__free")
        assert days.count() > 0
        for index in range(days.count()):
            _go(page, days.nth(index))
            if page.locator(".kl-time").count():
                break
        assert f"kep={other_kep}" in page.url  # the calendar keeps the choice
        _go(page, page.locator(".kl-time").first)

        # The confirmation: nothing moved yet; the new KEP and service are named.
        assert page.get_by_role("heading", level=1).inner_text() == "Επιβεβαίωση της μετακίνησης"
        after = page.locator("#after-the-move").inner_text()
        assert other_title in after
        assert other_kep_label.split(" (")[0] in after
        _check(page, "4-confirm")
        _go(page, page.get_by_role("button", name="Επιβεβαίωση της μετακίνησης"))
        assert "done=rescheduled" in page.url
        assert "/manage/" in page.url
        content = page.content()
        assert code in content  # the same appointment: its readable code stays (ADR 0024)
        assert other_title in content
        _check(page, "5-moved")

        update = wait_for_mail(
            mail_dir, to=email, body_contains=other_title, what="the update email"
        )
        assert other_kep_label.split(" (")[0] in text_of(update)
    finally:
        release_booking(stack, reference)
