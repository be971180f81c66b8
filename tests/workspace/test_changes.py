"""/workspace/appointments/<reference>/move/ and /workspace/tasks/: moving an appointment (E4)
and the phone calls to citizens that follow. Pages are Greek: assertions are on status codes,
ids, data and the citizen's own words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.audit.services import SYSTEM
from keplive.booking.models import Appointment, CallOutcome, CitizenCallTask, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.booking.selectors import free_slots_for
from keplive.booking.staff_changes import move_appointment
from keplive.catalogue.models import Category
from keplive.notifications.models import OutboxMessage, SmsMessage
from tests.factories import CitizenFactory, EmployeeFactory
from tests.staff import login_staff
from tests.workspace.conftest import DAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_outbox")]

REASON = "Διακοπή ρεύματος στο ΚΕΠ"
NEXT_DAY = DAY + dt.timedelta(days=1)
while NEXT_DAY.weekday() >= 5:
    NEXT_DAY += dt.timedelta(days=1)


@pytest.fixture
def quiet_outbox():
    with override_settings(
        KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False, KEPLIVE_SMS_DELIVER_ON_COMMIT=False
    ):
        yield


def move_url(appointment: Appointment) -> str:
    return f"/workspace/appointments/{appointment.reference}/move/"


def value(moment: dt.datetime) -> str:
    return moment.astimezone(ATHENS).isoformat()


# --- The move page ---------------------------------------------------------------------------


def test_the_move_page_lists_the_free_times_of_the_appointments_day(employee_client, book):
    appointment = book(9)
    response = employee_client.get(move_url(appointment))
    assert response.status_code == 200
    assert response.context["day"] == DAY
    values = [option.value for option in response.context["times"]]
    assert value(at(10)) in values
    assert value(at(9)) not in values  # its own time is not offered
    content = response.content.decode()
    assert 'id="id_reason"' in content
    assert 'name="starts_at"' in content
    assert 'lang="el"' in content


def test_another_day_is_chosen_with_the_day_field(employee_client, book):
    appointment = book(9)
    response = employee_client.get(move_url(appointment) + f"?day={NEXT_DAY.isoformat()}")
    assert response.status_code == 200
    assert response.context["day"] == NEXT_DAY
    assert value(at(9, day=NEXT_DAY)) in [o.value for o in response.context["times"]]


def test_show_keeps_the_reason_typed_while_changing_the_day(employee_client, book):
    appointment = book(9)
    response = employee_client.post(
        move_url(appointment),
        {"day": NEXT_DAY.isoformat(), "reason": REASON, "action": "show"},
    )
    assert response.status_code == 200
    assert response.context["day"] == NEXT_DAY
    assert REASON in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)


def test_moving_tells_the_citizen_and_puts_the_call_on_the_list(employee_client, book, employee):
    appointment = book(9)
    response = employee_client.post(
        move_url(appointment),
        {
            "day": NEXT_DAY.isoformat(),
            "starts_at": value(at(11, day=NEXT_DAY)),
            "reason": REASON,
            "reason_code": "power_or_network",
            "phone_outcome": "no_answer",
            "action": "move",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/workspace/tasks/?moved={appointment.reference}&phoned=no_answer"
    )
    appointment.refresh_from_db()
    assert appointment.starts_at == at(11, day=NEXT_DAY)
    assert appointment.sequence == 1
    assert OutboxMessage.objects.filter(key__startswith="appointment-moved:").count() == 1
    assert SmsMessage.objects.count() == 1
    # The call made first did not reach the citizen: recorded, and a second one on the list.
    made = CitizenCallTask.objects.get(done_at__isnull=False)
    assert made.outcome == CallOutcome.NO_ANSWER
    task = CitizenCallTask.objects.get(done_at__isnull=True)
    assert task.employee == employee
    event = AuditEvent.objects.get(action="appointment.moved")
    assert event.channel == "workspace"
    assert event.actor == employee.user

    tasks = employee_client.get(response["Location"])
    assert tasks.status_code == 200
    content = tasks.content.decode()
    assert 'id="moved-banner"' in content
    assert f'id="task-{task.pk}"' in content
    assert "+306912345678" in content
    assert "Μαρία Παπαδοπούλου" in content
    assert REASON in content


def test_a_full_day_is_refused_with_the_nearest_times_and_the_input_kept(
    employee_client, book, employee, service
):
    appointment = book(9)
    category = Category.objects.get(number=1)
    with override_settings(KEPLIVE_MAX_ACTIVE_BOOKINGS=100):
        from keplive.booking import services

        citizen = CitizenFactory()
        for slot in free_slots_for(
            kep=employee.kep,
            service=service,
            category=category,
            start=NEXT_DAY,
            end=NEXT_DAY,
            now=timezone.now(),
        ):
            services.book_appointment(
                citizen=citizen,
                kep=employee.kep,
                service=service,
                category=category,
                starts_at=slot.start,
                now=timezone.now(),
            )
    page = employee_client.get(move_url(appointment) + f"?day={NEXT_DAY.isoformat()}")
    assert page.context["times"] == []
    assert 'id="no-times"' in page.content.decode()

    response = employee_client.post(
        move_url(appointment),
        {
            "day": NEXT_DAY.isoformat(),
            "starts_at": value(at(11, day=NEXT_DAY)),
            "reason": REASON,
            "reason_code": "power_or_network",
            "phone_outcome": "no_answer",
            "action": "move",
        },
    )
    assert response.status_code == 409
    assert response.context["alternatives"]
    assert all(
        not o.value.startswith(NEXT_DAY.isoformat()) for o in response.context["alternatives"]
    )
    content = response.content.decode()
    assert 'id="error-summary"' in content
    assert REASON in content  # the reason typed is kept
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)
    assert not SmsMessage.objects.exists()


def test_a_time_in_the_past_is_refused_with_a_clear_message(employee_client, book):
    appointment = book(9)
    past = timezone.now() - dt.timedelta(days=1)
    response = employee_client.post(
        move_url(appointment),
        {
            "day": timezone.localdate().isoformat(),
            "starts_at": value(past),
            "reason": REASON,
            "reason_code": "power_or_network",
            "phone_outcome": "no_answer",
            "action": "move",
        },
    )
    assert response.status_code == 400
    assert response.context["time_error"]
    assert REASON in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)


def test_a_past_day_is_refused_in_the_day_field(employee_client, book):
    appointment = book(9)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = employee_client.get(move_url(appointment) + f"?day={yesterday.isoformat()}")
    assert response.status_code == 400
    assert response.context["form"].errors["day"]


@pytest.mark.parametrize("day", ["not-a-day", "2026-02-31", ""])
def test_a_malformed_day_is_a_clear_message_not_an_error(employee_client, book, day):
    appointment = book(9)
    response = employee_client.post(
        move_url(appointment), {"day": day, "reason": REASON, "action": "show"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["day"]
    assert REASON in response.content.decode()


def test_an_empty_reason_is_refused_and_the_chosen_time_kept(employee_client, book):
    appointment = book(9)
    chosen = value(at(11, day=NEXT_DAY))
    response = employee_client.post(
        move_url(appointment),
        {
            "day": NEXT_DAY.isoformat(),
            "starts_at": chosen,
            "reason": "   ",
            "reason_code": "other",
            "phone_outcome": "reached",
            "action": "move",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert [o.value for o in response.context["times"] if o.checked] == [chosen]
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)


@pytest.mark.parametrize("starts_at", ["", "garbage", "2026-11-25T11:00"])
def test_no_or_a_malformed_time_is_refused(employee_client, book, starts_at):
    appointment = book(9)
    response = employee_client.post(
        move_url(appointment),
        {
            "day": NEXT_DAY.isoformat(),
            "starts_at": starts_at,
            "reason": REASON,
            "reason_code": "technical",
            "phone_outcome": "reached",
            "action": "move",
        },
    )
    assert response.status_code == 400
    assert response.context["time_error"]


def test_an_appointment_of_another_kep_is_not_found(employee_client, book, other_employee):
    theirs = book(10, at_kep=other_employee.kep)
    assert employee_client.get(move_url(theirs)).status_code == 404
    response = employee_client.post(
        move_url(theirs),
        {
            "day": NEXT_DAY.isoformat(),
            "starts_at": value(at(11, day=NEXT_DAY)),
            "reason": REASON,
            "reason_code": "power_or_network",
            "phone_outcome": "no_answer",
            "action": "move",
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.starts_at == at(10)


def test_an_unknown_reference_is_not_found(employee_client):
    assert employee_client.get("/workspace/appointments/nothing/move/").status_code == 404
    response = employee_client.get(
        "/workspace/appointments/00000000-0000-0000-0000-000000000000/move/"
    )
    assert response.status_code == 404


def test_a_cancelled_appointment_cannot_be_moved(employee_client, book):
    appointment = book(9)
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.CANCELLED)
    response = employee_client.get(move_url(appointment))
    assert response.status_code == 409
    assert 'id="move-form"' not in response.content.decode()


def test_a_supervisor_moves_too(client, book, supervisor):
    appointment = book(9)
    login_staff(client, supervisor.user)
    response = client.post(
        move_url(appointment),
        {
            "day": NEXT_DAY.isoformat(),
            "starts_at": value(at(11, day=NEXT_DAY)),
            "reason": REASON,
            "reason_code": "power_or_network",
            "phone_outcome": "no_answer",
            "action": "move",
        },
    )
    assert response.status_code == 302
    assert CitizenCallTask.objects.get(done_at__isnull=True).employee == supervisor


# --- Seed 002: told by phone before the move, an urgent reason from a list -------------------


def test_the_move_page_starts_with_the_phone_call(employee_client, book, employee):
    appointment = book(9)
    response = employee_client.get(move_url(appointment))
    content = response.content.decode()
    # The call comes first, with the number to call (read through the audit), then the time,
    # then the reason.
    assert content.index('id="step-phone"') < content.index('id="step-time"')
    assert content.index('id="step-time"') < content.index('id="step-reason"')
    assert 'href="tel:+306912345678"' in content
    assert AuditEvent.objects.filter(
        action="appointment.phone_viewed", actor=employee.user, object_id=str(appointment.reference)
    ).exists()
    for code in ("employee_absent", "technical", "power_or_network", "kep_closed", "other"):
        assert f'value="{code}"' in content


def test_moving_without_the_phone_call_or_the_reason_is_refused(employee_client, book):
    appointment = book(9)
    response = employee_client.post(
        move_url(appointment),
        {
            "day": NEXT_DAY.isoformat(),
            "starts_at": value(at(11, day=NEXT_DAY)),
            "reason": REASON,
            "action": "move",
        },
    )
    assert response.status_code == 400
    assert response.context["phone_error"]
    assert response.context["reason_code_error"]
    content = response.content.decode()
    assert 'href="#phone-outcome"' in content
    assert 'href="#reason-code"' in content
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)
    assert not OutboxMessage.objects.filter(key__startswith="appointment-moved:").exists()
    assert not SmsMessage.objects.exists()


def test_a_citizen_reached_first_is_told_then_by_email_and_sms(employee_client, book, employee):
    appointment = book(9)
    response = employee_client.post(
        move_url(appointment),
        {
            "phone_outcome": "reached",
            "phone_note": "Συμφώνησε στη νέα ώρα",
            "day": NEXT_DAY.isoformat(),
            "starts_at": value(at(11, day=NEXT_DAY)),
            "reason_code": "employee_absent",
            "reason": "",
            "action": "move",
        },
    )
    assert response.status_code == 302
    # The call is recorded as made before the move, and nothing is left to do.
    task = CitizenCallTask.objects.get()
    assert task.done_at is not None
    assert task.outcome == CallOutcome.REACHED
    assert task.note == "Συμφώνησε στη νέα ώρα"
    assert task.done_by == employee.user
    phoned = AuditEvent.objects.get(action="appointment.citizen_phoned")
    moved_event = AuditEvent.objects.get(action="appointment.moved")
    assert phoned.details["before"] == "move"
    # The email carries the reason chosen from the list, in the citizen's language.
    email = OutboxMessage.objects.get(key__startswith="appointment-moved:")
    assert "Απρόβλεπτη απουσία του υπαλλήλου" in email.text_body
    change = appointment.changes.get()
    assert change.reason == "Απρόβλεπτη απουσία του υπαλλήλου."
    assert moved_event.pk is not None
    tasks = employee_client.get(response["Location"]).content.decode()
    assert 'id="moved-banner"' in tasks
    assert f'id="task-{task.pk}"' not in tasks


def test_the_service_refuses_an_unknown_reason_or_outcome(book, employee):
    from keplive.booking.exceptions import BookingError

    appointment = book(9)
    for kwargs in ({"reason_code": "whim"}, {"reason_code": "other", "phone_outcome": "maybe"}):
        with pytest.raises(BookingError):
            move_appointment(
                reference=appointment.reference,
                starts_at=at(11, day=NEXT_DAY),
                reason=REASON,
                actor=employee.user,
                origin=SYSTEM,
                now=timezone.now(),
                **kwargs,
            )
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)


# --- The phone calls -------------------------------------------------------------------------


def moved(book, employee) -> CitizenCallTask:  # type: ignore[no-untyped-def]
    appointment = book(9)
    move_appointment(
        reference=appointment.reference,
        starts_at=at(11, day=NEXT_DAY),
        reason=REASON,
        actor=employee.user,
        origin=SYSTEM,
        now=timezone.now(),
    )
    return CitizenCallTask.objects.get(appointment=appointment)


def test_the_task_list_reads_each_number_through_the_audit(employee_client, book, employee):
    task = moved(book, employee)
    response = employee_client.get("/workspace/tasks/")
    assert response.status_code == 200
    assert [row.task for row in response.context["rows"]] == [task]
    assert response.context["mine_count"] == 1
    assert 'href="tel:+306912345678"' in response.content.decode()
    event = AuditEvent.objects.filter(action="appointment.phone_viewed").last()
    assert event.actor == employee.user
    assert event.channel == "workspace"


def test_recording_the_outcome_closes_the_task(employee_client, book, employee):
    task = moved(book, employee)
    response = employee_client.post(
        f"/workspace/tasks/{task.pk}/",
        {f"task-{task.pk}-outcome": CallOutcome.REACHED, f"task-{task.pk}-note": "Ενημερώθηκε"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/workspace/tasks/?done=1"
    task.refresh_from_db()
    assert (task.outcome, task.note, task.done_by) == (
        CallOutcome.REACHED,
        "Ενημερώθηκε",
        employee.user,
    )
    page = employee_client.get(response["Location"])
    assert page.context["rows"] == []
    assert 'id="done-banner"' in page.content.decode()
    assert 'id="no-tasks"' in page.content.decode()


def test_an_outcome_not_chosen_is_a_clear_message_with_the_note_kept(
    employee_client, book, employee
):
    task = moved(book, employee)
    response = employee_client.post(
        f"/workspace/tasks/{task.pk}/",
        {f"task-{task.pk}-outcome": "perhaps", f"task-{task.pk}-note": "Να ξαναπάρω"},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Να ξαναπάρω" in content
    assert 'id="error-summary"' in content
    task.refresh_from_db()
    assert task.is_open


def test_recording_twice_is_refused(employee_client, book, employee):
    task = moved(book, employee)
    data = {f"task-{task.pk}-outcome": CallOutcome.NO_ANSWER}
    assert employee_client.post(f"/workspace/tasks/{task.pk}/", data).status_code == 302
    response = employee_client.post(f"/workspace/tasks/{task.pk}/", data)
    assert response.status_code == 409
    assert 'id="error-summary"' in response.content.decode()


def test_another_keps_employee_sees_no_task_and_cannot_close_one(
    client, book, employee, other_employee
):
    task = moved(book, employee)
    login_staff(client, other_employee.user)
    page = client.get("/workspace/tasks/")
    assert page.status_code == 200
    assert page.context["rows"] == []
    assert "+306912345678" not in page.content.decode()
    response = client.post(
        f"/workspace/tasks/{task.pk}/", {f"task-{task.pk}-outcome": CallOutcome.REACHED}
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.is_open


def test_a_colleague_sees_the_kep_task_after_their_own(client, book, employee, kep):
    task = moved(book, employee)
    colleague = EmployeeFactory(kep=kep)
    login_staff(client, colleague.user)
    response = client.get("/workspace/tasks/")
    rows = response.context["rows"]
    assert [row.task for row in rows] == [task]
    assert rows[0].mine is False
    assert response.context["mine_count"] == 0


def test_the_task_outcome_url_takes_only_post(employee_client, book, employee):
    task = moved(book, employee)
    assert employee_client.get(f"/workspace/tasks/{task.pk}/").status_code == 405
