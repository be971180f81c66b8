"""The row locks of the commands that change appointments, and the one order they are taken in
(ADR 0012). Every command takes its locks top-down in this list and never goes back up:

1. the directory or catalogue row an administrator edits (``Kep``, ``Category``: "one editor at
   a time"; an employee's availability and absences lock their KEP's row) — booking commands
   take none of these;
2. the row a staff command starts from: the conflict worklist's items (several in id order),
   a waiting alert being taken over, a call;
3. the citizen (``lock_citizen``): one citizen's booking commands one after another;
4. the appointment being changed (``lock_appointments``), several in id order; expired holds
   are released only when nobody else holds them (``release_expired_holds_of``);
5. the employee whose time is being taken (``lock_employee_time``), one at a time, inside the
   savepoint of that attempt: an attempt that loses gives it back.

All of them are ``FOR NO KEY UPDATE`` of the row itself only (``of=("self",)``): never the
rows ``select_related`` joins (a KEP, a category, a service that every booking references),
and never a lock that blocks the ``FOR KEY SHARE`` that PostgreSQL's foreign-key checks take at
COMMIT when another transaction inserts a row referring to the locked one.

Why 5: two transactions inserting overlapping appointments of one employee at the same instant
each insert their index entry and then wait for the other while checking the exclusion
constraint — a deadlock, which PostgreSQL breaks after ``deadlock_timeout`` (1 s) by aborting
one. Whoever writes a blocking range of an employee (insert, move, reassign, hold → booking)
first locks that employee's row, so the second waits for the first to finish and then sees its
row: a plain violation, "lost the race", at once and without a deadlock.

On SQLite ``select_for_update`` does nothing: SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db import models

from keplive.accounts.models import Citizen
from keplive.booking.models import Appointment, Status
from keplive.directory.models import Employee

M = TypeVar("M", bound=models.Model)


def for_change(queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """``queryset`` locked ``FOR NO KEY UPDATE OF`` its own table only, in id order."""
    return queryset.select_for_update(no_key=True, of=("self",)).order_by("pk")


def lock_citizen(citizen_id: int) -> None:
    """Serialise one citizen's booking commands (the limit on active bookings)."""
    for_change(Citizen.objects.filter(pk=citizen_id)).values_list("pk", flat=True).first()


def lock_employee_time(employee_id: int) -> None:
    """Before writing a blocking range of this employee (see the module's note on 5)."""
    for_change(Employee.objects.filter(pk=employee_id)).values_list("pk", flat=True).first()


def lock_appointments(queryset: models.QuerySet[Appointment]) -> models.QuerySet[Appointment]:
    return for_change(queryset)


def release_expired_holds_of(
    *, now: dt.datetime, kep_id: int | None = None, batch: int | None = None
) -> dict[int, tuple[int, dt.datetime]]:
    """Release the expired holds (of one KEP, or all; at most ``batch``) that no other
    transaction holds: a locked one is being confirmed or released by its holder right now.
    Returns, per KEP, how many were released and the earliest start freed."""
    expired = Appointment.objects.filter(status=Status.HELD, hold_expires_at__lte=now)
    if kep_id is not None:
        expired = expired.filter(kep_id=kep_id)
    locked = expired.select_for_update(no_key=True, of=("self",), skip_locked=True).order_by("pk")
    rows = list(locked.values_list("pk", "kep_id", "starts_at")[:batch])
    if not rows:
        return {}
    Appointment.objects.filter(pk__in=[pk for pk, _kep, _start in rows]).update(
        status=Status.RELEASED
    )
    freed: dict[int, tuple[int, dt.datetime]] = {}
    for _pk, kep, starts_at in rows:
        count, earliest = freed.get(kep, (0, starts_at))
        freed[kep] = (count + 1, min(starts_at, earliest))
    return freed
