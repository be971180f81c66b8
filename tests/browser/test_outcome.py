"""Outcomes in Chromium (issue 5, items 5–7): the employee signs in with the second factor,
records the outcome of a call that has ended, downloads the successful-submission form, and the
citizen's email with the form reaches the SMTP stand-in; "cannot be served remotely"; the white
application to the municipality's protocol. Each key page is screenshotted and checked with axe.
"""

from __future__ import annotations

import io
import time
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

MAIL_WAIT_SECONDS = 90

# An appointment at demo.employee's KEP (in the server's own database), with what the citizen
# declared and, when SERVED, a call that took place and has ended.
SETUP = """
import datetime as dt, json
from django.utils import timezone
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.calls.models import Call, CallState
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee
from keplive.outcomes.demo import load_demo_white_application_templates

load_demo_white_application_templates()
me = Employee.objects.get(user__username="demo.employee")
colleague = new_colleague(me.kep, "outcome")
citizen = new_citizen("ΕΛΕΝΗ", "ΚΑΡΑΓΙΑΝΝΗ")
category = Category.objects.get(number=CATEGORY)
service = Service.objects.filter(categories=category, remote_servable=True).order_by("code")[0]
start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=START_MINUTES)
appointment = Appointment.objects.create(
    status=Status.BOOKED, citizen=citizen, kep=me.kep, employee=colleague, category=category,
    service=service, starts_at=start, ends_at=start + dt.timedelta(minutes=30),
    blocked_until=start + dt.timedelta(minutes=40),
)
AppointmentDetails.objects.create(
    appointment=appointment, full_name="Ελένη Καραγιάννη", email="EMAIL",
    mobile_phone="+306912345678", postal_address="Ερμού 1, 10563 Αθήνα", document_kind="id_card",
    id_card_number="ΑΒ123456", subject="Βεβαίωση μόνιμης κατοικίας", delivery_method="post",
    consent_at=timezone.now(),
)
if SERVED:
    now = timezone.now()
    Call.objects.create(
        appointment=appointment, state=CallState.ENDED, opened_by=me, opened_at=now,
        knocked_at=now, admitted_at=now, identity_confirmed=True, identity_confirmed_at=now,
        ended_at=now, ended_by=me,
    )
print(json.dumps({"reference": str(appointment.reference), "kep_protocol": me.kep.protocol_email}))
"""


def create_appointment(
    stack: dict[str, object],
    *,
    email_address: str,
    category: int = 1,
    served: bool = False,
    start_minutes: int = -40,
) -> dict[str, str]:
    script = (
        SETUP.replace("CATEGORY", str(category))
        .replace("START_MINUTES", str(start_minutes))
        .replace("SERVED", repr(served))
        .replace("EMAIL", email_address)
    )
    result: dict[str, str] = run_in_server(stack, script)
    return result


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def test_the_employee_records_the_outcome_and_downloads_the_form(
    page: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    created = create_appointment(stack, email_address="eleni.outcome@example.gr", served=True)
    path = f"/workspace/appointments/{created['reference']}/outcome/"
    sign_in_staff(page, server, "demo.employee", next_path=path)
    page.wait_for_url(f"**{path}")
    assert page.locator("html").get_attribute("lang") == "el"
    assert_accessible(page)

    # Bad input first: postal delivery without an address keeps what was typed.
    page.check("input[name=result][value=completed]")
    page.check("input[name=delivery_method][value=post]")
    page.fill("#id_delivery_address", "")
    page.fill("#id_note", "Παραλαβή από τον σύζυγο")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#id_note").input_value() == "Παραλαβή από τον σύζυγο"
    assert_accessible(page)
    screenshot(page, "outcome-error")

    page.fill("#id_delivery_address", "Ερμού 1, 10563 Αθήνα")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#outcome-done").is_visible()
    protocol = page.locator("#protocol-number").inner_text().strip()
    assert protocol.startswith("KEPLIVE-")
    assert_accessible(page)

    # The form, downloaded as the employee would.
    with page.expect_download() as download_info:
        page.click("#form-pdf")
    pdf = Path(download_info.value.path()).read_bytes()
    text = pdf_text(pdf)
    assert protocol in text
    assert "Ελένη Καραγιάννη" in text
    assert "Ερμού 1, 10563 Αθήνα" in text

    # The worker registers the case with e-KEP's stand-in; the page then says so.
    cases = Path(str(stack["var"])) / "ekep" / "cases.jsonl"
    wait_until(
        lambda: cases.exists() and protocol in cases.read_text(),
        "the e-KEP registration",
        timeout=90,
        interval=0.5,
    )
    page.reload()
    assert "EKEP-LOCAL-" in page.locator("#ekep-status").inner_text()
    screenshot(page, "outcome-recorded")

    # The citizen's email, with the form attached, reached the SMTP stand-in.
    message = wait_for_mail(mail_dir, to="eleni.outcome@example.gr", timeout=MAIL_WAIT_SECONDS)
    assert protocol in str(message["Subject"])
    assert f"/appointments/{created['reference']}/form.pdf" in text_of(message)
    assert any(part.get_filename() == f"{protocol}.pdf" for part in message.iter_attachments())

    # A second attempt is refused: the page shows the outcome, not the form.
    assert page.locator("input[name=result]").count() == 0

    # The day's postal deliveries for ELTA.
    page.goto(f"{server}/workspace/postal/")
    assert page.get_by_text(protocol).is_visible()
    assert_accessible(page)
    screenshot(page, "outcome-postal")
    with page.expect_download() as csv_info:
        page.locator("main a[download]").click()
    csv_text = Path(csv_info.value.path()).read_bytes().decode("utf-8")
    assert csv_text.startswith("\ufeff")
    assert protocol in csv_text
    assert "10563" in csv_text


def test_not_servable_remotely_closes_the_appointment_with_one_email(
    page: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    created = create_appointment(stack, email_address="eleni.courier@example.gr", start_minutes=90)
    path = f"/workspace/appointments/{created['reference']}/not-servable/"
    sign_in_staff(page, server, "demo.employee", next_path=path)
    page.wait_for_url(f"**{path}")
    assert_accessible(page)
    page.check("input[name=alternative][value=courier]")
    page.fill("#id_note", "Στείλτε την αίτηση με ΕΛΤΑ Courier στο ΚΕΠ.")
    screenshot(page, "outcome-not-servable")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#outcome [data-result=not_servable]").is_visible()
    assert_accessible(page)
    message = wait_for_mail(mail_dir, to="eleni.courier@example.gr", timeout=MAIL_WAIT_SECONDS)
    assert "Στείλτε την αίτηση με ΕΛΤΑ Courier στο ΚΕΠ." in text_of(message)
    time.sleep(3)  # a cancellation email would have left by now, too
    addressed = [
        p
        for p in mail_dir.glob("*.eml")
        if "eleni.courier@example.gr" in p.read_text("utf-8", "ignore")
    ]
    assert len(addressed) == 1


def test_the_white_application_goes_to_the_municipalitys_protocol(
    page: Any, server: str, stack: dict[str, object], mail_dir: Path
) -> None:
    created = create_appointment(
        stack, email_address="eleni.white@example.gr", category=4, served=True
    )
    path = f"/workspace/appointments/{created['reference']}/white-application/"
    sign_in_staff(page, server, "demo.employee", next_path=path)
    page.wait_for_url(f"**{path}")
    assert "Βεβαίωση μόνιμης κατοικίας" in page.locator("#preview").inner_text()
    assert_accessible(page)
    page.fill("#id_request_text", "Βεβαίωση μόνιμης κατοικίας για εγγραφή σε σχολείο")
    with page.expect_navigation():
        page.click("button[value=preview]")
    assert "εγγραφή σε σχολείο" in page.locator("#preview").inner_text()
    screenshot(page, "outcome-white-application")
    with page.expect_navigation():
        page.click("#send")
    assert page.locator("#white-application-sent").is_visible()
    assert_accessible(page)
    message = wait_for_mail(mail_dir, to=created["kep_protocol"], timeout=MAIL_WAIT_SECONDS)
    (attachment,) = [p for p in message.iter_attachments() if p.get_filename().endswith(".pdf")]
    text = pdf_text(attachment.get_content())
    assert "Ελένη Καραγιάννη" in text
    assert "εγγραφή σε σχολείο" in text


def test_each_municipal_service_has_its_own_white_application(
    page: Any, server: str, stack: dict[str, object]
) -> None:
    """Seed 002 attaches a white application per municipal service: the demo municipality's
    resident parking card has its own; its tree pruning falls back to the municipality's
    general one."""
    references = {}
    for slug in ("resident-parking-card", "tree-pruning"):
        script = (
            SETUP.replace("CATEGORY", "4")
            .replace("START_MINUTES", "-40")
            .replace("SERVED", "True")
            .replace("EMAIL", f"white.{slug}@example.gr")
            .replace(
                "service = Service.objects.filter(categories=category, remote_servable=True)"
                '.order_by("code")[0]',
                f'service = Service.objects.get(code=me.kep.municipality.code + "-{slug}")',
            )
        )
        references[slug] = run_in_server(stack, script)["reference"]

    path = f"/workspace/appointments/{references['resident-parking-card']}/white-application/"
    sign_in_staff(page, server, "demo.employee", next_path=path)
    page.wait_for_url(f"**{path}")
    assert page.locator("#template-title").inner_text() == (
        "Αίτηση για κάρτα στάθμευσης μόνιμου κατοίκου"
    )
    assert "ΑΙΤΗΣΗ ΓΙΑ ΚΑΡΤΑ ΣΤΑΘΜΕΥΣΗΣ ΜΟΝΙΜΟΥ ΚΑΤΟΙΚΟΥ" in page.locator("#preview").inner_text()
    assert "για αυτή την υπηρεσία" in page.locator("#template-origin").inner_text()
    screenshot(page, "outcome-white-application-per-service")
    assert_accessible(page)

    page.goto(f"{server}/workspace/appointments/{references['tree-pruning']}/white-application/")
    assert page.locator("#template-title").inner_text() == "Αίτηση προς τον Δήμο"
    assert "γενικό υπόδειγμα" in page.locator("#template-origin").inner_text()
    assert_accessible(page)
