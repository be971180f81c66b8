"""Reading calls: access-checked, and audited where personal data is shown (P7)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.declarations import mask_document_number
from keplive.booking.models import Appointment, AppointmentDetails, DocumentKind, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.calls.exceptions import CallNotFound
from keplive.calls.models import Call, CallState, Role
from keplive.directory.models import Employee


def call_for_appointment(appointment: Appointment) -> Call:
    """The appointment's call, created in state ``scheduled`` the first time it is asked for."""
    call, _created = Call.objects.select_related(
        "appointment", "appointment__kep", "appointment__service", "appointment__category"
    ).get_or_create(appointment=appointment)
    return call


def _reference(value: object) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def call_for_employee(*, employee: Employee, reference: object, origin: Origin = SYSTEM) -> Call:
    """The call of a booked appointment at the employee's own KEP; anything else is "not found"
    (never revealing that another KEP's appointment exists), and the refusal is audited."""
    parsed = _reference(reference)
    appointment = (
        Appointment.objects.select_related("kep", "service", "category", "citizen")
        .filter(reference=parsed, kep_id=employee.kep_id, status=Status.BOOKED)
        .first()
        if parsed
        else None
    )
    if appointment is None:
        record_event(
            action="call.viewed",
            actor=employee.user,
            origin=origin,
            object_type="appointment",
            object_id=str(reference)[:64],
            outcome="refused",
        )
        raise CallNotFound()
    record_event(
        action="call.viewed",
        actor=employee.user,
        origin=origin,
        object_type="appointment",
        object_id=appointment.reference,
    )
    return call_for_appointment(appointment)


def appointments_for_kep_day(
    *, employee: Employee, day: dt.date, origin: Origin = SYSTEM
) -> list[Appointment]:
    """The booked appointments of the employee's KEP on a local date, earliest first, each with
    ``call_state`` (``scheduled`` when nobody has opened its call yet)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=ATHENS)
    end = start + dt.timedelta(days=1)
    state = Call.objects.filter(appointment=OuterRef("pk")).values("state")[:1]
    appointments: list[Appointment] = list(
        Appointment.objects.filter(
            kep_id=employee.kep_id, status=Status.BOOKED, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("service", "category", "details")
        .annotate(call_state=Coalesce(Subquery(state), Value(CallState.SCHEDULED)))
        .order_by("starts_at", "pk")
    )
    record_event(
        action="appointments.listed",
        actor=employee.user,
        origin=origin,
        object_type="kep",
        object_id=employee.kep_id,
        details={"day": day.isoformat(), "count": len(appointments)},
    )
    return appointments


def identity_for_employee(call: Call) -> dict[str, Any]:
    """What the employee sees beside the video during the identity check (E6): the document the
    citizen declared (number masked but for its last characters, enough to compare with the card
    on camera) and the registry outcome. The caller has checked access and audited it."""
    details = AppointmentDetails.objects.filter(appointment_id=call.appointment_id).first()
    identity: dict[str, Any] = {
        "confirmed": call.identity_confirmed,
        # Circular 002: the employee told the citizen the call is not recorded, and what to show.
        "opening_told_at": call.opening_told_at.isoformat() if call.opening_told_at else None,
        "registry": (
            None
            if call.registry_checked_at is None
            else {
                "verified": call.registry_verified,
                "reference": call.registry_reference,
                "checked_at": call.registry_checked_at.isoformat(),
            }
        ),
    }
    if details is None:
        return identity | {"declared": None}
    if details.document_kind == DocumentKind.PASSPORT:
        numbers = [
            mask_document_number(details.passport_number),
            mask_document_number(details.residence_permit_number),
        ]
    else:
        numbers = [mask_document_number(details.id_card_number)]
    return identity | {
        "declared": {
            "full_name": details.full_name,
            "document_kind": str(details.get_document_kind_display()),
            "numbers": numbers,
            "interpreter": str(details.get_interpreter_display()) if details.interpreter else "",
        }
    }


def delivery_for_employee(call: Call) -> dict[str, Any]:
    """The delivery of the document as the citizen declared it, and as the employee confirmed it
    with the citizen during the call (circular 002); ``confirmed`` is null until then. The
    caller has checked access and audited it."""
    details = AppointmentDetails.objects.filter(appointment_id=call.appointment_id).first()
    declared = (
        None
        if details is None
        else {
            "method": details.delivery_method,
            "email": details.email,
            "address": details.postal_address,
        }
    )
    confirmed = (
        None
        if call.delivery_confirmed_at is None
        else {
            "method": call.delivery_method,
            "email": call.delivery_email,
            "address": call.delivery_address,
            "at": call.delivery_confirmed_at.isoformat(),
        }
    )
    return {"declared": declared, "confirmed": confirmed}


def present(call: Call, role: str) -> bool:
    return bool(getattr(call, f"{role}_channel"))


def admitted(call: Call, role: str) -> bool:
    if role == Role.EMPLOYEE:
        return True
    if role == Role.CITIZEN:
        return call.citizen_admitted
    return call.interpreter_admitted


def snapshot(call: Call, *, role: str) -> dict[str, Any]:
    """The call as one participant may see it (docs/calls.md). A citizen or interpreter not yet
    admitted learns only that they wait; the employee also sees the identity panel."""
    body: dict[str, Any] = {
        "type": "snapshot",
        "version": call.version,
        "state": call.state,
        "you": {"role": role, "admitted": admitted(call, role)},
        "audio_only": call.audio_only,
        "citizen_camera_blocked": call.citizen_camera_blocked,
        "interpreter_admitted": call.interpreter_admitted,
    }
    if admitted(call, role):
        body["participants"] = [
            {
                "role": other,
                "present": present(call, other),
                "admitted": admitted(call, other),
                "waiting": (
                    call.state == CallState.KNOCKING
                    if other == Role.CITIZEN
                    else call.interpreter_knocking
                    if other == Role.INTERPRETER
                    else False
                ),
            }
            for other in Role.values
            if other != role
        ]
    else:
        body["participants"] = []
    if role == Role.EMPLOYEE:
        body["identity"] = identity_for_employee(call)
        body["delivery"] = delivery_for_employee(call)
    return body
