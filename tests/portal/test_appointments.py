"""My appointments (C7): list, detail, cancel, reschedule and change details, after login and
through the signed manage link (ADR 0006); the call's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.links import join_token, manage_token
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.catalogue.models import Category
from keplive.notifications.models import OutboxMessage
from tests.conftest import ATHENS, working_day
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

pytestmark = pytest.mark.django_db

ID_CARD = "ΚΛ987654"
EMAIL = "maria@example.gr"


def declaration(**changes: str) -> Declaration:
    values = {
        "full_name": "Μαρία Παπαδοπούλου",
        "email": EMAIL,
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": ID_CARD,
        "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
        "delivery_method": "email",
        "language": "el",
    }
    return Declaration(**(values | changes))


DAY = working_day(3)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ATHENS)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(ATHENS).isoformat(timespec="minutes")


@pytest.fixture
def kep():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return kep


@pytest.fixture
def service():
    return ServiceFactory()


@pytest.fixture
def category():
    return Category.objects.get(number=1)


@pytest.fixture
def citizen():
    return CitizenFactory()


@pytest.fixture
def book(kep, service, category, citizen):
    def book(hour: int = 9, minute: int = 0, *, who=None, declared: bool = True) -> Appointment:
        return services.book_appointment(
            citizen=who or citizen,
            kep=kep,
            service=service,
            category=category,
            starts_at=at(hour, minute),
            now=timezone.now(),
            declaration=declaration() if declared else None,
        )

    return book


@pytest.fixture
def logged_in(client, citizen):
    client.force_login(citizen.user)
    return client


def page_url(appointment: Appointment, action: str = "") -> str:
    return f"/appointments/{appointment.reference}/" + (f"{action}/" if action else "")


def link_url(appointment: Appointment, action: str = "") -> str:
    return f"/manage/{manage_token(appointment)}/" + (f"{action}/" if action else "")


def move_to_the_past(appointment: Appointment, *, started: bool = False) -> None:
    now = timezone.now()
    starts = now - dt.timedelta(minutes=5 if started else 60 * 24 * 3)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=20),
        blocked_until=starts + dt.timedelta(minutes=30),
    )


def details_form(**changes: str) -> dict[str, str]:
    values = {
        "full_name": "Μαρία Παπαδοπούλου",
        "email": EMAIL,
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": "",
        "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
        "delivery_method": "email",
        "notes": "",
    }
    return values | changes


# --- List and detail -------------------------------------------------------------------------


def test_list_shows_upcoming_and_earlier(logged_in, book):
    upcoming = book(9)
    cancelled = book(10)
    services.cancel_appointment(
        reference=cancelled.reference, citizen=cancelled.citizen, now=timezone.now()
    )
    past = book(11)
    move_to_the_past(past)
    response = logged_in.get("/appointments/")
    assert response.status_code == 200
    text = response.content.decode()
    assert page_url(upcoming) + "reschedule/" in text
    assert page_url(upcoming) + "cancel/" in text
    assert page_url(cancelled) in text
    assert page_url(past) in text
    assert page_url(cancelled) + "reschedule/" not in text
    assert page_url(past) + "cancel/" not in text
    assert response.context["upcoming"][0]["appointment"] == upcoming
    assert {row["appointment"] for row in response.context["earlier"]} == {cancelled, past}


def test_detail_masks_the_document_number(logged_in, book):
    appointment = book()
    response = logged_in.get(page_url(appointment))
    assert response.status_code == 200
    text = response.content.decode()
    assert ID_CARD not in text
    assert "••••••54" in text
    assert page_url(appointment, "reschedule") in text
    assert page_url(appointment, "details") in text


def test_a_reference_that_is_not_a_uuid_is_not_found(logged_in):
    assert logged_in.get("/appointments/not-a-uuid/").status_code == 404


# --- Cancel ------------------------------------------------------------------------------------


def test_cancel_asks_then_cancels_and_emails(logged_in, book):
    appointment = book()
    confirm = logged_in.get(page_url(appointment, "cancel"))
    assert confirm.status_code == 200
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
    response = logged_in.post(page_url(appointment, "cancel"))
    assert response.status_code == 302
    assert response["Location"] == "/appointments/?done=cancelled"
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CANCELLED
    assert OutboxMessage.objects.filter(
        key__startswith=f"appointment-cancelled:{appointment.reference}"
    ).exists()


# --- Reschedule --------------------------------------------------------------------------------


def test_reschedule_shows_the_calendar_and_the_times_of_a_day(logged_in, book):
    appointment = book(9)
    response = logged_in.get(page_url(appointment, "reschedule"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="kl-calendar"' in text
    assert f"?day={DAY.isoformat()}" in text

    response = logged_in.get(page_url(appointment, "reschedule"), {"day": DAY.isoformat()})
    assert response.status_code == 200
    values = [option["value"] for option in response.context["times"]]
    assert iso(at(11)) in values
    assert iso(at(9)) not in values  # its own time is not offered
    assert iso(at(9, 30)) in values  # its own buffer does not hide the next time
    text = response.content.decode()
    assert f'name="starts_at" value="{iso(at(11))}"' in text
    label = response.context["times"][values.index(iso(at(11)))]["label"]
    assert label.endswith(", 11:00")
    assert str(DAY.year) in label
    assert f'aria-label="{label}"' in text


def test_reschedule_moves_the_appointment_and_sends_an_update(logged_in, book):
    appointment = book(9)
    response = logged_in.post(
        page_url(appointment, "reschedule"), {"starts_at": iso(at(11)), "confirm": "yes"}
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(appointment) + "?done=rescheduled"
    moved = Appointment.objects.get(pk=appointment.pk)
    assert moved.starts_at == at(11)
    assert moved.sequence == appointment.sequence + 1
    assert OutboxMessage.objects.filter(
        key=f"appointment-updated:{appointment.reference}:{moved.sequence}", recipient=EMAIL
    ).exists()
    banner = logged_in.get(response["Location"]).content.decode()
    assert "govgr-notification-banner--success" in banner


def test_reschedule_to_a_taken_time_offers_the_nearest(logged_in, book):
    appointment = book(9)
    book(11, who=CitizenFactory())
    response = logged_in.post(
        page_url(appointment, "reschedule"), {"starts_at": iso(at(11)), "confirm": "yes"}
    )
    assert response.status_code == 409
    alternatives = [option["value"] for option in response.context["alternatives"]]
    assert alternatives
    assert iso(at(11)) not in alternatives
    text = response.content.decode()
    assert "govgr-error-summary" in text
    assert f'value="{alternatives[0]}"' in text
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(9)


@pytest.mark.parametrize(
    ("method", "data"),
    [
        ("post", {"starts_at": "tomorrow at ten"}),
        ("post", {"starts_at": ""}),
        ("post", {}),
        ("post", {"starts_at": "2026-12-01T10:30"}),  # no offset
        ("post", {"starts_at": "9" * 5000}),
        ("get", {"day": "2026-02-30"}),
        ("get", {"day": "<script>"}),
        ("get", {"month": "2026-13"}),
        ("get", {"month": "99999-01"}),
        ("get", {"day": "1999-01-01"}),  # past
        ("get", {"month": "2099-01"}),  # beyond the horizon
    ],
)
def test_reschedule_garbage_is_400_not_500(logged_in, book, method, data):
    appointment = book(9)
    response = getattr(logged_in, method)(page_url(appointment, "reschedule"), data)
    assert response.status_code == 400
    assert "govgr-error-summary" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(9)


def test_reschedule_outside_the_hours_gives_the_reason(logged_in, book):
    appointment = book(9)
    response = logged_in.post(
        page_url(appointment, "reschedule"), {"starts_at": iso(at(9, 10)), "confirm": "yes"}
    )
    assert response.status_code == 400
    assert response.context["errors"]
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(9)


def test_a_cancelled_appointment_cannot_be_rescheduled(logged_in, book):
    appointment = book(9)
    services.cancel_appointment(
        reference=appointment.reference, citizen=appointment.citizen, now=timezone.now()
    )
    assert logged_in.get(page_url(appointment, "reschedule")).status_code == 409
    response = logged_in.post(
        page_url(appointment, "reschedule"), {"starts_at": iso(at(11)), "confirm": "yes"}
    )
    assert response.status_code == 409
    assert logged_in.post(page_url(appointment, "details"), details_form()).status_code == 409
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(9)


def test_a_past_appointment_cannot_be_changed(logged_in, book):
    appointment = book(9)
    move_to_the_past(appointment)
    for action in ("reschedule", "details", "cancel"):
        assert logged_in.get(page_url(appointment, action)).status_code == 409


# --- Change details ----------------------------------------------------------------------------


def test_details_form_is_prefilled_without_the_full_document_number(logged_in, book):
    appointment = book()
    response = logged_in.get(page_url(appointment, "details"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="6912345678"' in text or "+306912345678" in text
    assert "Ερμού 10" in text
    assert ID_CARD not in text
    assert "••••••54" in text
    assert 'name="consent"' not in text


def test_details_change_is_saved_and_emailed(logged_in, book):
    appointment = book()
    response = logged_in.post(
        page_url(appointment, "details"), details_form(postal_address="Σταδίου 5, 10562 Αθήνα")
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(appointment) + "?done=details"
    details = AppointmentDetails.objects.get(appointment=appointment)
    assert details.postal_address == "Σταδίου 5, 10562 Αθήνα"
    assert details.id_card_number == ID_CARD  # left empty: kept
    changed = Appointment.objects.get(pk=appointment.pk)
    assert changed.sequence == appointment.sequence + 1
    assert OutboxMessage.objects.filter(
        key=f"appointment-updated:{appointment.reference}:{changed.sequence}"
    ).exists()


def test_details_can_replace_the_document_number(logged_in, book):
    appointment = book()
    logged_in.post(page_url(appointment, "details"), details_form(id_card_number="ΧΨ654321"))
    assert AppointmentDetails.objects.get(appointment=appointment).id_card_number == "ΧΨ654321"


def test_invalid_details_are_shown_beside_the_fields_and_kept(logged_in, book):
    appointment = book()
    response = logged_in.post(
        page_url(appointment, "details"),
        details_form(email="not-an-email", notes="Θα συνδεθώ από το κινητό"),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "govgr-error-summary" in text
    assert "govgr-error-message" in text
    assert 'value="not-an-email"' in text
    assert "Θα συνδεθώ από το κινητό" in text
    assert ID_CARD not in text  # the kept number is not echoed back
    assert "••••••54" in text
    assert AppointmentDetails.objects.get(appointment=appointment).email == EMAIL
    assert Appointment.objects.get(pk=appointment.pk).sequence == appointment.sequence


def test_an_appointment_without_details_gets_an_empty_form_with_consent(logged_in, book):
    appointment = book(declared=False)
    response = logged_in.get(page_url(appointment, "details"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="consent"' in text
    assert 'name="email"' in text
    assert f'value="{EMAIL}"' not in text
    refused = logged_in.post(page_url(appointment, "details"), details_form(id_card_number=ID_CARD))
    assert refused.status_code == 200  # consent not given
    assert not AppointmentDetails.objects.filter(appointment=appointment).exists()
    saved = logged_in.post(
        page_url(appointment, "details"), details_form(id_card_number=ID_CARD, consent="on")
    )
    assert saved.status_code == 302
    assert AppointmentDetails.objects.get(appointment=appointment).id_card_number == ID_CARD


# --- The manage link ---------------------------------------------------------------------------


def test_the_manage_link_opens_the_appointment_privately_and_audited(client, book):
    appointment = book()
    response = client.get(link_url(appointment))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert ID_CARD not in response.content.decode()
    channels = set(
        AuditEvent.objects.filter(object_id=str(appointment.reference)).values_list(
            "action", "channel"
        )
    )
    assert ("appointment.viewed", "manage-link") in channels
    assert ("appointment.details_viewed", "manage-link") in channels
    for action in ("reschedule", "details", "cancel"):
        page = client.get(link_url(appointment, action))
        assert page.status_code == 200, action
        assert page["Referrer-Policy"] == "same-origin"


def test_rescheduling_through_the_link_moves_to_the_new_link(client, book):
    appointment = book(9)
    old = link_url(appointment)
    response = client.post(
        link_url(appointment, "reschedule"), {"starts_at": iso(at(11)), "confirm": "yes"}
    )
    assert response.status_code == 302
    moved = Appointment.objects.get(pk=appointment.pk)
    assert response["Location"] == link_url(moved) + "?done=rescheduled"
    assert client.get(old).status_code == 410
    assert client.get(response["Location"]).status_code == 200
    assert moved.starts_at == at(11)


def test_changing_details_through_the_link_moves_to_the_new_link(client, book):
    appointment = book()
    old = link_url(appointment)
    response = client.post(link_url(appointment, "details"), details_form(notes="Ευχαριστώ"))
    assert response.status_code == 302
    changed = Appointment.objects.get(pk=appointment.pk)
    assert response["Location"] == link_url(changed) + "?done=details"
    assert client.get(old).status_code == 410
    assert client.get(response["Location"]).status_code == 200


def test_the_link_taken_to_a_taken_time_is_409_and_stays_valid(client, book):
    appointment = book(9)
    book(11, who=CitizenFactory())
    response = client.post(
        link_url(appointment, "reschedule"), {"starts_at": iso(at(11)), "confirm": "yes"}
    )
    assert response.status_code == 409
    assert response["Referrer-Policy"] == "same-origin"
    assert client.get(link_url(appointment)).status_code == 200


def test_cancelling_through_the_link(client, book):
    appointment = book()
    url = link_url(appointment)
    response = client.post(link_url(appointment, "cancel"))
    assert response.status_code == 302
    assert response["Location"] == "/manage/cancelled/"
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CANCELLED
    assert client.get(url).status_code == 410


def test_the_link_stops_working_once_the_appointment_starts(client, book):
    appointment = book()
    url = link_url(appointment)
    move_to_the_past(appointment, started=True)
    response = client.get(url)
    assert response.status_code == 410
    assert response["Referrer-Policy"] == "same-origin"
    assert client.post(url + "cancel/").status_code == 410
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED


def test_a_tampered_link_is_refused(client, book):
    appointment = book()
    token = manage_token(appointment)
    assert client.get(f"/manage/{token[:-2]}xx/").status_code == 410


# --- The call's page ---------------------------------------------------------------------------


def test_the_join_link_page(client, book):
    appointment = book()
    response = client.get(f"/call/{join_token(appointment)}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert ID_CARD not in response.content.decode()
    assert AuditEvent.objects.filter(
        object_id=str(appointment.reference), channel="join-link"
    ).exists()


def test_the_join_link_survives_a_reschedule(client, book):
    appointment = book(9)
    token = join_token(appointment)
    services.reschedule_appointment(
        reference=appointment.reference,
        citizen=appointment.citizen,
        starts_at=at(11),
        now=timezone.now(),
    )
    assert client.get(f"/call/{token}/").status_code == 200


# --- Reschedule to another KEP or service (issue 14, item 7) -----------------------------------


def test_a_move_is_confirmed_before_anything_changes(logged_in, book):
    appointment = book(9)
    response = logged_in.post(page_url(appointment, "reschedule"), {"starts_at": iso(at(11))})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="confirm" value="yes"' in text
    assert f'name="starts_at" value="{iso(at(11))}"' in text
    assert response.context["new_time_label"].endswith(", 11:00")
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(9)
    assert not OutboxMessage.objects.filter(key__startswith="appointment-updated:").exists()


def test_reschedule_to_another_kep_and_service(logged_in, book, kep, category):
    appointment = book(9)
    other_kep = KepFactory(name_el="ΚΕΠ Περιστερίου")
    EmployeeFactory(kep=other_kep)
    other_service = ServiceFactory(title_el="Βεβαίωση μόνιμης κατοικίας")
    url = page_url(appointment, "reschedule")
    chosen = {"kep": other_kep.code, "service": str(other_service.pk)}

    page = logged_in.get(url, chosen | {"day": DAY.isoformat()})
    assert page.status_code == 200
    values = [option["value"] for option in page.context["times"]]
    assert iso(at(9)) in values  # another KEP: the same hour is a real move
    text = page.content.decode()
    assert f'name="kep" value="{other_kep.code}"' in text
    assert f"kep={other_kep.code}" in text  # the calendar's links carry the choice

    confirm = logged_in.post(url, chosen | {"starts_at": iso(at(9))})
    assert confirm.status_code == 200
    assert "ΚΕΠ Περιστερίου" in confirm.content.decode()
    assert "Βεβαίωση μόνιμης κατοικίας" in confirm.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).kep == kep

    done = logged_in.post(url, chosen | {"starts_at": iso(at(9)), "confirm": "yes"})
    assert done.status_code == 302
    moved = Appointment.objects.get(pk=appointment.pk)
    assert (moved.kep, moved.service, moved.reference) == (
        other_kep,
        other_service,
        appointment.reference,
    )
    email = OutboxMessage.objects.get(key=f"appointment-updated:{moved.reference}:1")
    assert "ΚΕΠ Περιστερίου" in email.text_body
    assert "Βεβαίωση μόνιμης κατοικίας" in email.text_body


def test_the_service_list_is_searchable_without_javascript(logged_in, book):
    appointment = book(9)
    ServiceFactory(title_el="Άδεια διαμονής φοιτητών", title_en="Student residence permit")
    response = logged_in.get(page_url(appointment, "reschedule"), {"q": "διαμονης"})
    assert response.status_code == 200
    titles = [service.title_el for service in response.context["service_choices"]]
    assert titles == ["Άδεια διαμονής φοιτητών"]


@pytest.mark.parametrize(
    "chosen",
    [
        {"kep": "no-such-kep"},
        {"service": "999999"},
        {"service": "not-a-number"},
        {"kep": "<script>", "service": "1"},
    ],
)
def test_a_kep_or_service_that_cannot_be_chosen_is_400_and_moves_nothing(logged_in, book, chosen):
    appointment = book(9)
    url = page_url(appointment, "reschedule")
    assert logged_in.get(url, chosen).status_code == 400
    response = logged_in.post(url, chosen | {"starts_at": iso(at(11)), "confirm": "yes"})
    assert response.status_code == 400
    assert "govgr-error-summary" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(9)


def test_a_category_4_appointment_is_offered_only_its_municipalitys_keps(logged_in, citizen):
    town = KepFactory().municipality
    kep = KepFactory(municipality=town)
    EmployeeFactory(kep=kep)
    neighbour = KepFactory(municipality=town)
    elsewhere = KepFactory()
    service = ServiceFactory(categories=[4], municipality=town)
    appointment = services.book_appointment(
        citizen=citizen,
        kep=kep,
        service=service,
        category=Category.objects.get(number=4),
        starts_at=at(9),
        now=timezone.now(),
        declaration=declaration(),
    )
    response = logged_in.get(page_url(appointment, "reschedule"))
    offered = {k.pk for k in response.context["kep_choices"]}
    assert {kep.pk, neighbour.pk} <= offered
    assert elsewhere.pk not in offered
    refused = logged_in.post(
        page_url(appointment, "reschedule"),
        {"kep": elsewhere.code, "starts_at": iso(at(11)), "confirm": "yes"},
    )
    assert refused.status_code == 400
    assert Appointment.objects.get(pk=appointment.pk).kep == kep
