"""The history of one appointment's changes, for the employee's detail page (E2).

Built from two records: the audit log (what the citizen did: booked, rescheduled, changed the
details, cancelled) and ``AppointmentChange`` rows (what the KEP did: moved, reassigned,
cancelled, each with its reason), plus the phone calls recorded after a change. Nothing of the
citizen's declared data appears: the actor of a citizen's change is "Citizen", the actor of a
staff change is the staff member's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import dateformat
from django.utils.translation import gettext as _

from keplive.accounts.models import Role, User
from keplive.audit.models import AuditEvent, Outcome
from keplive.booking.models import (
    Appointment,
    AppointmentChange,
    ChangeKind,
    CitizenCallTask,
)
from keplive.booking.schedule_inputs import ATHENS

# Audit actions of the citizen's (and the system's) changes, in the history's words.
_AUDITED_KINDS = {
    "appointment.booked": "booked",
    "appointment.rescheduled": "rescheduled",
    "appointment.details_changed": "details_changed",
    "appointment.cancelled": "cancelled",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change: when, what (``kind`` for code, ``label`` for people), by whom, and why."""

    at: dt.datetime
    kind: str
    label: str
    actor: str
    reason: str = ""


def _local(moment: dt.datetime) -> str:
    return dateformat.format(moment.astimezone(ATHENS), "j E Y, H:i")


def _staff_name(user: User | None) -> str:
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()


def _audit_actor(event: AuditEvent) -> str:
    if event.actor_role == Role.CITIZEN:
        return str(Role.CITIZEN.label)
    if event.actor is None:
        return _("System")
    return _staff_name(event.actor)


def _audit_label(kind: str, event: AuditEvent) -> str:
    if kind == "booked":
        return _("Booked")
    if kind == "rescheduled":
        target = event.details.get("to")
        try:
            when = _local(dt.datetime.fromisoformat(target)) if target else ""
        except (TypeError, ValueError):
            when = ""
        if when:
            return _("Rescheduled by the citizen to %(when)s") % {"when": when}
        return _("Rescheduled by the citizen")
    if kind == "details_changed":
        return _("Declared details changed")
    return _("Cancelled by the citizen")


def _change_label(change: AppointmentChange) -> str:
    if change.kind == ChangeKind.MOVED and change.to_starts_at is not None:
        return _("Moved by the KEP from %(before)s to %(after)s") % {
            "before": _local(change.from_starts_at),
            "after": _local(change.to_starts_at),
        }
    if change.kind == ChangeKind.REASSIGNED:
        return _("Given to %(employee)s (was %(previous)s)") % {
            "employee": str(change.to_employee) if change.to_employee else "—",
            "previous": str(change.from_employee) if change.from_employee else "—",
        }
    return _("Cancelled by the KEP")


def _call_label(task: CitizenCallTask) -> str:
    return _("Citizen phoned: %(outcome)s") % {"outcome": task.get_outcome_display()}


def appointment_history(*, appointment: Appointment) -> list[HistoryEntry]:
    """Every recorded change of ``appointment``, oldest first."""
    entries: list[HistoryEntry] = []
    events = (
        AuditEvent.objects.filter(
            object_type="appointment",
            object_id=str(appointment.reference),
            action__in=list(_AUDITED_KINDS),
            outcome=Outcome.SUCCESS,
        )
        .select_related("actor")
        .order_by("id")
    )
    for event in events:
        kind = _AUDITED_KINDS[event.action]
        entries.append(
            HistoryEntry(
                at=event.occurred_at,
                kind=kind,
                label=_audit_label(kind, event),
                actor=_audit_actor(event),
            )
        )
    changes = AppointmentChange.objects.filter(appointment=appointment).select_related(
        "actor", "from_employee__user", "to_employee__user"
    )
    for change in changes:
        entries.append(
            HistoryEntry(
                at=change.created_at,
                kind=str(change.kind),
                label=_change_label(change),
                actor=_staff_name(change.actor),
                reason=change.reason,
            )
        )
    tasks = CitizenCallTask.objects.filter(
        appointment=appointment, done_at__isnull=False
    ).select_related("done_by")
    for task in tasks:
        entries.append(
            HistoryEntry(
                at=task.done_at or task.created_at,
                kind="citizen_phoned",
                label=_call_label(task),
                actor=_staff_name(task.done_by),
                reason=task.note,
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries
