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
