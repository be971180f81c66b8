"""What an audit event's hash covers, computed the same way at insert and when verifying.

An event's *leaf* is ``SHA-256(0x00 || payload)`` (RFC 6962), where the payload is the event's
fields as canonical JSON. The leaf does not name the event's id: the id is not known before the
INSERT, and the event's place in the log is what the Merkle tree of its checkpoint commits to.

Rows written before the Merkle checkpoints (ADR 0011) carry the old hash chain instead:
``digest = SHA-256(previous_digest "|" JSON)``; ``legacy_digest`` recomputes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from keplive.audit import merkle

# The fields a leaf covers, by the names ``QuerySet.values()`` gives them.
LEAF_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "ip_address",
    "channel",
    "outcome",
    "details",
)
# Names the payload's format, so a later format cannot be mistaken for this one.
PAYLOAD_PREFIX = b"keplive-audit-event/v1\n"
GENESIS_DIGEST = "0" * 64


def canonical_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The covered fields in a form that reads back identically from either database."""
    occurred_at: dt.datetime = values["occurred_at"]
    return {
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": values["actor_id"],
        "actor_role": values["actor_role"],
        "action": values["action"],
        "object_type": values["object_type"],
        "object_id": values["object_id"],
        "ip_address": values["ip_address"],
        "channel": values["channel"],
        "outcome": values["outcome"],
        "details": values["details"],
    }


def _canonical_json(fields: Mapping[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)


def leaf_payload(values: Mapping[str, Any]) -> bytes:
    return PAYLOAD_PREFIX + _canonical_json(canonical_fields(values)).encode()


def leaf_hash(values: Mapping[str, Any]) -> bytes:
    """The event's Merkle leaf hash, from its field values (a row of ``values(*LEAF_FIELDS)``
    or an event's attributes)."""
    return merkle.leaf_hash(leaf_payload(values))


def event_values(event: Any) -> dict[str, Any]:
    """An ``AuditEvent``'s covered field values, for ``leaf_hash``."""
    return {name: getattr(event, name) for name in LEAF_FIELDS}


def legacy_digest(*, previous_digest: str, values: Mapping[str, Any]) -> str:
    """The hash chain of rows written before ADR 0011: each digest covers the row's fields
    and the previous row's digest."""
    payload = _canonical_json(canonical_fields(values))
    return hashlib.sha256(f"{previous_digest}|{payload}".encode()).hexdigest()
