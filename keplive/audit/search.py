"""Searching and exporting the audit log (P7), for the administration's audit pages.

The log is read-only here. Every search and every export is itself recorded as an audit event
(``audit_log.searched``, ``audit_log.exported``) in the same call: the log shows who read it.
The events' ``details`` name the filters used, never their values (a value may be a user name).

Callers check the reader's role (administrator or auditor) before calling.

Pages use keyset pagination over the primary key (newest first), so any page of a log of
millions of rows costs one indexed query.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.audit.services import Origin, record_event

PAGE_SIZE = 50
# An export holds at most this many events, newest first; a narrower search gets the rest.
EXPORT_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """What to look for. Empty strings and ``None`` match everything.

    ``action`` matches exactly, or as a prefix when it ends with ``*`` (``appointment.*``).
    ``actor`` is a user name, or a user id when it is all digits. ``occurred_until`` is
    exclusive.
    """

    occurred_from: dt.datetime | None = None
    occurred_until: dt.datetime | None = None
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""
    channel: str = ""

    def used(self) -> list[str]:
        """The names of the filters in use: what the audit event of a search records."""
        return [field.name for field in fields(self) if getattr(self, field.name) not in ("", None)]


def matching_events(query: AuditQuery) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if query.occurred_from is not None:
        events = events.filter(occurred_at__gte=query.occurred_from)
    if query.occurred_until is not None:
        events = events.filter(occurred_at__lt=query.occurred_until)
    if query.action:
        if query.action.endswith("*"):
            events = events.filter(action__startswith=query.action[:-1])
        else:
            events = events.filter(action=query.action)
    if query.actor:
        actor = query.actor.strip()
        events = events.filter(
            Q(actor_id=int(actor)) if actor.isdigit() else Q(actor__username=actor)
        )
    for name in ("object_type", "object_id", "outcome", "channel"):
        value = getattr(query, name)
        if value:
            events = events.filter(**{name: value})
    return events


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]
    # Cursors for the neighbouring pages: pass as ``before`` (older) or ``after`` (newer).
    older: int | None
    newer: int | None


def search_audit_log(
    *,
    query: AuditQuery,
    reader: Any,
    origin: Origin,
    now: dt.datetime,
    before: int | None = None,
    after: int | None = None,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of matching events, newest first, and the audit event of this reading.

    ``before``: the page of events older than that id; ``after``: the page newer than it.
    """
    events = matching_events(query).select_related("actor")
    if after is not None:
        rows = list(events.filter(pk__gt=after).order_by("pk")[: page_size + 1])
        more_newer = len(rows) > page_size
        page = list(reversed(rows[:page_size]))
        newer = page[0].pk if page and more_newer else None
        older = page[-1].pk if page and events.filter(pk__lt=page[-1].pk).exists() else None
    else:
        if before is not None:
            events = events.filter(pk__lt=before)
        rows = list(events.order_by("-pk")[: page_size + 1])
        page = rows[:page_size]
        older = page[-1].pk if len(rows) > page_size else None
        newer = page[0].pk if page and before is not None else None
    record_event(
        action="audit_log.searched",
        actor=reader,
        origin=origin,
        object_type="audit_log",
        details={
            "filters": query.used(),
            "page": "newer" if after is not None else "older" if before is not None else "first",
            "shown": len(page),
        },
        occurred_at=now,
    )
    return AuditPage(events=page, older=older, newer=newer)


def export_audit_log(
    *,
    query: AuditQuery,
    reader: Any,
    origin: Origin,
    now: dt.datetime,
    limit: int | None = None,
) -> tuple[list[AuditEvent], bool]:
    """The matching events, newest first, at most ``limit`` (``EXPORT_LIMIT``); and whether
    more matched. Recorded as ``audit_log.exported``."""
    limit = EXPORT_LIMIT if limit is None else limit
    rows = list(
        matching_events(query)
        .select_related("actor")
        .order_by("-pk")[: limit + 1]
        .iterator(chunk_size=2000)
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    record_event(
        action="audit_log.exported",
        actor=reader,
        origin=origin,
        object_type="audit_log",
        details={"filters": query.used(), "rows": len(rows), "truncated": truncated},
        occurred_at=now,
    )
    return rows, truncated


def event_row(event: AuditEvent) -> Iterator[str]:
    """The exported columns of one event, as text."""
    yield str(event.pk)
    yield timezone.localtime(event.occurred_at).isoformat(timespec="seconds")
    yield event.actor.get_username() if event.actor is not None else ""
    yield event.actor_role
    yield event.action
    yield event.object_type
    yield event.object_id
    yield event.outcome
    yield event.channel
    yield event.ip_address or ""
    yield _compact_json(event.details)
    # The event's own hash (its Merkle leaf); the chained digest for rows before ADR 0011.
    yield event.leaf_hash or event.digest or ""


def _compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
