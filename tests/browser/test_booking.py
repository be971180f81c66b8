"""Booking in Chromium, by keyboard alone, from the gov.gr deep link to the confirmation:
axe-core finds nothing on any step, and each step is kept as a screenshot."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser

TYPED = {
    "id_email": "maria@example.gr",
    "id_mobile_phone": "6912345678",
    "id_postal_address": "Ερμού 10, 10563 Αθήνα",
    "id_id_card_number": "ΑΒ123456",
    "id_subject": "Πιστοποιητικό οικογενειακής κατάστασης",
}


def _press(page, locator, key: str = "Enter") -> None:  # type: ignore[no-untyped-def]
    """Reach an element by keyboard focus and activate it, waiting for the next page."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press(key)


def _step(page, name: str) -> None:  # type: ignore[no-untyped-def]
    assert page.locator(".kl-steps").count() == 1, name
    assert page.title(), name
    screenshot(page, f"booking-{name}")
    assert axe_violations(page) == [], name


def _log_in(page, server: str, category: int) -> None:  # type: ignore[no-untyped-def]
    """The gov.gr deep link → the GSIS stand-in → back on the wizard's service step."""
    page.goto(f"{server}/login/?category={category}")
    _press(page, page.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ"))
    assert page.url.endswith(f"/book/{category}/")


def _fill_details(page) -> None:  # type: ignore[no-untyped-def]
    for field_id, value in TYPED.items():
        field = page.locator(f"#{field_id}")
        field.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    page.locator("#id_consent").focus()
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()


def test_booking_in_category_1_by_keyboard(page, server):
    _log_in(page, server, 1)
    _step(page, "1-service")

    _press(page, page.locator(".kl-services a").first)
    _step(page, "1-kep")

    # The earliest free time across KEPs, one click (here: one key) away.
    _press(page, page.locator(".kl-earliest a").first)
    assert "day=" in page.url
    _step(page, "1-calendar")

    time_button = page.locator(".kl-time").first
    label = time_button.get_attribute("aria-label") or ""
    assert label.endswith(time_button.inner_text().strip())  # "Τρίτη 1 Δεκεμβρίου 2026, 10:30"
    assert len(label) > 10
    _press(page, time_button)
    assert "/book/details/" in page.url
    _step(page, "1-details")

    # A mistake first: the error summary takes the focus and what was typed stays.
    page.locator("#id_email").focus()
    page.keyboard.type("maria-at-example")
    _press(
        page,
        page.get_by_role("button", name="Επιβεβαίωση του ραντεβού").or_(
            page.get_by_role("button", name="Confirm the appointment")
        ),
    )
    assert page.locator(".govgr-error-summary").count() >= 1
    assert page.evaluate("document.activeElement.id") == "error-summary"
    _step(page, "1-details-errors")

    _fill_details(page)
    _press(
        page,
        page.get_by_role("button", name="Επιβεβαίωση του ραντεβού").or_(
            page.get_by_role("button", name="Confirm the appointment")
        ),
    )
    assert "/book/done/" in page.url
    assert page.locator(".govgr-panel--confirmation").count() == 1
    _step(page, "1-done")


def test_the_calendar_fits_a_phone_screen(phone, server):
    _log_in(phone, server, 1)
    phone.locator(".kl-services a").first.click()
    phone.locator(".kl-keps a").first.click()
    phone.wait_for_selector(".kl-calendar")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "booking-calendar-phone")
    assert axe_violations(phone) == []


@pytest.mark.parametrize("category", [2, 3, 4])
def test_each_other_category_reaches_a_kep_calendar(page, server, category):
    _log_in(page, server, category)
    if category == 4:
        # A prompt comes first, not a preselected municipality (issue 14, item 10).
        page.select_option("#id_municipality", index=1)
        _press(
            page,
            page.get_by_role("button", name="Συνέχεια").or_(
                page.get_by_role("button", name="Continue")
            ),
        )
    _step(page, f"{category}-service")
    _press(page, page.locator(".kl-services a").first)
    _step(page, f"{category}-kep")
    _press(page, page.locator(".kl-keps a").first)
    assert page.locator(".kl-calendar").count() == 1
    _step(page, f"{category}-calendar")
