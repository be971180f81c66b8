"""Municipality onboarding in Chromium (issue 6 item 5): a municipality applies on the public
form; demo.admin signs in with the second factor and approves; a citizen then finds the
municipality and its service in the booking wizard's category 4. Emails in the mail stand-in."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import axe_violations, screenshot, sign_in_staff, wait_for_mail

pytestmark = pytest.mark.browser

MAIL_WAIT_SECONDS = 60
STAMP = time.strftime("%H%M%S")
# A municipality not in the demo directory, unique per run.
NAME = f"Δήμος Δοκιμαστικής Ένταξης {STAMP}"
SERVICE = f"Βεβαίωση δοκιμαστικής ένταξης {STAMP}"
CONTACT = f"contact-{STAMP}@municipality.example.gr"


def _go(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


def test_a_municipality_applies_is_approved_and_its_service_becomes_bookable(
    page, browser, server, mail_dir
):  # type: ignore[no-untyped-def]
    # 1. The public form: a mistake first (no services), then the full application.
    page.goto(f"{server}/municipalities/join/")
    assert page.locator("html").get_attribute("lang") == "el"
    assert axe_violations(page) == []
    fields = {
        "id_municipality_name": NAME,
        "id_municipality_name_en": f"Municipality of Test Joining {STAMP}",
        "id_region": "Νότιο Αιγαίο",
        "id_contact_name": "Ελένη Γεωργίου",
        "id_contact_email": CONTACT,
        "id_contact_phone": "2242012345",
        "id_protocol_email": "protocol@municipality.example.gr",
        "id_kep-0-name": f"ΚΕΠ Δοκιμαστικής Ένταξης {STAMP}",
        "id_kep-0-address": "Ακτή Κουντουριώτη 1",
        "id_kep-0-postal_code": "85300",
        "id_kep-0-city": "Κως",
        "id_kep-0-email": "kep@municipality.example.gr",
    }
    for field_id, value in fields.items():
        page.fill(f"#{field_id}", value)
    _go(page, page.locator("main form button[type=submit]"))
    assert page.locator("#error-summary").count() == 1
    assert page.locator("#id_municipality_name").input_value() == NAME  # kept
    screenshot(page, "onboarding-form-error")
    assert axe_violations(page) == []
    page.fill("#id_service-0-title_el", SERVICE)
    page.fill("#id_service-0-title_en", "Certificate of test joining")
    page.fill("#id_service-1-title_el", "Άδεια παρεμπορίου")
    page.check("#id_service-1-in_person_only")
    page.fill("#id_service-1-alternative", "Επισκεφθείτε το δημαρχείο.")
    _go(page, page.locator("main form button[type=submit]"))
    assert page.url.endswith("/municipalities/join/sent/"), page.url
    screenshot(page, "onboarding-sent")
    assert axe_violations(page) == []
    received = wait_for_mail(mail_dir, to=CONTACT, subject_contains=NAME, timeout=MAIL_WAIT_SECONDS)
    assert SERVICE in str(received.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]

    # The same municipality again: told at once, beside its name.
    page.goto(f"{server}/municipalities/join/")
    for field_id, value in fields.items():
        page.fill(f"#{field_id}", value)
    page.fill("#id_service-0-title_el", SERVICE)
    _go(page, page.locator("main form button[type=submit]"))
    assert page.locator("#id_municipality_name-error").count() == 1

    # 2. The administrator reviews and approves.
    admin = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    try:
        review = admin.new_page()
        review.set_default_timeout(10_000)
        sign_in_staff(review, server, "demo.admin", next_path="/administration/municipalities/")
        assert "/administration/municipalities/" in review.url
        screenshot(review, "onboarding-applications")
        assert axe_violations(review) == []
        _go(review, review.get_by_role("link", name=NAME))
        assert review.locator("#application-status").get_attribute("data-status") == "submitted"
        screenshot(review, "onboarding-application")
        assert axe_violations(review) == []
        _go(review, review.locator("#approve"))
        assert review.locator("#application-status").get_attribute("data-status") == "approved"
        assert review.locator(".govgr-notification-banner--success").count() == 1
        screenshot(review, "onboarding-approved")
        assert axe_violations(review) == []
    finally:
        admin.close()
    # The approval, not the receipt sent after the form: "... εγκρίθηκε η ένταξη (<name>)".
    wait_for_mail(
        mail_dir,
        to=CONTACT,
        subject_contains=f"εγκρίθηκε η ένταξη ({NAME})",
        timeout=MAIL_WAIT_SECONDS,
    )

    # 3. A citizen finds the municipality and its service in category 4 at once.
    page.goto(f"{server}/login/?category=4")
    _go(page, page.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ"))
    assert page.url.endswith("/book/4/"), page.url
    select = page.locator("#id_municipality")
    value = select.locator("option", has_text=NAME).get_attribute("value")
    assert value
    select.select_option(value)
    _go(page, page.locator("form:has(#id_municipality) button[type=submit]"))
    assert page.locator(".kl-services").get_by_text(SERVICE).count() == 1
    screenshot(page, "onboarding-wizard-category-4")
    assert axe_violations(page) == []
    _go(page, page.locator(".kl-services a", has_text=SERVICE))
    assert page.get_by_text(f"ΚΕΠ Δοκιμαστικής Ένταξης {STAMP}").count() >= 1
    screenshot(page, "onboarding-wizard-kep")


def test_the_catalogue_pages_pass_axe_and_explain_a_refused_service(page, server):  # type: ignore[no-untyped-def]
    sign_in_staff(page, server, "demo.admin", next_path="/administration/services/?category=4")
    assert page.locator("tr[data-service]").count() > 0
    screenshot(page, "catalogue-list")
    assert axe_violations(page) == []
    page.goto(f"{server}/administration/services/new/")
    page.fill("#id_title_el", "Δοκιμαστική δημοτική υπηρεσία")
    page.fill("#id_title_en", "Test municipal service")
    page.check("#id_categories_3")  # category 4 without a municipality
    _go(page, page.locator("main form button[type=submit]"))
    assert page.locator("#id_municipality-error").count() == 1
    assert page.locator("#id_title_el").input_value() == "Δοκιμαστική δημοτική υπηρεσία"
    screenshot(page, "catalogue-refused")
    assert axe_violations(page) == []
