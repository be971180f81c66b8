"""The workspace's alerts page (A7), its take-over, the badge, and the interpreter digests as a
KEP sees them (E12). Pages are Greek: assertions use ids, data and status codes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.utils import timezone

from keplive.alerts.interpreters import send_interpreter_digests
from keplive.alerts.models import Resolution, WaitingAlert
from keplive.alerts.waiting import raise_waiting_alerts
from keplive.audit.models import AuditEvent
from keplive.booking.models import Appointment
from keplive.calls.models import Call, CallState
from keplive.directory.models import Employee
from tests.factories import CitizenFactory, EmployeeFactory
from tests.staff import login_staff


@pytest.fixture(autouse=True)
def no_delivery():
    with override_settings(KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False):
        yield


def started_minutes_ago(appointment: Appointment, minutes: int) -> Appointment:
    """Move the appointment so that it started ``minutes`` ago (the pages use the real clock)."""
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=minutes)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=20),
        blocked_until=start + dt.timedelta(minutes=25),
    )
    appointment.refresh_from_db()
    return appointment


@pytest.fixture
def waiting(book, employee):
    """An appointment of the employee that started 5 minutes ago, nobody in the call: alerted."""
    appointment = started_minutes_ago(book(9), 5)
    raise_waiting_alerts(now=timezone.now())
    return WaitingAlert.objects.get(appointment=appointment)


@pytest.fixture
def colleague(kep) -> Employee:
    return EmployeeFactory(kep=kep)


@pytest.mark.django_db
class TestAlertsPage:
    def test_every_employee_of_the_kep_sees_its_open_alerts(
        self, client, waiting, colleague, supervisor
    ):
        for person in (colleague, supervisor):
            login_staff(client, person.user)
            response = client.get("/workspace/alerts/")
            assert response.status_code == 200
            body = response.content.decode()
            assert f'data-alert="{waiting.pk}"' in body
            assert f'action="/workspace/alerts/{waiting.pk}/take-over/"' in body
            assert '<html lang="el">' in body

    def test_the_assigned_employee_gets_the_call_instead_of_a_take_over(
        self, employee_client, waiting
    ):
        body = employee_client.get("/workspace/alerts/").content.decode()
        assert f'data-alert="{waiting.pk}"' in body
        assert f"/workspace/calls/{waiting.appointment.reference}/" in body
        assert "take-over/" not in body

    def test_another_keps_alerts_are_not_shown(self, client, waiting, other_employee):
        login_staff(client, other_employee.user)
        body = client.get("/workspace/alerts/").content.decode()
        assert f'data-alert="{waiting.pk}"' not in body
        assert 'id="no-alerts"' in body

    def test_an_opened_call_leaves_the_list_at_once(self, employee_client, waiting, employee):
        Call.objects.create(
            appointment=waiting.appointment,
            state=CallState.OPEN,
            opened_by=employee,
            opened_at=timezone.now(),
        )
        body = employee_client.get("/workspace/alerts/").content.decode()
        assert 'id="no-alerts"' in body


@pytest.mark.django_db
class TestTakeOver:
    def test_a_colleague_takes_over_and_is_sent_to_the_call(self, client, waiting, colleague):
        login_staff(client, colleague.user)
        response = client.post(f"/workspace/alerts/{waiting.pk}/take-over/")
        assert response.status_code == 302
        assert response["Location"] == f"/workspace/calls/{waiting.appointment.reference}/"
        waiting.refresh_from_db()
        assert waiting.resolution == Resolution.TAKEN_OVER
        assert waiting.taken_over_by == colleague
        assert Appointment.objects.get(pk=waiting.appointment_id).employee == colleague
        # The call page opens for the new employee.
        assert client.get(response["Location"]).status_code == 200

    def test_another_keps_employee_gets_404_like_a_missing_alert(
        self, client, waiting, other_employee
    ):
        login_staff(client, other_employee.user)
        assert client.post(f"/workspace/alerts/{waiting.pk}/take-over/").status_code == 404
        assert client.post(f"/workspace/alerts/{waiting.pk + 999}/take-over/").status_code == 404
        waiting.refresh_from_db()
        assert waiting.is_open

    def test_a_resolved_alert_shows_the_list_with_the_reason(self, client, waiting, colleague):
        login_staff(client, colleague.user)
        assert client.post(f"/workspace/alerts/{waiting.pk}/take-over/").status_code == 302
        other = EmployeeFactory(kep=colleague.kep)
        login_staff(client, other.user)
        response = client.post(f"/workspace/alerts/{waiting.pk}/take-over/")
        assert response.status_code == 409
        assert 'id="error-summary"' in response.content.decode()

    def test_a_busy_colleague_is_refused_with_a_message_and_nothing_changes(
        self, client, waiting, colleague
    ):
        started_minutes_ago(waiting.appointment, 5)
        # The colleague has a call of their own at the very same time.
        busy = Appointment.objects.get(pk=waiting.appointment_id)
        busy.pk = None
        busy.reference = uuid.uuid4()
        busy.employee = colleague
        busy.save()
        login_staff(client, colleague.user)
        response = client.post(f"/workspace/alerts/{waiting.pk}/take-over/")
        assert response.status_code == 409
        assert 'id="error-summary"' in response.content.decode()
        waiting.refresh_from_db()
        assert waiting.is_open

    def test_take_over_is_post_only(self, client, waiting, colleague):
        login_staff(client, colleague.user)
        assert client.get(f"/workspace/alerts/{waiting.pk}/take-over/").status_code == 405


@pytest.mark.django_db
class TestBadge:
    def render(self, user) -> str:  # type: ignore[no-untyped-def]
        request = RequestFactory().get("/workspace/")
        request.user = user
        template = Template("{% load waiting_alerts %}{% waiting_alerts_badge %}")
        return template.render(Context({"request": request}))

    def test_it_counts_the_keps_open_alerts(self, waiting, colleague, other_employee):
        assert 'id="kl-alerts-badge"' in self.render(colleague.user)
        assert 'href="/workspace/alerts/"' in self.render(colleague.user)
        assert self.render(other_employee.user).strip() == ""

    def test_nothing_for_anyone_else(self, waiting, citizen):
        assert self.render(citizen.user).strip() == ""


@pytest.mark.django_db
class TestInterpreterDigests:
    def test_the_page_lists_the_digests_with_this_keps_rows_only(
        self, employee_client, book, employee, other_employee
    ):
        mine = book(10, interpreter="sign_language")
        theirs = book(11, at_kep=other_employee.kep, interpreter="lip_reading")
        assert mine.starts_at.date() == theirs.starts_at.date()
        local_day = timezone.localtime(mine.starts_at).date()
        eve = dt.datetime.combine(
            local_day - dt.timedelta(days=1), dt.time(18, 0), tzinfo=timezone.get_current_timezone()
        )
        send_interpreter_digests(now=eve)

        response = employee_client.get("/workspace/interpreters/")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="next-digest"' in body
        assert timezone.localtime(mine.starts_at).strftime("%H:%M") in body
        assert timezone.localtime(theirs.starts_at).strftime("%H:%M") not in body
        assert "dierminia@idrimakofon.gr" in body
        assert AuditEvent.objects.filter(
            action="interpreter_digests.listed", actor=employee.user
        ).exists()

    def test_with_no_digest_yet_the_page_says_when_the_next_goes(self, employee_client):
        response = employee_client.get("/workspace/interpreters/")
        assert response.status_code == 200
        assert 'id="next-digest"' in response.content.decode()


def to_tomorrow(appointment: Appointment) -> Appointment:
    """The same time of day, tomorrow: on the next interpreter list (the pages use the clock)."""
    local = timezone.localtime(appointment.starts_at)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start = local.replace(year=tomorrow.year, month=tomorrow.month, day=tomorrow.day)
    length = appointment.ends_at - appointment.starts_at
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=start, ends_at=start + length, blocked_until=start + length
    )
    appointment.refresh_from_db()
    return appointment


def book_without_interpreter(employee, citizen, service, hour: int, *, kep=None) -> Appointment:
    """A category-3 appointment (the one offering an interpreter) declared without one."""
    from keplive.booking import services
    from keplive.catalogue.models import Category
    from tests.workspace.conftest import at, declaration

    return services.book_appointment(
        citizen=CitizenFactory(),  # each its own: a citizen has at most 3 active bookings
        kep=kep or employee.kep,
        service=service,
        category=Category.objects.get(number=3),
        starts_at=at(hour),
        now=timezone.now(),
        declaration=declaration(),
    )


@pytest.mark.django_db
class TestTheDaysInterpreterList:
    """Seed 002: the employee keeps the day's list for the Institute: sees it and adds to it."""

    def test_the_institutes_address_is_the_circulars(self, settings):
        # tests/alerts/conftest.py overrides it; here the default of the settings module.
        import os

        if "KEPLIVE_INTERPRETER_DIGEST_TO" not in os.environ:
            assert settings.KEPLIVE_INTERPRETER_DIGEST_TO == "dierminia@idrimakofon.gr"

    def test_the_next_list_shows_the_keps_requests(self, employee_client, book, other_employee):
        mine = to_tomorrow(book(10, interpreter="sign_language"))
        theirs = to_tomorrow(book(11, at_kep=other_employee.kep, interpreter="lip_reading"))
        body = employee_client.get("/workspace/interpreters/").content.decode()
        assert 'id="next-list"' in body
        assert f'data-reference="{mine.reference}"' in body
        assert f'data-reference="{theirs.reference}"' not in body

    def test_the_employee_adds_a_request_and_it_goes_with_the_list(
        self, employee_client, employee, citizen, service
    ):
        appointment = book_without_interpreter(employee, citizen, service, 12)
        page = employee_client.get("/workspace/interpreters/").content.decode()
        assert f'value="{appointment.reference}"' in page
        response = employee_client.post(
            "/workspace/interpreters/add/",
            {"appointment": str(appointment.reference), "interpreter": "lip_reading"},
        )
        assert response.status_code == 302
        assert f"added={appointment.reference}" in response["Location"]
        appointment.details.refresh_from_db()
        assert appointment.details.interpreter == "lip_reading"
        event = AuditEvent.objects.get(action="appointment.interpreter_added")
        assert event.actor == employee.user
        assert event.details == {"interpreter": "lip_reading"}
        # The digest of that day lists it.
        local_day = timezone.localtime(appointment.starts_at).date()
        eve = dt.datetime.combine(
            local_day - dt.timedelta(days=1), dt.time(18, 0), tzinfo=timezone.get_current_timezone()
        )
        run = send_interpreter_digests(now=eve)
        assert run.digest is not None
        assert run.digest.entries.filter(appointment=appointment).exists()

    def test_after_the_list_went_the_request_follows_in_an_addendum(
        self, employee_client, employee, citizen, service
    ):
        appointment = book_without_interpreter(employee, citizen, service, 12)
        local_day = timezone.localtime(appointment.starts_at).date()
        eve = dt.datetime.combine(
            local_day - dt.timedelta(days=1), dt.time(18, 0), tzinfo=timezone.get_current_timezone()
        )
        send_interpreter_digests(now=eve)
        employee_client.post(
            "/workspace/interpreters/add/",
            {"appointment": str(appointment.reference), "interpreter": "sign_language"},
        )
        run = send_interpreter_digests(now=eve + dt.timedelta(minutes=5))
        assert run.addenda == 1

    def test_refusals(self, employee_client, employee, citizen, service, book, other_employee):
        # Another KEP's appointment: not found, nothing changed.
        theirs = book_without_interpreter(
            other_employee, citizen, service, 13, kep=other_employee.kep
        )
        response = employee_client.post(
            "/workspace/interpreters/add/",
            {"appointment": str(theirs.reference), "interpreter": "sign_language"},
        )
        assert response.status_code == 404
        theirs.details.refresh_from_db()
        assert theirs.details.interpreter == ""
        # Category 1 offers no interpreter; a request already there; no kind; nonsense.
        plain = book(9)
        has_one = book(10, interpreter="sign_language")
        mine = book_without_interpreter(employee, citizen, service, 11)
        for data, status in (
            ({"appointment": str(plain.reference), "interpreter": "sign_language"}, 400),
            ({"appointment": str(has_one.reference), "interpreter": "lip_reading"}, 400),
            ({"appointment": str(mine.reference), "interpreter": ""}, 400),
            ({"appointment": str(mine.reference), "interpreter": "x" * 40}, 400),
            ({"appointment": "", "interpreter": "sign_language"}, 400),
            ({"appointment": "not-a-uuid", "interpreter": "sign_language"}, 404),
        ):
            response = employee_client.post("/workspace/interpreters/add/", data)
            assert response.status_code == status, data
            assert 'id="error-summary"' in response.content.decode()
        has_one.details.refresh_from_db()
        assert has_one.details.interpreter == "sign_language"
        assert not AuditEvent.objects.filter(action="appointment.interpreter_added").exists()
