"""My appointments in Chromium on a 360 px phone, by keyboard alone: log in, see the list,
move the appointment to another time, change the details, cancel. axe-core finds nothing on any
page, no page scrolls sideways, and each page is kept as a screenshot."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, run_in_server, screenshot

pytestmark = pytest.mark.browser

# The stand-in's "ΓΕΩΡΓΙΟΣ ΝΙΚΟΛΑΟΥ" (born 1962): his tax number arrives as 00045671233.
TAX_ID = "045671233"

# Books the earliest free time in category 1 for the citizen, with details, in the server's
# own database (the browser stack's SQLite file), and prints the reference.
BOOK = f"""
import json
from django.utils import timezone
from keplive.accounts.models import Citizen
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.selectors import earliest_free_slots
from keplive.catalogue.models import Category, Service

citizen = Citizen.objects.get(tax_id="{TAX_ID}")
category = Category.objects.get(number=1)
service = Service.objects.filter(categories=category, remote_servable=True).order_by("code")[0]
now = timezone.now()
earliest = earliest_free_slots(service=service, category=category, now=now, limit=1)[0]
appointment = services.book_appointment(
    citizen=citizen, kep=earliest.kep, service=service, category=category,
    starts_at=earliest.slot.start, now=now,
    declaration=Declaration(
        full_name="Γεώργιος Νικολάου", email="giorgos@example.gr", mobile_phone="6987654321",
        postal_address="Πατησίων 20, 10434 Αθήνα", document_kind="id_card",
        id_card_number="ΞΑ765432", subject="Πιστοποιητικό γέννησης", delivery_method="email",
    ),
)
print(json.dumps(str(appointment.reference)))
"""


def _book_in_the_server(stack: dict[str, object]) -> str:
    return str(run_in_server(stack, BOOK))


def _press(page, locator, key: str = "Enter") -> None:  # type: ignore[no-untyped-def]
    """Reach an element by keyboard focus and activate it, waiting for the next page."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press(key)


def _check(page, name: str) -> None:  # type: ignore[no-untyped-def]
    assert page.title(), name
    wide = page.evaluate(  # what sticks out, to name it when the check fails
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > 360)"
        ".map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, (name, wide[:15])
    screenshot(page, f"manage-{name}")
    assert axe_violations(page) == [], name


def test_reschedule_change_details_and_cancel_by_keyboard_on_a_phone(phone, server, stack):
    page = phone
    page.goto(f"{server}/login/?next=/appointments/")
    _press(page, page.get_by_role("button", name="ΓΕΩΡΓΙΟΣ ΝΙΚΟΛΑΟΥ"))
    assert page.url.endswith("/appointments/")

    reference = _book_in_the_server(stack)
    page.reload()
    assert reference in page.locator(f'a[href="/appointments/{reference}/"]').first.get_attribute(
        "href"
    )
    _check(page, "1-list")

    # Another day or time: the calendar, a day, a time button announced in full.
    _press(page, page.locator(f'a[href="/appointments/{reference}/reschedule/"]'))
    _check(page, "2-reschedule")
    days = page.locator(".kl-calendar a.kl-calendar__free")
    assert days.count() > 0
    for index in range(days.count()):
        _press(page, days.nth(index))
        if page.locator(".kl-time").count():
            break
        page.go_back()
    time_button = page.locator(".kl-time").first
    label = time_button.get_attribute("aria-label") or ""
    assert label.endswith(time_button.inner_text().strip())
    assert len(label) > 10
    _check(page, "3-reschedule-day")
    _press(page, time_button)
    # A confirmation step: from what is booked to the new time; nothing moves before it.
    assert page.get_by_role("heading", level=1).inner_text() == "Επιβεβαίωση της μετακίνησης"
    _check(page, "3b-reschedule-confirm")
    _press(page, page.get_by_role("button", name="Επιβεβαίωση της μετακίνησης"))
    assert "done=rescheduled" in page.url
    assert page.locator(".govgr-notification-banner--success").count() == 1
    assert label.split(", ")[-1] in page.get_by_role("heading", level=1).inner_text()
    _check(page, "4-rescheduled")

    # Change the details: a mistake first, then the fix; the document number stays masked.
    _press(page, page.locator(f'a[href="/appointments/{reference}/details/"]').first)
    assert "ΞΑ765432" not in page.content()
    _check(page, "5-details")
    page.locator("#id_email").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("giorgos-at-example")
    _press(
        page,
        page.get_by_role("button", name="Αποθήκευση των στοιχείων").or_(
            page.get_by_role("button", name="Save the details")
        ),
    )
    assert page.locator(".govgr-error-summary").count() == 1
    assert page.locator("#id_email").input_value() == "giorgos-at-example"
    _check(page, "6-details-error")
    page.locator("#id_email").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("giorgos@example.gr")
    page.locator("#id_notes").focus()
    page.keyboard.type("Θα συνδεθώ από το κινητό.")
    _press(
        page,
        page.get_by_role("button", name="Αποθήκευση των στοιχείων").or_(
            page.get_by_role("button", name="Save the details")
        ),
    )
    assert "done=details" in page.url
    assert "Θα συνδεθώ από το κινητό." in page.content()
    _check(page, "7-details-saved")

    # Cancel: a confirmation page, then back to the list with a banner.
    _press(page, page.locator(f'a[href="/appointments/{reference}/cancel/"]').first)
    _check(page, "8-cancel")
    _press(page, page.locator("form button[type=submit].govgr-btn-warning"))
    assert page.url.endswith("/appointments/?done=cancelled")
    assert page.locator(".govgr-notification-banner--success").count() == 1
    _check(page, "9-cancelled")
