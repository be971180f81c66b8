"""Protocol numbers of successful-submission forms: ``KEPLIVE-<year>-<six digits>``, one
sequence per calendar year (Athens), never given twice.

The counter row of the year is created and incremented by one statement
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``, PostgreSQL and SQLite ≥ 3.35): two transactions
asking at once are serialised on that row, and each gets its own number. The unique constraint on
``Outcome.protocol_number`` is the last guard. A transaction that rolls back leaves a gap, which
is allowed: numbers are unique and increasing, not gapless.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from keplive.booking.schedule_inputs import ATHENS
from keplive.outcomes.models import ProtocolCounter

PREFIX = "KEPLIVE"


def format_protocol_number(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def next_protocol_number(*, now: dt.datetime) -> str:
    """The next number of the year ``now`` falls in. Call it inside the transaction that stores
    the number."""
    year = now.astimezone(ATHENS).year
    table = connection.ops.quote_name(ProtocolCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - table name only
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return format_protocol_number(year, int(number))
