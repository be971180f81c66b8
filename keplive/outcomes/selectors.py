"""Reading outcomes and what they need: access-checked and audited (P7).

An employee reaches only appointments of their own KEP; anything else is "not found", exactly
like an appointment that does not exist, and the refusal is recorded. A citizen reaches only the
form of their own completed appointment.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from keplive.accounts.models import Citizen
from keplive.audit.models import Outcome as AuditOutcome
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.models import Appointment, AppointmentDetails, DeliveryMethod, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.calls.models import Call
from keplive.directory.models import Employee
from keplive.outcomes.exceptions import AppointmentNotFound
from keplive.outcomes.models import Outcome, Result, WhiteApplication, WhiteApplicationTemplate

# An appointment the outcome pages may show: booked, or cancelled (by the KEP, with an outcome).
VISIBLE_STATUSES = (Status.BOOKED, Status.CANCELLED)


@dataclass(frozen=True, slots=True)
class AppointmentForOutcome:
    """One appointment as the outcome pages show it to an employee of its KEP."""

    appointment: Appointment
    details: AppointmentDetails | None
    call: Call | None
    outcome: Outcome | None
    white_application: WhiteApplication | None


def parse_reference(value: object) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _refuse(*, action: str, actor: object, origin: Origin, reference: object) -> None:
    record_event(
        action=action,
        actor=actor,
        origin=origin,
        object_type="appointment",
        object_id=str(reference)[:64],
        outcome=AuditOutcome.REFUSED,
    )


def kep_appointment(*, employee: Employee, reference: object) -> Appointment | None:
    """The appointment of the employee's KEP with this reference (not audited: for services,
    which audit what they do)."""
    parsed = parse_reference(reference)
    if parsed is None:
        return None
    return (
        Appointment.objects.select_related(
            "kep", "kep__municipality", "service", "category", "citizen", "employee__user"
        )
        .filter(reference=parsed, kep_id=employee.kep_id, status__in=VISIBLE_STATUSES)
        .first()
    )


def appointment_for_outcome(
    *, employee: Employee, reference: object, origin: Origin = SYSTEM
) -> AppointmentForOutcome:
    """The appointment with its declared details, call, outcome and white application, for an
    employee of its KEP. Audited as ``outcome.viewed``."""
    appointment = kep_appointment(employee=employee, reference=reference)
    if appointment is None:
        _refuse(action="outcome.viewed", actor=employee.user, origin=origin, reference=reference)
        raise AppointmentNotFound()
    record_event(
        action="outcome.viewed",
        actor=employee.user,
        origin=origin,
        object_type="appointment",
        object_id=appointment.reference,
    )
    return AppointmentForOutcome(
        appointment=appointment,
        details=AppointmentDetails.objects.filter(appointment_id=appointment.pk).first(),
        call=Call.objects.filter(appointment_id=appointment.pk).first(),
        outcome=Outcome.objects.select_related("recorded_by__user")
        .filter(appointment_id=appointment.pk)
        .first(),
        white_application=WhiteApplication.objects.filter(appointment_id=appointment.pk).first(),
    )


def completed_outcome_for_citizen(
    *, citizen: Citizen, reference: object, origin: Origin = SYSTEM
) -> tuple[Outcome, AppointmentDetails | None]:
    """The completed outcome of one of the citizen's appointments, for its form. Anyone else's
    appointment, or one without a completed outcome, is "not found" (audited)."""
    parsed = parse_reference(reference)
    outcome = (
        Outcome.objects.select_related(
            "appointment",
            "appointment__kep",
            "appointment__service",
            "appointment__citizen",
            "recorded_by__user",
        )
        .filter(
            appointment__reference=parsed,
            appointment__citizen=citizen,
            result=Result.COMPLETED,
        )
        .first()
        if parsed
        else None
    )
    if outcome is None:
        _refuse(
            action="outcome.form_downloaded", actor=citizen.user, origin=origin, reference=reference
        )
        raise AppointmentNotFound()
    record_event(
        action="outcome.form_downloaded",
        actor=citizen.user,
        origin=origin,
        object_type="appointment",
        object_id=outcome.appointment.reference,
    )
    details = AppointmentDetails.objects.filter(appointment_id=outcome.appointment_id).first()
    return outcome, details


@dataclass(frozen=True, slots=True)
class PostalDelivery:
    """One row of the ELTA export."""

    protocol_number: str
    full_name: str
    address: str
    postal_code: str
    city: str
    service: str


# "Ερμού 10, 10563 Αθήνα", "Ερμού 10, 105 63, Αθήνα": the street, a five-digit code, the place.
_POSTAL_CODE = re.compile(r"^(?P<street>.*?)[,\s]+(?P<code>\d{3}\s?\d{2})\b[,\s]*(?P<city>.*)$")


def split_address(address: str) -> tuple[str, str, str]:
    """(street, postal code, city) of an address written on one line; when no five-digit code
    is found, the whole address and two empty parts."""
    text = " ".join(address.split())
    match = _POSTAL_CODE.match(text)
    if not match or not match.group("street").strip():
        return text, "", ""
    return (
        match.group("street").strip(" ,"),
        match.group("code").replace(" ", ""),
        match.group("city").strip(" ,"),
    )


def postal_deliveries(
    *, employee: Employee, day: dt.date, origin: Origin = SYSTEM
) -> list[PostalDelivery]:
    """The completed outcomes of the employee's KEP recorded on a local day with delivery by
    post, by protocol number: the day's ELTA dispatch. Audited as ``outcome.postal_listed``."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=ATHENS)
    outcomes = (
        Outcome.objects.select_related("appointment__service", "appointment__citizen")
        .filter(
            appointment__kep_id=employee.kep_id,
            result=Result.COMPLETED,
            delivery_method=DeliveryMethod.POST,
            recorded_at__gte=start,
            recorded_at__lt=start + dt.timedelta(days=1),
        )
        .order_by("protocol_number")
    )
    names = dict(
        AppointmentDetails.objects.filter(
            appointment_id__in=[outcome.appointment_id for outcome in outcomes]
        ).values_list("appointment_id", "full_name")
    )
    rows = []
    for outcome in outcomes:
        citizen = outcome.appointment.citizen
        name = names.get(outcome.appointment_id) or f"{citizen.first_name} {citizen.last_name}"
        street, code, city = split_address(outcome.delivery_address)
        rows.append(
            PostalDelivery(
                protocol_number=outcome.protocol_number or "",
                full_name=name,
                address=street,
                postal_code=code,
                city=city,
                service=outcome.appointment.service.title,
            )
        )
    record_event(
        action="outcome.postal_listed",
        actor=employee.user,
        origin=origin,
        object_type="kep",
        object_id=employee.kep_id,
        details={"day": day.isoformat(), "count": len(rows)},
    )
    return rows


def white_application_template_for(appointment: Appointment) -> WhiteApplicationTemplate | None:
    """The white application for the appointment (seed 002: one per municipal service): the
    active template of its service, else the active general template of the municipality of the
    appointment's KEP, else None."""
    active = WhiteApplicationTemplate.objects.filter(
        municipality_id=appointment.kep.municipality_id, is_active=True
    )
    own = active.filter(service_id=appointment.service_id).first()
    if own is not None:
        return own
    return active.filter(service__isnull=True).first()
