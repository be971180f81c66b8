"""Changing a KEP's hours and resolving the conflict worklist (issue 6 items 3 and 4) in Chromium.

demo.admin signs in with the second factor and shortens a weekday's hours at the KEP of Athens
so that a booked appointment no longer fits; the result says it went to the worklist, where the
administrator moves it to a free time. The worker delivers the citizen's email with the new
time and the reason. Every page passes axe (WCAG 2.1 AA). The weekday's hours are restored at
the end, so the other journeys find the KEP as the demo left it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    assert_accessible,
    run_in_server,
    screenshot,
    sign_in_staff,
    text_of,
    wait_for_mail,
)

pytestmark = pytest.mark.browser

REASON = "Αλλαγή ωραρίου του ΚΕΠ Αθηνών"
ADDRESS = "eleni.worklist@example.gr"
MAIL_WAIT_SECONDS = 90

# A booked appointment at the KEP of Athens late on the first working day at least three days
# ahead; prints its reference, the KEP, the weekday, that weekday's hours and where to cut them.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

me = Employee.objects.get(user__username="demo.employee")
citizen = new_citizen("ΕΛΕΝΗ", "ΛΙΣΤΑ")
category = Category.objects.get(number=1)
service = Service.objects.filter(
    categories=category, remote_servable=True, municipality=None
).order_by("code")[0]
now = timezone.now()
day = timezone.localdate() + dt.timedelta(days=3)
late = []
while not late:
    slots = free_slots_for(
        kep=me.kep, service=service, category=category, start=day, end=day, now=now
    )
    late = [s for s in slots if timezone.localtime(s.start).hour >= 11]
    day += dt.timedelta(days=1)
appointment = services.book_appointment(
    citizen=citizen, kep=me.kep, service=service, category=category,
    starts_at=late[-1].start, now=now,
    declaration=Declaration(
        full_name="Ελένη Λίστα", email="ADDRESS", mobile_phone="6987654322",
        postal_address="Σταδίου 7, 10562 Αθήνα", document_kind="id_card",
        id_card_number="ΑΒ445566", subject="Πιστοποιητικό", delivery_method="email",
        language="el",
    ),
)
start = timezone.localtime(appointment.starts_at)
hours = list(me.kep.opening_hours.filter(weekday=start.weekday()).order_by("opens"))
print(json.dumps({
    "reference": str(appointment.reference),
    "kep": me.kep.pk,
    "weekday": start.weekday(),
    "hours": [[f"{h.opens:%H:%M}", f"{h.closes:%H:%M}"] for h in hours],
    "opens": f"{hours[0].opens:%H:%M}",
    "cut": f"{start:%H:%M}",
}))
""".replace("ADDRESS", ADDRESS)

ITEM = """
import json
from keplive.worklist.models import ConflictItem
item = ConflictItem.objects.get(appointment__reference="REFERENCE", resolved_at__isnull=True)
print(json.dumps(item.pk))
"""

RESTORE = """
import datetime as dt, json
from django.utils import timezone
from keplive.audit.services import SYSTEM
from keplive.directory.models import Kep
from keplive.worklist import changes
hours = json.loads('HOURS')
changes.set_weekday_hours(
    kep=Kep.objects.get(pk=KEP), weekday=WEEKDAY,
    intervals=[(dt.time.fromisoformat(o), dt.time.fromisoformat(c)) for o, c in hours],
    actor=None, origin=SYSTEM, now=timezone.now(),
)
print(json.dumps(WEEKDAY))
"""


def test_the_administrator_changes_hours_and_resolves_the_worklist(
    page: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    created = run_in_server(stack, SETUP)
    kep, weekday = created["kep"], created["weekday"]
    hours_path = f"/administration/keps/{kep}/hours/{weekday}/"
    try:
        sign_in_staff(page, server, "demo.admin", next_path=hours_path)
        page.wait_for_url(f"**{hours_path}")
        assert page.locator("html").get_attribute("lang") == "el"
        assert_accessible(page)

        # A mistake first: overlapping intervals. Refused, nothing changed, the input kept.
        page.fill("#id_i-0-opens", created["opens"])
        page.fill("#id_i-0-closes", "12:00")
        page.fill("#id_i-1-opens", "11:00")
        page.fill("#id_i-1-closes", "13:00")
        with page.expect_navigation():
            page.locator("#hours-submit").click()
        page.locator("#error-summary").wait_for()
        assert page.input_value("#id_i-1-opens") == "11:00"
        screenshot(page, "admin-hours-refused")
        assert_accessible(page)

        # Close at the appointment's start: it no longer fits.
        page.fill("#id_i-0-closes", created["cut"])
        for index in range(1, page.locator("fieldset[data-interval]").count()):
            page.fill(f"#id_i-{index}-opens", "")
            page.fill(f"#id_i-{index}-closes", "")
        with page.expect_navigation():
            page.locator("#hours-submit").click()
        assert page.url.endswith(f"/administration/keps/{kep}/")
        result = page.locator("#result")
        result.wait_for()
        assert page.locator("#result [data-level=warning]").count() == 1
        assert (
            page.locator(f"tr[data-weekday='{weekday}']")
            .inner_text()
            .count(f"{created['opens']}–{created['cut']}")
            == 1
        )
        screenshot(page, "admin-hours-result")
        assert_accessible(page)

        # The worklist, and the item of this appointment.
        item = run_in_server(stack, ITEM.replace("REFERENCE", created["reference"]))
        page.goto(f"{server}/administration/worklist/")
        row = page.locator(f"tr[data-item='{item}']")
        row.wait_for()
        assert row.get_attribute("data-cause") == "hours_changed"
        assert "Ελένη" not in page.content()
        assert ADDRESS not in page.content()
        screenshot(page, "admin-worklist")
        assert_accessible(page)

        with page.expect_navigation():
            row.locator("a").click()
        first = page.locator("#move-times input[name=starts_at]").first
        first.wait_for()
        new_value = first.get_attribute("value") or ""
        first.check()
        page.fill("#move_reason", REASON)
        screenshot(page, "admin-worklist-item")
        assert_accessible(page)
        with page.expect_navigation():
            page.locator("#move-submit").click()
        assert page.url.endswith("/administration/worklist/")
        page.locator("#result").wait_for()
        assert page.locator(f"#open-items tr[data-item='{item}']").count() == 0
        assert (
            page.locator(f"#resolved-items tr[data-item='{item}']").get_attribute("data-resolution")
            == "moved"
        )
        screenshot(page, "admin-worklist-resolved")
        assert_accessible(page)

        # The citizen's email, delivered by the worker, with the new time and the reason.
        message = wait_for_mail(
            mail_dir, to=ADDRESS, body_contains=REASON, timeout=MAIL_WAIT_SECONDS
        )
        text = text_of(message)
        assert new_value[11:16] in text
        assert REASON in text
    finally:
        run_in_server(
            stack,
            RESTORE.replace("HOURS", json.dumps(created["hours"]))
            .replace("KEP", str(kep))
            .replace("WEEKDAY", str(weekday)),
        )
