"""Inclusion proofs: that one audit event is in a signed checkpoint, checked in O(log n).

A proof carries the checkpoint's signed statement, the event's leaf index in that checkpoint's
tree and the audit path (RFC 6962). Whoever holds the log's public key and the event's fields
can check it without reading any other event: recompute the leaf from the fields, fold the
path up to a root, compare with the root in the statement, check the statement's signature.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from keplive.audit import merkle, signing
from keplive.audit.hashing import leaf_hash
from keplive.audit.models import STATEMENT_HEADER


@dataclass(frozen=True, slots=True)
class InclusionProof:
    event_id: int
    leaf_index: int
    # From the leaf upwards, hex.
    audit_path: tuple[str, ...]
    checkpoint_number: int
    statement: str
    key_id: str
    signature: str

    def as_json(self) -> str:
        return json.dumps(
            {
                "event_id": self.event_id,
                "leaf_index": self.leaf_index,
                "audit_path": list(self.audit_path),
                "checkpoint": self.checkpoint_number,
                "statement": self.statement,
                "key_id": self.key_id,
                "signature": self.signature,
            },
            indent=2,
        )


@dataclass(frozen=True, slots=True)
class SignedTree:
    """What a checkpoint's statement says about its tree."""

    number: int
    after_event_id: int
    through_event_id: int
    tree_size: int
    root_hash: bytes


def read_statement(statement: str) -> SignedTree | None:
    lines = statement.split("\n")
    if len(lines) != 10 or lines[0] != STATEMENT_HEADER or lines[-1] != "":
        return None
    try:
        return SignedTree(
            number=int(lines[1]),
            after_event_id=int(lines[2]),
            through_event_id=int(lines[3]),
            tree_size=int(lines[4]),
            root_hash=bytes.fromhex(lines[6]),
        )
    except ValueError:
        return None


def verify_inclusion_proof(
    proof: InclusionProof,
    *,
    event_values: Mapping[str, Any],
    keys: dict[str, Ed25519PublicKey] | None = None,
) -> bool:
    """Whether ``proof`` shows the event with these field values in a checkpoint signed by one
    of ``keys`` (by default the log's own), at a place inside the checkpoint's id range."""
    keys = signing.verify_keys() if keys is None else keys
    statement = proof.statement.encode()
    if not signing.signature_is_valid(
        statement, signed_by=proof.key_id, signature=proof.signature, keys=keys
    ):
        return False
    tree = read_statement(proof.statement)
    if tree is None or tree.number != proof.checkpoint_number:
        return False
    if not tree.after_event_id < proof.event_id <= tree.through_event_id:
        return False
    try:
        path = [bytes.fromhex(node) for node in proof.audit_path]
    except ValueError:
        return False
    return merkle.verify_inclusion(
        leaf=leaf_hash(event_values),
        index=proof.leaf_index,
        tree_size=tree.tree_size,
        path=path,
        root=tree.root_hash,
    )
