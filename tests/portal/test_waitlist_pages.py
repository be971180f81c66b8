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
