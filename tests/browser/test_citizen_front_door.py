"""Issue 14, the front door, in Chromium: the booking limit told before the citizen starts,
the gov.gr deep link on the home page, and error pages inside the design."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import assert_accessible, run_in_server, screenshot

pytestmark = pytest.mark.browser

MARIA = "123456783"


def _log_in_as_maria(page, server: str, start: str = "/login/") -> None:  # type: ignore[no-untyped-def]
    page.goto(server + start)
    with page.expect_navigation():
        page.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ").click()


def _upcoming(stack) -> int:  # type: ignore[no-untyped-def]
    return int(
        run_in_server(
            stack,
            """
import json
from django.utils import timezone
from keplive.booking.selectors import upcoming_booking_count
from keplive.calls.demo import demo_citizen, MARIA
citizen = demo_citizen(MARIA)
print(json.dumps(upcoming_booking_count(citizen=citizen, now=timezone.now())))
""",
        )
    )


def _fill_maria_to_the_limit(stack) -> list[int]:  # type: ignore[no-untyped-def]
    """Book Maria, straight in the database, up to the limit, days ahead; the new ids."""
    return list(
        run_in_server(
            stack,
            """
import datetime as dt, json, random
from django.conf import settings
from django.utils import timezone
from keplive.calls.demo import MARIA, book_demo_appointment, demo_citizen, demo_employee
from keplive.booking.selectors import upcoming_booking_count
from keplive.catalogue.models import Category, Service
employee = demo_employee()
category = Category.objects.get(number=1)
service = (
    Service.objects.filter(categories=category, remote_servable=True, municipality=None)
    .order_by("code")
    .first()
)
citizen = demo_citizen(MARIA)
made = []
day = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=40)
attempt = 0
limit = settings.KEPLIVE_MAX_ACTIVE_BOOKINGS
while upcoming_booking_count(citizen=citizen, now=timezone.now()) < limit:
    attempt += 1
    assert attempt < 50
    start = day + dt.timedelta(days=random.randint(0, 30), minutes=5 * random.randint(0, 200))
    appointment = book_demo_appointment(
        employee=employee, category=category, service=service, start=start
    )
    if appointment is not None:
        made.append(appointment.pk)
print(json.dumps(made))
""",
        )
    )


def _delete(stack, ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    run_in_server(
        stack,
        f"""
import json
from keplive.booking.models import Appointment
Appointment.objects.filter(pk__in={json.dumps(ids)}).delete()
print(json.dumps("ok"))
""",
    )


# --- Item 1: the limit told before the citizen starts -------------------------------------------


def test_the_booking_limit_is_told_on_the_home_page_and_step_1(page, server, stack):
    _log_in_as_maria(page, server)
    used = _upcoming(stack)
    assert used < 3, "Maria must be able to book as the README invites"
    page.goto(server + "/")
    allowance = page.locator("#booking-allowance")
    assert f"Έχετε {used} από 3" in allowance.inner_text()
    assert_accessible(page)
    page.goto(server + "/book/")
    assert f"Έχετε {used} από 3" in page.locator("#booking-allowance").inner_text()
    assert page.locator(".kl-choice").count() >= 4

    made = _fill_maria_to_the_limit(stack)
    try:
        for path in ("/", "/book/", "/book/1/"):
            page.goto(server + path)
            message = page.locator("#booking-allowance")
            assert "έχετε ήδη 3" in message.inner_text().lower(), path
            link = message.get_by_role("link", name="Τα ραντεβού μου")
            assert link.get_attribute("href") == "/appointments/", path
            screenshot(page, "front-door-at-limit" + path.replace("/", "-"))
            assert_accessible(page)
        # The wizard stops there: no service to choose, no time to reach.
        assert page.locator(".kl-services a").count() == 0
        with page.expect_navigation():
            page.locator("#booking-allowance").get_by_role("link", name="Τα ραντεβού μου").click()
        assert page.url.endswith("/appointments/")
    finally:
        _delete(stack, made)


# --- Item 2: the gov.gr deep link on the home page ----------------------------------------------


def test_the_gov_gr_deep_link_on_the_home_page_leads_to_the_category_after_login(page, server):
    # Not logged in: through TAXISnet, and on to category 2.
    page.goto(server + "/?category=2")
    with page.expect_navigation():
        page.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ").click()
    assert page.url == server + "/book/2/"
    assert_accessible(page)
    # Logged in: straight there, for both forms of the link.
    page.goto(server + "/?category=3")
    assert page.url == server + "/book/3/"
    page.goto(server + "/login/?category=4")
    assert page.url == server + "/book/4/"
    # Anything else is the plain home page.
    for bad in ("99", "abc", "", "1x", "0001"):
        response = page.goto(f"{server}/?category={bad}")
        assert response.status == 200
        assert page.url.startswith(server + "/?")
        assert page.locator("#category-1").count() == 1


# --- Item 3: failures inside the design ----------------------------------------------------------


def _in_the_layout(page, lang: str, *, home_link: bool = True) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("header.govgr-header").count() == 1
    assert page.locator("footer.govgr-footer").count() == 1
    assert page.locator("main h1").count() == 1
    assert page.locator("main a[href]").count() >= 1, "a way back"
    if home_link:
        assert page.locator("main a[href='/']").count() >= 1, "a way back home"
    assert "Django" not in page.content()


# What the browser stack can show: it runs with DEBUG on, as `make run` does, where Django keeps
# its technical 404 and 500 pages for the developer; those handlers are tested with DEBUG off in
# tests/portal/test_error_pages.py.
ERRORS = {
    # path: (status, Greek title, English title)
    "/book/?x=%00": (
        400,
        "Το αίτημα δεν ήταν δυνατό να διαβαστεί",
        "The request could not be understood",
    ),
    "/call/not-a-token/": (
        410,
        "Αυτός ο σύνδεσμος δεν λειτουργεί πια",
        "This link no longer works",
    ),
}


@pytest.mark.parametrize("lang", ["el", "en"])
def test_error_pages_are_in_the_layout_and_the_citizen_language(browser, server, lang):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    if lang == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": server}])
    page = context.new_page()
    try:
        for path, (status, greek, english) in ERRORS.items():
            response = page.goto(server + path)
            assert response.status == status, path
            _in_the_layout(page, lang, home_link=status != 410)
            assert page.locator("main h1").inner_text() == (greek if lang == "el" else english)
            screenshot(page, f"error-{status}-{lang}")
            assert_accessible(page)
        # An expired form anywhere: the site's page, in the language, with the form to reopen.
        page.goto(server + "/services/")
        context.clear_cookies()
        if lang == "en":
            context.add_cookies([{"name": "django_language", "value": "en", "url": server}])
        switch = page.locator("form.kl-language button")
        with page.expect_navigation():
            switch.click()
        assert page.locator("main h1").inner_text() == (
            "Η φόρμα δεν ήταν δυνατό να σταλεί" if lang == "el" else "The form could not be sent"
        )
        _in_the_layout(page, lang)
        assert page.locator("main a[href='/i18n/setlang/']").count() == 1
        screenshot(page, f"error-csrf-{lang}")
        assert_accessible(page)
    finally:
        context.close()


def test_an_expired_booking_form_comes_back_with_what_was_typed(page, server, stack):
    page.goto(server + "/login/?category=1")
    with page.expect_navigation():
        page.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ").click()
    with page.expect_navigation():
        page.locator(".kl-services a").first.click()
    with page.expect_navigation():
        page.locator(".kl-earliest a").first.click()
    with page.expect_navigation():
        page.locator(".kl-time").first.click()
    assert "/book/details/" in page.url
    typed = {
        "#id_email": "maria.expired@example.gr",
        "#id_mobile_phone": "6912345670",
        "#id_postal_address": "Αιόλου 5, 10551 Αθήνα",
        "#id_id_card_number": "ΑΚ654321",
        "#id_subject": "Η φόρμα έμεινε ανοιχτή πολλή ώρα",
    }
    for selector, value in typed.items():
        page.fill(selector, value)
    page.check("#id_consent")
    # The token goes stale (the page stayed open while the session's token changed).
    page.evaluate(
        "document.querySelectorAll('input[name=csrfmiddlewaretoken]')"
        ".forEach((input) => { input.value = 'x'.repeat(64); })"
    )
    confirm = page.get_by_role("button", name="Επιβεβαίωση του ραντεβού")
    with page.expect_navigation() as navigation:
        confirm.click()
    assert navigation.value.status == 403
    assert "/book/details/" in page.url
    assert "η φόρμα είχε λήξει" in page.locator("#time-problem").inner_text()
    for selector, value in typed.items():
        assert page.input_value(selector) == value, selector
    _in_the_layout(page, "el", home_link=False)
    assert page.locator("main a.govgr-back-link").count() == 1
    screenshot(page, "error-csrf-booking-details")
    assert_accessible(page)
    # Nothing was booked by the refused post; the fresh token lets the same form through.
    with page.expect_navigation():
        page.get_by_role("button", name="Επιβεβαίωση του ραντεβού").click()
    assert "/book/done/" in page.url
    reference = page.url.rstrip("/").rsplit("/", 1)[1]
    run_in_server(
        stack,
        f"""
import json
from keplive.booking.models import Appointment
appointment = Appointment.objects.get(reference="{reference}")
assert appointment.details.email == "maria.expired@example.gr"
appointment.delete()
print(json.dumps("ok"))
""",
    )


# --- Item 4: after booking, the management screen ------------------------------------------------


def test_the_confirmation_shows_the_email_and_the_three_actions(page, server, stack):
    page.goto(server + "/login/?category=1")
    with page.expect_navigation():
        page.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ").click()
    with page.expect_navigation():
        page.locator(".kl-services a").first.click()
    with page.expect_navigation():
        page.locator(".kl-earliest a").first.click()
    with page.expect_navigation():
        page.locator(".kl-time").first.click()
    page.fill("#id_email", "maria.confirm@example.gr")
    page.fill("#id_mobile_phone", "6912345671")
    page.fill("#id_postal_address", "Ερμού 10, 10563 Αθήνα")
    page.fill("#id_id_card_number", "ΑΒ123456")
    page.fill("#id_subject", "Πιστοποιητικό οικογενειακής κατάστασης")
    page.check("#id_consent")
    with page.expect_navigation():
        page.get_by_role("button", name="Επιβεβαίωση του ραντεβού").click()
    assert "/book/done/" in page.url
    reference = page.url.rstrip("/").rsplit("/", 1)[1]
    try:
        assert "maria.confirm@example.gr" in page.locator("#confirmation-email").inner_text()
        actions = page.locator(".kl-manage-actions")
        expected = {
            "Προγραμματισμός εκ νέου": f"/appointments/{reference}/reschedule/",
            "Ακύρωση κράτησης": f"/appointments/{reference}/cancel/",
            "Νέα κράτηση": "/book/",
        }
        for name, href in expected.items():
            assert actions.get_by_role("link", name=name, exact=True).get_attribute("href") == href
        screenshot(page, "booking-done-actions")
        assert_accessible(page)
        with page.expect_navigation():
            actions.get_by_role("link", name="Ακύρωση κράτησης").click()
        assert page.url.endswith(f"/appointments/{reference}/cancel/")
    finally:
        run_in_server(
            stack,
            f"""
import json
from keplive.booking.models import Appointment
Appointment.objects.filter(reference="{reference}").delete()
print(json.dumps("ok"))
""",
        )
