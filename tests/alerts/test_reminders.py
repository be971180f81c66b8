"""The employee's reminder email (E3): once per appointment, time and employee, 15 minutes
ahead, with no citizen data."""

from __future__ import annotations

import pytest
from django.test import override_settings

from keplive.alerts.models import EmployeeReminder
from keplive.alerts.reminders import send_employee_reminders
from keplive.alerts.tasks import send_employee_reminders_task
from keplive.booking import services
from keplive.booking.models import Appointment
from keplive.calls.models import Call, CallState
from keplive.notifications.models import OutboxMessage
from tests.alerts.concurrency import fill_tuesday, run_twice_at_once
from tests.alerts.conftest import NOW, at, staff
from tests.factories import KepFactory


def reminders() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="employee-reminder:").order_by("pk"))


@pytest.mark.django_db
class TestSendEmployeeReminders:
    def test_an_appointment_is_reminded_once_fifteen_minutes_ahead(self, kep, employee, book):
        appointment = book(kep, 10)
        assert send_employee_reminders(now=at(9, 44)) == 0  # 16 minutes ahead: not yet
        assert send_employee_reminders(now=at(9, 45)) == 1
        assert send_employee_reminders(now=at(9, 45)) == 0
        assert send_employee_reminders(now=at(9, 50)) == 0

        (message,) = reminders()
        assert message.recipient == employee.user.email
        assert message.language == "el"
        reminder = EmployeeReminder.objects.get(appointment=appointment)
        assert reminder.sent_at == at(9, 45)
        assert reminder.starts_at == appointment.starts_at
        assert reminder.message == message

    def test_the_email_names_the_time_the_service_and_the_call_page_only(
        self, kep, employee, book, service
    ):
        appointment = book(kep, 10)
        send_employee_reminders(now=at(9, 50))
        (message,) = reminders()
        assert "10:00" in message.subject
        assert service.title_el in message.subject
        link = f"https://keplive.example.gr/workspace/calls/{appointment.reference}/"
        assert link in message.text_body
        assert link in message.html_body
        for body in (message.subject, message.text_body, message.html_body):
            assert "Μαρία" not in body  # the citizen's name
            assert "ΚΛ987654" not in body
            assert "987654" not in body
            assert "maria@example.gr" not in body
            assert "6912345678" not in body
            assert "Πιστοποιητικό οικογενειακής" not in body  # the declared subject

    def test_calls_already_started_or_far_ahead_are_not_reminded(self, kep, employee, book):
        book(kep, 10)
        assert send_employee_reminders(now=at(10, 0)) == 0
        assert send_employee_reminders(now=at(8, 0)) == 0
        assert reminders() == []

    def test_a_cancelled_appointment_is_not_reminded(self, kep, employee, book):
        appointment = book(kep, 10)
        services.cancel_appointment(
            reference=appointment.reference, citizen=appointment.citizen, now=NOW
        )
        assert send_employee_reminders(now=at(9, 50)) == 0

    def test_a_call_the_employee_has_opened_already_is_not_reminded(self, kep, employee, book):
        appointment = book(kep, 10)
        Call.objects.create(
            appointment=appointment, state=CallState.OPEN, opened_by=employee, opened_at=at(9, 40)
        )
        assert send_employee_reminders(now=at(9, 50)) == 0

    def test_an_employee_without_an_email_address_is_skipped(self, kep, employee, book):
        employee.user.email = ""
        employee.user.save(update_fields=["email"])
        book(kep, 10)
        assert send_employee_reminders(now=at(9, 50)) == 0
        assert not EmployeeReminder.objects.exists()

    def test_a_moved_appointment_is_reminded_again_for_its_new_time(self, kep, employee, book):
        appointment = book(kep, 10)
        assert send_employee_reminders(now=at(9, 50)) == 1
        services.reschedule_appointment(
            reference=appointment.reference,
            citizen=appointment.citizen,
            starts_at=at(11),
            now=NOW,
        )
        assert send_employee_reminders(now=at(9, 55)) == 0  # 11:00 is not due yet
        assert send_employee_reminders(now=at(10, 46)) == 1
        assert send_employee_reminders(now=at(10, 47)) == 0
        assert len(reminders()) == 2
        assert EmployeeReminder.objects.get(appointment=appointment).starts_at == at(11)

    def test_a_reassigned_appointment_reminds_its_new_employee(
        self, kep, employee, colleague, book
    ):
        appointment = book(kep, 10)
        assert send_employee_reminders(now=at(9, 45)) == 1
        Appointment.objects.filter(pk=appointment.pk).update(employee=colleague)
        assert send_employee_reminders(now=at(9, 46)) == 1
        assert [message.recipient for message in reminders()] == [
            appointment.employee.user.email,
            colleague.user.email,
        ]

    def test_the_setting_sets_how_far_ahead(self, kep, employee, book):
        book(kep, 10)
        with override_settings(KEPLIVE_EMPLOYEE_REMINDER_MINUTES=30):
            assert send_employee_reminders(now=at(9, 30)) == 1

    def test_one_refused_address_does_not_hold_back_the_others(self, kep, employee, book):
        other = staff(KepFactory(), email="not-an-address")
        book(kep, 10)
        book(other.kep, 10)
        assert send_employee_reminders(now=at(9, 50)) == 1
        assert [message.recipient for message in reminders()] == [employee.user.email]

    def test_the_periodic_task_reminds_what_is_due(self, kep, employee, book):
        from django.utils import timezone

        from tests.conftest import athens, working_day

        day = working_day()
        appointment = book(kep, 9, day=day, now=timezone.now())
        minutes = int((appointment.starts_at - timezone.now()).total_seconds() // 60) + 5
        with override_settings(KEPLIVE_EMPLOYEE_REMINDER_MINUTES=minutes):
            assert send_employee_reminders_task.call_local() == 1
            assert send_employee_reminders_task.call_local() == 0
        assert appointment.starts_at == athens(day.year, day.month, day.day, 9)


# --- PostgreSQL: two workers at once --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_remind_each_appointment_exactly_once(require_postgres, service):
    booked = fill_tuesday(service=service, count=12)
    last = max(appointment.starts_at for appointment in booked)
    with override_settings(
        KEPLIVE_EMPLOYEE_REMINDER_MINUTES=int((last - NOW).total_seconds() // 60) + 1,
        KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False,
    ):
        counts = run_twice_at_once(lambda: send_employee_reminders(now=NOW))
    assert sum(counts) == len(booked)
    assert len(reminders()) == len(booked)
    assert EmployeeReminder.objects.count() == len(booked)
