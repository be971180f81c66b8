"""Reading appointments as a KEP employee (E2): the calendar and one appointment's details.

An employee reads only their own KEP. The appointments carry personal data (the citizen's name,
what they declared), so every read is recorded in the audit log, and an appointment of another
KEP is "not found", exactly like a reference that does not exist (the refusal is recorded too).
What the in-page reminder needs — references and start times of one's own appointments — holds
no personal data and is read without an audit event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking import codes
from keplive.booking.exceptions import AppointmentNotFound
from keplive.booking.models import Appointment, AppointmentDetails, Reference, Status
from keplive.directory.models import Employee

# Holds are not appointments yet, and a released hold never became one.
_NOT_APPOINTMENTS = (Status.HELD, Status.RELEASED)


def _parse_reference(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _lookup(reference: object) -> Q | None:
    """The filter for a reference given as its UUID or as its code (``codes``, typed loosely)."""
    parsed = _parse_reference(reference)
    if parsed is not None:
        return Q(reference=parsed)
    try:
        return Q(code=codes.normalise(reference))
    except codes.InvalidCode:
        return None


def _with_relations(queryset: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return queryset.select_related(
        "kep", "service", "category", "citizen", "details", "employee", "employee__user"
    )


def calendar_for_employee(
    *,
    employee: Employee,
    start: dt.datetime,
    end: dt.datetime,
    mine: bool,
    origin: Origin = SYSTEM,
) -> list[Appointment]:
    """The booked appointments starting in ``[start, end)`` at the employee's KEP — only those
    assigned to the employee when ``mine`` — earliest first, with their service, category,
    citizen, declared details and employee loaded. The listing is audited (without names)."""
    queryset = Appointment.objects.filter(
        kep_id=employee.kep_id, status=Status.BOOKED, starts_at__gte=start, starts_at__lt=end
    )
    if mine:
        queryset = queryset.filter(employee=employee)
    appointments = list(_with_relations(queryset).order_by("starts_at", "pk"))
    record_event(
        action="appointments.listed",
        actor=employee.user,
        origin=origin,
        object_type="kep",
        object_id=employee.kep_id,
        details={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "scope": "mine" if mine else "kep",
            "count": len(appointments),
        },
    )
    return appointments


def appointment_for_employee(
    *, employee: Employee, reference: Reference | str, origin: Origin = SYSTEM
) -> Appointment:
    """One appointment of the employee's KEP (booked, or since cancelled or closed), with what
    the citizen declared; ``AppointmentNotFound`` for anything else — a malformed reference, one
    that does not exist, another KEP's — and the refusal is audited the same way."""
    lookup = _lookup(reference)
    appointment = (
        _with_relations(
            Appointment.objects.filter(lookup, kep_id=employee.kep_id).exclude(
                status__in=_NOT_APPOINTMENTS
            )
        ).first()
        if lookup is not None
        else None
    )
    if appointment is None:
        record_event(
            action="appointment.viewed",
            actor=employee.user,
            origin=origin,
            object_type="appointment",
            object_id=str(reference)[:64],
            outcome="refused",
        )
        raise AppointmentNotFound()
    record_event(
        action="appointment.viewed",
        actor=employee.user,
        origin=origin,
        object_type="appointment",
        object_id=appointment.reference,
        details={"declared": declared_details(appointment) is not None},
    )
    return appointment


def declared_details(appointment: Appointment) -> AppointmentDetails | None:
    """What the citizen declared, for an appointment already read through a selector above
    (None when nothing was declared, as for one booked through the API)."""
    try:
        return appointment.details
    except AppointmentDetails.DoesNotExist:
        return None


@dataclass(frozen=True)
class Upcoming:
    """An appointment of one's own about to start: no personal data."""

    reference: uuid.UUID
    starts_at: dt.datetime


def upcoming_for_employee(
    *, employee: Employee, now: dt.datetime, within: dt.timedelta
) -> list[Upcoming]:
    """The employee's own booked appointments starting in ``(now, now + within]``, earliest
    first: references and start times only, for the in-page reminder (E3)."""
    rows = (
        Appointment.objects.filter(
            employee=employee,
            kep_id=employee.kep_id,
            status=Status.BOOKED,
            starts_at__gt=now,
            starts_at__lte=now + within,
        )
        .order_by("starts_at", "pk")
        .values_list("reference", "starts_at")
    )
    return [Upcoming(reference=reference, starts_at=starts_at) for reference, starts_at in rows]
