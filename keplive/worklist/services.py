"""The conflict worklist's commands.

- ``find_conflicts`` (after any change of the directory or of a category) lists the booked
  future appointments that no longer fit as open items, once each, and closes the open items
  whose appointment fits again or is no longer booked. Calling it twice adds nothing.
- ``resolve_by_reassigning`` and ``resolve_by_moving`` resolve an item through the booking's
  staff changes (``keplive.booking.staff_changes``), which tell the citizen (email and SMS).

Nothing here cancels an appointment: a stranded appointment stays booked until resolved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from keplive.audit.services import Origin, record_event
from keplive.booking.exceptions import BookingError
from keplive.booking.locks import for_change
from keplive.booking.models import Appointment, Status
from keplive.booking.schedule_inputs import (
    SNAPSHOT_DAYS,
    EmployeeDirectory,
    KepDirectory,
    kep_directories,
    local_date,
)
from keplive.booking.staff_changes import move_appointment, reassign_appointment
from keplive.directory.models import Employee
from keplive.worklist.conflicts import Booked, Misfit, misfits
from keplive.worklist.models import ConflictItem, Resolution


class WorklistError(Exception):
    """An item that could not be resolved; the message says why, for the administrator."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(slots=True)
class ConflictScan:
    created: list[ConflictItem] = field(default_factory=list)
    still_open: int = 0
    fits_again: int = 0
    ended: int = 0

    @property
    def open_total(self) -> int:
        return len(self.created) + self.still_open


def _booked(appointment: Appointment) -> Booked:
    return Booked(
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        employee_id=appointment.employee_id,
        kep_active=appointment.kep.is_active,
        window_start=appointment.category.window_start,
        window_end=appointment.category.window_end,
    )


def _directories(
    appointments: Collection[Appointment], *, now: dt.datetime
) -> dict[int, KepDirectory]:
    if not appointments:
        return {}
    keps = {a.kep_id: a.kep for a in appointments}
    today = local_date(now)
    last = max(local_date(a.starts_at) for a in appointments)
    # Within the cached window one cached snapshot per KEP covers every date; beyond it, read.
    end = last if last > today + dt.timedelta(days=SNAPSHOT_DAYS) else today
    return kep_directories(keps=list(keps.values()), start=today, end=end, now=now)


def check_appointments(
    appointments: Collection[Appointment], *, now: dt.datetime
) -> dict[int, list[Misfit]]:
    """Each appointment's reasons for no longer fitting, by appointment id (empty: it fits)."""
    directories = _directories(appointments, now=now)
    by_kep: dict[int, dict[int, EmployeeDirectory]] = defaultdict(dict)
    for kep_id, directory in directories.items():
        for employee in directory.employees:
            by_kep[kep_id][employee.employee_id] = employee
    return {
        a.pk: misfits(_booked(a), directory=directories[a.kep_id], employees=by_kep[a.kep_id])
        for a in appointments
    }


def _future_booked(*, now: dt.datetime) -> Any:
    return Appointment.objects.filter(status=Status.BOOKED, starts_at__gt=now).select_related(
        "kep", "category"
    )


def find_conflicts(
    *,
    now: dt.datetime,
    actor: Any = None,
    origin: Origin,
    kep_ids: Collection[int] | None = None,
    category_ids: Collection[int] | None = None,
    employee_ids: Collection[int] | None = None,
) -> ConflictScan:
    """List the booked future appointments (of the KEPs, categories or employees given; all
    when none is given) that no longer fit, and close the open items that no longer apply."""
    scan = ConflictScan()
    with transaction.atomic():
        appointments = _future_booked(now=now)
        open_items = ConflictItem.objects.filter(resolved_at__isnull=True).select_related(
            "appointment", "appointment__kep", "appointment__category"
        )
        if kep_ids is not None:
            appointments = appointments.filter(kep_id__in=list(kep_ids))
            open_items = open_items.filter(appointment__kep_id__in=list(kep_ids))
        if category_ids is not None:
            appointments = appointments.filter(category_id__in=list(category_ids))
            open_items = open_items.filter(appointment__category_id__in=list(category_ids))
        if employee_ids is not None:
            appointments = appointments.filter(employee_id__in=list(employee_ids))
            open_items = open_items.filter(appointment__employee_id__in=list(employee_ids))
        booked = list(appointments.order_by("starts_at", "pk"))
        items = list(for_change(open_items))  # in id order: lock order, ADR 0012
        checked = check_appointments(
            {a.pk: a for a in [*booked, *(i.appointment for i in items)]}.values(), now=now
        )
        already_open = {item.appointment_id for item in items}

        for item in items:
            appointment = item.appointment
            if appointment.status != Status.BOOKED:
                _close(item, resolution=Resolution.ENDED, actor=actor, now=now)
                scan.ended += 1
            elif appointment.starts_at > now and not checked[appointment.pk]:
                _close(item, resolution=Resolution.FITS_AGAIN, actor=actor, now=now)
                scan.fits_again += 1
            else:
                scan.still_open += 1

        for appointment in booked:
            found = checked[appointment.pk]
            if not found or appointment.pk in already_open:
                continue
            try:
                with transaction.atomic():
                    scan.created.append(
                        ConflictItem.objects.create(
                            appointment=appointment,
                            cause=found[0].cause,
                            detail=" ".join(m.detail for m in found)[:300],
                            created_at=now,
                        )
                    )
            except IntegrityError:  # another scan listed it at the same moment
                scan.still_open += 1
        if scan.created or scan.fits_again or scan.ended:
            record_event(
                action="worklist.conflicts_found",
                actor=actor,
                origin=origin,
                object_type="worklist",
                details={
                    "created": [item.pk for item in scan.created][:200],
                    "fits_again": scan.fits_again,
                    "ended": scan.ended,
                },
            )
    return scan


def _close(item: ConflictItem, *, resolution: str, actor: Any, now: dt.datetime) -> None:
    item.resolved_at = now
    item.resolution = resolution
    item.resolved_by = actor if getattr(actor, "pk", None) else None
    item.save(update_fields=["resolved_at", "resolution", "resolved_by"])


def _lock_open(item: ConflictItem) -> ConflictItem:
    locked = for_change(
        ConflictItem.objects.select_related(
            "appointment", "appointment__kep", "appointment__category"
        )
    ).get(pk=item.pk)
    if not locked.is_open:
        raise WorklistError(_("This conflict has already been resolved."))
    if locked.appointment.status != Status.BOOKED:
        raise WorklistError(_("The appointment is no longer booked."))
    return locked


def _resolved(
    item: ConflictItem,
    *,
    resolution: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
    details: dict[str, Any],
) -> ConflictItem:
    _close(item, resolution=resolution, actor=actor, now=now)
    record_event(
        action="worklist.item_resolved",
        actor=actor,
        origin=origin,
        object_type="appointment",
        object_id=item.appointment.reference,
        details={"item": item.pk, "resolution": resolution, **details},
    )
    return item


def resolve_by_reassigning(
    *,
    item: ConflictItem,
    to_employee: Employee,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> ConflictItem:
    """Give the appointment to another employee of the same KEP, free at that time."""
    with transaction.atomic():
        locked = _lock_open(item)
        appointment = locked.appointment
        if to_employee.kep_id != appointment.kep_id or not to_employee.is_active:
            raise WorklistError(_("Choose an active employee of the same KEP."))
        if to_employee.pk == appointment.employee_id:
            raise WorklistError(_("The appointment is already with this employee."))
        try:
            reassign_appointment(
                reference=appointment.reference,
                to_employee=to_employee,
                reason=reason,
                actor=actor,
                origin=origin,
                now=now,
            )
        except BookingError as error:
            raise WorklistError(str(error)) from error
        return _resolved(
            locked,
            resolution=Resolution.REASSIGNED,
            actor=actor,
            origin=origin,
            now=now,
            details={"to_employee": to_employee.pk},
        )


def resolve_by_moving(
    *,
    item: ConflictItem,
    starts_at: dt.datetime,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> ConflictItem:
    """Move the appointment to another free time at the same KEP; the citizen is told."""
    with transaction.atomic():
        locked = _lock_open(item)
        try:
            move_appointment(
                reference=locked.appointment.reference,
                starts_at=starts_at,
                reason=reason,
                actor=actor,
                origin=origin,
                now=now,
            )
        except BookingError as error:
            raise WorklistError(str(error)) from error
        return _resolved(
            locked,
            resolution=Resolution.MOVED,
            actor=actor,
            origin=origin,
            now=now,
            details={"to": starts_at.astimezone(dt.UTC).isoformat()},
        )
