"""The KEP, service and category a request names come from the cache (issue 13, goal 1), and a
change to any of them is seen by the very next request."""

from __future__ import annotations

import pytest

from keplive.catalogue.models import Category
from tests.conftest import working_day
from tests.factories import EmployeeFactory, KepFactory, ServiceFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def kep():
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return kep


@pytest.fixture
def service():
    return ServiceFactory()


def free_times(client, kep, service, category=1):
    return client.get(
        f"{API}/keps/{kep.code}/free-times",
        {"service": service.code, "category": category, "date": working_day(3).isoformat()},
    )


def test_a_warm_free_times_request_asks_the_database_only_for_the_bookings(
    client, kep, service, django_assert_max_num_queries
):
    assert free_times(client, kep, service).status_code == 200
    with django_assert_max_num_queries(1) as queries:
        answer = free_times(client, kep, service)
    assert answer.status_code == 200
    assert answer.json()["times"]
    assert "booking_appointment" in queries.captured_queries[0]["sql"]


def test_a_kep_closed_to_bookings_is_seen_by_the_next_request(client, kep, service):
    assert free_times(client, kep, service).status_code == 200
    kep.is_active = False
    kep.save()
    assert free_times(client, kep, service).json()["code"] == "kep_not_bookable"


def test_a_category_taken_off_a_service_is_seen_by_the_next_request(client, kep, service):
    assert free_times(client, kep, service).status_code == 200
    service.categories.remove(Category.objects.get(number=1))
    assert free_times(client, kep, service).json()["code"] == "service_not_offered"


def test_an_unknown_code_is_still_a_404(client, kep, service):
    assert (
        client.get(
            f"{API}/keps/NOPE1/free-times",
            {"service": service.code, "category": 1, "date": working_day(3).isoformat()},
        ).status_code
        == 404
    )
