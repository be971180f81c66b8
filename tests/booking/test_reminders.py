"""The reminder email (C8): once per appointment and time, ``KEPLIVE_REMINDER_MINUTES`` ahead."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.test import override_settings

from keplive.booking import services
from keplive.booking.models import Appointment
from keplive.booking.reminders import send_due_reminders
from keplive.booking.selectors import free_slots_for
from keplive.booking.tasks import send_reminders_task
from keplive.catalogue.models import Category
from keplive.notifications.models import OutboxMessage
from tests.booking.conftest import NOW, TUESDAY
from tests.booking.test_emails import at, book, declaration
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory


@pytest.fixture(autouse=True)
def no_delivery_on_commit():
    with override_settings(KEPLIVE_REMINDER_MINUTES=60, KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False):
        yield


def reminders() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="appointment-reminder:"))


def reminder_keys() -> set[str]:
    return {message.key for message in reminders()}


@pytest.mark.django_db
class TestSendDueReminders:
    def test_a_call_within_the_reminder_time_is_reminded_once(
        self, kep, employee, service, information, citizen, now
    ):
        appointment = book(citizen, kep, service, information, now, language="en")
        reminded_at = at(8, 10)

        assert send_due_reminders(now=reminded_at) == 1
        assert send_due_reminders(now=reminded_at) == 0
        assert send_due_reminders(now=at(8, 30)) == 0

        (message,) = reminders()
        assert message.key == f"appointment-reminder:{appointment.reference}:0"
        assert message.recipient == "maria@example.gr"
        assert message.subject == "Reminder: your myKEPlive video call at 09:00"
        appointment.refresh_from_db()
        assert appointment.reminder_sent_at == reminded_at

    def test_a_call_further_ahead_is_not_due_yet(
        self, kep, employee, service, information, citizen, now
    ):
        appointment = book(citizen, kep, service, information, now)
        assert send_due_reminders(now=at(7, 59)) == 0  # 61 minutes ahead
        assert send_due_reminders(now=at(8, 0)) == 1  # exactly 60 minutes ahead: due
        appointment.refresh_from_db()
        assert appointment.reminder_sent_at == at(8, 0)

    def test_a_call_that_has_started_is_not_reminded(
        self, kep, employee, service, information, citizen, now
    ):
        book(citizen, kep, service, information, now)
        assert send_due_reminders(now=at(9, 0)) == 0
        assert reminders() == []

    def test_a_cancelled_appointment_is_not_reminded(
        self, kep, employee, service, information, citizen, now
    ):
        appointment = book(citizen, kep, service, information, now)
        services.cancel_appointment(reference=appointment.reference, citizen=citizen, now=now)
        assert send_due_reminders(now=at(8, 30)) == 0
        assert reminders() == []

    def test_an_appointment_without_declared_details_is_skipped(
        self, kep, employee, service, information, citizen, now
    ):
        appointment = services.book_appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=information,
            starts_at=at(9),
            now=now,
        )
        assert send_due_reminders(now=at(8, 30)) == 0
        appointment.refresh_from_db()
        assert appointment.reminder_sent_at is None

    def test_only_the_due_calls_among_several_are_reminded(
        self, kep, employee, service, information, citizen, other_citizen, now
    ):
        due = book(citizen, kep, service, information, now)
        later = book(other_citizen, kep, service, information, now, starts_at=at(11))
        assert send_due_reminders(now=at(8, 30)) == 1
        assert reminder_keys() == {f"appointment-reminder:{due.reference}:0"}
        later.refresh_from_db()
        assert later.reminder_sent_at is None

    def test_a_rescheduled_appointment_is_reminded_again_for_its_new_time(
        self, kep, employee, service, information, citizen, now
    ):
        appointment = book(citizen, kep, service, information, now)
        assert send_due_reminders(now=at(8, 10)) == 1

        services.reschedule_appointment(
            reference=appointment.reference, citizen=citizen, starts_at=at(11), now=at(8, 15)
        )
        appointment.refresh_from_db()
        assert appointment.reminder_sent_at is None
        assert send_due_reminders(now=at(8, 20)) == 0  # 11:00 is not due yet
        assert send_due_reminders(now=at(10, 5)) == 1
        assert send_due_reminders(now=at(10, 6)) == 0
        assert reminder_keys() == {
            f"appointment-reminder:{appointment.reference}:0",
            f"appointment-reminder:{appointment.reference}:1",
        }

    def test_the_reminder_setting_sets_how_far_ahead(
        self, kep, employee, service, information, citizen, now
    ):
        book(citizen, kep, service, information, now)
        with override_settings(KEPLIVE_REMINDER_MINUTES=180):
            assert send_due_reminders(now=at(6, 0)) == 1

    def test_the_periodic_task_sends_what_is_due(
        self, kep, employee, service, information, citizen
    ):
        # The task reads the real clock: book for the next working day, remind from "now".
        from django.utils import timezone

        from tests.conftest import athens, working_day

        day = working_day()
        starts_at = athens(day.year, day.month, day.day, 9)
        book(
            citizen,
            kep,
            service,
            information,
            timezone.now(),
            starts_at=starts_at,
        )
        with override_settings(
            KEPLIVE_REMINDER_MINUTES=int((starts_at - timezone.now()).total_seconds() // 60) + 5
        ):
            assert send_reminders_task.call_local() == 1
        assert len(reminders()) == 1


# --- PostgreSQL: two workers at once --------------------------------------------------------

APPOINTMENTS = 20


def fill_tuesday(*, count: int) -> list[Appointment]:
    """``count`` booked appointments with details on Tuesday, one citizen each."""
    kep = KepFactory()
    for _ in range(4):
        EmployeeFactory(kep=kep)
    service = ServiceFactory()
    category = Category.objects.get(number=1)
    booked: list[Appointment] = []
    while len(booked) < count:
        slot = free_slots_for(
            kep=kep, service=service, category=category, start=TUESDAY, end=TUESDAY, now=NOW
        )[0]
        booked.append(
            services.book_appointment(
                citizen=CitizenFactory(),
                kep=kep,
                service=service,
                category=category,
                starts_at=slot.start,
                now=NOW,
                declaration=declaration(),
            )
        )
    return booked


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_remind_each_appointment_exactly_once(require_postgres):
    booked = fill_tuesday(count=APPOINTMENTS)
    last = max(appointment.starts_at for appointment in booked)
    # A window wide enough that every appointment is due at NOW.
    minutes = int((last - NOW) / dt.timedelta(minutes=1)) + 1
    barrier = threading.Barrier(2)
    counts: list[object] = [None, None]

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            counts[index] = send_due_reminders(now=NOW)
        except BaseException as error:
            counts[index] = error
        finally:
            connections.close_all()

    with override_settings(KEPLIVE_REMINDER_MINUTES=minutes):
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reminder run hung"

    assert all(isinstance(count, int) for count in counts), counts
    assert sum(counts) == APPOINTMENTS  # type: ignore[arg-type]
    assert reminder_keys() == {
        f"appointment-reminder:{appointment.reference}:0" for appointment in booked
    }
    assert len(reminders()) == APPOINTMENTS
    assert not Appointment.objects.filter(reminder_sent_at__isnull=True).exists()
