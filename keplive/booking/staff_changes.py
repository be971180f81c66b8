"""Changes the KEP makes to a booked appointment (E4, A7, E14): move it to another time, give it
to another employee, cancel it. Each takes a reason, records an ``AppointmentChange`` (with the
reason, shown in the appointment's history) and an audit event (without it: free text may hold
personal data), and owns its transaction.

A move tells the citizen three ways: the update email with the new ICS (and the KEP's reason),
an SMS through the SMS outbox, and a phone call that becomes a ``CitizenCallTask`` on the
employee's list. Times are taken exactly as the citizen's reschedule takes them: the database
guard (exclusion constraint / triggers) decides between two moves racing for one time.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, models, transaction
from django.utils import dateformat, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keplive.accounts.models import Role
from keplive.audit.services import Origin, record_event
from keplive.booking.declarations import can_take_sms
from keplive.booking.earliest import refresh_after_commit
from keplive.booking.emails import LANGUAGES, EmailKind, queue_appointment_email
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    BookingError,
)
from keplive.booking.locks import for_change, lock_appointments, lock_employee_time
from keplive.booking.models import (
    Appointment,
    AppointmentChange,
    AppointmentDetails,
    CallOutcome,
    ChangeKind,
    CitizenCallTask,
    Interpreter,
    Reference,
    Status,
)
from keplive.booking.schedule_inputs import ATHENS
from keplive.booking.services import (
    _blocked_range,
    _lost_the_race,
    _require_aware,
    move_to_time,
)
from keplive.catalogue.models import CategoryKind
from keplive.directory.models import Absence, Employee
from keplive.notifications.sms import InvalidPhoneNumber, queue_sms

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 1000


class MoveReason(models.TextChoices):
    """The urgent, unforeseen reasons a KEP may move an appointment for (seed 002: "σε
    περίπτωση απρόβλεπτης, εξαιρετικής και επείγουσας ανάγκης"), shown to the citizen."""

    EMPLOYEE_ABSENT = "employee_absent", _("Unforeseen absence of the employee")
    TECHNICAL = "technical", _("Technical problem with the video call equipment")
    POWER_OR_NETWORK = "power_or_network", _("Power or network outage at the KEP")
    KEP_CLOSED = "kep_closed", _("The KEP closes unexpectedly")
    OTHER = "other", _("Another urgent need")


class PhoneOutcomeRequired(BookingError):
    code = "phone_outcome_required"
    default_message = _("Phone the citizen first and record how the call went.")


class ReasonChoiceRequired(BookingError):
    code = "reason_choice_required"
    default_message = _("Choose the urgent reason for the move.")


# The phone call after a move is due within this time, or before the new time if sooner.
CALL_TASK_DUE = dt.timedelta(hours=2)


class ReasonRequired(BookingError):
    code = "reason_required"
    default_message = _("Give the reason for the change; the citizen will read it.")


class ReasonTooLong(BookingError):
    code = "reason_too_long"
    default_message = _("The reason can be at most 1000 characters.")


class EmployeeNotAvailable(BookingError):
    """The employee chosen to take an appointment over cannot take it."""

    code = "employee_not_available"
    default_message = _("This employee is not free at the time of the appointment.")


class NotAllowed(BookingError):
    """The actor may not change this appointment (shown as "not found" by the pages)."""

    code = "not_allowed"
    default_message = _("You may not change this appointment.")


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if len(reason) > REASON_MAX_LENGTH:
        raise ReasonTooLong()
    return reason


def _actor_employee(actor: Any) -> Employee | None:
    user_id = getattr(actor, "pk", None)
    if user_id is None:
        return None
    return Employee.objects.filter(user_id=user_id, is_active=True).first()


def _check_actor(actor: Any, appointment: Appointment) -> Employee | None:
    """Administrators change any KEP's appointment; KEP staff only their own KEP's; nobody else.
    Returns the actor's employee record (None for an administrator or the system)."""
    if actor is None:
        return None  # the system (worker, management command)
    role = getattr(actor, "role", "")
    if role == Role.ADMINISTRATOR:
        return _actor_employee(actor)
    if role in (Role.EMPLOYEE, Role.SUPERVISOR):
        employee = _actor_employee(actor)
        if employee is not None and employee.kep_id == appointment.kep_id:
            return employee
        raise AppointmentNotFound()  # another KEP's appointment does not exist for them
    raise NotAllowed()


def _as_uuid(reference: Reference) -> uuid.UUID:
    try:
        return reference if isinstance(reference, uuid.UUID) else uuid.UUID(str(reference))
    except (ValueError, TypeError, AttributeError) as exc:
        raise AppointmentNotFound() from exc


def _lock_booked(*, reference: Reference) -> Appointment:
    try:
        appointment = lock_appointments(
            Appointment.objects.select_related(
                "kep", "kep__municipality", "service", "category", "employee"
            )
        ).get(reference=_as_uuid(reference))
    except Appointment.DoesNotExist as exc:
        raise AppointmentNotFound() from exc
    if appointment.status != Status.BOOKED:
        raise AppointmentNotChangeable(_("Only a booked appointment can be changed."))
    return appointment


def _record(
    *,
    appointment: Appointment,
    kind: ChangeKind,
    from_starts_at: dt.datetime,
    to_starts_at: dt.datetime | None,
    from_employee_id: int | None,
    to_employee_id: int | None,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> AppointmentChange:
    change = AppointmentChange.objects.create(
        appointment=appointment,
        kind=kind,
        from_starts_at=from_starts_at,
        to_starts_at=to_starts_at,
        from_employee_id=from_employee_id,
        to_employee_id=to_employee_id,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        created_at=now,
    )
    details: dict[str, object] = {"change": change.pk, "from": from_starts_at.isoformat()}
    if to_starts_at is not None:
        details["to"] = to_starts_at.isoformat()
    if from_employee_id != to_employee_id:
        details["from_employee"] = from_employee_id
        details["to_employee"] = to_employee_id
    record_event(
        action=f"appointment.{kind}",
        actor=actor,
        origin=origin,
        object_type="appointment",
        object_id=appointment.reference,
        details=details,
    )
    return change


def _sms_text(appointment: Appointment, *, language: str) -> str:
    with translation.override(language):
        starts = appointment.starts_at.astimezone(ATHENS)
        when = dateformat.format(starts, "j/n/Y H:i")
        return gettext(
            "myKEPlive: %(kep)s moved your video call appointment %(code)s to %(when)s "
            "(Greek time). The new links are in your email."
        ) % {"kep": appointment.kep.name, "when": when, "code": appointment.display_code}


def _queue_move_sms(appointment: Appointment) -> None:
    details = AppointmentDetails.objects.filter(appointment_id=appointment.pk).first()
    if details is None or not can_take_sms(details.mobile_phone):
        return  # no number, or a landline: the email and the KEP's phone call tell the citizen
    language = details.language if details.language in LANGUAGES else LANGUAGES[0]
    try:
        queue_sms(
            key=f"appointment-moved:{appointment.reference}:{appointment.sequence}",
            to=details.mobile_phone,
            text=_sms_text(appointment, language=language),
            language=language,
            cause=appointment,
        )
    except InvalidPhoneNumber:
        # The email and the phone call still tell the citizen; the number is not logged.
        logger.warning("move of %s: the declared mobile number cannot take an SMS", appointment.pk)


def _create_call_task(
    *,
    appointment: Appointment,
    change: AppointmentChange,
    actor_employee: Employee | None,
    now: dt.datetime,
) -> CitizenCallTask:
    assigned_id = (
        actor_employee.pk
        if actor_employee is not None and actor_employee.kep_id == appointment.kep_id
        else appointment.employee_id
    )
    return CitizenCallTask.objects.create(
        appointment=appointment,
        change=change,
        kep_id=appointment.kep_id,
        employee_id=assigned_id,
        created_at=now,
        due=max(now, min(now + CALL_TASK_DUE, appointment.starts_at)),
    )


def _move_reason_text(reason_code: str, reason: str, *, language: str) -> str:
    """What the citizen reads: the reason from the list, in their language, and the free text."""
    reason = (reason or "").strip()
    if not reason_code:
        return _clean_reason(reason)
    if reason_code not in MoveReason.values:
        raise ReasonChoiceRequired()
    if reason_code == MoveReason.OTHER and not reason:
        raise ReasonRequired()
    if len(reason) > REASON_MAX_LENGTH:
        raise ReasonTooLong()
    with translation.override(language):
        label = str(MoveReason(reason_code).label)
    return f"{label}. {reason}" if reason else f"{label}."


def _citizen_language(appointment: Appointment) -> str:
    language = (
        AppointmentDetails.objects.filter(appointment_id=appointment.pk)
        .values_list("language", flat=True)
        .first()
    )
    return language if language in LANGUAGES else LANGUAGES[0]


def move_contact(*, appointment: Appointment, employee: Employee, origin: Origin) -> CallContact:
    """Whom to phone before moving ``appointment`` of the employee's KEP: the declared name and
    mobile number (audited, like the phone-call list)."""
    if employee.kep_id != appointment.kep_id:
        raise AppointmentNotFound()
    row = (
        AppointmentDetails.objects.filter(appointment_id=appointment.pk)
        .values_list("full_name", "mobile_phone")
        .first()
    )
    record_event(
        action="appointment.phone_viewed",
        actor=employee.user,
        origin=origin,
        object_type="appointment",
        object_id=appointment.reference,
        details={"for": "move"},
    )
    full_name, phone = row if row is not None else ("", "")
    return CallContact(full_name=full_name, mobile_phone=phone)


def _record_phone_call_before(
    *,
    appointment: Appointment,
    change: AppointmentChange,
    actor: Any,
    actor_employee: Employee | None,
    outcome: str,
    note: str,
    origin: Origin,
    now: dt.datetime,
) -> CitizenCallTask:
    """The phone call the employee made before the move, recorded as a task done at ``now``."""
    task = _create_call_task(
        appointment=appointment, change=change, actor_employee=actor_employee, now=now
    )
    task.outcome = outcome
    task.note = note
    task.done_at = now
    task.done_by = actor if getattr(actor, "pk", None) else None
    task.save(update_fields=["outcome", "note", "done_at", "done_by"])
    record_event(
        action="appointment.citizen_phoned",
        actor=actor,
        origin=origin,
        object_type="appointment",
        object_id=appointment.reference,
        details={"call_task": task.pk, "outcome": outcome, "before": "move"},
    )
    return task


def move_appointment(
    *,
    reference: Reference,
    starts_at: dt.datetime,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
    reason_code: str = "",
    phone_outcome: str = "",
    phone_note: str = "",
) -> Appointment:
    """Move a booked appointment, urgently, to another free time at the same KEP (E4).

    The same employee is kept when free at the new time, else another free employee of the KEP
    takes it. Refused with a ``BookingError``: an empty reason (``ReasonRequired``), a time in
    the past or not offered (``TimeNotOffered`` with ``alternatives``), a time nobody is free
    for (``SlotNoLongerFree`` with ``alternatives``), an appointment that is not booked
    (``AppointmentNotChangeable``), another KEP's appointment (``AppointmentNotFound``).

    The citizen gets the update email with the new ICS (new SEQUENCE) and the reason, and an
    SMS. Seed 002 asks that the citizen be told by phone *before* the move: the workspace's
    move page has the employee phone first and gives ``phone_outcome`` (a ``CallOutcome``,
    with an optional ``phone_note``), recorded as a phone-call task done at ``now`` — and, when
    the citizen was not reached, a second, open task to try again. Without ``phone_outcome``
    (the administrators' worklist) the phone call becomes an open task. ``reason_code`` (a
    ``MoveReason``) puts the urgent reason, in the citizen's language, before the free text
    ``reason`` (then optional, except for "another urgent need").
    """
    if phone_outcome and phone_outcome not in CallOutcome.values:
        raise PhoneOutcomeRequired()
    phone_note = (phone_note or "").strip()
    if len(phone_note) > REASON_MAX_LENGTH:
        raise BookingError(_("The note can be at most 1000 characters."))
    if not reason_code:
        reason = _clean_reason(reason)
    elif reason_code not in MoveReason.values:
        raise ReasonChoiceRequired()
    _require_aware(starts_at)
    with transaction.atomic():
        appointment = _lock_booked(reference=reference)
        actor_employee = _check_actor(actor, appointment)
        if reason_code:
            reason = _move_reason_text(reason_code, reason, language=_citizen_language(appointment))
        previous_start = appointment.starts_at
        previous_employee = appointment.employee_id
        if starts_at.astimezone(dt.UTC) == previous_start.astimezone(dt.UTC):
            raise AppointmentNotChangeable(_("The appointment is already at this time."))
        move_to_time(appointment, starts_at=starts_at, now=now)
        change = _record(
            appointment=appointment,
            kind=ChangeKind.MOVED,
            from_starts_at=previous_start,
            to_starts_at=appointment.starts_at,
            from_employee_id=previous_employee,
            to_employee_id=appointment.employee_id,
            reason=reason,
            actor=actor,
            origin=origin,
            now=now,
        )
        if phone_outcome:
            _record_phone_call_before(
                appointment=appointment,
                change=change,
                actor=actor,
                actor_employee=actor_employee,
                outcome=phone_outcome,
                note=phone_note,
                origin=origin,
                now=now,
            )
        queue_appointment_email(appointment, EmailKind.MOVED, now=now, reason=reason)
        _queue_move_sms(appointment)
        if phone_outcome != CallOutcome.REACHED:
            _create_call_task(
                appointment=appointment, change=change, actor_employee=actor_employee, now=now
            )
        refresh_after_commit(
            kep=appointment.kep,
            now=now,
            taken=_blocked_range(appointment),
            freed_from=previous_start,
        )
        return appointment


def employee_is_free(
    *, employee: Employee, appointment: Appointment, exclude: int | None = None
) -> bool:
    """Neither absent nor booked (or holding a time) during the appointment's blocked range."""
    absent = Absence.objects.filter(
        employee=employee,
        starts_at__lt=appointment.blocked_until,
        ends_at__gt=appointment.starts_at,
    ).exists()
    if absent:
        return False
    busy = Appointment.objects.filter(
        employee=employee,
        status__in=[Status.HELD, Status.BOOKED],
        starts_at__lt=appointment.blocked_until,
        blocked_until__gt=appointment.starts_at,
    ).exclude(pk=exclude if exclude is not None else appointment.pk)
    return not busy.exists()


def employees_free_for(*, appointment: Appointment) -> list[Employee]:
    """The other active employees of the appointment's KEP free at its time: who may take it."""
    candidates = (
        Employee.objects.filter(kep_id=appointment.kep_id, is_active=True, user__is_active=True)
        .exclude(pk=appointment.employee_id)
        .select_related("user")
    )
    return [
        employee
        for employee in candidates
        if employee_is_free(employee=employee, appointment=appointment)
    ]


def reassign_appointment(
    *,
    reference: Reference,
    to_employee: Employee,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> Appointment:
    """Give a booked appointment, at the same time, to another employee of the same KEP: the
    "take over" of a call nobody opened (A7) and the administrators' worklist.

    Refused (``EmployeeNotAvailable``): another KEP's employee, an inactive one, one absent or
    busy at that time, the employee who has it already. The citizen is not told: the time, the
    links and the ICS stay as they are. An appointment that has started can be taken over.
    """
    reason = _clean_reason(reason)
    with transaction.atomic():
        appointment = _lock_booked(reference=reference)
        _check_actor(actor, appointment)
        target = (
            Employee.objects.select_related("user")
            .filter(pk=getattr(to_employee, "pk", to_employee))
            .first()
        )
        if target is None or target.kep_id != appointment.kep_id:
            raise EmployeeNotAvailable(_("This employee does not work at the appointment's KEP."))
        if not (target.is_active and target.user.is_active):
            raise EmployeeNotAvailable(_("This employee is not active."))
        if target.pk == appointment.employee_id:
            raise EmployeeNotAvailable(_("The appointment is already this employee's."))
        if not employee_is_free(employee=target, appointment=appointment):
            raise EmployeeNotAvailable()
        previous_employee = appointment.employee_id
        appointment.employee = target
        try:
            with transaction.atomic():
                lock_employee_time(target.pk)
                appointment.save(update_fields=["employee", "updated_at"])
        except (IntegrityError, OperationalError) as error:
            if not _lost_the_race(error):
                raise
            raise EmployeeNotAvailable() from None
        _record(
            appointment=appointment,
            kind=ChangeKind.REASSIGNED,
            from_starts_at=appointment.starts_at,
            to_starts_at=appointment.starts_at,
            from_employee_id=previous_employee,
            to_employee_id=target.pk,
            reason=reason,
            actor=actor,
            origin=origin,
            now=now,
        )
        # Open phone calls about the appointment go with it.
        CitizenCallTask.objects.filter(
            appointment=appointment, employee_id=previous_employee, done_at__isnull=True
        ).update(employee=target)
        return appointment


def cancel_by_kep(
    *,
    reference: Reference,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
    notify: bool = True,
) -> Appointment:
    """The KEP cancels a booked appointment (outcomes "cancelled by the KEP" and "not servable
    remotely"); its time is free at once. The citizen gets the cancellation email with the ICS
    CANCEL and the reason, unless ``notify=False`` (the caller sends its own email)."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        appointment = _lock_booked(reference=reference)
        _check_actor(actor, appointment)
        appointment.status = Status.CANCELLED
        appointment.cancelled_at = now
        appointment.sequence += 1
        appointment.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        _record(
            appointment=appointment,
            kind=ChangeKind.CANCELLED_BY_KEP,
            from_starts_at=appointment.starts_at,
            to_starts_at=None,
            from_employee_id=appointment.employee_id,
            to_employee_id=appointment.employee_id,
            reason=reason,
            actor=actor,
            origin=origin,
            now=now,
        )
        if notify:
            queue_appointment_email(appointment, EmailKind.CANCELLED_BY_KEP, now=now, reason=reason)
        refresh_after_commit(kep=appointment.kep, now=now, freed_from=appointment.starts_at)
        return appointment


class CallTaskNotFound(BookingError):
    code = "call_task_not_found"
    default_message = _("No such phone call task.")


class CallTaskAlreadyDone(BookingError):
    code = "call_task_done"
    default_message = _("The outcome of this phone call has already been recorded.")


def open_call_tasks(*, kep_id: int) -> list[CitizenCallTask]:
    """The KEP's phone calls to citizens still to make, the soonest due first. No personal data:
    the number is read per task through ``call_task_phone``."""
    return list(
        CitizenCallTask.objects.filter(kep_id=kep_id, done_at__isnull=True)
        .select_related("appointment", "appointment__service", "change", "employee__user")
        .order_by("due", "id")
    )


@dataclass(frozen=True, slots=True)
class CallContact:
    """Whom to phone: the name and mobile number the citizen declared."""

    full_name: str
    mobile_phone: str


def call_task_contact(*, task: CitizenCallTask, employee: Employee, origin: Origin) -> CallContact:
    """The citizen's declared name and number, for an employee of the task's KEP; audited."""
    if employee.kep_id != task.kep_id:
        raise CallTaskNotFound()
    row = (
        AppointmentDetails.objects.filter(appointment_id=task.appointment_id)
        .values_list("full_name", "mobile_phone")
        .first()
    )
    record_event(
        action="appointment.phone_viewed",
        actor=employee.user,
        origin=origin,
        object_type="appointment",
        object_id=task.appointment.reference,
        details={"call_task": task.pk},
    )
    full_name, phone = row if row is not None else ("", "")
    return CallContact(full_name=full_name, mobile_phone=phone)


def record_call_outcome(
    *,
    task_id: int,
    employee: Employee,
    outcome: str,
    note: str,
    origin: Origin,
    now: dt.datetime,
) -> CitizenCallTask:
    """Close a phone-call task with how the call went. Any employee of the KEP may; once."""
    if outcome not in CallOutcome.values:
        raise BookingError(_("Choose how the call went."))
    note = (note or "").strip()
    if len(note) > REASON_MAX_LENGTH:
        raise BookingError(_("The note can be at most 1000 characters."))
    with transaction.atomic():
        task = for_change(
            CitizenCallTask.objects.select_related("appointment").filter(
                pk=task_id, kep_id=employee.kep_id
            )
        ).first()
        if task is None:
            raise CallTaskNotFound()
        if task.done_at is not None:
            raise CallTaskAlreadyDone()
        task.outcome = outcome
        task.note = note
        task.done_at = now
        task.done_by = employee.user
        task.save(update_fields=["outcome", "note", "done_at", "done_by"])
        record_event(
            action="appointment.citizen_phoned",
            actor=employee.user,
            origin=origin,
            object_type="appointment",
            object_id=task.appointment.reference,
            details={"call_task": task.pk, "outcome": outcome},
        )
        return task


class InterpreterRequestRefused(BookingError):
    code = "interpreter_request_refused"
    default_message = _("An interpreter cannot be asked for this appointment.")


def add_interpreter_request(
    *,
    reference: Reference,
    interpreter: str,
    employee: Employee,
    origin: Origin,
    now: dt.datetime,
) -> Appointment:
    """The KEP adds an interpreter request to a booked appointment still ahead (seed 002: the
    employee keeps the day's list for the National Institute for the Deaf), e.g. when the
    citizen asked by phone. The request then goes with the next digest, or in an addendum when
    that day's digest has gone already (``alerts.interpreters``). Audited (the kind only)."""
    if interpreter not in Interpreter.values or interpreter == Interpreter.NONE:
        raise InterpreterRequestRefused(_("Choose the kind of interpretation."))
    with transaction.atomic():
        appointment = _lock_booked(reference=reference)
        if appointment.kep_id != employee.kep_id:
            raise AppointmentNotFound()
        if appointment.starts_at <= now:
            raise InterpreterRequestRefused(_("This appointment has already started."))
        if appointment.category.number != CategoryKind.DISABILITY:
            raise InterpreterRequestRefused(
                _("An interpreter is offered in the category for people with hearing disabilities.")
            )
        details = AppointmentDetails.objects.filter(appointment_id=appointment.pk).first()
        if details is None:
            raise InterpreterRequestRefused(
                _("The citizen has not completed the appointment's details.")
            )
        if details.interpreter:
            raise InterpreterRequestRefused(_("This appointment has an interpreter request."))
        details.interpreter = interpreter
        details.save(update_fields=["interpreter", "updated_at"])
        appointment.save(update_fields=["updated_at"])
        record_event(
            action="appointment.interpreter_added",
            actor=employee.user,
            origin=origin,
            object_type="appointment",
            object_id=appointment.reference,
            details={"interpreter": interpreter},
        )
        return appointment
