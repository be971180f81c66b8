"""Changes of the directory and of the categories that may strand booked appointments, each
made together with its consequences in one transaction:

1. the change itself (``keplive.directory.admin_services``, ``keplive.catalogue.parameters``:
   validated, audited, refused as a whole);
2. the worklist: every booked future appointment it strands becomes an open item, and items
   that fit again are closed (``find_conflicts``);
3. the caches: directory rows saved through the model bump the directory version (ADR 0005);
   the earliest-free-time rows the change can move are deleted, so the next search recomputes
   them from live data (ADR 0004: a missing row is refreshed on demand).

The administration's pages call these; the counts come back in ``ChangeOutcome``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from keplive.audit.services import Origin
from keplive.booking.models import Appointment, EarliestFreeTime, Status
from keplive.catalogue import parameters
from keplive.catalogue.models import Category
from keplive.directory import admin_services
from keplive.directory.admin_services import (
    AvailabilityInterval,
    DirectoryChangeRefused,
    Interval,
)
from keplive.directory.models import (
    Absence,
    Employee,
    Kep,
    LocalHoliday,
    Municipality,
    OpeningException,
)
from keplive.waitlist.services import note_hours_changed
from keplive.worklist.services import ConflictScan, find_conflicts


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    changed: bool
    scan: ConflictScan

    @property
    def stranded(self) -> int:
        """How many appointments the change stranded (new items)."""
        return len(self.scan.created)


def categories_of(kep: Kep) -> list[Category]:
    """The categories a KEP offers: all, category 2 at KEP-EKE only."""
    return [c for c in Category.objects.all() if kep.is_kep_eke or not c.kep_eke_only]


def longest_call_minutes(kep: Kep) -> int:
    """An opening interval must hold at least one call of each category the KEP offers."""
    return max((c.call_minutes for c in categories_of(kep)), default=0)


def _forget_earliest(*, kep_ids: Sequence[int] = (), category_ids: Sequence[int] = ()) -> None:
    rows = EarliestFreeTime.objects.filter(Q(kep_id__in=kep_ids) | Q(category_id__in=category_ids))
    # Locked in key order first, as the refreshes write them (ADR 0012), then deleted.
    locked = list(
        rows.select_for_update(of=("self",))
        .order_by("kep_id", "category_id")
        .values_list("pk", flat=True)
    )
    EarliestFreeTime.objects.filter(pk__in=locked).delete()


def _after_kep_change(
    kep: Kep, *, changed: bool, actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    if changed:
        _forget_earliest(kep_ids=[kep.pk])
        note_hours_changed(kep=kep, now=now)  # times it opened go to those waiting
    scan = find_conflicts(now=now, actor=actor, origin=origin, kep_ids=[kep.pk])
    return ChangeOutcome(changed=changed, scan=scan)


def create_kep(*, values: Mapping[str, Any], actor: Any, origin: Origin, now: dt.datetime) -> Kep:
    return admin_services.create_kep(values=values, actor=actor, origin=origin, now=now)


def update_kep(
    *, kep: Kep, values: Mapping[str, Any], actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    with transaction.atomic():
        changed = admin_services.update_kep(
            kep=kep, values=values, actor=actor, origin=origin, now=now
        )
        # A KEP that stops being a KEP-EKE no longer offers category 2.
        return _after_kep_change(kep, changed=bool(changed), actor=actor, origin=origin, now=now)


def set_kep_active(
    *, kep: Kep, active: bool, actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    """Deactivate (its future appointments go to the worklist, it takes no new bookings) or
    reactivate (the items it caused are closed)."""
    with transaction.atomic():
        changed = admin_services.set_kep_active(
            kep=kep, active=active, actor=actor, origin=origin, now=now
        )
        return _after_kep_change(kep, changed=changed, actor=actor, origin=origin, now=now)


def remove_kep(*, kep: Kep, actor: Any, origin: Origin, now: dt.datetime) -> None:
    """Delete a KEP that never had an appointment. One that has any (future or past) is
    refused with the counts, suggesting deactivation; nothing is changed then."""
    with transaction.atomic():
        appointments = Appointment.objects.filter(kep=kep)
        future = appointments.filter(status=Status.BOOKED, starts_at__gt=now).count()
        total = appointments.count()
        if future:
            raise DirectoryChangeRefused(
                _(
                    "The KEP cannot be removed: it has %(future)d booked future appointments "
                    "(and %(past)d other appointments). Deactivate it instead: it stops taking "
                    "bookings and its appointments go to the conflict worklist."
                )
                % {"future": future, "past": total - future}
            )
        if total:
            raise DirectoryChangeRefused(
                _(
                    "The KEP cannot be removed: it has %(count)d past or cancelled appointments, "
                    "which are kept. Deactivate it instead."
                )
                % {"count": total}
            )
        admin_services.remove_kep(kep=kep, actor=actor, origin=origin, now=now)


def set_weekday_hours(
    *,
    kep: Kep,
    weekday: int,
    intervals: Sequence[Interval],
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> ChangeOutcome:
    with transaction.atomic():
        changed = admin_services.set_weekday_hours(
            kep=kep,
            weekday=weekday,
            intervals=intervals,
            shortest_minutes=longest_call_minutes(kep),
            actor=actor,
            origin=origin,
            now=now,
        )
        return _after_kep_change(kep, changed=changed, actor=actor, origin=origin, now=now)


def add_opening_exception(
    *,
    kep: Kep,
    date: dt.date,
    opens: dt.time | None,
    closes: dt.time | None,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
    today: dt.date,
) -> ChangeOutcome:
    with transaction.atomic():
        admin_services.add_opening_exception(
            kep=kep,
            date=date,
            opens=opens,
            closes=closes,
            reason=reason,
            shortest_minutes=longest_call_minutes(kep),
            actor=actor,
            origin=origin,
            now=now,
            today=today,
        )
        return _after_kep_change(kep, changed=True, actor=actor, origin=origin, now=now)


def remove_opening_exception(
    *, exception: OpeningException, actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    with transaction.atomic():
        kep = exception.kep
        admin_services.remove_opening_exception(
            exception=exception, actor=actor, origin=origin, now=now
        )
        return _after_kep_change(kep, changed=True, actor=actor, origin=origin, now=now)


def _after_municipality_change(
    municipality: Municipality, *, actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    kep_ids = list(municipality.keps.values_list("pk", flat=True))
    _forget_earliest(kep_ids=kep_ids)
    scan = find_conflicts(now=now, actor=actor, origin=origin, kep_ids=kep_ids)
    return ChangeOutcome(changed=True, scan=scan)


def add_local_holiday(
    *,
    municipality: Municipality,
    date: dt.date,
    name: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
    today: dt.date,
) -> ChangeOutcome:
    with transaction.atomic():
        admin_services.add_local_holiday(
            municipality=municipality,
            date=date,
            name=name,
            actor=actor,
            origin=origin,
            now=now,
            today=today,
        )
        return _after_municipality_change(municipality, actor=actor, origin=origin, now=now)


def remove_local_holiday(
    *, holiday: LocalHoliday, actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    with transaction.atomic():
        municipality = holiday.municipality
        admin_services.remove_local_holiday(holiday=holiday, actor=actor, origin=origin, now=now)
        return _after_municipality_change(municipality, actor=actor, origin=origin, now=now)


def _after_employee_change(
    employee: Employee, *, actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    """An employee's availability or absences moved: their KEP's earliest free times may
    move, and only their own booked appointments can be stranded (or fit again)."""
    _forget_earliest(kep_ids=[employee.kep_id])
    note_hours_changed(kep=employee.kep, now=now)  # an absence ended: offered to those waiting
    scan = find_conflicts(now=now, actor=actor, origin=origin, employee_ids=[employee.pk])
    return ChangeOutcome(changed=True, scan=scan)


def set_weekday_availability(
    *,
    employee: Employee,
    weekday: int,
    intervals: Sequence[AvailabilityInterval],
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> ChangeOutcome:
    """Replace the employee's intervals of a weekday; their booked appointments outside the
    new intervals go to the worklist (cause: employee unavailable)."""
    with transaction.atomic():
        changed = admin_services.set_weekday_availability(
            employee=employee,
            weekday=weekday,
            intervals=intervals,
            actor=actor,
            origin=origin,
            now=now,
        )
        if not changed:
            scan = find_conflicts(now=now, actor=actor, origin=origin, employee_ids=[employee.pk])
            return ChangeOutcome(changed=False, scan=scan)
        return _after_employee_change(employee, actor=actor, origin=origin, now=now)


def add_absence(
    *,
    employee: Employee,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> ChangeOutcome:
    """The employee's booked appointments overlapping the absence go to the worklist."""
    with transaction.atomic():
        admin_services.add_absence(
            employee=employee,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            actor=actor,
            origin=origin,
            now=now,
        )
        return _after_employee_change(employee, actor=actor, origin=origin, now=now)


def remove_absence(
    *, absence: Absence, actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    """The items the absence caused are closed when their appointment fits again."""
    with transaction.atomic():
        employee = absence.employee
        admin_services.remove_absence(absence=absence, actor=actor, origin=origin, now=now)
        return _after_employee_change(employee, actor=actor, origin=origin, now=now)


def update_category_parameters(
    *, category: Category, values: Mapping[str, Any], actor: Any, origin: Origin, now: dt.datetime
) -> ChangeOutcome:
    """A narrower citizen window strands the appointments outside it; every other parameter
    applies to new bookings only."""
    with transaction.atomic():
        changed = parameters.update_category_parameters(
            category=category, values=values, actor=actor, origin=origin, now=now
        )
        if changed:
            _forget_earliest(category_ids=[category.pk])
        scan = find_conflicts(now=now, actor=actor, origin=origin, category_ids=[category.pk])
        return ChangeOutcome(changed=bool(changed), scan=scan)
