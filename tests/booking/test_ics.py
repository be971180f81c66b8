"""The appointment's calendar file: parsed back with icalendar, as a calendar program reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from icalendar import Calendar

from keplive.booking import services
from keplive.booking.ics import ALARM_MINUTES, appointment_ics, join_url
from keplive.booking.links import appointment_for_join_token, appointment_for_manage_token
from tests.booking.test_emails import ID_CARD, PUBLIC_URL, at, book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def settings_for_links():
    with override_settings(
        KEPLIVE_PUBLIC_URL=PUBLIC_URL,
        KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False,
        DEFAULT_FROM_EMAIL="KEPlive <no-reply@keplive.example.gr>",
    ):
        yield


@pytest.fixture
def appointment(kep, employee, service, information, citizen, now):
    return book(citizen, kep, service, information, now)


def parse(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    (event,) = calendar.events
    return calendar, event


def test_a_request_names_the_appointment_its_time_in_utc_and_its_links(appointment, now):
    calendar, event = parse(appointment_ics(appointment, method="REQUEST", language="en", now=now))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//KEPlive//")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{appointment.reference}@keplive"
    assert event["SEQUENCE"] == 0
    assert event.start == at(9)
    assert event.start.utcoffset() == dt.timedelta(0)
    assert event.end == appointment.ends_at
    assert event["DTSTAMP"].dt == now
    assert str(event["STATUS"]) == "CONFIRMED"
    assert appointment.service.title_en in str(event["SUMMARY"])
    assert str(event["ORGANIZER"]) == "mailto:no-reply@keplive.example.gr"
    location = str(event["LOCATION"])
    assert location == join_url(appointment)
    token = location.removeprefix(f"{PUBLIC_URL}/call/").rstrip("/")
    assert appointment_for_join_token(token, now=now).pk == appointment.pk
    description = str(event["DESCRIPTION"])
    assert f"Appointment code: {appointment.display_code}" in description
    assert f"{PUBLIC_URL}/call/" in description
    manage = description.split(f"{PUBLIC_URL}/manage/")[1].split("/")[0]
    assert appointment_for_manage_token(manage, now=now).pk == appointment.pk


def test_the_times_are_written_in_utc(appointment, now):
    data = appointment_ics(appointment, method="REQUEST", language="el", now=now).decode()
    # 09:00 in Athens in November (UTC+2).
    assert "DTSTART:20261124T070000Z" in data


def test_the_event_has_a_display_alarm_before_the_call(appointment, now):
    _calendar, event = parse(appointment_ics(appointment, method="REQUEST", language="el", now=now))
    (alarm,) = event.subcomponents
    assert alarm.name == "VALARM"
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm["TRIGGER"].dt == -dt.timedelta(minutes=ALARM_MINUTES)
    assert str(alarm["DESCRIPTION"])


def test_the_summary_is_in_the_requested_language(appointment, now):
    _c, greek = parse(appointment_ics(appointment, method="REQUEST", language="el", now=now))
    _c, english = parse(appointment_ics(appointment, method="REQUEST", language="en", now=now))
    assert appointment.service.title_el in str(greek["SUMMARY"])
    assert appointment.service.title_en in str(english["SUMMARY"])


def test_a_reschedule_bumps_the_sequence_and_moves_the_event(appointment, citizen, now):
    moved = services.reschedule_appointment(
        reference=appointment.reference, citizen=citizen, starts_at=at(11), now=now
    )
    _calendar, event = parse(appointment_ics(moved, method="REQUEST", language="el", now=now))
    assert str(event["UID"]) == f"{appointment.reference}@keplive"
    assert event["SEQUENCE"] == 1
    assert event.start == at(11)


def test_a_cancellation_is_method_cancel_without_links_or_alarm(appointment, citizen, now):
    cancelled = services.cancel_appointment(
        reference=appointment.reference, citizen=citizen, now=now
    )
    calendar, event = parse(appointment_ics(cancelled, method="CANCEL", language="en", now=now))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"{appointment.reference}@keplive"
    assert "LOCATION" not in event
    assert event.subcomponents == []
    assert f"{PUBLIC_URL}/book/" in str(event["DESCRIPTION"])


def test_the_file_carries_no_personal_data(appointment, now):
    data = appointment_ics(appointment, method="REQUEST", language="el", now=now).decode()
    unfolded = data.replace("\r\n ", "")
    for personal in (ID_CARD, "123456", "Μαρία", "Παπαδοπούλου", "maria@example.gr", "6912345678"):
        assert personal not in unfolded
