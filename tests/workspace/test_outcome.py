"""The outcome pages of the workspace: another KEP's appointment is 404 on every page, bad
input re-renders with the error beside the field and what was typed kept, and the journeys
(record, form, not servable, white application, ELTA list) work through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.calls.models import Call, CallState
from keplive.catalogue.models import Category
from keplive.notifications.models import OutboxMessage
from keplive.outcomes.models import Outcome, WhiteApplicationTemplate
from tests.factories import CitizenFactory, EmployeeFactory, ServiceFactory
from tests.staff import login_staff

pytestmark = pytest.mark.django_db

ADDRESS = "Ερμού 10, 10563 Αθήνα"


@pytest.fixture(autouse=True)
def quiet(settings, tmp_path):
    settings.KEPLIVE_EKEP_LOCAL_FILE = tmp_path / "ekep.jsonl"
    settings.KEPLIVE_OUTBOX_DELIVER_ON_COMMIT = False


@pytest.fixture
def appointment_at(citizen):
    def make(kep, *, category=1, starts_in=dt.timedelta(hours=1), served=False) -> Appointment:
        start = timezone.now().replace(microsecond=0) + starts_in
        appointment = Appointment.objects.create(
            status=Status.BOOKED,
            citizen=citizen,
            kep=kep,
            employee=EmployeeFactory(kep=kep),
            category=Category.objects.get(number=category),
            service=ServiceFactory(categories=[category]),
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            blocked_until=start + dt.timedelta(minutes=40),
        )
        AppointmentDetails.objects.create(
            appointment=appointment,
            full_name="Μαρία Παπαδοπούλου",
            email="maria@example.gr",
            mobile_phone="+306912345678",
            postal_address=ADDRESS,
            document_kind="id_card",
            id_card_number="ΑΒ123456",
            subject="Βεβαίωση μόνιμης κατοικίας",
            delivery_method="post",
            consent_at=timezone.now(),
        )
        if served:
            now = timezone.now()
            Call.objects.create(
                appointment=appointment,
                state=CallState.ENDED,
                knocked_at=now,
                admitted_at=now,
                identity_confirmed=True,
                ended_at=now,
            )
        return appointment

    return make


def urls(reference) -> list[tuple[str, str]]:
    base = f"/workspace/appointments/{reference}"
    return [
        ("get", f"{base}/outcome/"),
        ("post", f"{base}/outcome/"),
        ("get", f"{base}/not-servable/"),
        ("post", f"{base}/not-servable/"),
        ("get", f"{base}/form.pdf"),
        ("get", f"{base}/white-application/"),
        ("post", f"{base}/white-application/"),
        ("get", f"{base}/white-application.pdf"),
        ("post", f"{base}/white-application.pdf"),
    ]


def test_another_keps_appointment_is_not_found_on_every_page(
    employee_client, other_kep, appointment_at
):
    appointment = appointment_at(other_kep, category=4, served=True)
    WhiteApplicationTemplate.objects.create(
        municipality=other_kep.municipality, title="t", body="b"
    )
    for method, url in [*urls(appointment.reference), *urls("no-such-reference")]:
        data = {
            "result": "cancelled_by_kep",
            "note": "x",
            "alternative": "visit",
            "request_text": "x",
            "action": "send",
        }
        response = (
            getattr(employee_client, method)(url, data)
            if method == "post"
            else (employee_client.get(url))
        )
        assert response.status_code == 404, url
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED
    assert not Outcome.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_bad_input_is_shown_beside_the_field_and_kept(employee_client, kep, appointment_at):
    appointment = appointment_at(kep, served=True)
    url = f"/workspace/appointments/{appointment.reference}/outcome/"
    response = employee_client.post(
        url,
        {
            "result": "completed",
            "delivery_method": "post",
            "delivery_address": "",
            "delivery_email": "typed@example.gr",
            "note": "Σημείωση που πληκτρολογήθηκε",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'id="id_delivery_address" name="delivery_address"' in html
    assert 'aria-invalid="true"' in html
    assert "typed@example.gr" in html
    assert "Σημείωση που πληκτρολογήθηκε" in html
    assert not Outcome.objects.exists()


def test_completed_is_refused_on_the_page_when_the_call_never_happened(
    employee_client, kep, appointment_at
):
    appointment = appointment_at(kep)
    response = employee_client.post(
        f"/workspace/appointments/{appointment.reference}/outcome/",
        {"result": "completed", "delivery_method": "pickup"},
    )
    assert response.status_code == 400
    assert not Outcome.objects.exists()


def test_nonsense_input_never_gives_a_500(employee_client, kep, appointment_at):
    appointment = appointment_at(kep, served=True)
    base = f"/workspace/appointments/{appointment.reference}"
    for url, data in [
        (f"{base}/outcome/", {"result": "🙂", "delivery_method": "x" * 5000}),
        (
            f"{base}/outcome/",
            {"result": "completed", "delivery_method": "email", "delivery_email": "no"},
        ),
        (f"{base}/not-servable/", {"alternative": "", "note": "x" * 3000}),
        (f"{base}/white-application/", {"request_text": "", "action": "send"}),
        (f"{base}/white-application.pdf", {"request_text": ""}),
    ]:
        assert employee_client.post(url, data).status_code in (400, 404, 409), url
    for url in ("/workspace/postal/?day=2026-02-30", "/workspace/postal.csv?day=yesterday"):
        assert employee_client.get(url).status_code == 400


def test_recording_the_outcome_and_downloading_the_form(employee_client, kep, appointment_at):
    appointment = appointment_at(kep, served=True)
    url = f"/workspace/appointments/{appointment.reference}/outcome/"
    page = employee_client.get(url)
    assert page.status_code == 200
    assert ADDRESS in page.content.decode()  # pre-filled from the declaration
    response = employee_client.post(
        url, {"result": "completed", "delivery_method": "post", "delivery_address": ADDRESS}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?done=1")
    outcome = Outcome.objects.get()
    page = employee_client.get(response["Location"]).content.decode()
    assert outcome.protocol_number in page
    assert 'id="ekep-status"' in page
    pdf = employee_client.get(f"/workspace/appointments/{appointment.reference}/form.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    again = employee_client.post(url, {"result": "no_show"})
    assert again.status_code == 409
    assert Outcome.objects.count() == 1


def test_no_form_before_a_completed_outcome(employee_client, kep, appointment_at):
    appointment = appointment_at(kep)
    response = employee_client.get(f"/workspace/appointments/{appointment.reference}/form.pdf")
    assert response.status_code == 404


def test_not_servable_through_the_page(employee_client, kep, appointment_at):
    appointment = appointment_at(kep)
    url = f"/workspace/appointments/{appointment.reference}/not-servable/"
    assert employee_client.get(url).status_code == 200
    response = employee_client.post(url, {"alternative": "visit", "note": ""})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert OutboxMessage.objects.get().key.startswith("outcome-not-servable:")
    # The outcome page still shows the closed appointment.
    assert employee_client.get(response["Location"]).status_code == 200


def test_white_application_without_a_template(employee_client, kep, appointment_at):
    appointment = appointment_at(kep, category=4)
    url = f"/workspace/appointments/{appointment.reference}/white-application/"
    assert 'id="no-template"' in employee_client.get(url).content.decode()
    response = employee_client.post(url, {"request_text": "Βεβαίωση", "action": "send"})
    assert response.status_code == 409
    assert not OutboxMessage.objects.exists()


def test_white_application_preview_and_send(employee_client, kep, appointment_at):
    WhiteApplicationTemplate.objects.create(
        municipality=kep.municipality, title="Αίτηση", body="Αιτούμαι: {subject} ({full_name})"
    )
    appointment = appointment_at(kep, category=4)
    url = f"/workspace/appointments/{appointment.reference}/white-application/"
    page = employee_client.get(url).content.decode()
    assert "Αιτούμαι: Βεβαίωση μόνιμης κατοικίας (Μαρία Παπαδοπούλου)" in page
    preview = employee_client.post(url, {"request_text": "Άλλο αίτημα", "action": "preview"})
    assert "Αιτούμαι: Άλλο αίτημα" in preview.content.decode()
    assert not OutboxMessage.objects.exists()
    pdf = employee_client.post(f"{url[:-1]}.pdf", {"request_text": "Άλλο αίτημα"})
    assert pdf["Content-Type"] == "application/pdf"
    sent = employee_client.post(url, {"request_text": "Άλλο αίτημα", "action": "send"})
    assert sent.status_code == 302
    assert OutboxMessage.objects.get().recipient == kep.protocol_email


def test_postal_list_and_csv_for_elta(employee_client, employee, kep, appointment_at):
    from keplive.outcomes.services import Delivery, record_outcome

    appointment = appointment_at(kep, served=True)
    record_outcome(
        employee=employee,
        reference=appointment.reference,
        result="completed",
        delivery=Delivery(method="post", address="=cmd|' /C calc'!A0, 10563 Αθήνα"),
        now=timezone.now(),
    )
    day = timezone.localdate().isoformat()
    page = employee_client.get(f"/workspace/postal/?day={day}")
    assert page.status_code == 200
    assert "Μαρία Παπαδοπούλου" in page.content.decode()
    response = employee_client.get(f"/workspace/postal.csv?day={day}")
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    header, row = body[1:].strip().split("\r\n")
    assert header.count(";") == 5
    cells = row.split(";")
    assert cells[1] == "Μαρία Παπαδοπούλου"
    assert cells[3] == "10563"
    assert cells[4] == "Αθήνα"
    assert cells[2].startswith("'=")  # never a formula in Excel


def test_citizen_downloads_only_their_own_form(client, kep, employee, appointment_at):
    from keplive.outcomes.services import Delivery, record_outcome

    appointment = appointment_at(kep, served=True)
    url = f"/appointments/{appointment.reference}/form.pdf"
    client.force_login(appointment.citizen.user)
    assert client.get(url).status_code == 404  # no outcome yet
    record_outcome(
        employee=employee,
        reference=appointment.reference,
        result="completed",
        delivery=Delivery(method="pickup"),
        now=timezone.now(),
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    client.force_login(CitizenFactory().user)
    assert client.get(url).status_code == 404


def test_the_outcome_page_of_an_employee_of_the_same_kep(client, kep, appointment_at):
    colleague = EmployeeFactory(kep=kep)
    appointment = appointment_at(kep)
    login_staff(client, colleague.user)
    assert (
        client.get(f"/workspace/appointments/{appointment.reference}/outcome/").status_code == 200
    )
