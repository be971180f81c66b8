"""An employee's absence strands a booked appointment (issue 6 item 4, A2 and P3) in Chromium.

demo.admin signs in with the second factor, opens the KEP of Athens, follows the link of the
employee who has a booked appointment, tries an absence that ends before it starts (refused,
what was typed kept), then adds an absence covering the appointment: the result says one
appointment went to the conflict worklist, and the absence is listed. Every page passes axe
(WCAG 2.1 AA). The absence is removed at the end (the item closes: the appointment fits again).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, run_in_server, screenshot, sign_in_staff

pytestmark = pytest.mark.browser

# A booked appointment at the KEP of Athens on the first working day at least four days ahead;
# prints the KEP, the employee, the date and the times of the call.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

me = Employee.objects.get(user__username="demo.employee")
citizen = new_citizen("ΝΙΚΟΣ", "ΑΔΕΙΑ")
category = Category.objects.get(number=1)
service = Service.objects.filter(
    categories=category, remote_servable=True, municipality=None
).order_by("code")[0]
now = timezone.now()
day = timezone.localdate() + dt.timedelta(days=4)
slots = []
while not slots:
    slots = free_slots_for(
        kep=me.kep, service=service, category=category, start=day, end=day, now=now
    )
    day += dt.timedelta(days=1)
appointment = services.book_appointment(
    citizen=citizen, kep=me.kep, service=service, category=category,
    starts_at=slots[len(slots) // 2].start, now=now,
    declaration=Declaration(
        full_name="Νίκος Άδεια", email="nikos.absence@example.gr", mobile_phone="6987654323",
        postal_address="Σταδίου 9, 10562 Αθήνα", document_kind="id_card",
        id_card_number="ΑΒ445567", subject="Πιστοποιητικό", delivery_method="email",
        language="el",
    ),
)
start = timezone.localtime(appointment.starts_at)
end = timezone.localtime(appointment.ends_at)
print(json.dumps({
    "kep": me.kep.pk,
    "employee": appointment.employee_id,
    "date": start.date().isoformat(),
    "starts": f"{start:%H:%M}",
    "ends": f"{end:%H:%M}",
}))
"""

CLEANUP = """
import json
from django.utils import timezone
from keplive.audit.services import SYSTEM
from keplive.directory.models import Absence
from keplive.worklist import changes
removed = 0
for absence in Absence.objects.filter(employee_id=EMPLOYEE, reason="REASON"):
    changes.remove_absence(absence=absence, actor=None, origin=SYSTEM, now=timezone.now())
    removed += 1
print(json.dumps(removed))
"""

REASON = "Εκπαίδευση στο νέο σύστημα"


def test_the_administrator_adds_an_absence_that_strands_an_appointment(
    page: Any, server: str, stack: dict[str, object]
) -> None:
    created = run_in_server(stack, SETUP)
    kep, employee = created["kep"], created["employee"]
    kep_path = f"/administration/keps/{kep}/"
    employee_path = f"{kep_path}employees/{employee}/"
    try:
        sign_in_staff(page, server, "demo.admin", next_path=kep_path)
        page.wait_for_url(f"**{kep_path}")
        assert page.locator("html").get_attribute("lang") == "el"
        assert_accessible(page)

        # The KEP's employees, each with a link to their availability and absences.
        with page.expect_navigation():
            page.locator(f"#employee-list tr[data-employee='{employee}'] a").click()
        assert page.url.endswith(employee_path)
        assert page.locator("tr[data-weekday='0']").count() == 1
        assert_accessible(page)

        with page.expect_navigation():
            page.locator("#absence-add").click()
        assert_accessible(page)

        # A mistake first: the absence ends before it starts. Refused, what was typed kept.
        page.fill("#id_starts_date", created["date"])
        page.fill("#id_starts_time", created["ends"])
        page.fill("#id_ends_date", created["date"])
        page.fill("#id_ends_time", created["starts"])
        page.fill("#id_reason", REASON)
        with page.expect_navigation():
            page.locator("#absence-submit").click()
        page.locator("#error-summary").wait_for()
        assert page.input_value("#id_reason") == REASON
        assert page.input_value("#id_starts_date") == created["date"]
        screenshot(page, "admin-absence-refused")
        assert_accessible(page)

        # The absence covering the appointment: it goes to the worklist, still booked.
        page.fill("#id_starts_time", created["starts"])
        page.fill("#id_ends_time", created["ends"])
        with page.expect_navigation():
            page.locator("#absence-submit").click()
        assert page.url.endswith(employee_path)
        page.locator("#result").wait_for()
        warning = page.locator("#result [data-level=warning]")
        assert warning.count() == 1
        assert "1" in warning.inner_text()
        assert page.locator("#result a[href='/administration/worklist/']").count() == 1
        assert page.locator("#absence-list tr[data-absence]").filter(has_text=REASON).count() == 1
        assert page.locator("#employee-conflicts").inner_text().strip() != "0"
        screenshot(page, "admin-absence-result")
        assert_accessible(page)
    finally:
        run_in_server(
            stack,
            CLEANUP.replace("EMPLOYEE", str(employee)).replace("REASON", REASON),
        )
