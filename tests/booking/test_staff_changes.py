"""Changes the KEP makes to a booked appointment (E4, A7): move, reassign, cancel; the history
of an appointment; the phone-call tasks a move creates."""

from __future__ import annotations

import base64
import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone
from icalendar import Calendar

from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent
from keplive.audit.services import SYSTEM
from keplive.booking import services, staff_changes
from keplive.booking.declarations import Declaration
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    BookingError,
    SlotNoLongerFree,
    TimeNotOffered,
)
from keplive.booking.history import appointment_history
from keplive.booking.models import (
    Appointment,
    AppointmentChange,
    CallOutcome,
    ChangeKind,
    CitizenCallTask,
    Status,
)
from keplive.booking.schedule_inputs import local_date
from keplive.booking.selectors import free_slots_for
from keplive.booking.staff_changes import (
    CallTaskAlreadyDone,
    CallTaskNotFound,
    EmployeeNotAvailable,
    NotAllowed,
    ReasonRequired,
)
from keplive.catalogue.models import Category
from keplive.directory.models import Absence
from keplive.notifications.models import OutboxMessage, SmsMessage
from tests.booking.conftest import NOW, TUESDAY
from tests.conftest import athens, working_day
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    ServiceFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("quiet_outbox"),
]

REASON = "Βλάβη στο σύστημα του ΚΕΠ"
WEDNESDAY = TUESDAY + dt.timedelta(days=1)


@pytest.fixture
def quiet_outbox():
    with override_settings(
        KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False, KEPLIVE_SMS_DELIVER_ON_COMMIT=False
    ):
        yield


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return athens(day.year, day.month, day.day, hour, minute)


def declaration(**changes: str) -> Declaration:
    values = {
        "full_name": "Μαρία Παπαδοπούλου",
        "email": "maria@example.gr",
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": "ΑΒ123456",
        "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
        "delivery_method": "email",
        "language": "el",
    }
    return Declaration(**(values | changes))


def book(kep, service, starts_at, *, now=NOW, citizen=None, **changes) -> Appointment:
    return services.book_appointment(
        citizen=citizen or CitizenFactory(),
        kep=kep,
        service=service,
        category=Category.objects.get(number=1),
        starts_at=starts_at,
        now=now,
        declaration=declaration(**changes),
    )


def move(appointment, starts_at, *, actor, reason=REASON, now=NOW) -> Appointment:
    return staff_changes.move_appointment(
        reference=appointment.reference,
        starts_at=starts_at,
        reason=reason,
        actor=actor,
        origin=SYSTEM,
        now=now,
    )


def ics_of(message: OutboxMessage) -> Calendar:
    return Calendar.from_ical(base64.b64decode(message.attachments[0]["content"]))


# --- Move ------------------------------------------------------------------------------------


def test_a_move_keeps_the_employee_tells_the_citizen_three_ways_and_records_why(
    kep, employee, service
):
    appointment = book(kep, service, at(9))
    moved = move(appointment, at(11, day=WEDNESDAY), actor=employee.user)

    moved.refresh_from_db()
    assert moved.starts_at == at(11, day=WEDNESDAY)
    assert moved.employee == employee
    assert moved.sequence == appointment.sequence + 1
    assert moved.reminder_sent_at is None
    change = AppointmentChange.objects.get(appointment=moved)
    assert change.kind == ChangeKind.MOVED
    assert (change.from_starts_at, change.to_starts_at) == (at(9), at(11, day=WEDNESDAY))
    assert change.reason == REASON
    assert change.actor == employee.user
    # The audit event says what changed, never the free-text reason.
    event = AuditEvent.objects.get(action="appointment.moved")
    assert event.object_id == str(moved.reference)
    assert REASON not in str(event.details)
    # The email: the moved wording, the reason, the ICS at the new time with the new SEQUENCE.
    email = OutboxMessage.objects.get(key__startswith="appointment-moved:")
    assert email.recipient == "maria@example.gr"
    assert REASON in email.text_body
    assert REASON in email.html_body
    assert "11:00" in email.text_body
    event_ics = next(iter(ics_of(email).walk("VEVENT")))
    assert event_ics.decoded("dtstart") == at(11, day=WEDNESDAY).astimezone(dt.UTC)
    assert int(event_ics["sequence"]) == moved.sequence
    assert ics_of(email)["method"] == "REQUEST"
    # The SMS, in the citizen's language, to the number they declared.
    sms = SmsMessage.objects.get()
    assert sms.recipient == "+306912345678"
    assert "11:00" in sms.text
    assert kep.name_el in sms.text
    assert sms.reference_id == str(moved.pk)
    # The phone call: a task of the employee who moved it, due before the new time.
    task = CitizenCallTask.objects.get()
    assert (task.appointment, task.kep, task.employee, task.change) == (
        moved,
        kep,
        employee,
        change,
    )
    assert task.is_open
    assert NOW < task.due <= moved.starts_at


def test_a_move_gives_the_appointment_to_a_free_colleague_when_the_employee_is_busy(
    kep, employee, service
):
    colleague = EmployeeFactory(kep=kep)
    first = book(kep, service, at(9))
    assert first.employee == employee  # fewest minutes, then lowest id
    # The employee is busy on Wednesday at 11:00; the colleague is free.
    busy = book(kep, service, at(11, day=WEDNESDAY))
    Appointment.objects.filter(pk=busy.pk).update(employee=employee)

    moved = move(first, at(11, day=WEDNESDAY), actor=employee.user)

    assert moved.employee == colleague
    change = AppointmentChange.objects.get(appointment=moved)
    assert (change.from_employee, change.to_employee) == (employee, colleague)


def test_a_move_into_the_past_is_refused_with_alternatives(kep, employee, service):
    appointment = book(kep, service, at(9))
    with pytest.raises(TimeNotOffered) as refused:
        move(appointment, NOW - dt.timedelta(hours=1), actor=employee.user)
    assert refused.value.reason == "past"
    assert refused.value.alternatives
    assert str(refused.value)
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)
    assert not AppointmentChange.objects.exists()
    assert not SmsMessage.objects.exists()


def test_a_move_to_a_time_nobody_is_free_for_offers_the_nearest_free_times(kep, employee, service):
    appointment = book(kep, service, at(9))
    book(kep, service, at(11, day=WEDNESDAY))  # the only employee is busy then
    with pytest.raises(SlotNoLongerFree) as refused:
        move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    assert refused.value.alternatives
    assert at(11, day=WEDNESDAY) not in [slot.start for slot in refused.value.alternatives]
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.sequence) == (at(9), 0)


def test_a_move_to_a_full_day_offers_times_on_other_days(kep, employee, service):
    appointment = book(kep, service, at(9))
    with override_settings(KEPLIVE_MAX_ACTIVE_BOOKINGS=100):
        citizen = CitizenFactory()
        category = Category.objects.get(number=1)
        for slot in free_slots_for(
            kep=kep, service=service, category=category, start=WEDNESDAY, end=WEDNESDAY, now=NOW
        ):
            book(kep, service, slot.start, citizen=citizen)
    with pytest.raises(SlotNoLongerFree) as refused:
        move(appointment, at(10, day=WEDNESDAY), actor=employee.user)
    days = {local_date(slot.start) for slot in refused.value.alternatives}
    assert days
    assert WEDNESDAY not in days


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_move_without_a_reason_is_refused(kep, employee, service, reason):
    appointment = book(kep, service, at(9))
    with pytest.raises(ReasonRequired) as refused:
        move(appointment, at(11, day=WEDNESDAY), actor=employee.user, reason=reason)
    assert str(refused.value)
    appointment.refresh_from_db()
    assert appointment.starts_at == at(9)


def test_only_a_booked_appointment_can_be_moved(kep, employee, service):
    appointment = book(kep, service, at(9))
    services.cancel_appointment(
        reference=appointment.reference, citizen=appointment.citizen, now=NOW
    )
    with pytest.raises(AppointmentNotChangeable):
        move(appointment, at(11, day=WEDNESDAY), actor=employee.user)


def test_an_employee_of_another_kep_cannot_move_it_and_learns_nothing(kep, employee, service):
    appointment = book(kep, service, at(9))
    stranger = EmployeeFactory(kep=KepFactory())
    with pytest.raises(AppointmentNotFound):
        move(appointment, at(11, day=WEDNESDAY), actor=stranger.user)
    with pytest.raises(AppointmentNotFound):
        staff_changes.cancel_by_kep(
            reference=appointment.reference,
            reason=REASON,
            actor=stranger.user,
            origin=SYSTEM,
            now=NOW,
        )


def test_a_citizen_or_an_auditor_cannot_use_the_kep_changes(kep, employee, service):
    appointment = book(kep, service, at(9))
    for user in (appointment.citizen.user, UserFactory(role=Role.AUDITOR)):
        with pytest.raises(NotAllowed):
            move(appointment, at(11, day=WEDNESDAY), actor=user)


def test_an_administrator_moves_and_the_call_falls_to_the_appointments_employee(
    kep, employee, service
):
    appointment = book(kep, service, at(9))
    admin = UserFactory(role=Role.ADMINISTRATOR)
    move(appointment, at(11, day=WEDNESDAY), actor=admin)
    assert CitizenCallTask.objects.get().employee == employee


def test_an_unknown_reference_is_not_found(employee):
    with pytest.raises(AppointmentNotFound):
        staff_changes.move_appointment(
            reference="not-a-uuid",
            starts_at=at(11),
            reason=REASON,
            actor=employee.user,
            origin=SYSTEM,
            now=NOW,
        )


def test_a_citizen_without_a_usable_mobile_still_gets_the_email_and_the_call(
    kep, employee, service
):
    appointment = book(kep, service, at(9))
    appointment.details.mobile_phone = "12"
    appointment.details.save()
    move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    assert not SmsMessage.objects.exists()
    assert OutboxMessage.objects.filter(key__startswith="appointment-moved:").exists()
    assert CitizenCallTask.objects.exists()


def test_a_landline_gets_no_sms_but_the_email_and_the_call(kep, employee, service):
    appointment = book(kep, service, at(9))
    appointment.details.mobile_phone = "+302101234567"  # a Greek landline, as the form stores it
    appointment.details.save()
    move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    assert not SmsMessage.objects.exists()
    assert OutboxMessage.objects.filter(key__startswith="appointment-moved:").exists()
    assert CitizenCallTask.objects.exists()


def test_the_move_email_is_in_the_citizens_language(kep, employee, service):
    appointment = book(kep, service, at(9), language="en")
    move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    email = OutboxMessage.objects.get(key__startswith="appointment-moved:")
    assert email.subject.startswith("The KEP moved your myKEPlive appointment")
    assert "The KEP's reason" in email.text_body
    text = SmsMessage.objects.get().text
    assert text.startswith("myKEPlive: ")
    assert "moved your video call" in text
    # The code the citizen can read out when they call the KEP back (issue 14, item 9).
    assert appointment.display_code in text


# --- Reassign -------------------------------------------------------------------------------


def test_reassigning_gives_the_same_time_to_a_free_colleague_without_telling_the_citizen(
    kep, employee, service
):
    colleague = EmployeeFactory(kep=kep)
    appointment = book(kep, service, at(9))
    emails_before = OutboxMessage.objects.count()

    changed = staff_changes.reassign_appointment(
        reference=appointment.reference,
        to_employee=colleague,
        reason="Ασθένεια",
        actor=colleague.user,
        origin=SYSTEM,
        now=NOW,
    )

    changed.refresh_from_db()
    assert (changed.employee, changed.starts_at, changed.sequence) == (colleague, at(9), 0)
    change = AppointmentChange.objects.get()
    assert (change.kind, change.from_employee, change.to_employee) == (
        ChangeKind.REASSIGNED,
        employee,
        colleague,
    )
    assert AuditEvent.objects.filter(action="appointment.reassigned").count() == 1
    assert OutboxMessage.objects.count() == emails_before
    assert not SmsMessage.objects.exists()


def test_an_appointment_that_started_can_be_taken_over(kep, employee, service):
    colleague = EmployeeFactory(kep=kep)
    appointment = book(kep, service, at(9))
    late = at(9, 5)
    changed = staff_changes.reassign_appointment(
        reference=appointment.reference,
        to_employee=colleague,
        reason="Κανείς δεν άνοιξε την κλήση",
        actor=colleague.user,
        origin=SYSTEM,
        now=late,
    )
    assert changed.employee == colleague


def reassign(appointment, to_employee, actor):
    return staff_changes.reassign_appointment(
        reference=appointment.reference,
        to_employee=to_employee,
        reason=REASON,
        actor=actor,
        origin=SYSTEM,
        now=NOW,
    )


def test_reassigning_refuses_another_keps_an_inactive_a_busy_or_an_absent_employee(
    kep, employee, service
):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    elsewhere = EmployeeFactory(kep=KepFactory())
    inactive = EmployeeFactory(kep=kep, is_active=False)
    busy = EmployeeFactory(kep=kep)
    absent = EmployeeFactory(kep=kep)
    Absence.objects.create(employee=absent, starts_at=at(8), ends_at=at(12))
    appointment = book(kep, service, at(9))
    assert book(kep, service, at(9)).employee == busy

    for target in (elsewhere, inactive, employee, absent, busy):
        with pytest.raises(EmployeeNotAvailable):
            reassign(appointment, target, admin)
    appointment.refresh_from_db()
    assert appointment.employee == employee
    assert not AppointmentChange.objects.exists()


def test_employees_free_for_lists_who_could_take_it(kep, employee, service):
    colleague = EmployeeFactory(kep=kep)
    absent = EmployeeFactory(kep=kep)
    EmployeeFactory(kep=kep, is_active=False)
    EmployeeFactory(kep=KepFactory())
    Absence.objects.create(employee=absent, starts_at=at(8), ends_at=at(12))
    appointment = book(kep, service, at(9))
    assert staff_changes.employees_free_for(appointment=appointment) == [colleague]


# --- Cancel by the KEP ----------------------------------------------------------------------


def test_cancel_by_kep_frees_the_time_and_emails_the_cancellation_with_the_reason(
    kep, employee, service
):
    appointment = book(kep, service, at(9))
    cancelled = staff_changes.cancel_by_kep(
        reference=appointment.reference, reason=REASON, actor=employee.user, origin=SYSTEM, now=NOW
    )
    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancelled_at == NOW
    email = OutboxMessage.objects.get(key__startswith="appointment-cancelled_by_kep:")
    assert REASON in email.text_body
    assert ics_of(email)["method"] == "CANCEL"
    assert AppointmentChange.objects.get().kind == ChangeKind.CANCELLED_BY_KEP
    assert AuditEvent.objects.filter(action="appointment.cancelled_by_kep").exists()
    # The time is free again.
    assert book(kep, service, at(9)).employee == employee


def test_cancel_by_kep_without_notifying_sends_nothing(kep, employee, service):
    appointment = book(kep, service, at(9))
    before = OutboxMessage.objects.count()
    staff_changes.cancel_by_kep(
        reference=appointment.reference,
        reason=REASON,
        actor=employee.user,
        origin=SYSTEM,
        now=NOW,
        notify=False,
    )
    assert OutboxMessage.objects.count() == before


def test_cancel_by_kep_needs_a_reason_and_a_booked_appointment(kep, employee, service):
    appointment = book(kep, service, at(9))
    with pytest.raises(ReasonRequired):
        staff_changes.cancel_by_kep(
            reference=appointment.reference, reason=" ", actor=employee.user, origin=SYSTEM, now=NOW
        )
    staff_changes.cancel_by_kep(
        reference=appointment.reference, reason=REASON, actor=employee.user, origin=SYSTEM, now=NOW
    )
    with pytest.raises(AppointmentNotChangeable):
        staff_changes.cancel_by_kep(
            reference=appointment.reference,
            reason=REASON,
            actor=employee.user,
            origin=SYSTEM,
            now=NOW,
        )


# --- History --------------------------------------------------------------------------------


def test_the_history_lists_every_change_in_order_without_the_citizens_data(kep, service):
    day = working_day(3)
    now = timezone.now()
    employee = EmployeeFactory(kep=kep, user__first_name="Ελένη", user__last_name="Σταύρου")
    colleague = EmployeeFactory(kep=kep, user__first_name="Νίκος", user__last_name="Αλεξίου")
    appointment = book(kep, service, at(9, day=day), now=now)
    services.reschedule_appointment(
        reference=appointment.reference,
        citizen=appointment.citizen,
        starts_at=at(10, day=day),
        now=now,
    )
    move(appointment, at(11, day=day), actor=employee.user, now=now + dt.timedelta(seconds=1))
    reassign_now = now + dt.timedelta(seconds=2)
    staff_changes.reassign_appointment(
        reference=appointment.reference,
        to_employee=colleague,
        reason="Άδεια",
        actor=employee.user,
        origin=SYSTEM,
        now=reassign_now,
    )
    task = CitizenCallTask.objects.get()
    staff_changes.record_call_outcome(
        task_id=task.pk,
        employee=employee,
        outcome=CallOutcome.REACHED,
        note="",
        origin=SYSTEM,
        now=now + dt.timedelta(seconds=3),
    )
    staff_changes.cancel_by_kep(
        reference=appointment.reference,
        reason=REASON,
        actor=employee.user,
        origin=SYSTEM,
        now=now + dt.timedelta(seconds=4),
    )

    history = appointment_history(appointment=appointment)

    assert [entry.kind for entry in history] == [
        "booked",
        "rescheduled",
        "moved",
        "reassigned",
        "citizen_phoned",
        "cancelled_by_kep",
    ]
    assert history[0].actor == "Πολίτης"
    assert history[2].actor == "Ελένη Σταύρου"
    assert history[2].reason == REASON
    assert "11:00" in history[2].label
    assert all(entry.label for entry in history)
    text = " ".join(f"{entry.label} {entry.actor} {entry.reason}" for entry in history)
    assert "Μαρία" not in text
    assert "maria@example.gr" not in text
    assert "6912345678" not in text


# --- Phone-call tasks -----------------------------------------------------------------------


def test_recording_the_call_closes_the_task_once(kep, employee, service):
    appointment = book(kep, service, at(9))
    move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    task = CitizenCallTask.objects.get()
    assert staff_changes.open_call_tasks(kep_id=kep.pk) == [task]

    done = staff_changes.record_call_outcome(
        task_id=task.pk,
        employee=employee,
        outcome=CallOutcome.NO_ANSWER,
        note="Θα ξαναπάρω",
        origin=SYSTEM,
        now=NOW,
    )
    assert (done.outcome, done.done_at, done.done_by) == (CallOutcome.NO_ANSWER, NOW, employee.user)
    assert staff_changes.open_call_tasks(kep_id=kep.pk) == []
    with pytest.raises(CallTaskAlreadyDone):
        staff_changes.record_call_outcome(
            task_id=task.pk,
            employee=employee,
            outcome=CallOutcome.REACHED,
            note="",
            origin=SYSTEM,
            now=NOW,
        )
    assert AuditEvent.objects.filter(action="appointment.citizen_phoned").count() == 1


def test_another_keps_employee_cannot_see_or_close_the_task(kep, employee, service):
    appointment = book(kep, service, at(9))
    move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    task = CitizenCallTask.objects.get()
    stranger = EmployeeFactory(kep=KepFactory())
    assert staff_changes.open_call_tasks(kep_id=stranger.kep_id) == []
    with pytest.raises(CallTaskNotFound):
        staff_changes.record_call_outcome(
            task_id=task.pk,
            employee=stranger,
            outcome=CallOutcome.REACHED,
            note="",
            origin=SYSTEM,
            now=NOW,
        )
    with pytest.raises(CallTaskNotFound):
        staff_changes.call_task_contact(task=task, employee=stranger, origin=SYSTEM)


def test_an_unknown_outcome_is_refused(kep, employee, service):
    appointment = book(kep, service, at(9))
    move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    task = CitizenCallTask.objects.get()
    with pytest.raises(BookingError):
        staff_changes.record_call_outcome(
            task_id=task.pk, employee=employee, outcome="maybe", note="", origin=SYSTEM, now=NOW
        )
    task.refresh_from_db()
    assert task.is_open


def test_reading_the_name_and_number_to_call_is_audited(kep, employee, service):
    appointment = book(kep, service, at(9))
    move(appointment, at(11, day=WEDNESDAY), actor=employee.user)
    task = CitizenCallTask.objects.get()
    contact = staff_changes.call_task_contact(task=task, employee=employee, origin=SYSTEM)
    assert (contact.full_name, contact.mobile_phone) == ("Μαρία Παπαδοπούλου", "+306912345678")
    event = AuditEvent.objects.get(action="appointment.phone_viewed")
    assert event.actor == employee.user
    assert "6912345678" not in str(event.details)


# --- Two moves racing (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_moves_racing_for_one_free_time_one_wins_and_nothing_overlaps(require_postgres):
    kep = KepFactory()
    employee = EmployeeFactory(kep=kep)
    service = ServiceFactory()
    with override_settings(
        KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False, KEPLIVE_SMS_DELIVER_ON_COMMIT=False
    ):
        first = book(kep, service, at(9))
        second = book(kep, service, at(10))
        target = at(12, day=WEDNESDAY)
        barrier = threading.Barrier(2)
        outcomes: list[object] = [None, None]

        def attempt(index: int, appointment: Appointment) -> None:
            try:
                barrier.wait(timeout=30)
                outcomes[index] = move(appointment, target, actor=employee.user)
            except BaseException as error:
                outcomes[index] = error
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=attempt, args=(i, appointment))
            for i, appointment in enumerate((first, second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    wins = [o for o in outcomes if isinstance(o, Appointment)]
    losses = [o for o in outcomes if isinstance(o, SlotNoLongerFree)]
    assert (len(wins), len(losses)) == (1, 1), outcomes
    assert Appointment.objects.filter(starts_at=target, status=Status.BOOKED).count() == 1
    assert AppointmentChange.objects.count() == 1
    assert CitizenCallTask.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
              ON a.employee_id = b.employee_id AND a.id < b.id
             AND a.status IN ('held', 'booked') AND b.status IN ('held', 'booked')
             AND tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)
            """
        )
        assert cursor.fetchone()[0] == 0
