"""What the calendar pages show of each appointment, and the calendar's version.

The rows are built from appointments read through the audited
``keplive.booking.employee_selectors``. The version is a short digest of what a calendar view
shows (times, services, assignments, declared requirements, call states): the page polls it
(``/workspace/upcoming.json``) and reloads its table only when it changes. The digest is
computed from ids and timestamps alone, so polling reads no personal data and is not audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from keplive.booking.employee_selectors import declared_details
from keplive.booking.models import Appointment, Status
from keplive.calls.models import Call, CallState
from keplive.directory.models import Employee

MINE = "mine"
KEP = "kep"
SCOPES = (MINE, KEP)


def call_states(appointments: list[Appointment]) -> dict[int, str]:
    """The state of each appointment's call; one not yet opened is ``scheduled``."""
    found = dict(
        Call.objects.filter(appointment_id__in=[a.pk for a in appointments]).values_list(
            "appointment_id", "state"
        )
    )
    return {a.pk: found.get(a.pk, CallState.SCHEDULED) for a in appointments}


def state_label(state: str) -> str:
    try:
        return str(CallState(state).label)
    except ValueError:
        return state


def citizen_name(appointment: Appointment) -> str:
    """The name the citizen declared, or the one TAXISnet gave when nothing was declared."""
    details = declared_details(appointment)
    if details is not None and details.full_name:
        return details.full_name
    citizen = appointment.citizen
    return f"{citizen.first_name} {citizen.last_name}".strip()


def interpreter_label(appointment: Appointment) -> str:
    """The interpreter asked for (E12), or "" for none."""
    details = declared_details(appointment)
    if details is None or not details.interpreter:
        return ""
    return str(details.get_interpreter_display())


def rows_for(appointments: list[Appointment], *, employee: Employee) -> list[dict[str, Any]]:
    """One row per appointment, in the order given, with everything a calendar view shows."""
    states = call_states(appointments)
    rows = []
    for appointment in appointments:
        reference = str(appointment.reference)
        interpreter = interpreter_label(appointment)
        rows.append(
            {
                "appointment": appointment,
                "reference": reference,
                "citizen_name": citizen_name(appointment),
                "employee_name": str(appointment.employee),
                "mine": appointment.employee_id == employee.pk,
                "call_state": states[appointment.pk],
                "call_state_label": state_label(states[appointment.pk]),
                "interpreter": bool(interpreter),
                "interpreter_label": interpreter,
                "details_url": reverse("workspace:appointment", args=[reference]),
                "call_url": reverse("workspace:call", args=[reference]),
            }
        )
    return rows


@dataclass(frozen=True)
class CalendarDay:
    """One local day of the week view with its rows."""

    day: dt.date
    rows: list[dict[str, Any]]


def calendar_version(
    *, employee: Employee, start: dt.datetime, end: dt.datetime, mine: bool
) -> str:
    """A digest of what the calendar shows for ``[start, end)``: changes whenever an appointment
    is booked, moved, reassigned, cancelled, its declaration changes, or its call changes
    state."""
    queryset = Appointment.objects.filter(
        kep_id=employee.kep_id, status=Status.BOOKED, starts_at__gte=start, starts_at__lt=end
    )
    if mine:
        queryset = queryset.filter(employee=employee)
    state = Call.objects.filter(appointment=OuterRef("pk")).values("state")[:1]
    rows = (
        queryset.annotate(call_state=Subquery(state))
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "starts_at",
            "ends_at",
            "employee_id",
            "service_id",
            "category_id",
            "updated_at",
            "details__updated_at",
            "call_state",
        )
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]
