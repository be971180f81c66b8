"""Waiting requests through the API (issue 16): create, list, remove — the same services as
the pages; another citizen's booking or request is not found."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.booking import services
from keplive.catalogue.models import Category
from keplive.waitlist.models import RequestStatus, WaitingRequest
from tests.conftest import ATHENS, working_day
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/waiting-requests"


@pytest.fixture
def booking():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    day = working_day(5)
    return services.book_appointment(
        citizen=CitizenFactory(),
        kep=kep,
        service=ServiceFactory(),
        category=Category.objects.get(number=1),
        starts_at=dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ATHENS),
        now=timezone.now(),
    )


def test_create_list_and_remove(client, booking) -> None:
    client.force_login(booking.citizen.user)
    body = {"reference": str(booking.reference), "weekdays": [1, 2], "part_of_day": "morning"}
    created = client.post(URL, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["weekdays"] == [1, 2]
    again = client.post(URL, body, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_waiting"

    listed = client.get(URL).json()
    assert [item["reference"] for item in listed] == [str(booking.reference)]

    removed = client.delete(f"{URL}/{created.json()['id']}")
    assert removed.status_code == 204
    assert WaitingRequest.objects.get().status == RequestStatus.REMOVED
    assert client.get(URL).json() == []


def test_bad_input_and_other_citizens(client, booking) -> None:
    client.force_login(CitizenFactory().user)
    theirs = client.post(
        URL, {"reference": str(booking.reference)}, content_type="application/json"
    )
    assert theirs.status_code == 404
    bad = client.post(
        URL,
        {"reference": str(booking.reference), "weekdays": [9]},
        content_type="application/json",
    )
    assert bad.status_code in (404, 422)
    past = client.post(
        URL,
        {"reference": str(booking.reference), "before": "2020-01-01"},
        content_type="application/json",
    )
    assert past.status_code in (404, 422)
    assert client.delete(f"{URL}/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a").status_code == 404
    assert not WaitingRequest.objects.exists()


def test_a_window_that_cannot_be_is_refused(client, booking) -> None:
    client.force_login(booking.citizen.user)
    for body in ({"weekdays": [9]}, {"before": "2020-01-01"}, {"weekdays": []}):
        answer = client.post(
            URL, {"reference": str(booking.reference)} | body, content_type="application/json"
        )
        assert answer.status_code == 422, (body, answer.content)
    assert not WaitingRequest.objects.exists()


def test_other_keps_are_asked_for_and_category_4_may_not_ask_for_any_kep(client, booking) -> None:
    client.force_login(booking.citizen.user)
    body = {"reference": str(booking.reference), "scope": "municipality"}
    created = client.post(URL, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["scope"] == "municipality"
    assert WaitingRequest.objects.get().scope == "municipality"

    kep = booking.kep
    municipal = services.book_appointment(
        citizen=booking.citizen,
        kep=kep,
        service=ServiceFactory(categories=[4], municipality=kep.municipality),
        category=Category.objects.get(number=4),
        starts_at=booking.starts_at + dt.timedelta(days=1),
        now=timezone.now(),
    )
    refused = client.post(
        URL,
        {"reference": str(municipal.reference), "scope": "any"},
        content_type="application/json",
    )
    assert refused.status_code == 422, refused.content
    assert refused.json()["code"] == "scope_not_allowed"
    unknown = client.post(
        URL,
        {"reference": str(municipal.reference), "scope": "mars"},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert WaitingRequest.objects.count() == 1


def test_other_keps_are_refused_to_anyone_but_the_citizen(client, booking) -> None:
    from tests.factories import EmployeeFactory as Staff
    from tests.staff import login_staff

    body = {"reference": str(booking.reference), "scope": "municipality"}
    assert client.post(URL, body, content_type="application/json").status_code in (401, 403)
    client.force_login(CitizenFactory().user)
    assert client.post(URL, body, content_type="application/json").status_code == 404
    employee = Staff(kep=booking.kep).user
    client.force_login(employee)
    assert client.post(URL, body, content_type="application/json").status_code in (401, 403)
    login_staff(client, employee)
    assert client.post(URL, body, content_type="application/json").status_code in (401, 403)
    assert not WaitingRequest.objects.exists()
