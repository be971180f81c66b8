"""The employee's calendar and the in-page reminder in Chromium (issue 5, items 2 and 3).

demo.employee (KEP of Athens) signs in through the real login with the second factor, sees the
day and the week, switches to the whole KEP, opens an appointment's details, watches the
calendar update by itself, and gets the reminder of an appointment starting in 14 minutes:
a banner (role="alert") and, with the permission granted, a browser notification. Every page
passes axe (WCAG 2.1 AA), also on a phone.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, run_in_server, screenshot, sign_in_staff

pytestmark = pytest.mark.browser

# Appointments in the server's own database: demo.employee's, starting ``MINUTES`` from now
# (a few minutes earlier when another test already holds that time), and one of a colleague of
# the same KEP at the same time. Prints their references and local day.
SETUP = """
import datetime as dt, json
from django.db import IntegrityError, transaction
from django.utils import timezone
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

me = Employee.objects.get(user__username="demo.employee")
colleague = new_colleague(me.kep, "cal", first_name="Άννα", last_name="Συναδέλφου")
citizen = new_citizen("ΝΙΚΟΣ", "ΑΝΤΩΝΙΟΥ")
category = Category.objects.get(number=CATEGORY)
service = Service.objects.filter(
    categories=category, remote_servable=True, municipality=None
).order_by("code")[0]


def create(employee, start, name, interpreter=""):
    with transaction.atomic():
        appointment = Appointment.objects.create(
            status=Status.BOOKED, citizen=citizen, kep=me.kep, employee=employee,
            category=category, service=service, starts_at=start,
            ends_at=start + dt.timedelta(minutes=3), blocked_until=start + dt.timedelta(minutes=3),
        )
        AppointmentDetails.objects.create(
            appointment=appointment, full_name=name, email="nikos@example.gr",
            mobile_phone="+306912345678", postal_address="Πανεπιστημίου 20, 10679 Αθήνα",
            document_kind="id_card", id_card_number="ΑΖ765432", subject="Βεβαίωση",
            delivery_method="post", interpreter=interpreter, consent_at=timezone.now(),
        )
    return appointment


now = timezone.now().replace(microsecond=0)
mine = None
for minutes in (MINUTES, MINUTES - 1, MINUTES - 2, MINUTES - 3, MINUTES - 4):
    try:
        mine = create(me, now + dt.timedelta(minutes=minutes), NAME, INTERPRETER)
        break
    except IntegrityError:
        continue
assert mine is not None, "demo.employee is busy at every time tried"
theirs = create(colleague, mine.starts_at, "Ελένη Συναδέλφου")
print(json.dumps({
    "mine": str(mine.reference),
    "theirs": str(theirs.reference),
    "day": timezone.localdate(mine.starts_at).isoformat(),
    "time": timezone.localtime(mine.starts_at).strftime("%H:%M"),
    "colleague": "Άννα Συναδέλφου",
}))
"""


def create_appointments(
    stack: dict[str, object],
    *,
    minutes: int,
    name: str = "Νίκος Αντωνίου",
    interpreter: str = "",
    category: int = 1,
) -> dict[str, str]:
    script = (
        SETUP.replace("MINUTES", str(minutes))
        .replace("NAME", repr(name))
        .replace("INTERPRETER", repr(interpreter))
        .replace("CATEGORY", str(category))
    )
    result: dict[str, str] = run_in_server(stack, script)
    return result


def test_the_employee_sees_the_day_the_week_and_the_details(
    page: Any, server: str, stack: dict[str, object]
) -> None:
    # Three hours ahead: no reminder in this test, a call on today's (or tomorrow's) calendar.
    created = create_appointments(
        stack, minutes=180, name="Νίκος Αντωνίου", interpreter="sign_language", category=3
    )
    sign_in_staff(page, server, "demo.employee", next_path=f"/workspace/?day={created['day']}")

    # The day: my appointments, with the citizen, the interpreter and the call state.
    row = page.locator(f"#kl-agenda [data-reference='{created['mine']}']")
    row.wait_for()
    assert "Νίκος Αντωνίου" in row.inner_text()
    assert row.locator(".kl-tag--interpreter").count() == 1
    assert row.locator("[data-call-state='scheduled']").count() == 1
    assert page.locator(f"#kl-agenda [data-reference='{created['theirs']}']").count() == 0
    assert page.locator("#kl-reminders").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scroll
    screenshot(page, "calendar-day")
    assert_accessible(page)

    # The whole KEP: the colleague's appointment too, and who serves it.
    page.locator("a[data-scope='kep']").click()
    theirs = page.locator(f"#kl-agenda [data-reference='{created['theirs']}']")
    theirs.wait_for()
    # The time grid: the colleague's calls are in the colleague's column.
    headers = page.locator("#kl-day-grid thead th[scope=col]").all_inner_texts()
    assert any(created["colleague"] in header for header in headers)
    assert "scope=kep" in page.url
    screenshot(page, "calendar-day-kep")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_accessible(page)

    # The week, still the whole KEP; then mine.
    page.locator("a[data-view='week']").click()
    page.wait_for_url("**/workspace/week/**")
    assert "scope=kep" in page.url
    page.locator(f".kl-week__item[data-reference='{created['theirs']}']").wait_for()
    page.locator("a[data-scope='mine']").click()
    page.wait_for_url("**scope=mine**")
    item = page.locator(f".kl-week__item[data-reference='{created['mine']}']")
    item.wait_for()
    assert page.locator(f".kl-week__item[data-reference='{created['theirs']}']").count() == 0
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('.kl-week')).gridTemplateColumns.split(' ').length"
    )
    assert columns >= 5  # a grid of days on a large screen
    screenshot(page, "calendar-week")
    assert_accessible(page)

    # The details: declared data with the document masked, the interpreter's link, the history.
    item.get_by_role("link", name="Νίκος Αντωνίου").click()
    page.wait_for_url(f"**/workspace/appointments/{created['mine']}/")
    declared = page.locator("#declared").inner_text()
    assert "Νίκος Αντωνίου" in declared
    assert "Πανεπιστημίου 20, 10679 Αθήνα" in declared
    assert "••••••32" in declared
    assert "ΑΖ765432" not in page.content()
    assert "/interpret/" in (page.locator("#interpreter-link").get_attribute("href") or "")
    join = page.locator("#join-call").get_attribute("href")
    assert join == f"/workspace/calls/{created['mine']}/"
    screenshot(page, "calendar-details")
    assert_accessible(page)


def test_the_calendar_updates_by_itself(page: Any, server: str, stack: dict[str, object]) -> None:
    first = create_appointments(stack, minutes=240, name="Πρώτη Πολίτισσα")
    sign_in_staff(page, server, "demo.employee", next_path=f"/workspace/?day={first['day']}")
    page.locator(f"#kl-agenda [data-reference='{first['mine']}']").wait_for()
    before = page.evaluate("window.keplive.workspace.refreshes")
    # Unchanged: the poll is answered 304, and the table is not reloaded.
    page.evaluate("window.keplive.workspace.poll()")
    page.evaluate("window.keplive.workspace.poll()")
    assert page.evaluate("window.keplive.workspace.notModified") >= 1
    assert page.evaluate("window.keplive.workspace.refreshes") == before

    # Ten minutes after the first, or ten before when that would cross midnight: the same day.
    offset = 250 if first["time"] < "23:45" else 230
    second = create_appointments(stack, minutes=offset, name="Δεύτερη Πολίτισσα")
    assert second["day"] == first["day"]
    page.evaluate("window.keplive.workspace.poll()")
    page.locator(f"#kl-agenda [data-reference='{second['mine']}']").wait_for()
    assert "Δεύτερη Πολίτισσα" in page.locator("#kl-agenda").inner_text()
    status = page.locator("#kl-agenda-status")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text().strip() != ""


def test_the_reminder_14_minutes_before(
    browser: Any, server: str, stack: dict[str, object]
) -> None:
    context = browser.new_context(
        locale="el-GR", viewport={"width": 1280, "height": 900}, permissions=["notifications"]
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        created = create_appointments(stack, minutes=14, name="Υπενθύμιση Δοκιμής")
        sign_in_staff(page, server, "demo.employee")
        assert page.evaluate("Notification.permission") == "granted"

        banner = page.locator(f"#kl-reminder-banners [data-reference='{created['mine']}']")
        banner.wait_for()
        assert banner.get_attribute("role") == "alert"
        text = banner.inner_text()
        assert created["time"] in text
        assert "Υπενθύμιση Δοκιμής" not in text  # no personal data in the reminder
        assert banner.locator("a").get_attribute("href") == (
            f"/workspace/appointments/{created['mine']}/"
        )
        assert created["mine"] in page.evaluate("window.keplive.workspace.reminded")
        assert created["mine"] in page.evaluate("window.keplive.workspace.notified")

        # Sound needs a gesture: the button turns it on (and asks for notifications if needed).
        page.locator("#kl-reminders-enable").click()
        assert page.evaluate("localStorage.getItem('keplive.reminders.sound')") == "on"
        assert page.locator("#kl-reminders-enable").is_hidden()
        screenshot(page, "calendar-reminder")
        assert_accessible(page)

        # Once per browser: another page shows the banner quietly, without a second alert.
        page.goto(f"{server}/workspace/week/")
        again = page.locator(f"#kl-reminder-banners [data-reference='{created['mine']}']")
        again.wait_for()
        assert again.get_attribute("role") is None
        assert page.evaluate("window.keplive.workspace.reminded") == []
        # Dismissed, it stays away.
        again.get_by_role("button").click()
        page.reload()
        page.wait_for_function("window.keplive && window.keplive.workspace.polls > 0")
        page.evaluate("window.keplive.workspace.check()")
        assert page.locator(f"[data-reference='{created['mine']}'].kl-reminder").count() == 0
    finally:
        context.close()


def test_the_calendar_on_a_phone(phone: Any, server: str, stack: dict[str, object]) -> None:
    created = create_appointments(stack, minutes=300, name="Κινητό Τηλέφωνο")
    sign_in_staff(phone, server, "demo.employee", next_path=f"/workspace/?day={created['day']}")
    row = phone.locator(f"#kl-agenda [data-reference='{created['mine']}']")
    row.wait_for()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing scrolls sideways
    screenshot(phone, "calendar-day-phone")
    assert_accessible(phone)

    phone.goto(f"{server}/workspace/week/?day={created['day']}")
    phone.locator(".kl-week").wait_for()
    columns = phone.evaluate(
        "getComputedStyle(document.querySelector('.kl-week')).gridTemplateColumns.split(' ').length"
    )
    assert columns == 1  # a list on a phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "calendar-week-phone")
    assert_accessible(phone)

    phone.goto(f"{server}/workspace/appointments/{created['mine']}/")
    phone.locator("#declared").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "calendar-details-phone")
    assert_accessible(phone)
