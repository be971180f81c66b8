"""The free-times views share this process's unpickled directory data and lookups (ADR 0031),
under the directory version: every change to what they say is still seen by the very next
request — opening hours edited, an absence, a KEP closed to bookings, a category's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from keplive.booking.schedule_inputs import ATHENS
from keplive.catalogue.models import Category
from keplive.directory.models import Absence, OpeningHours
from tests.conftest import working_day
from tests.factories import EmployeeFactory, KepFactory, ServiceFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def setting():
    kep, service = KepFactory(), ServiceFactory()
    employee = EmployeeFactory(kep=kep)
    return kep, service, employee, working_day(3)


def local_times(client, kep, service, day: dt.date) -> list[str]:
    answer = client.get(
        f"{API}/keps/{kep.code}/free-times",
        {"service": service.code, "category": 1, "date": day.isoformat()},
    )
    assert answer.status_code == 200, answer.content
    return [item["local_time"] for item in answer.json()["times"]]


def free_days(client, kep, service, day: dt.date) -> list[str]:
    answer = client.get(
        f"{API}/keps/{kep.code}/free-days",
        {"service": service.code, "category": 1, "month": f"{day:%Y-%m}"},
    )
    assert answer.status_code == 200, answer.content
    return list(answer.json()["days"])


def test_opening_hours_edited_show_in_the_next_request(client, setting):
    kep, service, _employee, day = setting
    before = local_times(client, kep, service, day)
    assert "08:00" in before
    local_times(client, kep, service, day)  # shared now
    hours = OpeningHours.objects.filter(kep=kep, weekday=day.weekday())
    assert hours.exists()
    for row in hours:
        row.opens = dt.time(11, 0)
        row.save()
    after = local_times(client, kep, service, day)
    assert after
    assert min(after) >= "11:00"
    assert day.isoformat() in free_days(client, kep, service, day)


def test_an_absence_shows_in_the_next_request(client, setting):
    kep, service, employee, day = setting
    assert local_times(client, kep, service, day)
    assert day.isoformat() in free_days(client, kep, service, day)
    Absence.objects.create(
        employee=employee,
        starts_at=dt.datetime.combine(day, dt.time.min, tzinfo=ATHENS),
        ends_at=dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=ATHENS),
    )
    assert local_times(client, kep, service, day) == []
    assert day.isoformat() not in free_days(client, kep, service, day)


def test_a_kep_closed_to_bookings_shows_in_the_next_request(client, setting):
    kep, service, _employee, day = setting
    assert local_times(client, kep, service, day)
    kep.is_active = False
    kep.save()
    answer = client.get(
        f"{API}/keps/{kep.code}/free-times",
        {"service": service.code, "category": 1, "date": day.isoformat()},
    )
    assert answer.json()["code"] == "kep_not_bookable"


def test_a_category_step_changed_shows_in_the_next_request(client, setting):
    kep, service, _employee, day = setting
    before = local_times(client, kep, service, day)
    assert "08:30" in before or "08:15" in before
    category = Category.objects.get(number=1)
    category.step_minutes = 60
    category.save()
    after = local_times(client, kep, service, day)
    assert after
    assert all(text.endswith(":00") for text in after)


def test_the_answers_are_the_bytes_ninja_renders_from_the_schemas(client, setting):
    """The views render their dictionaries directly (ADR 0031): the same bytes and media type as
    the declared ``FreeTimesOut`` and ``FreeDaysOut`` rendered by ninja."""
    from ninja.renderers import JSONRenderer

    from keplive.api.schemas import FreeDaysOut, FreeTimesOut

    kep, service, _employee, day = setting
    renderer = JSONRenderer()
    answer = client.get(
        f"{API}/keps/{kep.code}/free-times",
        {"service": service.code, "category": 1, "date": day.isoformat()},
    )
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer.json()["times"]
    schema = FreeTimesOut.model_validate(answer.json())
    assert answer.content.decode() == renderer.render(
        None, schema.model_dump(), response_status=200
    )
    answer = client.get(
        f"{API}/keps/{kep.code}/free-days",
        {"service": service.code, "category": 1, "month": f"{day:%Y-%m}"},
    )
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    schema = FreeDaysOut.model_validate(answer.json())
    assert answer.content.decode() == renderer.render(
        None, schema.model_dump(), response_status=200
    )
