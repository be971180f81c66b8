"""Asking before booking, on the pages and the API (issue 16, ADR 0028): the times page's link,
the request form, the request in My appointments with its remove button, the offer link leading
to the details step of the held time, and who may open each of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.booking import services
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from keplive.waitlist import services as waitlist
from keplive.waitlist.links import offer_token
from keplive.waitlist.models import Offer, OfferStatus, RequestStatus, WaitingRequest
from tests.conftest import ATHENS, working_day
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    ServiceFactory,
    UserFactory,
)
from tests.staff import login_staff
from tests.waitlist.helpers import declaration

pytestmark = pytest.mark.django_db

DAY = working_day(3)
OFFER_NOW = dt.datetime.combine(working_day(1), dt.time(9, 0), tzinfo=ATHENS)
API = "/api/v1/waiting-requests"


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


def ask_url(kep, service) -> str:
    return f"/book/1/{service.pk}/{kep.code}/earlier/"


def ask(citizen, kep, service, category) -> WaitingRequest:
    return waitlist.ask_for_service(
        citizen=citizen,
        kep=kep,
        service=service,
        category=category,
        now=timezone.now(),
        email="wait@example.gr",
    )


def offered(kep, service, category, citizen) -> Offer:
    """``citizen`` waits; someone books the day's 10:00 and cancels it; the worker offers it."""
    ask(citizen, kep, service, category)
    other = services.book_appointment(
        citizen=CitizenFactory(),
        kep=kep,
        service=service,
        category=category,
        starts_at=dt.datetime(DAY.year, DAY.month, DAY.day, 10, 0, tzinfo=ATHENS),
        now=timezone.now(),
        declaration=declaration(),
    )
    services.cancel_appointment(reference=other.reference, citizen=other.citizen, now=OFFER_NOW)
    waitlist.process_freed_times(now=OFFER_NOW)
    return Offer.objects.get(citizen=citizen)


def test_the_times_page_links_to_the_request_which_is_seen_and_removed_in_my_appointments(
    client, kep, service
) -> None:
    citizen = CitizenFactory()
    client.force_login(citizen.user)
    times = client.get(f"/book/1/{service.pk}/{kep.code}/").content.decode()
    assert 'id="waiting-ask-service"' in times
    assert ask_url(kep, service) in times

    form = client.get(ask_url(kep, service))
    assert form.status_code == 200
    assert service.title in form.content.decode()
    bad = client.post(ask_url(kep, service), {"scope": "kep", "part_of_day": "any"})
    assert bad.status_code == 400
    assert not WaitingRequest.objects.exists()

    done = client.post(
        ask_url(kep, service),
        {
            "scope": "kep",
            "weekdays": ["1", "2", "3"],
            "part_of_day": "morning",
            "email": "maria@example.gr",
            "mobile_phone": "6912345678",
        },
    )
    assert done.status_code == 302
    request = WaitingRequest.objects.get()
    assert request.appointment is None
    assert (request.citizen, request.kep, request.service) == (citizen, kep, service)
    assert (request.weekdays, request.part_of_day) == ("123", "morning")
    assert request.email == "maria@example.gr"

    # Asked twice: said so, nothing more.
    twice = client.post(
        ask_url(kep, service),
        {"scope": "kep", "weekdays": ["1"], "part_of_day": "any", "email": "maria@example.gr"},
    )
    assert twice.status_code == 400
    assert WaitingRequest.objects.count() == 1

    listing = client.get("/appointments/").content.decode()
    assert f'data-waiting-service="{request.public_id}"' in listing
    assert f"/appointments/waiting/{request.public_id}/remove/" in listing
    assert client.post(f"/appointments/waiting/{request.public_id}/remove/").status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.REMOVED
    assert "data-waiting-service" not in client.get("/appointments/").content.decode()


def test_who_may_not_ask_nor_remove(client, kep, service, category) -> None:
    url = ask_url(kep, service)
    # Anonymous: sent to log in and back.
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    assert "earlier" in anonymous["Location"]
    assert client.post(url, {}).status_code == 302
    # Another citizen: the request is not theirs to remove.
    request = ask(CitizenFactory(), kep, service, category)
    client.force_login(CitizenFactory().user)
    assert client.post(f"/appointments/waiting/{request.public_id}/remove/").status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.ACTIVE
    # A KEP that does not serve it, or no such service: not found.
    assert client.get(f"/book/1/{service.pk}/nope/earlier/").status_code == 404
    assert client.get(f"/book/1/999999/{kep.code}/earlier/").status_code == 404
    # Staff (second factor verified or not): refused.
    employee = EmployeeFactory(kep=kep).user
    client.force_login(employee)
    assert client.get(url).status_code in (302, 403)
    login_staff(client, employee)
    assert client.get(url).status_code == 403
    assert client.post(url, {"email": "x@example.gr"}).status_code == 403
    supervisor = UserFactory(role=Role.SUPERVISOR)
    login_staff(client, supervisor)
    assert client.post(f"/appointments/waiting/{request.public_id}/remove/").status_code in (
        403,
        404,
    )
    assert WaitingRequest.objects.count() == 1


def test_the_offer_link_leads_the_citizen_to_the_details_step_and_books_it(
    client, kep, service, category
) -> None:
    citizen = CitizenFactory()
    offer = offered(kep, service, category, citizen)
    url = f"/offers/{offer_token(offer)}/"

    # Anyone with the link sees the offer; booking it needs the citizen logged in.
    shown = client.get(url)
    assert shown.status_code == 200
    assert 'id="offer-take"' in shown.content.decode()
    to_login = client.post(url, {"answer": "take"})
    assert to_login.status_code == 302
    assert to_login["Location"].startswith("/login/")
    # Another citizen with the link: not found, and the offer stays open.
    client.force_login(CitizenFactory().user)
    assert client.post(url, {"answer": "take"}).status_code == 404
    # Staff with the link: not found either.
    login_staff(client, EmployeeFactory(kep=kep).user)
    assert client.post(url, {"answer": "take"}).status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING

    client.force_login(citizen.user)
    taken = client.post(url, {"answer": "take"})
    assert taken.status_code == 302
    assert taken["Location"] == f"/book/details/{offer.hold.reference}/"
    details = client.get(taken["Location"])
    assert details.status_code == 200
    page = details.content.decode()
    # The hold's time left: kept until the offer's end, as on any booking's details step.
    assert f"{offer.expires_at.astimezone(ATHENS):%H:%M}" in page

    form = {
        "full_name": "Μαρία Αναμονή",
        "email": "maria.wait@example.gr",
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": "ΑΒ123456",
        "subject": "Πιστοποιητικό",
        "delivery_method": "email",
        "consent": "on",
    }
    booked = client.post(taken["Location"], form)
    assert booked.status_code == 302, booked.content.decode()[:2000]
    assert booked["Location"] == f"/book/done/{offer.hold.reference}/"
    hold = Appointment.objects.get(pk=offer.hold_id)
    assert hold.status == Status.BOOKED
    offer.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    assert WaitingRequest.objects.get(citizen=citizen).status == RequestStatus.FULFILLED
    # The link again: closed.
    assert client.get(url).status_code == 410


def test_declining_gives_the_time_on(client, kep, service, category) -> None:
    offer = offered(kep, service, category, CitizenFactory())
    declined = client.post(f"/offers/{offer_token(offer)}/", {"answer": "decline"})
    assert declined.status_code == 200
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    assert Appointment.objects.get(pk=offer.hold_id).status == Status.RELEASED
    assert WaitingRequest.objects.get().status == RequestStatus.ACTIVE


def test_the_api_takes_a_booking_or_a_service_never_both(client, kep, service) -> None:
    citizen = CitizenFactory()
    client.force_login(citizen.user)
    body = {"service": service.code, "kep": kep.code, "category": 1, "email": "m@example.gr"}
    created = client.post(API, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["reference"] is None
    assert created.json()["service"] == service.code
    again = client.post(API, body, content_type="application/json")
    assert again.status_code == 409
    assert [item["kep"] for item in client.get(API).json()] == [kep.code]

    for bad in (
        {},
        {"service": service.code, "kep": kep.code},
        {"service": service.code, "kep": kep.code, "category": 1},  # no email
        body | {"reference": "5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a"},
        body | {"email": "not an address", "service": ServiceFactory().code},
    ):
        answer = client.post(API, bad, content_type="application/json")
        assert answer.status_code == 422, (bad, answer.content)
    assert client.post(
        API, body | {"kep": "nope"}, content_type="application/json"
    ).status_code in (404, 409, 422)

    # Another citizen can neither see nor remove it; anonymous is refused.
    request_id = created.json()["id"]
    client.force_login(CitizenFactory().user)
    assert client.get(API).json() == []
    assert client.delete(f"{API}/{request_id}").status_code == 404
    client.logout()
    assert client.post(API, body, content_type="application/json").status_code in (401, 403)
    assert WaitingRequest.objects.get().status == RequestStatus.ACTIVE
