"""Writing to the audit log. Every domain service that changes or reveals something calls
``record_event`` inside its own transaction, so the event and the change commit together."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from keplive.audit.models import AuditEvent, Outcome

# Any fixed 64-bit number: the advisory lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK_KEY = 7_361_204_117
GENESIS_DIGEST = "0" * 64


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from: the client address and the channel (web, api, admin, system)."""

    ip_address: str | None = None
    channel: str = "system"


SYSTEM = Origin()


def compute_digest(*, previous_digest: str, fields: Mapping[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_digest}|{payload}".encode()).hexdigest()


def chained_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields a digest covers, in a form that reads back identically from the database."""
    return {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip_address": event.ip_address,
        "channel": event.channel,
        "outcome": event.outcome,
        "details": event.details,
    }


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
    """Append one event to the chain. Call it inside the transaction of the change it records."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        previous = AuditEvent.objects.order_by("-id").values_list("digest", flat=True).first()
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
            previous_digest=previous or GENESIS_DIGEST,
        )
        event.digest = compute_digest(
            previous_digest=event.previous_digest, fields=chained_fields(event)
        )
        event.save(force_insert=True)
        return event
