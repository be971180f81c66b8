"""The employee's day as a time grid and a compact week (issue 15, item 12) in Chromium.

A busy day at demo.employee's KEP: demo.employee and two colleagues with calls from 08:00 to
14:00, services with long Greek names. At 1280×900 the day — mine and the whole KEP's — is one
time grid (a real table: times as row headers, employees as column headers) that fits the
screen's width and about one screen's height; every block is reachable with the keyboard; the
week's items are two lines each. Screenshots of each view at 1280 px go to
var/screenshots/workspace/ (and artifacts/screenshots/, CI's artefacts); axe finds nothing.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.browser.conftest import (
    ROOT,
    assert_accessible,
    run_in_server,
    screenshot,
    sign_in_staff,
)

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "var" / "screenshots" / "workspace"

# Three weeks ahead, on a Wednesday, where no other test books: calls every 20 or 30 minutes for
# demo.employee and two new colleagues. Prints the day, its ISO week and the references.
SETUP = """
import datetime as dt, json
from django.db import IntegrityError, transaction
from django.utils import timezone
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

me = Employee.objects.get(user__username="demo.employee")
anna = new_colleague(me.kep, "grid", first_name="Άννα", last_name="Κωνσταντινίδου")
petros = new_colleague(me.kep, "grid", first_name="Πέτρος", last_name="Αλεξανδρόπουλος")
category = Category.objects.get(number=1)
services = sorted(
    Service.objects.filter(categories=category, remote_servable=True, municipality=None),
    key=lambda service: -len(service.title_el),
)[:4]
day = timezone.localdate() + dt.timedelta(days=21)
day += dt.timedelta(days=(2 - day.weekday()) % 7)
names = ["Νίκος Αντωνίου", "Ελένη Παπαδάκη", "Γιώργος Οικονόμου", "Μαρία Σταθοπούλου"]
made = []
for number, (employee, length, first, last) in enumerate(
    [(me, 20, 8 * 60, 14 * 60), (anna, 30, 8 * 60 + 30, 13 * 60), (petros, 20, 9 * 60, 12 * 60)]
):
    citizen = new_citizen("ΠΟΛΙΤΗΣ", f"ΠΛΕΓΜΑ{number}")
    minute = first
    while minute < last:
        start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=ATHENS)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    status=Status.BOOKED, citizen=citizen, kep=me.kep, employee=employee,
                    category=category, service=services[len(made) % len(services)],
                    starts_at=start, ends_at=start + dt.timedelta(minutes=length),
                    blocked_until=start + dt.timedelta(minutes=length),
                )
                AppointmentDetails.objects.create(
                    appointment=appointment, full_name=names[len(made) % len(names)],
                    email="grid@example.gr", mobile_phone="+306912345678",
                    postal_address="Πανεπιστημίου 20, 10679 Αθήνα", document_kind="id_card",
                    id_card_number="ΑΖ765432", subject="Βεβαίωση", delivery_method="post",
                    interpreter="", consent_at=timezone.now(),
                )
            made.append({"reference": str(appointment.reference), "mine": employee == me})
        except IntegrityError:
            pass  # demo.employee busy at that time already
        minute += length
year, week, _ = day.isocalendar()
print(json.dumps({"day": day.isoformat(), "week": f"{year}-W{week:02d}", "made": made}))
"""


def keep(page: Any, name: str) -> None:
    """A full-page screenshot in artifacts/screenshots/ and var/screenshots/workspace/."""
    path = screenshot(page, f"workspace-{name}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENSHOTS / f"{name}.png")


def fits_and_reads(page: Any, made: list[dict[str, Any]], *, columns: int, name: str) -> None:
    grid = page.locator("#kl-day-grid")
    grid.wait_for()
    keep(page, name)
    # A real table: the employees are column headers, the times row headers.
    assert grid.locator("thead th[scope=col]").count() == columns + 1
    assert grid.locator("tbody th[scope=row]").count() >= 14  # 08:00–15:00 at least
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # 08:00–15:00 is about one screen, not 6,000 px.
    box = grid.bounding_box()
    assert box is not None
    assert box["height"] <= 900, box
    # Each block shows the citizen's initials, not a six-line wrap of the service.
    for item in made[:6]:
        block = grid.locator(f"td[data-reference='{item['reference']}']")
        assert block.count() == 1
        height = block.bounding_box()["height"]
        assert height <= 80, height
        initials = block.locator(".kl-block__who [aria-hidden=true]").inner_text().strip()
        assert initials.endswith("."), initials
        assert len(initials) <= 6, initials


def test_the_day_is_a_time_grid_on_one_screen(
    page: Any, server: str, stack: dict[str, object]
) -> None:
    created = run_in_server(stack, SETUP)
    made = created["made"]
    mine = [item for item in made if item["mine"]]
    assert len(mine) >= 10
    assert len(made) >= 25
    sign_in_staff(page, server, "demo.employee", next_path=f"/workspace/?day={created['day']}")

    fits_and_reads(page, mine, columns=1, name="day-mine-1280")
    assert_accessible(page)

    # Keyboard: Tab from the day field reaches the first block's details link.
    first = page.locator(f"td[data-reference='{mine[0]['reference']}'] .kl-block__who")
    page.locator("#day").focus()
    for _press in range(12):
        page.keyboard.press("Tab")
        if first.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the first block is not reachable with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"/workspace/appointments/{mine[0]['reference']}/" in page.url

    # The whole KEP: a column per employee with calls that day, still within 1280 px.
    page.goto(f"{server}/workspace/?day={created['day']}&scope=kep")
    fits_and_reads(page, made, columns=3, name="day-kep-1280")
    headers = page.locator("#kl-day-grid thead th[scope=col]").all_inner_texts()
    assert any("Κωνσταντινίδου" in header for header in headers)
    assert_accessible(page)

    # The week: two lines per appointment, and a page far shorter than 6,000 px.
    page.goto(f"{server}/workspace/week/?week={created['week']}&scope=kep")
    items = page.locator(".kl-week__item")
    items.first.wait_for()
    assert items.count() == len(made)
    keep(page, "week-kep-1280")
    for index in (0, len(made) // 2, len(made) - 1):
        height = items.nth(index).bounding_box()["height"]
        assert height <= 48, (index, height)
    # 36 calls on one day: about 3,000 px with the staff header and navigation (6,000 before).
    assert page.evaluate("document.documentElement.scrollHeight") <= 3500
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_accessible(page)

    page.goto(f"{server}/workspace/week/?week={created['week']}")
    page.locator(".kl-week__item").first.wait_for()
    keep(page, "week-mine-1280")
    assert_accessible(page)

    # Give the times back: the session's other tests book demo.employee on near days only,
    # but the whole KEP's views of later tests should not carry this test's day.
    references = [item["reference"] for item in made]
    run_in_server(
        stack,
        "import json\n"
        "from django.utils import timezone\n"
        "from keplive.booking.models import Appointment, Status\n"
        f"n = Appointment.objects.filter(reference__in={references!r}).update("
        "status=Status.CANCELLED, cancelled_at=timezone.now())\n"
        "print(json.dumps(n))\n",
    )
