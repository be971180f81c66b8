"""Recording outcomes (E9, E11, E14), registering them with e-KEP, and sending white
applications (E13). Each service owns its transaction, audits what it does and queues its
emails in the outbox in the same transaction.

Rules of the result:

- **completed**: only for a call that took place — the citizen admitted (``in_call`` or
  ``ended``) with the identity confirmed; the delivery is confirmed: by post to a postal
  address, by email to an email address, or pick-up at the KEP. It gets a protocol number and
  the successful-submission form, the citizen an email with the form, and e-KEP the case.
- **no-show**: only when the call recorded the no-show, or 10 minutes after the start have
  passed and the citizen never knocked.
- **not servable remotely** and **cancelled by the KEP** close the appointment through
  ``keplive.booking.staff_changes.cancel_by_kep``; for "not servable" the citizen gets one
  courteous email saying what to do instead (``notify=False`` there, this app's email only).

An outcome is recorded once: a second attempt is refused with ``OutcomeAlreadyRecorded``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _

from keplive.audit.models import Outcome as AuditOutcome
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.locks import lock_appointments
from keplive.booking.models import Appointment, AppointmentDetails, DeliveryMethod, Status
from keplive.calls.models import Call, CallState
from keplive.calls.services import NO_SHOW_AFTER
from keplive.directory.models import Employee
from keplive.integrations.ekep import CaseRegistration, RegistrationFailed, case_registry
from keplive.notifications.services import Attachment, queue_email
from keplive.outcomes import documents, emails
from keplive.outcomes.exceptions import (
    AlreadySent,
    AppointmentNotFound,
    InvalidDelivery,
    NoTemplate,
    NotMunicipal,
    OutcomeAlreadyRecorded,
    OutcomeNotAllowed,
)
from keplive.outcomes.models import (
    Alternative,
    Outcome,
    Result,
    WhiteApplication,
)
from keplive.outcomes.protocol import next_protocol_number
from keplive.outcomes.selectors import kep_appointment, white_application_template_for

logger = logging.getLogger(__name__)

MUNICIPAL_CATEGORY = 4
MAX_NOTE = 2000
# The reason of a cancellation by the KEP, as booking keeps it.
MAX_REASON = 1000
MAX_REQUEST_TEXT = 4000


# --- Rules ---------------------------------------------------------------------------------


def call_took_place(call: Call | None) -> bool:
    """The citizen was admitted and their identity confirmed: the only call "completed" fits."""
    return (
        call is not None
        and call.state in (CallState.IN_CALL, CallState.ENDED)
        and call.admitted_at is not None
        and bool(call.identity_confirmed)
    )


def no_show_fits(appointment: Appointment, call: Call | None, *, now: dt.datetime) -> bool:
    """The call recorded a no-show, or 10 minutes after the start the citizen never knocked."""
    if call is not None and (call.state == CallState.NO_SHOW or call.no_show_at is not None):
        return True
    late = now >= appointment.starts_at + NO_SHOW_AFTER
    return late and (call is None or call.knocked_at is None)


@dataclass(frozen=True, slots=True)
class Delivery:
    method: str
    email: str = ""
    address: str = ""


def check_delivery(delivery: Delivery) -> Delivery:
    """The confirmed delivery, tidied; ``InvalidDelivery`` (naming the field) when incomplete."""
    method = delivery.method
    if method not in DeliveryMethod.values:
        raise InvalidDelivery(
            _("Choose how the document will be delivered."), field="delivery_method"
        )
    if method == DeliveryMethod.POST:
        address = " ".join(delivery.address.split())
        if not address:
            raise InvalidDelivery(
                _("Enter the postal address the document will be posted to."),
                field="delivery_address",
            )
        if len(address) > 300:
            raise InvalidDelivery(
                _("The postal address can have at most 300 characters."), field="delivery_address"
            )
        return Delivery(method=method, address=address)
    if method == DeliveryMethod.EMAIL:
        email = delivery.email.strip()
        if not email:
            raise InvalidDelivery(
                _("Enter the email address the document will be sent to."),
                field="delivery_email",
            )
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidDelivery(
                _("Enter an email address in the form name@example.gr."), field="delivery_email"
            ) from None
        return Delivery(method=method, email=email)
    return Delivery(method=method)


# --- Recording ------------------------------------------------------------------------------


def _locked_appointment(*, employee: Employee, reference: object) -> Appointment:
    found = kep_appointment(employee=employee, reference=reference)
    if found is None:
        raise AppointmentNotFound()
    appointment = lock_appointments(Appointment.objects.filter(pk=found.pk)).get()
    # Keep the related objects read above (KEP, service, citizen) on the locked row.
    for field in ("kep", "service", "category", "citizen"):
        setattr(appointment, field, getattr(found, field))
    if Outcome.objects.filter(appointment_id=appointment.pk).exists():
        raise OutcomeAlreadyRecorded()
    if appointment.status != Status.BOOKED:
        raise OutcomeNotAllowed(
            _("This appointment has been cancelled: no outcome can be recorded.")
        )
    return appointment


def _save(outcome: Outcome) -> Outcome:
    try:
        with transaction.atomic():
            outcome.save(force_insert=True)
    except IntegrityError:
        # Another request recorded the outcome between the check and the insert.
        raise OutcomeAlreadyRecorded() from None
    return outcome


def _audit(outcome: Outcome, *, employee: Employee, origin: Origin, **details: Any) -> None:
    record_event(
        action="outcome.recorded",
        actor=employee.user,
        origin=origin,
        object_type="appointment",
        object_id=outcome.appointment.reference,
        details={"result": outcome.result, **details},
    )


def _refused(*, employee: Employee, reference: object, origin: Origin, reason: str) -> None:
    record_event(
        action="outcome.recorded",
        actor=employee.user,
        origin=origin,
        object_type="appointment",
        object_id=str(reference)[:64],
        outcome=AuditOutcome.REFUSED,
        details={"reason": reason},
    )


def _close(
    appointment: Appointment,
    *,
    employee: Employee,
    reason: str,
    origin: Origin,
    now: dt.datetime,
    notify: bool,
) -> None:
    """Cancel the appointment as the KEP (its time is freed); ``notify`` sends the booking
    app's cancellation email with the reason."""
    # Imported here: the KEP's changes to appointments live beside booking's services.
    from keplive.booking.exceptions import BookingError
    from keplive.booking.staff_changes import cancel_by_kep

    try:
        cancel_by_kep(
            reference=appointment.reference,
            reason=reason,
            actor=employee.user,
            origin=origin,
            now=now,
            notify=notify,
        )
    except BookingError as refused:
        raise OutcomeNotAllowed(refused.message) from refused


def record_outcome(
    *,
    employee: Employee,
    reference: object,
    result: str,
    delivery: Delivery | None = None,
    note: str = "",
    now: dt.datetime,
    origin: Origin = SYSTEM,
) -> Outcome:
    """Record the outcome of an appointment of the employee's KEP: completed, no-show or
    cancelled by the KEP (``note`` is then the reason, told to the citizen). For "not servable
    remotely" use ``mark_not_servable``."""
    note = note.strip()
    try:
        with transaction.atomic():
            appointment = _locked_appointment(employee=employee, reference=reference)
            call = Call.objects.filter(appointment_id=appointment.pk).first()
            outcome = Outcome(
                appointment=appointment, result=result, recorded_at=now, recorded_by=employee
            )
            if result == Result.COMPLETED:
                if not call_took_place(call):
                    raise OutcomeNotAllowed(
                        _(
                            "The call has not taken place with the citizen admitted and their "
                            "identity confirmed, so the appointment cannot be recorded as "
                            "completed."
                        ),
                        field="result",
                    )
                confirmed = check_delivery(delivery or Delivery(method=""))
                outcome.delivery_method = confirmed.method
                outcome.delivery_email = confirmed.email
                outcome.delivery_address = confirmed.address
                outcome.note = note[:MAX_NOTE]
                outcome.protocol_number = next_protocol_number(now=now)
                outcome.ekep_next_attempt_at = now
            elif result == Result.NO_SHOW:
                if not no_show_fits(appointment, call, now=now):
                    raise OutcomeNotAllowed(
                        _(
                            "A no-show can be recorded only when the citizen has not arrived 10 "
                            "minutes after the start."
                        ),
                        field="result",
                    )
                outcome.note = note[:MAX_NOTE]
            elif result == Result.CANCELLED_BY_KEP:
                if not note:
                    raise OutcomeNotAllowed(
                        _("Give the reason for the cancellation; the citizen is told it."),
                        field="note",
                    )
                if len(note) > MAX_REASON:
                    raise OutcomeNotAllowed(
                        _("The reason can have at most 1000 characters."), field="note"
                    )
                outcome.note = note[:MAX_NOTE]
            elif result == Result.NOT_SERVABLE:
                raise OutcomeNotAllowed(
                    _("Use “Cannot be served remotely” to tell the citizen what to do instead."),
                    field="result",
                )
            else:
                raise OutcomeNotAllowed(_("Choose the result of the appointment."), field="result")
            _save(outcome)
            if result == Result.CANCELLED_BY_KEP:
                _close(
                    appointment,
                    employee=employee,
                    reason=outcome.note,
                    origin=origin,
                    now=now,
                    notify=True,
                )
            _audit(
                outcome,
                employee=employee,
                origin=origin,
                delivery_method=outcome.delivery_method,
                protocol_number=outcome.protocol_number or "",
            )
            if result == Result.COMPLETED:
                details = AppointmentDetails.objects.filter(appointment_id=appointment.pk).first()
                emails.queue_completed_email(outcome, details, now=now)
                transaction.on_commit(lambda: _register_soon(outcome.pk), robust=True)
    except (
        OutcomeAlreadyRecorded,
        OutcomeNotAllowed,
        InvalidDelivery,
        AppointmentNotFound,
    ) as refused:
        _refused(
            employee=employee, reference=reference, origin=origin, reason=type(refused).__name__
        )
        raise
    logger.info("outcome recorded: %s %s", appointment.reference, result)
    return outcome


def mark_not_servable(
    *,
    employee: Employee,
    reference: object,
    alternative: str,
    note: str = "",
    now: dt.datetime,
    origin: Origin = SYSTEM,
) -> Outcome:
    """E14: the procedure cannot be served through the platform. The citizen gets one courteous
    email saying what to do instead, and the appointment closes with this outcome."""
    note = note.strip()
    try:
        with transaction.atomic():
            if alternative not in Alternative.values:
                raise OutcomeNotAllowed(
                    _("Choose what the citizen should do instead."), field="alternative"
                )
            if alternative == Alternative.OTHER and not note:
                raise OutcomeNotAllowed(
                    _("Describe what the citizen should do instead."), field="note"
                )
            appointment = _locked_appointment(employee=employee, reference=reference)
            outcome = _save(
                Outcome(
                    appointment=appointment,
                    result=Result.NOT_SERVABLE,
                    alternative=alternative,
                    note=note[:MAX_NOTE],
                    recorded_at=now,
                    recorded_by=employee,
                )
            )
            _close(
                appointment,
                employee=employee,
                reason=str(_("The procedure cannot be served remotely.")),
                origin=origin,
                now=now,
                notify=False,
            )
            _audit(outcome, employee=employee, origin=origin, alternative=alternative)
            details = AppointmentDetails.objects.filter(appointment_id=appointment.pk).first()
            emails.queue_not_servable_email(outcome, details, now=now)
    except (OutcomeAlreadyRecorded, OutcomeNotAllowed, AppointmentNotFound) as refused:
        _refused(
            employee=employee, reference=reference, origin=origin, reason=type(refused).__name__
        )
        raise
    return outcome


# --- e-KEP ----------------------------------------------------------------------------------


def _register_soon(outcome_id: int) -> None:
    from keplive.outcomes.tasks import register_outcome_soon_task

    register_outcome_soon_task(outcome_id)


def ekep_backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4… minutes up to the cap."""
    cap = settings.KEPLIVE_EKEP_BACKOFF_CAP_MINUTES
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), cap))


def register_with_ekep(*, outcome_id: int, now: dt.datetime) -> bool:
    """Register one completed outcome with e-KEP, unless it is registered already or another
    worker holds it. True when it is registered by this call. A failure is kept
    (``ekep_attempts``, ``ekep_last_error``) and retried after the backoff: nothing is lost.
    The protocol number is e-KEP's idempotency key, so an uncertain failure retried is still
    one case."""
    with transaction.atomic():
        pending = Outcome.objects.filter(
            pk=outcome_id, result=Result.COMPLETED, ekep_registered_at__isnull=True
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, no_key=True)
        else:
            pending = pending.select_for_update(no_key=True)
        outcome = pending.first()
        if outcome is None:
            return False
        appointment = Appointment.objects.select_related("kep", "service").get(
            pk=outcome.appointment_id
        )
        case = CaseRegistration(
            protocol_number=outcome.protocol_number or "",
            kep_code=appointment.kep.code,
            service_code=appointment.service.code,
            employee_id=str(outcome.recorded_by_id),
            served_at=outcome.recorded_at,
            delivery_method=outcome.delivery_method,
        )
        outcome.ekep_attempts += 1
        try:
            receipt = case_registry().register(case)
        except RegistrationFailed as failed:
            outcome.ekep_last_error = failed.reason
            outcome.ekep_next_attempt_at = now + ekep_backoff(outcome.ekep_attempts)
            outcome.save(update_fields=["ekep_attempts", "ekep_last_error", "ekep_next_attempt_at"])
            record_event(
                action="outcome.ekep_registration",
                object_type="appointment",
                object_id=appointment.reference,
                outcome=AuditOutcome.REFUSED,
                details={"reason": failed.reason, "attempts": outcome.ekep_attempts},
            )
            logger.warning(
                "e-KEP registration of %s failed (%s), attempt %d",
                outcome.protocol_number,
                failed.reason,
                outcome.ekep_attempts,
            )
            return False
        outcome.ekep_reference = receipt.reference
        outcome.ekep_registered_at = receipt.registered_at
        outcome.ekep_last_error = ""
        outcome.ekep_next_attempt_at = None
        outcome.save(
            update_fields=[
                "ekep_reference",
                "ekep_registered_at",
                "ekep_attempts",
                "ekep_last_error",
                "ekep_next_attempt_at",
            ]
        )
        record_event(
            action="outcome.ekep_registration",
            object_type="appointment",
            object_id=appointment.reference,
            details={"ekep_reference": receipt.reference, "attempts": outcome.ekep_attempts},
        )
    return True


def register_due_outcomes(*, now: dt.datetime, limit: int = 100) -> int:
    """Register every completed outcome due for (another) try with e-KEP; the number
    registered. Safe to run in several workers at once and to run again."""
    due = list(
        Outcome.objects.filter(
            result=Result.COMPLETED,
            ekep_registered_at__isnull=True,
            ekep_next_attempt_at__lte=now,
        )
        .order_by("ekep_next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(register_with_ekep(outcome_id=pk, now=now) for pk in due)


# --- White application ------------------------------------------------------------------------


def send_white_application(
    *,
    employee: Employee,
    reference: object,
    request_text: str,
    now: dt.datetime,
    origin: Origin = SYSTEM,
) -> WhiteApplication:
    """E13: fill the municipality's template with the citizen's data and request, and send it
    as a PDF to the protocol email of the KEP's municipality through the outbox. Without a
    template nothing is sent (``NoTemplate``)."""
    request_text = request_text.strip()
    try:
        with transaction.atomic():
            found = kep_appointment(employee=employee, reference=reference)
            if found is None:
                raise AppointmentNotFound()
            appointment = lock_appointments(Appointment.objects.filter(pk=found.pk)).get()
            appointment.kep, appointment.service = found.kep, found.service
            appointment.citizen, appointment.category = found.citizen, found.category
            if appointment.category_id != MUNICIPAL_CATEGORY:
                raise NotMunicipal()
            if appointment.status != Status.BOOKED:
                raise OutcomeNotAllowed(_("This appointment has been cancelled."))
            if WhiteApplication.objects.filter(appointment_id=appointment.pk).exists():
                raise AlreadySent()
            if not request_text:
                raise OutcomeNotAllowed(_("Enter the citizen's request."), field="request_text")
            if len(request_text) > MAX_REQUEST_TEXT:
                raise OutcomeNotAllowed(
                    _("The request can have at most 4000 characters."), field="request_text"
                )
            template = white_application_template_for(appointment)
            if template is None:
                raise NoTemplate()
            details = AppointmentDetails.objects.filter(appointment_id=appointment.pk).first()
            values = documents.white_application_values(
                appointment, details, request_text=request_text, now=now
            )
            pdf = documents.white_application(template, values, employee_name=str(employee))
            key = f"white-application:{appointment.reference}"
            subject, text = emails.white_application_message(template, values)
            queue_email(
                key=key,
                to=appointment.kep.protocol_email,
                subject=subject,
                text=text,
                attachments=[
                    Attachment(
                        filename=f"white-application-{str(appointment.reference)[:8]}.pdf",
                        content=pdf,
                        content_type="application/pdf",
                    )
                ],
                language="el",
                cause=appointment,
            )
            sent = WhiteApplication.objects.create(
                appointment=appointment,
                template=template,
                sent_to=appointment.kep.protocol_email,
                sent_at=now,
                sent_by=employee,
                outbox_key=key,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
            record_event(
                action="white_application.sent",
                actor=employee.user,
                origin=origin,
                object_type="appointment",
                object_id=appointment.reference,
                details={"template": template.pk, "municipality": template.municipality_id},
            )
    except (
        AppointmentNotFound,
        NotMunicipal,
        AlreadySent,
        NoTemplate,
        OutcomeNotAllowed,
    ) as refused:
        record_event(
            action="white_application.sent",
            actor=employee.user,
            origin=origin,
            object_type="appointment",
            object_id=str(reference)[:64],
            outcome=AuditOutcome.REFUSED,
            details={"reason": type(refused).__name__},
        )
        raise
    return sent
