"""Writing to the audit log. Every domain service that changes or reveals something calls
``record_event`` inside its own transaction, so the event and the change commit together.

``record_event`` is one plain INSERT: no lock, no read of another row. The event's own content
hash (``leaf_hash``) is computed before the insert; the worker seals committed events into
signed Merkle checkpoints afterwards (``seal_audit_log``, ADR 0011).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from keplive.audit.hashing import event_values, leaf_hash
from keplive.audit.models import AuditEvent, Outcome
from keplive.audit.sealing import SealResult, seal_audit_log

__all__ = ["SYSTEM", "Origin", "SealResult", "prepare_event", "record_event", "seal_audit_log"]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: the client address and the channel (web, api, admin, system)."""

    ip_address: str | None = None
    channel: str = "system"


SYSTEM = Origin()


def record_event(
    *,
    action: str,
    actor: Any = None,
    origin: Origin = SYSTEM,
    object_type: str = "",
    object_id: object = "",
    outcome: str = Outcome.SUCCESS,
    details: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the log. Call it inside the transaction of the change it records."""
    event = prepare_event(
        action=action,
        actor=actor,
        origin=origin,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        details=details,
        occurred_at=occurred_at,
    )
    event.save(force_insert=True)
    return event


def prepare_event(
    *,
    action: str,
    actor: Any = None,
    origin: Origin = SYSTEM,
    object_type: str = "",
    object_id: object = "",
    outcome: str = Outcome.SUCCESS,
    details: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """The event ``record_event`` appends, with its ``leaf_hash``, not yet saved: for a caller
    that inserts it in the same statement as the change it records (the booking, ADR 0030)."""
    event = AuditEvent(
        occurred_at=(occurred_at or timezone.now()).astimezone(dt.UTC),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=origin.ip_address,
        channel=origin.channel,
        outcome=outcome,
        details=dict(details or {}),
    )
    event.leaf_hash = leaf_hash(event_values(event)).hex()
    return event
