"""A booking in two statements on PostgreSQL (issue 13, goal 2; ADR 0030).

``services.book_appointment`` asked the database eleven times between BEGIN and COMMIT: lock
the citizen, count their bookings, release the KEP's expired holds, read the day's bookings,
the employees' booked minutes, then a savepoint, the employee's lock, another savepoint, the
INSERT, two releases and the audit INSERT, and once more after COMMIT for the KEP's
earliest-time index rows. The cost was the round trips, not any one statement. Here the same
work is two statements:

1. ``read_for_booking``: lock the citizen (``FOR NO KEY UPDATE``, lock order 3 of ADR 0012)
   and, in the same statement, read their active bookings' count, the KEP-day's blocking rows
   (booked, running holds, and whether expired holds still stand there), the minutes each of
   the KEP's employees has booked in the week around the time (the fair choice), and the KEP's
   earliest-time index rows;
2. ``insert_booking``: lock the chosen employee (lock order 5), and INSERT the appointment
   with ``ON CONFLICT DO NOTHING`` — the exclusion constraint ``appointment_no_overlap`` is
   still what decides, and a lost race gives no row instead of aborting the transaction, so no
   savepoint is needed — only while the citizen's active bookings, counted again in this
   statement's snapshot (taken after the citizen's lock), stay under the limit; and INSERT the
   audit event in the same statement, only when the appointment row was inserted.

The first statement's count may be older than the lock when it waited for the same citizen's
other booking (its snapshot is taken before the wait): it only orders the errors; the second
statement's count is the one that decides. SQLite keeps the statement-by-statement path of
``services``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.signals import post_save

from keplive.audit.models import AuditEvent
from keplive.booking.models import Appointment, Status
from keplive.booking.schedule_inputs import LONGEST_BLOCK, LONGEST_PAUSE, local_day_bounds
from keplive.booking.scheduling import Interval

FAIRNESS_HALF_WINDOW = dt.timedelta(days=7 / 2)  # as ``schedule_inputs.booked_minutes``

READ_SQL = """
WITH citizen AS (
    SELECT id FROM accounts_citizen WHERE id = %(citizen)s FOR NO KEY UPDATE
)
SELECT 'c', NULL::bigint, NULL::timestamptz, NULL::timestamptz,
       (SELECT count(*) FROM booking_appointment
         WHERE citizen_id = citizen.id AND status = %(booked)s AND starts_at > %(now)s)
  FROM citizen
UNION ALL
SELECT 'b', employee_id, starts_at, blocked_until, NULL
  FROM booking_appointment
 WHERE kep_id = %(kep)s AND status = %(booked)s
   AND starts_at >= %(first)s AND starts_at < %(last)s AND blocked_until > %(day_start)s
UNION ALL
SELECT CASE WHEN hold_expires_at > %(now)s THEN 'h' ELSE 'x' END,
       employee_id, starts_at, blocked_until, NULL
  FROM booking_appointment
 WHERE kep_id = %(kep)s AND status = %(held)s
   AND starts_at >= %(first)s AND starts_at < %(last)s AND blocked_until > %(day_start)s
UNION ALL
SELECT 'm', employee_id, NULL, NULL,
       sum(floor(extract(epoch FROM ends_at - starts_at) / 60))::bigint
  FROM booking_appointment
 WHERE status = %(booked)s AND employee_id = ANY(%(employees)s)
   AND starts_at >= %(around_from)s AND starts_at < %(around_to)s
 GROUP BY employee_id
UNION ALL
SELECT 'e', f.category_id::bigint, f.starts_at,
       f.starts_at + make_interval(mins => c.call_minutes + c.buffer_minutes), NULL
  FROM booking_earliestfreetime f JOIN catalogue_category c ON c.number = f.category_id
 WHERE f.kep_id = %(kep)s AND f.starts_at IS NOT NULL
"""


@dataclass(slots=True)
class BookingRead:
    """What ``read_for_booking`` found, once the citizen is locked."""

    active: int = 0
    blocked: dict[int, list[Interval]] = field(default_factory=lambda: defaultdict(list))
    expired_holds: bool = False
    booked_minutes: dict[int, int] = field(default_factory=dict)
    # category number → the indexed earliest time's call and pause
    earliest: dict[int, Interval] = field(default_factory=dict)


def read_for_booking(
    *,
    citizen_id: int,
    kep_id: int,
    day: dt.date,
    starts_at: dt.datetime,
    employee_ids: Sequence[int],
    now: dt.datetime,
) -> BookingRead:
    """Lock the citizen and read all a booking at ``starts_at`` on ``day`` needs (one statement).

    The day's rows are bounded exactly as ``schedule_inputs.kep_schedules`` bounds them, which
    also covers every row the exclusion constraint could find overlapping a time of the day."""
    day_start, day_end = local_day_bounds(day, day)
    params: dict[str, Any] = {
        "citizen": citizen_id,
        "kep": kep_id,
        "now": now,
        "booked": Status.BOOKED.value,
        "held": Status.HELD.value,
        "first": day_start - LONGEST_BLOCK,
        "last": day_end + LONGEST_PAUSE,
        "day_start": day_start,
        "employees": list(employee_ids),
        "around_from": starts_at - FAIRNESS_HALF_WINDOW,
        "around_to": starts_at + FAIRNESS_HALF_WINDOW,
    }
    read = BookingRead(booked_minutes=dict.fromkeys(employee_ids, 0))
    with connection.cursor() as cursor:
        cursor.execute(READ_SQL, params)
        rows = cursor.fetchall()
    for kind, key, start, end, number in rows:
        if kind == "c":
            read.active = int(number)
        elif kind in ("b", "h"):
            read.blocked[key].append(Interval(start=start, end=end))
        elif kind == "x":
            read.expired_holds = True
        elif kind == "m":
            read.booked_minutes[key] = int(number)
        elif kind == "e":
            read.earliest[int(key)] = Interval(start=start, end=end)
    return read


@functools.cache
def _layout(model: type[Model]) -> tuple[tuple[Field[Any, Any], ...], list[str], list[str]]:
    """The fields of a new row of ``model`` (all but the primary key), their quoted columns and
    typed placeholders: INSERT … SELECT types its values itself, and a bare NULL would be text.
    The same for every row, so worked out once."""
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    names = [connection.ops.quote_name(str(f.column)) for f in fields]
    placeholders = [f"%s::{f.cast_db_type(connection)}" for f in fields]
    return fields, names, placeholders


def _columns(instance: Model) -> tuple[list[str], list[str], list[Any]]:
    """The columns of a new row of ``instance``, their typed placeholders and values, as the
    ORM's INSERT would write them (``pre_save`` sets the ``auto_now`` fields)."""
    fields, names, placeholders = _layout(type(instance))
    values = [f.get_db_prep_save(f.pre_save(instance, add=True), connection) for f in fields]
    return list(names), list(placeholders), values


@dataclass(frozen=True, slots=True)
class Inserted:
    appointment_id: int | None  # None: not inserted
    active: int  # the citizen's active bookings before this one, in the statement's snapshot
    event_id: int | None
    # Not inserted and the random code is another row's (as of the statement's start: a row
    # committed while it waited shows in the next attempt's statement).
    code_taken: bool = False


def insert_booking(
    *,
    appointment: Appointment,
    event: AuditEvent,
    limit: int,
    now: dt.datetime,
) -> Inserted:
    """Lock ``appointment``'s employee, then insert it and ``event`` — both, or neither when the
    time overlaps another blocking row of the employee (the exclusion constraint; ``ON
    CONFLICT DO NOTHING``), when the citizen already has ``limit`` active bookings, or when the
    random code is taken (``Inserted`` tells these apart). One statement; on success the two
    instances are saved (pk set) and ``post_save`` is sent for the appointment."""
    a_names, a_holders, a_values = _columns(appointment)
    employee_column = a_names.index('"employee_id"')
    a_holders[employee_column] = "employee.id"
    del a_values[employee_column]
    e_names, e_holders, e_values = _columns(event)
    # Only the models' own column names and types are formatted in; every value is a parameter.
    sql = f"""
WITH employee AS (
    SELECT id FROM directory_employee WHERE id = %s FOR NO KEY UPDATE
), active AS (
    SELECT count(*) AS n FROM booking_appointment
     WHERE citizen_id = %s AND status = %s AND starts_at > %s
), appointment AS (
    INSERT INTO booking_appointment ({", ".join(a_names)})
    SELECT {", ".join(a_holders)} FROM employee, active WHERE active.n < %s
    ON CONFLICT DO NOTHING
    RETURNING id
), event AS (
    INSERT INTO audit_auditevent ({", ".join(e_names)})
    SELECT {", ".join(e_holders)} FROM appointment
    RETURNING id
)
SELECT (SELECT id FROM appointment), (SELECT n FROM active), (SELECT id FROM event),
       EXISTS (SELECT 1 FROM booking_appointment WHERE code = %s)
"""  # noqa: S608
    params = [
        appointment.employee_id,
        appointment.citizen_id,
        Status.BOOKED.value,
        now,
        *a_values,
        limit,
        *e_values,
        appointment.code,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        appointment_id, active, event_id, code_taken = cursor.fetchone()
    inserted = Inserted(
        appointment_id=appointment_id,
        active=int(active),
        event_id=event_id,
        code_taken=appointment_id is None and bool(code_taken),
    )
    if appointment_id is not None:
        for instance, pk in ((appointment, appointment_id), (event, event_id)):
            instance.pk = pk
            instance._state.adding = False
            instance._state.db = connection.alias
        post_save.send(
            sender=Appointment,
            instance=appointment,
            created=True,
            update_fields=None,
            raw=False,
            using=connection.alias,
        )
    return inserted
