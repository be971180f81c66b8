"""The booking wizard through Django's test client: every step, each category's path to a KEP,
holding and confirming, and what the citizen sees when something goes wrong."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from keplive.booking import services
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.notifications.models import OutboxMessage
from keplive.portal.calendar import month_grid, parse_day, parse_month, time_label
from keplive.portal.wizard import TYPED_SESSION_KEY
from tests.conftest import ATHENS, working_day
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

DETAILS = {
    "full_name": "Μαρία Παπαδοπούλου",
    "email": "maria@example.gr",
    "mobile_phone": "69 1234 5678",
    "postal_address": "Ερμού 10, 10563 Αθήνα",
    "document_kind": "id_card",
    "id_card_number": "ab 123456",
    "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
    "delivery_method": "email",
    "consent": "on",
}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ATHENS)


@pytest.fixture
def kep():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return kep


@pytest.fixture
def service():
    return ServiceFactory(title_el="Έκδοση πιστοποιητικού οικογενειακής κατάστασης")


@pytest.fixture
def citizen():
    return CitizenFactory()


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen.user)
    return client


def calendar_url(kep, service, category=1):
    return f"/book/{category}/{service.pk}/{kep.code}/"


def hold(client, kep, service, starts_at, category=1):
    response = client.post(
        calendar_url(kep, service, category), {"starts_at": starts_at.isoformat()}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.match(r"^/book/details/([0-9a-f-]{36})/$", response["Location"])
    assert match, response["Location"]
    return match.group(1)


# --- The pure calendar helpers -------------------------------------------------------------------


def test_month_grid_starts_weeks_on_monday_and_links_only_free_days():
    free = {dt.date(2026, 12, 1), dt.date(2026, 12, 15)}
    grid = month_grid(
        year=2026,
        month=12,
        free_days=free,
        selected=dt.date(2026, 12, 1),
        first=dt.date(2026, 11, 23),
        last=dt.date(2027, 1, 5),
        day_url=lambda day: f"/d/{day}",
        month_url=lambda y, m: f"/m/{y}-{m}",
    )
    assert grid.weeks[0][0] is None  # 1 December 2026 is a Tuesday
    first = grid.weeks[0][1]
    assert first is not None
    assert first.free
    assert first.selected
    assert first.url == "/d/2026-12-01"
    second = grid.weeks[0][2]
    assert second is not None
    assert not second.free
    assert second.url == ""
    assert grid.previous_url == "/m/2026-11"
    assert grid.next_url == "/m/2027-1"


def test_month_grid_stops_at_the_booking_horizon():
    grid = month_grid(
        year=2026,
        month=12,
        free_days=[],
        selected=None,
        first=dt.date(2026, 12, 2),
        last=dt.date(2026, 12, 30),
        day_url=str,
        month_url=lambda y, m: "x",
    )
    assert grid.previous_url == ""
    assert grid.next_url == ""


def test_time_labels_carry_the_full_date_in_the_active_language():
    from django.utils import translation

    moment = dt.datetime(2026, 12, 1, 10, 30, tzinfo=ATHENS)
    with translation.override("el"):
        assert time_label(moment) == "Τρίτη 1 Δεκεμβρίου 2026, 10:30"
    with translation.override("en"):
        assert time_label(moment) == "Tuesday 1 December 2026, 10:30"


@pytest.mark.parametrize("raw", ["", "2026", "2026-13", "2026-00", "abcd-ef", "2026-1", "9999-12"])
def test_bad_months_are_not_read(raw):
    assert parse_month(raw) is None


@pytest.mark.parametrize("raw", ["", "2026-02-30", "2026-12-1", "x", "2026-12-01T10:00"])
def test_bad_days_are_not_read(raw):
    assert parse_day(raw) is None


# --- Each step renders ---------------------------------------------------------------------------


def test_each_step_renders_with_its_step_indicator_title_and_back_link(
    citizen_client, kep, service
):
    day = working_day()
    pages = [
        ("/book/", 1),
        ("/book/1/", 2),
        (f"/book/1/{service.pk}/", 3),
        (calendar_url(kep, service), 4),
        (f"{calendar_url(kep, service)}?day={day.isoformat()}", 4),
    ]
    for url, step in pages:
        response = citizen_client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "kl-steps" in text, url
        assert re.search(rf"(Βήμα|Step) {step} (από|of) 6", text), url
        assert "govgr-back-link" in text, url
        assert "<title>" in text, url


def test_the_service_step_lists_the_category_services_with_a_search(citizen_client, service):
    ServiceFactory(title_el="Άδεια διαμονής", categories=[2])
    text = citizen_client.get("/book/1/", {"q": "οικογενειακης"}).content.decode()
    assert service.title_el in text
    assert "Άδεια διαμονής" not in text
    assert 'value="οικογενειακης"' in text


def test_the_kep_step_offers_the_earliest_free_times_across_keps(citizen_client, kep, service):
    text = citizen_client.get(f"/book/1/{service.pk}/").content.decode()
    assert "kl-earliest" in text
    assert f"/book/1/{service.pk}/{kep.code}/?month=" in text  # one click to that KEP's day
    assert kep.name_el in text


def test_the_kep_search_finds_by_municipality_name(citizen_client, kep, service):
    other = KepFactory(municipality=MunicipalityFactory(name_el="Δήμος Ρόδου"))
    EmployeeFactory(kep=other)
    text = citizen_client.get(f"/book/1/{service.pk}/", {"q": "ροδου"}).content.decode()
    keps = text.split("kl-keps", 1)[1]
    assert other.name_el in keps
    assert kep.name_el not in keps


def test_the_calendar_links_free_days_and_shows_their_times_as_labelled_buttons(
    citizen_client, kep, service
):
    day = working_day()
    url = f"{calendar_url(kep, service)}?month={day:%Y-%m}&day={day.isoformat()}"
    text = citizen_client.get(url).content.decode()
    assert "kl-calendar__free" in text
    assert 'aria-current="date"' in text
    assert "kl-time govgr-btn govgr-btn-secondary" in text
    nine = at(day, 9)
    assert f'value="{nine.isoformat(timespec="minutes")}"' in text
    assert f'aria-label="{time_label(nine)}"' in text


def test_the_calendar_defaults_to_the_month_of_the_first_free_day(citizen_client, kep, service):
    day = working_day()
    text = citizen_client.get(calendar_url(kep, service)).content.decode()
    assert f"?month={day:%Y-%m}&amp;day={day.isoformat()}" in text


@pytest.mark.parametrize("query", ["?month=1999-01", "?month=2999-01", "?month=xx&day=yy"])
def test_months_outside_the_horizon_or_garbage_fall_back_to_a_valid_month(
    citizen_client, kep, service, query
):
    assert citizen_client.get(calendar_url(kep, service) + query).status_code == 200


# --- Categories 2 and 4, and C11 -----------------------------------------------------------------


def test_category_2_lists_only_kep_eke(citizen_client, kep):
    eke = KepFactory(kep_eke=True)
    EmployeeFactory(kep=eke)
    business = ServiceFactory(categories=[2])
    text = citizen_client.get(f"/book/2/{business.pk}/").content.decode()
    assert eke.name_el in text
    assert kep.name_el not in text
    assert citizen_client.get(calendar_url(kep, business, category=2)).status_code == 404


def test_category_4_asks_for_the_municipality_then_lists_its_services_and_keps(citizen_client, kep):
    athens_kep = KepFactory()
    EmployeeFactory(kep=athens_kep)
    municipality = athens_kep.municipality
    municipal = ServiceFactory(municipality=municipality, categories=[4], title_el="Δημοτική άδεια")
    elsewhere = ServiceFactory(municipality=kep.municipality, categories=[4], title_el="Άλλη άδεια")

    asks = citizen_client.get("/book/4/").content.decode()
    assert 'name="municipality"' in asks
    assert municipal.title_el not in asks

    listed = citizen_client.get("/book/4/", {"municipality": municipality.code}).content.decode()
    assert municipal.title_el in listed
    assert elsewhere.title_el not in listed

    keps = citizen_client.get(f"/book/4/{municipal.pk}/").content.decode()
    assert athens_kep.name_el in keps
    assert kep.name_el not in keps
    day = working_day()
    reference = hold(citizen_client, athens_kep, municipal, at(day, 9), category=4)
    assert Appointment.objects.get(reference=reference).category_id == 4


def test_an_unknown_municipality_is_explained(citizen_client):
    response = citizen_client.get("/book/4/", {"municipality": "atlantis"})
    assert response.status_code == 200
    assert "govgr-error-summary" in response.content.decode()


def test_a_service_not_served_remotely_shows_the_alternative_and_cannot_be_held(
    citizen_client, kep
):
    passport = ServiceFactory(in_person_only=True, title_el="Έκδοση διαβατηρίου")
    listed = citizen_client.get("/book/1/").content.decode()
    assert "Επισκεφθείτε ένα ΚΕΠ με ραντεβού." in listed
    assert f'href="/book/1/{passport.pk}/"' not in listed
    step3 = citizen_client.get(f"/book/1/{passport.pk}/")
    assert step3.status_code == 409
    assert "Επισκεφθείτε ένα ΚΕΠ με ραντεβού." in step3.content.decode()
    response = citizen_client.post(
        calendar_url(kep, passport), {"starts_at": at(working_day(), 9).isoformat()}
    )
    assert response.status_code == 404
    assert not Appointment.objects.exists()


# --- Hold, details, confirm ----------------------------------------------------------------------


def test_hold_details_confirm_books_with_details_and_queues_the_email(
    citizen_client, citizen, kep, service
):
    reference = hold(citizen_client, kep, service, at(working_day(), 9))
    page = citizen_client.get(f"/book/details/{reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Γιώργος Νικολάου" in text  # the name TAXISnet gave, prefilled
    assert re.search(r"(Βήμα|Step) 5 (από|of) 6", text)

    response = citizen_client.post(f"/book/details/{reference}/", DETAILS)
    assert response.status_code == 302
    assert response["Location"] == f"/book/done/{reference}/"
    appointment = Appointment.objects.get(reference=reference)
    assert appointment.status == Status.BOOKED
    details = AppointmentDetails.objects.get(appointment=appointment)
    assert details.id_card_number == "ΑΒ123456"
    assert OutboxMessage.objects.filter(recipient="maria@example.gr").exists()

    done = citizen_client.get(response["Location"])
    text = done.content.decode()
    assert done.status_code == 200
    assert "govgr-panel--confirmation" in text
    assert reference in text
    assert f"/appointments/{reference}/" in text
    # Opening the details page again after booking goes to the confirmation.
    again = citizen_client.get(f"/book/details/{reference}/")
    assert again.status_code == 302
    assert again["Location"] == f"/book/done/{reference}/"


def test_an_invalid_form_keeps_the_values_and_shows_the_errors(citizen_client, kep, service):
    reference = hold(citizen_client, kep, service, at(working_day(), 9))
    typed = DETAILS | {"email": "maria-at-example", "mobile_phone": "12345"}
    response = citizen_client.post(f"/book/details/{reference}/", typed)
    text = response.content.decode()
    assert response.status_code == 200
    assert "govgr-error-summary" in text
    assert 'value="maria-at-example"' in text
    assert "Ερμού 10, 10563 Αθήνα" in text
    assert Appointment.objects.get(reference=reference).status == Status.HELD


def test_a_time_taken_meanwhile_offers_alternatives_and_keeps_what_was_typed(
    citizen_client, citizen, kep, service
):
    nine = at(working_day(), 9)
    reference = hold(citizen_client, kep, service, nine)
    # The hold ran out and was released; someone else booked the time meanwhile.
    Appointment.objects.filter(reference=reference).update(status=Status.RELEASED)
    services.book_appointment(
        citizen=CitizenFactory(),
        kep=kep,
        service=service,
        category=Appointment.objects.get(reference=reference).category,
        starts_at=nine,
        now=timezone.now(),
    )
    typed = DETAILS | {"subject": "Κάτι πολύ συγκεκριμένο"}
    response = citizen_client.post(f"/book/details/{reference}/", typed)
    text = response.content.decode()
    assert response.status_code == 409
    assert 'name="alternative"' in text
    assert "Κάτι πολύ συγκεκριμένο" in text

    alternative = re.search(r'name="alternative" value="([^"]+)"', text).group(1)
    moved = citizen_client.post(f"/book/details/{reference}/", typed | {"alternative": alternative})
    assert moved.status_code == 302
    new_reference = moved["Location"].split("/")[-2]
    assert new_reference != reference
    carried = citizen_client.get(moved["Location"]).content.decode()
    assert "Κάτι πολύ συγκεκριμένο" in carried
    assert "Ερμού 10, 10563 Αθήνα" in carried
    booked = citizen_client.post(moved["Location"], typed)
    assert booked.status_code == 302
    assert Appointment.objects.get(reference=new_reference).status == Status.BOOKED
    assert TYPED_SESSION_KEY not in citizen_client.session


def test_a_time_taken_before_holding_offers_the_nearest_alternatives(citizen_client, kep, service):
    nine = at(working_day(), 9)
    services.book_appointment(
        citizen=CitizenFactory(),
        kep=kep,
        service=service,
        category=Appointment._meta.get_field("category").related_model.objects.get(number=1),
        starts_at=nine,
        now=timezone.now(),
    )
    response = citizen_client.post(calendar_url(kep, service), {"starts_at": nine.isoformat()})
    text = response.content.decode()
    assert response.status_code == 409
    assert 'name="starts_at"' in text
    assert "kl-time" in text


@pytest.mark.parametrize(
    "starts_at",
    ["", "garbage", "2026-13-45T99:99", "2026-12-01T10:00", "x" * 5000],
)
def test_a_tampered_time_is_refused_with_a_message(citizen_client, kep, service, starts_at):
    response = citizen_client.post(calendar_url(kep, service), {"starts_at": starts_at})
    assert response.status_code == 400
    assert "govgr-error-summary" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_time_not_offered_is_refused_with_a_message(citizen_client, kep, service):
    night = at(working_day(), 3, 17)
    response = citizen_client.post(calendar_url(kep, service), {"starts_at": night.isoformat()})
    assert response.status_code == 400
    assert "govgr-error-summary" in response.content.decode()


# --- Who may see what ----------------------------------------------------------------------------


def test_another_citizens_hold_and_confirmation_are_not_found(client, kep, service):
    owner = CitizenFactory()
    client.force_login(owner.user)
    reference = hold(client, kep, service, at(working_day(), 9))
    client.post(f"/book/details/{reference}/", DETAILS)
    intruder = CitizenFactory()
    client.force_login(intruder.user)
    assert client.get(f"/book/details/{reference}/").status_code == 404
    assert client.post(f"/book/details/{reference}/", DETAILS).status_code == 404
    assert client.get(f"/book/done/{reference}/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/book/99/",
        "/book/0/",
        "/book/1/999999/",
        "/book/1/999999/0000/",
        "/book/details/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a/",
        "/book/done/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a/",
    ],
)
def test_bad_ids_are_a_not_found_page(citizen_client, url):
    assert citizen_client.get(url).status_code == 404


def test_an_unknown_kep_is_not_found(citizen_client, service):
    assert citizen_client.get(f"/book/1/{service.pk}/NOPE/").status_code == 404


def test_a_service_of_another_category_is_not_found(citizen_client, service):
    assert citizen_client.get(f"/book/2/{service.pk}/").status_code == 404


def test_the_gov_gr_deep_link_lands_on_the_category(citizen_client):
    response = citizen_client.get("/login/", {"category": "3"})
    assert response.status_code == 302
    assert response["Location"] == "/book/3/"
