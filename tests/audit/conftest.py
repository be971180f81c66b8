"""Shared pieces of the audit log's tests: a log of known events sealed into three
checkpoints, and raw SQL as an attacker with the database's rights would write it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from keplive.accounts.models import Role
from keplive.audit.models import AuditCheckpoint, AuditEvent
from keplive.audit.services import Origin, record_event, seal_audit_log
from tests.factories import UserFactory

START = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def record_events(count: int, *, actor: Any = None, start: int = 0) -> list[AuditEvent]:
    origins = [Origin(ip_address="192.0.2.7", channel="web"), Origin(channel="workspace")]
    return [
        record_event(
            action="appointment.viewed" if n % 2 else "appointment.booked",
            actor=actor if n % 3 == 0 else None,
            origin=origins[n % 2],
            object_type="appointment",
            object_id=f"ref-{n}",
            details={"step": n, "fields": ["όνομα", "email"], "nested": {"b": 1, "a": [n]}},
            occurred_at=START + dt.timedelta(minutes=n),
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def sealed_log(db):
    """Ten events in three checkpoints of at most four: (…1–4], [5–8], [9–10]."""
    employee = UserFactory(role=Role.EMPLOYEE)
    events = record_events(10, actor=employee)
    result = seal_audit_log(max_tree_size=4)
    assert [c.tree_size for c in result.checkpoints] == [4, 4, 2]
    return events, list(result.checkpoints)


def execute(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def swap_event_ids(first: int, second: int) -> None:
    """Move two events into each other's place (all their columns go with them)."""
    table = AuditEvent._meta.db_table
    execute(f"UPDATE {table} SET id = -1 WHERE id = %s", [first])  # noqa: S608
    execute(f"UPDATE {table} SET id = %s WHERE id = %s", [first, second])  # noqa: S608
    execute(f"UPDATE {table} SET id = %s WHERE id = -1", [second])  # noqa: S608


def checkpoint_table() -> str:
    return AuditCheckpoint._meta.db_table
