"""Nobody left waiting (A7): a call nobody opened 3 minutes after its start raises one alert,
emailed to the KEP's supervisors and the administrators; it resolves itself or is taken over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from keplive.alerts.exceptions import WaitingAlertNotFound, WaitingAlertResolved
from keplive.alerts.models import Resolution, WaitingAlert
from keplive.alerts.selectors import open_waiting_alert_count, open_waiting_alerts
from keplive.alerts.tasks import raise_waiting_alerts_task
from keplive.alerts.waiting import raise_waiting_alerts, take_over_waiting_alert
from keplive.audit.models import AuditEvent
from keplive.audit.services import SYSTEM
from keplive.booking import services
from keplive.booking.models import Appointment
from keplive.booking.staff_changes import EmployeeNotAvailable
from keplive.calls.models import Call, CallState
from keplive.calls.services import LINK_OVERRUN, mark_no_shows
from keplive.notifications.models import OutboxMessage
from tests.alerts.concurrency import fill_tuesday, run_twice_at_once
from tests.alerts.conftest import NOW, at, staff
from tests.factories import UserFactory


def alert_emails() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="waiting-alert:").order_by("pk"))


def open_call(appointment: Appointment, employee, when) -> None:  # type: ignore[no-untyped-def]
    call, _ = Call.objects.get_or_create(appointment=appointment)
    Call.objects.filter(pk=call.pk).update(state=CallState.OPEN, opened_by=employee, opened_at=when)


@pytest.fixture
def everyone(employee, colleague, supervisor, other_supervisor, administrator):
    return None


@pytest.mark.django_db
class TestRaise:
    def test_an_unopened_call_three_minutes_after_its_start_raises_one_alert(
        self, kep, employee, everyone, book
    ):
        appointment = book(kep, 10)
        assert raise_waiting_alerts(now=at(10, 2)) == 0
        assert raise_waiting_alerts(now=at(10, 3)) == 1
        assert raise_waiting_alerts(now=at(10, 4)) == 0
        assert raise_waiting_alerts(now=at(10, 10)) == 0

        alert = WaitingAlert.objects.get()
        assert alert.appointment == appointment
        assert alert.kep == kep
        assert alert.employee == appointment.employee
        assert (alert.starts_at, alert.raised_at) == (at(10), at(10, 3))
        assert alert.is_open
        assert AuditEvent.objects.filter(action="alert.waiting_raised").count() == 1

    def test_the_supervisors_of_the_kep_and_the_administrators_are_emailed(
        self, kep, employee, everyone, book, supervisor, administrator, colleague
    ):
        appointment = book(kep, 10)
        UserFactory(role="administrator", email="")  # no address: nobody to write to
        UserFactory(role="administrator", email="retired@minedu.example.gr", is_active=False)
        inactive = staff(kep, "supervisor", "inactive.supervisor@kep.example.gr")
        inactive.is_active = False
        inactive.save(update_fields=["is_active"])
        raise_waiting_alerts(now=at(10, 3))

        messages = alert_emails()
        assert [message.recipient for message in messages] == [
            supervisor.user.email,
            administrator.email,
        ]
        supervisor_mail, admin_mail = messages
        assert "https://keplive.example.gr/workspace/alerts/" in supervisor_mail.text_body
        assert "https://keplive.example.gr/administration/" in admin_mail.text_body
        for message in messages:
            assert "10:00" in message.subject
            assert kep.name_el in message.subject
            assert str(appointment.employee) in message.text_body
            for body in (message.subject, message.text_body, message.html_body):
                assert "maria@example.gr" not in body
                assert "987654" not in body
                assert "6912345678" not in body
                assert "οικογενειακής" not in body
        # Nobody of the other KEP, nor the employees.
        recipients = {message.recipient for message in messages}
        assert colleague.user.email not in recipients
        assert "other.supervisor@kep.example.gr" not in recipients

    def test_an_opened_call_raises_nothing(self, kep, employee, everyone, book):
        appointment = book(kep, 10)
        open_call(appointment, employee, at(9, 58))
        assert raise_waiting_alerts(now=at(10, 5)) == 0

    def test_a_no_show_call_nobody_opened_still_alerts(self, kep, employee, everyone, book):
        appointment = book(kep, 10)
        mark_no_shows(now=at(10, 10))
        assert Call.objects.get(appointment=appointment).state == CallState.NO_SHOW
        assert raise_waiting_alerts(now=at(10, 10)) == 1

    def test_a_cancelled_appointment_raises_nothing(self, kep, employee, everyone, book):
        appointment = book(kep, 10)
        services.cancel_appointment(
            reference=appointment.reference, citizen=appointment.citizen, now=NOW
        )
        assert raise_waiting_alerts(now=at(10, 5)) == 0

    def test_long_after_the_citizen_could_be_served_nothing_is_raised(
        self, kep, employee, everyone, book
    ):
        book(kep, 10)
        assert raise_waiting_alerts(now=at(23, 0)) == 0

    def test_the_minutes_are_a_setting(self, kep, employee, everyone, book):
        book(kep, 10)
        with override_settings(KEPLIVE_WAITING_ALERT_MINUTES=5):
            assert raise_waiting_alerts(now=at(10, 4)) == 0
            assert raise_waiting_alerts(now=at(10, 5)) == 1

    def test_a_moved_appointment_missed_again_alerts_again(self, kep, employee, everyone, book):
        appointment = book(kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        Appointment.objects.filter(pk=appointment.pk).update(
            starts_at=at(12), ends_at=at(12, 20), blocked_until=at(12, 25)
        )
        assert raise_waiting_alerts(now=at(10, 4)) == 0
        first = WaitingAlert.objects.get(starts_at=at(10))
        assert first.resolution == Resolution.MOVED
        assert raise_waiting_alerts(now=at(12, 3)) == 1
        assert WaitingAlert.objects.filter(appointment=appointment).count() == 2

    def test_the_periodic_task_raises_what_is_due(self, kep, employee, everyone, book):
        from django.utils import timezone

        appointment = book(kep, 10)
        started = timezone.now() - dt.timedelta(minutes=4)
        Appointment.objects.filter(pk=appointment.pk).update(
            starts_at=started,
            ends_at=started + dt.timedelta(minutes=20),
            blocked_until=started + dt.timedelta(minutes=25),
        )
        assert raise_waiting_alerts_task.call_local() == 1
        assert raise_waiting_alerts_task.call_local() == 0


@pytest.mark.django_db
class TestResolve:
    def test_the_original_employee_opening_the_call_resolves_it(
        self, kep, employee, everyone, book
    ):
        appointment = book(kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        assert open_waiting_alert_count(now=at(10, 4), kep=kep) == 1
        open_call(appointment, appointment.employee, at(10, 5))
        # Left out at once, before the worker's next run closes it.
        assert open_waiting_alerts(now=at(10, 5), kep=kep) == []
        raise_waiting_alerts(now=at(10, 6))
        alert = WaitingAlert.objects.get()
        assert (alert.resolution, alert.resolved_at) == (Resolution.OPENED, at(10, 6))

    def test_a_cancellation_resolves_it(self, kep, employee, everyone, book):
        appointment = book(kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        services.cancel_appointment(
            reference=appointment.reference, citizen=appointment.citizen, now=NOW
        )
        assert open_waiting_alerts(now=at(10, 4)) == []
        raise_waiting_alerts(now=at(10, 4))
        assert WaitingAlert.objects.get().resolution == Resolution.CANCELLED

    def test_nobody_acting_until_the_link_expires_closes_it_as_missed(
        self, kep, employee, everyone, book
    ):
        book(kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        raise_waiting_alerts(now=at(13, 0))
        assert WaitingAlert.objects.get().resolution == Resolution.MISSED

    def test_open_alerts_are_listed_per_kep_or_all(
        self, kep, other_kep, employee, other_employee, everyone, book
    ):
        book(kep, 10)
        book(other_kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        assert len(open_waiting_alerts(now=at(10, 4))) == 2
        (mine,) = open_waiting_alerts(now=at(10, 4), kep=kep)
        assert mine.kep == kep
        assert open_waiting_alert_count(now=at(10, 4), kep=other_kep) == 1


@pytest.mark.django_db
class TestTakeOver:
    def test_a_colleague_takes_it_over(self, kep, employee, colleague, everyone, book):
        appointment = book(kep, 10)
        assert appointment.employee == employee
        raise_waiting_alerts(now=at(10, 3))
        alert = WaitingAlert.objects.get()

        taken = take_over_waiting_alert(
            alert_id=alert.pk,
            employee=colleague,
            actor=colleague.user,
            origin=SYSTEM,
            now=at(10, 4),
        )

        assert taken.pk == appointment.pk
        appointment.refresh_from_db()
        assert appointment.employee == colleague
        alert.refresh_from_db()
        assert alert.resolution == Resolution.TAKEN_OVER
        assert alert.taken_over_by == colleague
        assert alert.resolved_at == at(10, 4)
        assert open_waiting_alerts(now=at(10, 4), kep=kep) == []
        assert AuditEvent.objects.filter(
            action="alert.waiting_resolved", actor=colleague.user
        ).exists()

    def test_another_keps_employee_is_refused_as_if_it_did_not_exist(
        self, kep, employee, other_employee, everyone, book
    ):
        appointment = book(kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        alert = WaitingAlert.objects.get()
        with pytest.raises(WaitingAlertNotFound):
            take_over_waiting_alert(
                alert_id=alert.pk,
                employee=other_employee,
                actor=other_employee.user,
                origin=SYSTEM,
                now=at(10, 4),
            )
        with pytest.raises(WaitingAlertNotFound):
            take_over_waiting_alert(
                alert_id=alert.pk + 1000,
                employee=employee,
                actor=employee.user,
                origin=SYSTEM,
                now=at(10, 4),
            )
        appointment.refresh_from_db()
        assert appointment.employee == employee
        assert WaitingAlert.objects.get().is_open

    def test_a_resolved_alert_cannot_be_taken_over(self, kep, employee, colleague, everyone, book):
        appointment = book(kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        open_call(appointment, employee, at(10, 4))
        alert = WaitingAlert.objects.get()
        with pytest.raises(WaitingAlertResolved):
            take_over_waiting_alert(
                alert_id=alert.pk,
                employee=colleague,
                actor=colleague.user,
                origin=SYSTEM,
                now=at(10, 5),
            )
        alert.refresh_from_db()
        assert alert.resolution == Resolution.OPENED  # closed on the way, and kept
        appointment.refresh_from_db()
        assert appointment.employee == employee

    def test_a_busy_colleague_is_refused_and_nothing_changes(
        self, kep, employee, colleague, everyone, book
    ):
        appointment = book(kep, 10)
        busy = book(kep, 10)  # the colleague's own call at the same time
        assert busy.employee == colleague
        raise_waiting_alerts(now=at(10, 3))
        alert = WaitingAlert.objects.get(appointment=appointment)
        with pytest.raises(EmployeeNotAvailable):
            take_over_waiting_alert(
                alert_id=alert.pk,
                employee=colleague,
                actor=colleague.user,
                origin=SYSTEM,
                now=at(10, 4),
            )
        alert.refresh_from_db()
        assert alert.is_open

    def test_the_assigned_employee_taking_over_changes_nothing(self, kep, employee, everyone, book):
        appointment = book(kep, 10)
        raise_waiting_alerts(now=at(10, 3))
        alert = WaitingAlert.objects.get()
        taken = take_over_waiting_alert(
            alert_id=alert.pk, employee=employee, actor=employee.user, origin=SYSTEM, now=at(10, 4)
        )
        assert taken.employee_id == employee.pk == appointment.employee_id
        assert WaitingAlert.objects.get().is_open


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_raise_and_email_each_alert_exactly_once(require_postgres, service):
    booked = fill_tuesday(service=service, count=8)
    kep = booked[0].kep
    staff(kep, "supervisor", "supervisor@kep.example.gr")
    UserFactory(role="administrator", email="admin@minedu.example.gr")
    # Every appointment started more than 3 minutes ago; its citizen can still be served.
    now = max(appointment.starts_at for appointment in booked) + dt.timedelta(minutes=5)
    assert all(appointment.ends_at + LINK_OVERRUN > now for appointment in booked)
    with override_settings(KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False):
        counts = run_twice_at_once(lambda: raise_waiting_alerts(now=now))
    assert sum(counts) == len(booked) == WaitingAlert.objects.count()  # type: ignore[arg-type]
    assert len(alert_emails()) == 2 * len(booked)
