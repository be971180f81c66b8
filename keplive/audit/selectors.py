"""Reading the audit log: verifying it, and proving one event's place in it."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from keplive.audit import merkle, signing
from keplive.audit.hashing import GENESIS_DIGEST, LEAF_FIELDS, leaf_hash, legacy_digest
from keplive.audit.models import AuditCheckpoint, AuditEvent
from keplive.audit.proofs import InclusionProof
from keplive.audit.sealing import GENESIS_HASH

# A report keeps at most this many problems (the first ones, by position in the log).
MAX_PROBLEMS = 100
_ROW_FIELDS = ("pk", "leaf_hash", "previous_digest", "digest", *LEAF_FIELDS)


class Problem:
    """What verification can find wrong."""

    # An event's fields no longer match its leaf hash (or, before ADR 0011, its digest chain).
    EVENT_CHANGED = "event_changed"
    # A checkpoint's events are not, in number or content, the ones it sealed: an event was
    # changed together with its hash, deleted, added, or events were swapped.
    EVENTS_DIFFER = "events_differ"
    # Events that lie between checkpoints' ranges: their checkpoint is gone.
    EVENTS_NOT_COVERED = "events_not_covered"
    # A checkpoint's fields no longer match its hash.
    CHECKPOINT_CHANGED = "checkpoint_changed"
    # A checkpoint's signature does not verify with any known key.
    BAD_SIGNATURE = "bad_signature"
    # A checkpoint does not follow the one before (number, previous hash, range, log size):
    # one was deleted, inserted or re-ordered.
    CHAIN_BROKEN = "chain_broken"
    # A checkpoint known from outside (``--expect``) is missing or different.
    ANCHOR_MISMATCH = "anchor_mismatch"


@dataclass(frozen=True, slots=True)
class ChainProblem:
    kind: str
    # The first event concerned; for a checkpoint, the start of its range.
    event_id: int | None = None
    # The last event concerned, when a range is.
    through_id: int | None = None
    checkpoint: int | None = None

    def describe(self) -> str:
        """One sentence for the security officer (no personal data: ids only)."""
        values = {
            "event": self.event_id,
            "through": self.through_id,
            "checkpoint": self.checkpoint,
        }
        messages = {
            Problem.EVENT_CHANGED: _("Event %(event)s has been changed since it was recorded."),
            Problem.EVENTS_DIFFER: _(
                "The events %(event)s to %(through)s are not the ones checkpoint %(checkpoint)s "
                "sealed: one was changed, deleted, added or moved."
            ),
            Problem.EVENTS_NOT_COVERED: _(
                "The events %(event)s to %(through)s are in no checkpoint: a checkpoint has been "
                "deleted."
            ),
            Problem.CHECKPOINT_CHANGED: _("Checkpoint %(checkpoint)s has been changed."),
            Problem.BAD_SIGNATURE: _(
                "The signature of checkpoint %(checkpoint)s is not valid for any known key."
            ),
            Problem.CHAIN_BROKEN: _(
                "Checkpoint %(checkpoint)s does not follow the one before it: a checkpoint has "
                "been deleted, added or moved."
            ),
            Problem.ANCHOR_MISMATCH: _(
                "Checkpoint %(checkpoint)s is not the one recorded outside the database."
            ),
        }
        return messages[self.kind] % values


@dataclass(frozen=True, slots=True)
class ChainReport:
    # Events verified against a signed checkpoint.
    checked: int
    problems: tuple[ChainProblem, ...]
    checkpoints: int
    latest: AuditCheckpoint | None
    # Events after the last checkpoint: recorded, not yet sealed (their own hashes are checked,
    # but nothing yet stops someone from rewriting them together with their hashes).
    unsealed: int
    oldest_unsealed_at: dt.datetime | None

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def first_broken_id(self) -> int | None:
        """The first event from which the log cannot be trusted."""
        ids = [problem.event_id for problem in self.problems if problem.event_id is not None]
        return min(ids) if ids else None


def audit_chain_report(
    *, batch_size: int = 2000, expected: tuple[int, str] | None = None
) -> ChainReport:
    """Verify the whole log: recompute every event's leaf, every checkpoint's Merkle root, hash
    and signature, and the chain of checkpoints; count the events not sealed yet.

    ``expected`` is a checkpoint known from outside the database (its number and hash, e.g.
    from the worker's log): it must be in the chain, unchanged — this catches the removal of
    the newest checkpoints, which the chain alone cannot.
    """
    verifier = _Verifier(
        events=AuditEvent.objects.order_by("pk").values(*_ROW_FIELDS).iterator(batch_size)
    )
    keys = signing.verify_keys()
    previous_hash, after, log_size, number = GENESIS_HASH, 0, 0, 1
    latest: AuditCheckpoint | None = None
    anchor_found = False
    count = 0
    for checkpoint in AuditCheckpoint.objects.order_by("number").iterator(batch_size):
        count += 1
        statement = checkpoint.statement()
        recomputed = hashlib.sha256(statement).hexdigest()
        range_start = checkpoint.after_event_id + 1
        authentic = True
        if recomputed != checkpoint.checkpoint_hash:
            authentic = False
            verifier.report(Problem.CHECKPOINT_CHANGED, range_start, checkpoint=checkpoint.number)
        if not signing.signature_is_valid(
            statement, signed_by=checkpoint.key_id, signature=checkpoint.signature, keys=keys
        ):
            authentic = False
            verifier.report(Problem.BAD_SIGNATURE, range_start, checkpoint=checkpoint.number)
        follows = (
            checkpoint.number == number
            and checkpoint.previous_hash == previous_hash
            and checkpoint.after_event_id == after
            and checkpoint.log_size == log_size + checkpoint.tree_size
        )
        if not follows:
            verifier.report(Problem.CHAIN_BROKEN, range_start, checkpoint=checkpoint.number)
        if expected is not None and checkpoint.number == expected[0]:
            anchor_found = True
            if recomputed != expected[1]:
                verifier.report(Problem.ANCHOR_MISMATCH, range_start, checkpoint=expected[0])
        verifier.check_range(checkpoint, authentic=authentic)
        previous_hash, after = recomputed, checkpoint.through_event_id
        log_size, number = checkpoint.log_size, checkpoint.number + 1
        latest = checkpoint
    if expected is not None and not anchor_found:
        verifier.report(Problem.ANCHOR_MISMATCH, None, checkpoint=expected[0])
    unsealed, oldest = verifier.finish()
    return ChainReport(
        checked=verifier.checked,
        problems=tuple(sorted(verifier.problems, key=_position)[:MAX_PROBLEMS]),
        checkpoints=count,
        latest=latest,
        unsealed=unsealed,
        oldest_unsealed_at=oldest,
    )


def _position(problem: ChainProblem) -> tuple[int, int]:
    return (problem.event_id or 0, problem.checkpoint or 0)


class _Verifier:
    """Walks the events once, in id order, as the checkpoints ask for their ranges."""

    def __init__(self, *, events: Iterator[dict[str, Any]]) -> None:
        self._events = events
        self._next: dict[str, Any] | None = next(events, None)
        self._legacy_digest = GENESIS_DIGEST
        self._seen_leaf = False
        self.problems: list[ChainProblem] = []
        self.reported = 0
        self.checked = 0

    def report(
        self,
        kind: str,
        event_id: int | None,
        *,
        through_id: int | None = None,
        checkpoint: int | None = None,
    ) -> None:
        self.reported += 1
        if len(self.problems) < 10 * MAX_PROBLEMS:
            self.problems.append(ChainProblem(kind, event_id, through_id, checkpoint))

    def _take_through(self, last_id: int) -> Iterator[dict[str, Any]]:
        while self._next is not None and self._next["pk"] <= last_id:
            row, self._next = self._next, next(self._events, None)
            yield row

    def _sealed_leaf(self, row: dict[str, Any]) -> bytes:
        """The leaf the sealer took for ``row`` (the hash stored at insert; for rows written
        before ADR 0011, computed); reports the row if its fields no longer match its hashes."""
        computed = leaf_hash(row)
        if row["leaf_hash"] is None:
            # Before ADR 0011: check the old chain, which such rows all precede.
            expected = legacy_digest(previous_digest=self._legacy_digest, values=row)
            if (
                self._seen_leaf
                or row["previous_digest"] != self._legacy_digest
                or row["digest"] != expected
            ):
                self.report(Problem.EVENT_CHANGED, row["pk"])
            self._legacy_digest = row["digest"] or ""
            return computed
        self._seen_leaf = True
        if row["leaf_hash"] != computed.hex():
            self.report(Problem.EVENT_CHANGED, row["pk"])
        try:
            return bytes.fromhex(row["leaf_hash"])
        except ValueError:
            return computed

    def check_range(self, checkpoint: AuditCheckpoint, *, authentic: bool) -> None:
        """Check the events of ``checkpoint``'s range against it.

        The root is recomputed from the leaves as sealed (stored at insert): when it matches,
        exactly these events were sealed, in this order, and each event whose fields no longer
        match its own leaf has been reported by id. When it does not, events were deleted,
        added, re-ordered, or changed together with their stored hash. Against a checkpoint
        that is not authentic only each event's own hash can be checked."""
        uncovered = [row["pk"] for row in self._take_through(checkpoint.after_event_id)]
        if uncovered:
            self.report(Problem.EVENTS_NOT_COVERED, uncovered[0], through_id=uncovered[-1])
        reported_before = self.reported
        leaves = [self._sealed_leaf(row) for row in self._take_through(checkpoint.through_event_id)]
        if not authentic:
            return
        if (
            len(leaves) != checkpoint.tree_size
            or merkle.root_hash(leaves).hex() != checkpoint.root_hash
        ):
            self.report(
                Problem.EVENTS_DIFFER,
                checkpoint.after_event_id + 1,
                through_id=checkpoint.through_event_id,
                checkpoint=checkpoint.number,
            )
        else:
            self.checked += len(leaves) - (self.reported - reported_before)

    def finish(self) -> tuple[int, dt.datetime | None]:
        """The events after the last checkpoint: how many, and the oldest's time."""
        count, oldest = 0, None
        for row in self._take_through(2**63 - 1):
            self._sealed_leaf(row)
            count += 1
            if oldest is None or row["occurred_at"] < oldest:
                oldest = row["occurred_at"]
        return count, oldest


def inclusion_proof(*, event_id: int) -> InclusionProof | None:
    """The proof that event ``event_id`` is in its checkpoint, or None while it is not sealed
    (or does not exist). Reads the leaves of that one checkpoint (at most ``MAX_TREE_SIZE``)."""
    # The first checkpoint ending at or after the event (one step down an index).
    checkpoint = (
        AuditCheckpoint.objects.filter(through_event_id__gte=event_id)
        .order_by("through_event_id")
        .first()
    )
    if checkpoint is None or checkpoint.after_event_id >= event_id:
        return None
    in_range = AuditEvent.objects.filter(
        pk__gt=checkpoint.after_event_id, pk__lte=checkpoint.through_event_id
    ).order_by("pk")
    rows = list(in_range.values_list("pk", "leaf_hash"))
    ids = [pk for pk, _ in rows]
    # As the sealer took them: the hashes stored at insert, computed for rows from before.
    computed = {
        row["pk"]: leaf_hash(row)
        for row in in_range.filter(leaf_hash__isnull=True).values("pk", *LEAF_FIELDS)
    }
    leaves = [bytes.fromhex(stored) if stored else computed[pk] for pk, stored in rows]
    index = bisect.bisect_left(ids, event_id)
    if index == len(ids) or ids[index] != event_id:
        return None
    return InclusionProof(
        event_id=event_id,
        leaf_index=index,
        audit_path=tuple(node.hex() for node in merkle.inclusion_path(index, leaves)),
        checkpoint_number=checkpoint.number,
        statement=checkpoint.statement().decode(),
        key_id=checkpoint.key_id,
        signature=checkpoint.signature,
    )
