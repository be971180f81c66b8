"""Sealing the audit log: the worker's half of ADR 0011.

``record_event`` only inserts. Every minute the worker takes the committed events after the last
checkpoint, in id order, computes the RFC 6962 Merkle root of their leaves and writes a signed
``AuditCheckpoint`` chained to the previous one (at most ``MAX_TREE_SIZE`` events each).

**Ids commit out of order.** An event's id comes from a sequence when its INSERT runs, but its
transaction may commit after a later id's. Sealing past an id that is still uncommitted would
leave that event outside every checkpoint for ever (the next range starts after it). So the
sealer first finds a *settled bound*: on PostgreSQL it reads the sequence's last value ``S``,
then lists the transactions holding the table's ``RowExclusiveLock`` (every INSERT takes it
before its id is drawn and keeps it until commit or rollback, so any transaction that drew an id
up to ``S`` and has not finished is among them), and waits until those transactions have ended —
as ``CREATE INDEX CONCURRENTLY`` waits for earlier writers, without blocking new ones. Then every
id up to ``S`` is committed or will never exist, and events up to ``S`` are sealed. If one of
them stays open longer than ``WAIT_SECONDS``, nothing is sealed this time and the next run tries
again: a late event is delayed, never skipped. This needs the sequence to hand out ids one at a
time (``CACHE 1``, the default), which the sealer checks. SQLite has one writer at a time, so
the highest committed id is already settled.

**One sealer at a time.** A transaction-level advisory lock (here, in the worker, never in a
request) makes a second sealer return at once; the checkpoint table's unique ``number``,
``after_event_id`` and ``previous_hash`` would refuse a fork anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from keplive.audit import merkle, signing
from keplive.audit.hashing import LEAF_FIELDS, leaf_hash
from keplive.audit.models import AuditCheckpoint, AuditEvent

logger = logging.getLogger(__name__)

# Any fixed 64-bit number: the advisory lock that keeps sealers one at a time on PostgreSQL.
SEAL_LOCK_KEY = 7_361_204_118
# Events in one checkpoint: bounds the memory of a run and the work of one inclusion proof.
MAX_TREE_SIZE = 10_000
# How long a run waits for transactions that may still commit an id below the bound.
WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.02
GENESIS_HASH = "0" * 64


class SequenceCacheError(RuntimeError):
    """The id sequence hands out blocks of ids, so the settled bound cannot be known."""


@dataclass(frozen=True, slots=True)
class SealResult:
    checkpoints: tuple[AuditCheckpoint, ...] = ()
    # Another sealer was running: this one did nothing.
    busy: bool = False
    # Transactions that may still commit an event below the bound and did not end in time:
    # nothing was sealed this run.
    waiting_for: int = 0
    # Events whose stored leaf hash no longer matches their fields (changed before sealing).
    mismatched: tuple[int, ...] = field(default=())

    @property
    def sealed(self) -> int:
        return sum(checkpoint.tree_size for checkpoint in self.checkpoints)


def seal_audit_log(
    *,
    now: dt.datetime | None = None,
    max_tree_size: int = MAX_TREE_SIZE,
    wait_seconds: float = WAIT_SECONDS,
) -> SealResult:
    """Seal every settled, unsealed event into checkpoints of at most ``max_tree_size``."""
    with transaction.atomic():
        if connection.vendor == "postgresql" and not _try_sealer_lock():
            return SealResult(busy=True)
        bound, still_open = _settled_bound(wait_seconds=wait_seconds)
        if bound is None:
            logger.warning(
                "audit sealing waits for %d transaction(s) that may still commit events",
                still_open,
            )
            return SealResult(waiting_for=still_open)
        latest = AuditCheckpoint.objects.order_by("-number").first()
        sealed_at = now or timezone.now()
        checkpoints: list[AuditCheckpoint] = []
        mismatched: list[int] = []
        while True:
            after = latest.through_event_id if latest else 0
            rows = list(
                AuditEvent.objects.filter(pk__gt=after, pk__lte=bound)
                .order_by("pk")
                .values("pk", "leaf_hash", *LEAF_FIELDS)[:max_tree_size]
            )
            if not rows:
                break
            leaves = list(_leaves(rows, mismatched))
            latest = _write_checkpoint(
                previous=latest,
                through=rows[-1]["pk"],
                leaves=leaves,
                sealed_at=sealed_at,
            )
            checkpoints.append(latest)
        if mismatched:
            logger.error(
                "audit events changed before sealing (sealed as first recorded): %s",
                ", ".join(map(str, mismatched[:20])),
            )
        for checkpoint in checkpoints:
            # An outside witness for the chain: the log shipper keeps these lines elsewhere.
            logger.info(
                "audit checkpoint %d sealed %d events (%d to %d), log size %d, hash %s",
                checkpoint.number,
                checkpoint.tree_size,
                checkpoint.after_event_id + 1,
                checkpoint.through_event_id,
                checkpoint.log_size,
                checkpoint.checkpoint_hash,
            )
        return SealResult(checkpoints=tuple(checkpoints), mismatched=tuple(mismatched))


def _leaves(rows: Iterable[dict[str, Any]], mismatched: list[int]) -> Iterable[bytes]:
    """Each event's leaf: the hash stored at insert (the commitment made with the change), or
    computed from the row for events written before ADR 0011. A stored hash that no longer
    matches the row is still sealed as stored, so verification names the changed event."""
    for row in rows:
        computed = leaf_hash(row)
        stored = row["leaf_hash"]
        if stored is None:
            yield computed
            continue
        if stored != computed.hex():
            mismatched.append(row["pk"])
        yield bytes.fromhex(stored)


def _write_checkpoint(
    *,
    previous: AuditCheckpoint | None,
    through: int,
    leaves: list[bytes],
    sealed_at: dt.datetime,
) -> AuditCheckpoint:
    checkpoint = AuditCheckpoint(
        number=previous.number + 1 if previous else 1,
        after_event_id=previous.through_event_id if previous else 0,
        through_event_id=through,
        tree_size=len(leaves),
        log_size=(previous.log_size if previous else 0) + len(leaves),
        root_hash=merkle.root_hash(leaves).hex(),
        previous_hash=previous.checkpoint_hash if previous else GENESIS_HASH,
        sealed_at=sealed_at,
    )
    statement = checkpoint.statement()
    checkpoint.checkpoint_hash = hashlib.sha256(statement).hexdigest()
    checkpoint.key_id, checkpoint.signature = signing.sign(statement)
    checkpoint.save(force_insert=True)
    return checkpoint


def _try_sealer_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _settled_bound(*, wait_seconds: float) -> tuple[int | None, int]:
    """The highest id below which no event can still appear, and how many transactions kept it
    from being known (``(None, n)`` when they did not end within ``wait_seconds``)."""
    if connection.vendor != "postgresql":
        # SQLite: one writer at a time, and this transaction holds the write lock.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {AuditEvent._meta.db_table}")  # noqa: S608
            return cursor.fetchone()[0] or 0, 0
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.seqrelid::regclass::text, s.seqcache FROM pg_sequence s "
            "WHERE s.seqrelid = pg_get_serial_sequence(%s, 'id')::regclass",
            [table],
        )
        sequence, cache = cursor.fetchone()
        if cache != 1:
            raise SequenceCacheError(
                f"{sequence} caches {cache} ids per session: audit sealing needs CACHE 1."
            )
        # The sequence first, then the writers: whoever drew an id up to S holds the lock now.
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        last_value, is_called = cursor.fetchone()
        bound = last_value if is_called else last_value - 1
        writers = _open_writers(cursor, table, among=None)
        deadline = time.monotonic() + wait_seconds
        while writers:
            if time.monotonic() >= deadline:
                return None, len(writers)
            time.sleep(_POLL_SECONDS)
            writers = _open_writers(cursor, table, among=writers)
    return bound, 0


def _open_writers(cursor: Any, table: str, *, among: list[str] | None) -> list[str]:
    """The other transactions (virtual transaction ids) holding ``table``'s RowExclusiveLock,
    restricted to ``among`` when given."""
    query = (
        "SELECT DISTINCT virtualtransaction FROM pg_locks "
        "WHERE locktype = 'relation' AND mode = 'RowExclusiveLock' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND relation = %s::regclass AND pid IS DISTINCT FROM pg_backend_pid()"
    )
    params: list[Any] = [table]
    if among is not None:
        query += " AND virtualtransaction = ANY(%s)"
        params.append(among)
    cursor.execute(query, params)
    return [row[0] for row in cursor.fetchall()]
