"""The ministry's dashboard and audit log in Chromium (issue 6 items 2 and 8, "Proof").

demo.admin signs in with password and code, reads the overview and the dashboard, filters it,
meets a clear message for an inverted period, downloads a CSV, searches the audit log and
verifies the chain; demo.auditor reaches the audit log only. Each key page is checked with
axe-core (WCAG 2.1 AA) and kept as a screenshot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, run_in_server, screenshot, sign_in_staff

pytestmark = pytest.mark.browser

# Appointments of yesterday at demo.employee's KEP, served by an employee of their own (so
# they never clash with what other tests book), in the server's own database.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.accounts.models import Citizen
from keplive.booking.models import Appointment, Status
from keplive.calls.models import Call, CallState
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee

kep = Employee.objects.get(user__username="demo.employee").kep
employee = new_colleague(kep, "dash")
citizen = Citizen.objects.order_by("pk").first()
category = Category.objects.get(number=1)
service = Service.objects.filter(categories=category).order_by("pk").first()
yesterday = timezone.localdate() - dt.timedelta(days=1)
start = dt.datetime.combine(yesterday, dt.time(9), tzinfo=timezone.get_current_timezone())
made = []
for n, (status, state) in enumerate([
    ("booked", "ended"), ("booked", "no_show"), ("booked", None), ("cancelled", None),
]):
    at = start + dt.timedelta(minutes=30 * n)
    appointment = Appointment.objects.create(
        status=status, citizen=citizen, kep=kep, employee=employee, category=category,
        service=service, starts_at=at, ends_at=at + dt.timedelta(minutes=20),
        blocked_until=at + dt.timedelta(minutes=25),
        cancelled_at=at - dt.timedelta(days=1) if status == "cancelled" else None,
    )
    if state:
        Call.objects.create(
            appointment=appointment, state=state, opened_at=at,
            no_show_at=at + dt.timedelta(minutes=10) if state == "no_show" else None,
        )
print(json.dumps({"kep": kep.pk, "code": kep.code, "day": yesterday.isoformat()}))
"""


def create_appointments(stack: dict[str, object]) -> dict[str, Any]:
    result: dict[str, Any] = run_in_server(stack, SETUP)
    return result


def figure(page: Any, name: str) -> str:
    return str(page.locator(f'[data-figure="{name}"]').first.inner_text()).strip()


def nav_links(page: Any) -> list[str]:
    return list(page.locator("nav.kl-admin-nav a").evaluate_all("els => els.map(e => e.pathname)"))


def test_an_administrator_reads_filters_and_exports_the_dashboard_and_verifies_the_chain(
    stack: dict[str, object], server: str, page: Any
) -> None:
    made = create_appointments(stack)
    sign_in_staff(page, server, "demo.admin")
    assert page.url == f"{server}/administration/"
    assert page.locator("html").get_attribute("lang") == "el"
    assert int(figure(page, "appointments")) >= 4
    assert page.locator("svg#chart-home-days").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "admin-overview")
    assert {
        "/administration/",
        "/administration/dashboard/",
        "/administration/audit/",
    } <= set(nav_links(page))

    # The dashboard, all of it, then one KEP over the day of the appointments.
    page.locator("nav.kl-admin-nav a[href='/administration/dashboard/']").click()
    page.wait_for_url("**/administration/dashboard/")
    for chart in ("chart-by-day", "chart-by-kep", "chart-by-category", "chart-by-status"):
        assert page.locator(f"svg#{chart}").is_visible(), chart
    assert axe_violations(page) == []
    screenshot(page, "admin-dashboard")

    page.fill("#id_start", made["day"])
    page.fill("#id_end", made["day"])
    page.select_option("#id_kep", str(made["kep"]))
    with page.expect_navigation():
        page.locator("form[action='/administration/dashboard/'] button[type=submit]").click()
    assert f"kep={made['kep']}" in page.url
    rows = page.locator("#table-by-kep tbody tr")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-kep") == made["code"]
    assert int(figure(page, "appointments")) >= 4
    # At least the one citizen of ours who did not arrive, of three ended appointments.
    assert figure(page, "citizen-no-show-rate") != "–"
    assert page.locator("#id_kep").input_value() == str(made["kep"])
    screenshot(page, "admin-dashboard-filtered")

    # A CSV of the filtered table, UTF-8 with a byte-order mark for spreadsheets.
    with page.expect_download() as download:
        page.locator("a[href^='/administration/dashboard/by-kep.csv']").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert made["code"].encode() in content

    # An inverted period: a clear message, what was typed kept, no figures.
    page.fill("#id_start", "2026-03-20")
    page.fill("#id_end", "2026-03-10")
    with page.expect_navigation():
        page.locator("form[action='/administration/dashboard/'] button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#id_end-error").is_visible()
    assert page.locator("#id_start").input_value() == "2026-03-20"
    assert page.locator("#key-figures").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "admin-dashboard-error")

    # The audit log: search, then verify the chain.
    page.locator("nav.kl-admin-nav a[href='/administration/audit/']").click()
    page.wait_for_url("**/administration/audit/")
    page.fill("#id_action", "administration.*")
    with page.expect_navigation():
        page.locator("form[action='/administration/audit/'] button[type=submit]").click()
    assert page.locator("#audit-events tbody tr, #no-events").count() >= 1
    assert axe_violations(page) == []
    screenshot(page, "admin-audit-log")
    with page.expect_navigation():
        page.locator("#verify-chain").click()
    result = page.locator("#chain-result")
    assert result.get_attribute("data-intact") == "true"
    assert axe_violations(page) == []
    screenshot(page, "admin-audit-chain")


def test_an_auditor_reaches_the_audit_log_only(server: str, page: Any) -> None:
    sign_in_staff(page, server, "demo.auditor")
    assert page.url.startswith(f"{server}/administration/audit/")
    assert nav_links(page) == ["/administration/audit/"]
    assert page.locator("#audit-events").is_visible()
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    assert Path(download.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")
    screenshot(page, "auditor-audit-log")
    response = page.goto(f"{server}/administration/dashboard/")
    assert response is not None
    assert response.status == 403
    assert axe_violations(page) == []


def test_the_dashboard_fits_a_phone(server: str, phone: Any) -> None:
    sign_in_staff(phone, server, "demo.admin", next_path="/administration/dashboard/")
    assert "/administration/dashboard/" in phone.url
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    screenshot(phone, "admin-dashboard-phone")
