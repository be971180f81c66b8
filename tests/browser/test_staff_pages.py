"""Staff pages polished (issue 15, item 13) in Chromium.

- Before the second factor the header shows no name and no staff link (only "log out").
- Dates on staff pages have the month in the genitive («7 Δεκεμβρίου»), never 7/12/2026.
- A requirement that is not there reads «Καμία», not «Κανένας».
- The administration has one «Αποσύνδεση» per page.
- The dashboard's chart labels are whole (wrapped, never cut with "…").
Every page passes axe (WCAG 2.1 AA) without a CSP violation.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    _demo_code,
    assert_accessible,
    release_booking,
    run_in_server,
    screenshot,
    sign_in_staff,
)

pytestmark = pytest.mark.browser

NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b")
GENITIVE_MONTH = re.compile(
    "Ιανουαρίου|Φεβρουαρίου|Μαρτίου|Απριλίου|Μαΐου|Ιουνίου|Ιουλίου|Αυγούστου|Σεπτεμβρίου"
    "|Οκτωβρίου|Νοεμβρίου|Δεκεμβρίου"
)

# A booked appointment of demo.employee, without an interpreter, three weeks and a day ahead,
# moved once by the KEP (so that its history has a dated entry).
SETUP = """
import datetime as dt, json
from django.db import IntegrityError, transaction
from django.utils import timezone
from keplive.audit.services import SYSTEM
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.booking.staff_changes import reassign_appointment
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

me = Employee.objects.get(user__username="demo.employee")
colleague = new_colleague(me.kep, "dates", first_name="Δήμητρα", last_name="Ημερομηνίου")
category = Category.objects.get(number=1)
service = Service.objects.filter(categories=category, remote_servable=True).order_by("code")[0]
day = timezone.localdate() + dt.timedelta(days=22)
start = dt.datetime.combine(day, dt.time(12, 40), tzinfo=ATHENS)
appointment = Appointment.objects.create(
    status=Status.BOOKED, citizen=new_citizen("ΗΜΕΡΑ", "ΓΕΝΙΚΗ"), kep=me.kep, employee=colleague,
    category=category, service=service, starts_at=start, ends_at=start + dt.timedelta(minutes=20),
    blocked_until=start + dt.timedelta(minutes=25),
)
AppointmentDetails.objects.create(
    appointment=appointment, full_name="Ηλέκτρα Γενική", email="dates@example.gr",
    mobile_phone="+306912345671", postal_address="Ερμού 3, 10563 Αθήνα", document_kind="id_card",
    id_card_number="ΑΒ123458", subject="Βεβαίωση", delivery_method="email", interpreter="",
    consent_at=timezone.now(),
)
other = new_colleague(me.kep, "dates")
reassign_appointment(
    reference=appointment.reference, to_employee=other, reason="Άδεια", actor=None,
    origin=SYSTEM, now=timezone.now(),
)
print(json.dumps({"reference": str(appointment.reference)}))
"""


def main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def test_before_the_second_factor_the_header_names_no_one(page: Any, server: str) -> None:
    page.goto(f"{server}/workspace/login/")
    page.fill("input[name=username]", "demo.employee")
    page.fill("input[name=password]", "keplive-demo")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/verify/" in page.url
    header = page.locator("header .login-status")
    assert header.locator(".login-status__name").count() == 0
    assert header.locator("a").count() == 0  # no "my workday", no administration
    assert page.locator(".kl-staff-nav").count() == 0
    assert_accessible(page)
    # After it: the name and the workspace.
    page.fill("input[name=token]", _demo_code("demo.employee"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert header.locator(".login-status__name").count() == 1


def test_staff_dates_have_the_month_in_the_genitive(
    page: Any, server: str, stack: dict[str, object]
) -> None:
    created = run_in_server(stack, SETUP)
    path = f"/workspace/appointments/{created['reference']}/"
    try:
        sign_in_staff(page, server, "demo.employee", next_path=path)
        text = main_text(page)
        assert not NUMERIC_DATE.search(text), NUMERIC_DATE.search(text)
        assert GENITIVE_MONTH.search(text)
        assert "Κανένας" not in text
        assert "Καμία" in page.locator("#declared, main").first.inner_text()
        screenshot(page, "staff-dates-appointment")
        assert_accessible(page)

        page.goto(f"{server}/workspace/tasks/")
        assert not NUMERIC_DATE.search(main_text(page))
    finally:
        release_booking(stack, created["reference"])


def test_the_administration_has_one_logout_and_whole_chart_labels(page: Any, server: str) -> None:
    sign_in_staff(page, server, "demo.admin", next_path="/administration/dashboard/")
    assert page.get_by_role("button", name="Αποσύνδεση").count() == 1
    charts = page.locator("svg.kl-chart")
    assert charts.count() >= 1
    for text in charts.locator("text").all_text_contents():
        assert "…" not in text
    assert not NUMERIC_DATE.search(main_text(page))
    screenshot(page, "staff-dashboard-labels")
    assert_accessible(page)

    page.goto(f"{server}/administration/audit/")
    assert page.get_by_role("button", name="Αποσύνδεση").count() == 1
    text = main_text(page)
    assert not NUMERIC_DATE.search(text), NUMERIC_DATE.search(text)
    assert_accessible(page)
