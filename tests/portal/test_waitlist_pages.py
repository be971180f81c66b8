"""The waitlist's citizen pages (issue 16): ask to be told, see and remove the request in My
appointments, and answer an offer through its signed one-tap link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.booking import services
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from keplive.waitlist import services as waitlist
from keplive.waitlist.links import offer_token
from keplive.waitlist.models import Offer, OfferStatus, RequestStatus, WaitingRequest
from tests.conftest import ATHENS, working_day
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory
from tests.waitlist.helpers import declaration

pytestmark = pytest.mark.django_db

EARLY, LATE = working_day(3), working_day(6)
# The worker's clock when it offers: a working morning still to come (outside quiet hours).
OFFER_NOW = dt.datetime.combine(working_day(1), dt.time(9, 0), tzinfo=ATHENS)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=ATHENS)


@pytest.fixture
def kep():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return kep


@pytest.fixture
def service():
    return ServiceFactory()


def book(kep, service, day: dt.date, citizen=None) -> Appointment:
    return services.book_appointment(
        citizen=citizen or CitizenFactory(),
        kep=kep,
        service=service,
        category=Category.objects.get(number=1),
        starts_at=at(day),
        now=timezone.now(),
        declaration=declaration(),
    )


def test_ask_see_and_remove(client, kep, service) -> None:
    mine = book(kep, service, LATE)
    client.force_login(mine.citizen.user)
    page = f"/appointments/{mine.reference}/"
    assert 'id="waiting-ask"' in client.get(page).content.decode()

    form = client.get(f"{page}earlier/")
    assert form.status_code == 200
    assert "Ενημερώστε με αν ελευθερωθεί νωρίτερη ώρα" in form.content.decode()
    bad = client.post(f"{page}earlier/", {"scope": "kep", "part_of_day": "any"})
    assert bad.status_code == 400
    assert not WaitingRequest.objects.exists()

    done = client.post(
        f"{page}earlier/",
        {"scope": "kep", "weekdays": ["1", "2", "3"], "part_of_day": "morning", "before": ""},
    )
    assert done.status_code == 302
    request = WaitingRequest.objects.get()
    assert (request.weekdays, request.part_of_day) == ("123", "morning")
    assert 'id="waiting-notice"' in client.get(page).content.decode()
    listing = client.get("/appointments/").content.decode()
    assert 'id="waiting-requests"' in listing

    removed = client.post(f"/appointments/waiting/{request.public_id}/remove/")
    assert removed.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.REMOVED


def test_another_citizens_appointment_and_request_are_not_found(client, kep, service) -> None:
    mine = book(kep, service, LATE)
    request = waitlist.ask_to_be_told(
        citizen=mine.citizen, reference=mine.reference, now=timezone.now()
    )
    client.force_login(CitizenFactory().user)
    assert client.get(f"/appointments/{mine.reference}/earlier/").status_code == 404
    assert client.post(f"/appointments/{mine.reference}/earlier/", {}).status_code == 404
    assert client.post(f"/appointments/waiting/{request.public_id}/remove/").status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE


def offered(kep, service) -> tuple[Appointment, Offer]:
    mine = book(kep, service, LATE)
    waitlist.ask_to_be_told(citizen=mine.citizen, reference=mine.reference, now=timezone.now())
    other = book(kep, service, EARLY)
    services.cancel_appointment(reference=other.reference, citizen=other.citizen, now=OFFER_NOW)
    assert waitlist.process_freed_times(now=OFFER_NOW).offers == 1
    return mine, Offer.objects.get()


def test_one_tap_takes_the_offer_and_the_link_then_changes_nothing(client, kep, service) -> None:
    mine, offer = offered(kep, service)
    url = f"/offers/{offer_token(offer)}/"
    shown = client.get(url)
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"] or "max-age=0" in shown["Cache-Control"]
    assert 'id="offer-take"' in shown.content.decode()

    taken = client.post(url, {"answer": "take"})
    assert taken.status_code == 200
    assert 'data-answer="taken"' in taken.content.decode()
    mine.refresh_from_db()
    assert mine.starts_at == at(EARLY)
    assert mine.status == Status.BOOKED

    again = client.post(url, {"answer": "take"})
    assert again.status_code == 409
    assert client.get(url).status_code == 410
    mine.refresh_from_db()
    assert mine.sequence == 1


def test_decline_and_a_tampered_link(client, kep, service) -> None:
    mine, offer = offered(kep, service)
    token = offer_token(offer)
    tampered = client.post(f"/offers/{token[:-3]}xyz/", {"answer": "take"})
    assert tampered.status_code == 410
    assert "Αυτός ο σύνδεσμος δεν λειτουργεί" in tampered.content.decode()
    assert Offer.objects.get().status == OfferStatus.PENDING

    declined = client.post(f"/offers/{token}/", {"answer": "decline"})
    assert 'data-answer="declined"' in declined.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    mine.refresh_from_db()
    assert mine.starts_at == at(LATE)


def test_an_answer_that_is_neither_take_nor_decline_shows_the_offer_again(
    client, kep, service
) -> None:
    mine, offer = offered(kep, service)
    token = offer_token(offer)
    for answer in ("", "take-it-twice", "\u03b1"):
        refused = client.post(f"/offers/{token}/", {"answer": answer})
        assert refused.status_code == 400
        assert 'name="answer"' in refused.content.decode()  # the offer's buttons, again
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING
    mine.refresh_from_db()
    assert mine.starts_at == at(LATE)


# --- Other KEPs (issue 16): the scope choice, and an offer at another KEP ----------------------


def test_the_scope_choice_shows_only_what_the_category_allows(client, kep, service) -> None:
    mine = book(kep, service, LATE)
    client.force_login(mine.citizen.user)
    form = client.get(f"/appointments/{mine.reference}/earlier/").content.decode()
    for label in (
        "Μόνο αυτό το ΚΕΠ",
        "Οποιοδήποτε ΚΕΠ του δήμου",
        "Οποιοδήποτε ΚΕΠ την εξυπηρετεί",
    ):
        assert label in form
    assert kep.name_el in form  # which KEP "this KEP" is
    done = client.post(
        f"/appointments/{mine.reference}/earlier/",
        {"scope": "municipality", "weekdays": ["1", "2", "3", "4", "5"], "part_of_day": "any"},
    )
    assert done.status_code == 302
    assert WaitingRequest.objects.get().scope == "municipality"


def test_category_4_is_offered_the_municipality_at_most_and_any_kep_is_refused(client, kep) -> None:
    municipal = ServiceFactory(categories=[4], municipality=kep.municipality)
    mine = services.book_appointment(
        citizen=CitizenFactory(),
        kep=kep,
        service=municipal,
        category=Category.objects.get(number=4),
        starts_at=at(LATE),
        now=timezone.now(),
        declaration=declaration(),
    )
    client.force_login(mine.citizen.user)
    url = f"/appointments/{mine.reference}/earlier/"
    form = client.get(url).content.decode()
    assert 'name="scope" value="municipality"' in form
    assert 'name="scope" value="any"' not in form
    refused = client.post(
        url, {"scope": "any", "weekdays": ["1", "2"], "part_of_day": "any", "before": ""}
    )
    assert refused.status_code == 400
    assert "εξυπηρετούνται μόνο στα ΚΕΠ του" in refused.content.decode()
    assert not WaitingRequest.objects.exists()


def test_asking_for_other_keps_is_refused_to_anyone_but_the_citizen(client, kep, service) -> None:
    from tests.factories import EmployeeFactory as Staff
    from tests.staff import login_staff

    mine = book(kep, service, LATE)
    url = f"/appointments/{mine.reference}/earlier/"
    body = {"scope": "municipality", "weekdays": ["1", "2"], "part_of_day": "any"}
    anonymous = client.post(url, body)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    client.force_login(CitizenFactory().user)
    assert client.post(url, body).status_code == 404
    employee = Staff(kep=kep).user
    client.force_login(employee)  # password only: no second factor
    assert client.post(url, body).status_code in (302, 403)
    login_staff(client, employee)  # staff of the very KEP, verified
    assert client.post(url, body).status_code == 403
    assert not WaitingRequest.objects.exists()


def test_an_offer_at_another_kep_says_which_and_taking_it_moves_the_booking_there(
    client, kep, service
) -> None:
    there = KepFactory(municipality=kep.municipality, name_el="ΚΕΠ Απέναντι", address="Οδός 7")
    EmployeeFactory(kep=there)
    mine = book(kep, service, LATE)
    waitlist.ask_to_be_told(
        citizen=mine.citizen, reference=mine.reference, now=timezone.now(), scope="municipality"
    )
    other = book(there, service, EARLY)
    services.cancel_appointment(reference=other.reference, citizen=other.citizen, now=OFFER_NOW)
    assert waitlist.process_freed_times(now=OFFER_NOW).offers == 1
    offer = Offer.objects.get()
    url = f"/offers/{offer_token(offer)}/"

    client.force_login(mine.citizen.user)
    assert "ΚΕΠ Απέναντι" in client.get("/appointments/").content.decode()  # the offer's KEP
    shown = client.get(url).content.decode()
    assert 'id="offer-other-kep"' in shown
    assert "ΚΕΠ Απέναντι" in shown
    assert "Οδός 7" in shown
    assert kep.name_el in shown  # instead of which

    taken = client.post(url, {"answer": "take"})
    assert 'data-answer="taken"' in taken.content.decode()
    assert "ΚΕΠ Απέναντι" in taken.content.decode()
    mine.refresh_from_db()
    assert (mine.kep, mine.starts_at, mine.status) == (there, at(EARLY), Status.BOOKED)


def test_an_offer_at_the_same_kep_names_no_other(client, kep, service) -> None:
    _mine, offer = offered(kep, service)
    shown = client.get(f"/offers/{offer_token(offer)}/").content.decode()
    assert 'id="offer-other-kep"' not in shown
    assert kep.address in shown
