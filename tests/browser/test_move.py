"""Moving an appointment in an urgent case (issue 5, item 4; E4) in Chromium.

demo.employee signs in with the second factor, opens the move page of an appointment of the KEP
of Athens, picks another day and a free time, gives the reason and moves it. The phone call to
the citizen is on the task list; the worker delivers the citizen's email with the new time (in
the SMTP stand-in's folder) and the SMS (a file of the SMS stand-in). The outcome of the call is
recorded. Every page passes axe (WCAG 2.1 AA), also on a phone.
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
    wait_until,
)

pytestmark = pytest.mark.browser

REASON = "Διακοπή ρεύματος στο ΚΕΠ"
WAIT_SECONDS = 90

# A booked appointment at the KEP of Athens, through the booking service, on the first working
# day at least three days ahead with a free time; prints its reference, its day and the next
# working day (where the test moves it).
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

me = Employee.objects.get(user__username="demo.employee")
citizen = new_citizen("ΕΛΕΝΗ", "ΜΕΤΑΦΟΡΑ")
category = Category.objects.get(number=1)
service = Service.objects.filter(
    categories=category, remote_servable=True, municipality=None
).order_by("code")[0]
now = timezone.now()
day = timezone.localdate() + dt.timedelta(days=3)
slots = []
while not slots:
    slots = free_slots_for(
        kep=me.kep, service=service, category=category, start=day, end=day, now=now
    )
    day += dt.timedelta(days=1)
appointment = services.book_appointment(
    citizen=citizen, kep=me.kep, service=service, category=category,
    starts_at=slots[0].start, now=now,
    declaration=Declaration(
        full_name="Ελένη Μεταφορά", email="eleni.move@example.gr", mobile_phone="6987654321",
        postal_address="Σταδίου 5, 10562 Αθήνα", document_kind="id_card",
        id_card_number="ΑΒ112233", subject="Πιστοποιητικό", delivery_method="email",
        language="el",
    ),
)
target = day
while not free_slots_for(
    kep=me.kep, service=service, category=category, start=target, end=target, now=now
):
    target += dt.timedelta(days=1)
print(json.dumps({
    "reference": str(appointment.reference),
    "day": timezone.localdate(appointment.starts_at).isoformat(),
    "target": target.isoformat(),
}))
"""


def create_appointment(stack: dict[str, object]) -> dict[str, str]:
    result: dict[str, str] = run_in_server(stack, SETUP)
    return result


def test_the_employee_moves_an_appointment_and_the_citizen_is_told(
    page: Any, phone: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    created = create_appointment(stack)
    move_path = f"/workspace/appointments/{created['reference']}/move/"
    sign_in_staff(page, server, "demo.employee", next_path=move_path)
    page.wait_for_url(f"**{move_path}")
    assert page.locator("html").get_attribute("lang") == "el"
    assert page.locator("#day-times input[name=starts_at]").count() > 0
    # Seed 002: the citizen is told by phone before the move. The call comes first on the page,
    # with the number to call, then the new time, then the urgent reason.
    phone_top = page.locator("#step-phone").bounding_box()["y"]
    time_top = page.locator("#step-time").bounding_box()["y"]
    reason_top = page.locator("#step-reason").bounding_box()["y"]
    assert phone_top < time_top < reason_top
    assert page.locator("#phone-contact a[href='tel:+306987654321']").is_visible()
    assert_accessible(page)

    # A mistake first: no phone call recorded and no reason. The page says so and keeps the choice.
    page.fill("#id_day", created["target"])
    page.locator("#show-times").click()
    page.wait_for_load_state()
    first = page.locator("#day-times input[name=starts_at]").first
    new_value = first.get_attribute("value") or ""
    assert new_value.startswith(created["target"])
    first.check()
    page.locator("#move-submit").click()
    page.locator("#error-summary").wait_for()
    assert page.locator(f"#day-times input[value='{new_value}']").is_checked()
    assert_accessible(page)

    assert page.locator("#phone-outcome-error").is_visible()
    assert page.locator("#reason-code-error").is_visible()

    # The call (not answered: a second try goes on the list), the reason, and the move.
    page.get_by_label("Δεν απάντησε").check()
    page.get_by_label("Διακοπή ρεύματος ή δικτύου στο ΚΕΠ").check()
    page.fill("#id_reason", REASON)
    screenshot(page, "move-form")
    with page.expect_navigation():
        page.locator("#move-submit").click()
    assert "/workspace/tasks/" in page.url
    page.locator("#moved-banner").wait_for()
    task = page.locator("section.kl-task", has_text="Ελένη Μεταφορά")
    task.wait_for()
    assert "+306987654321" in task.inner_text()
    assert REASON in task.inner_text()
    screenshot(page, "move-tasks")
    assert_accessible(page)

    # The citizen's email, delivered by the worker, with the new time and the reason.
    new_time = new_value[11:16]
    message = wait_for_mail(
        mail_dir, to="eleni.move@example.gr", body_contains=REASON, timeout=WAIT_SECONDS
    )
    text = text_of(message)
    assert new_time in text
    assert REASON in text
    assert "Διακοπή ρεύματος ή δικτύου στο ΚΕΠ" in text
    assert any(part.get_filename() == "appointment.ics" for part in message.iter_attachments())

    # The SMS, a file of the SMS stand-in.
    sms_dir = Path(str(stack["var"])) / "sms"

    def sms_file() -> list[dict[str, str]]:
        found = []
        for path in sms_dir.glob("*.json"):
            record = json.loads(path.read_text(encoding="utf-8"))
            if record["to"] == "+306987654321" and new_time in record["text"]:
                found.append(record)
        return found

    assert wait_until(sms_file, "the SMS", timeout=WAIT_SECONDS, interval=0.5)

    # The call: recorded, and gone from the list.
    task.locator("input[value='reached']").check()
    task.locator("textarea").fill("Ενημερώθηκε για τη νέα ώρα")
    with page.expect_navigation():
        task.locator("button[type=submit]").click()
    page.locator("#done-banner").wait_for()
    assert page.locator("section.kl-task", has_text="Ελένη Μεταφορά").count() == 0

    # On a phone: the move page of the moved appointment fits and passes axe.
    sign_in_staff(phone, server, "demo.employee", next_path=move_path)
    phone.wait_for_url(f"**{move_path}")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1
    screenshot(phone, "move-form-phone")
    assert_accessible(phone)
