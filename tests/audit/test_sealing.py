"""Recording and sealing (ADR 0011): record_event stores the event's own hash; the sealer
writes signed checkpoints chained one to the next; inclusion proofs; rows from before.

Runs on SQLite and again on PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from keplive.audit import merkle, signing
from keplive.audit.hashing import (
    GENESIS_DIGEST,
    LEAF_FIELDS,
    event_values,
    leaf_hash,
    legacy_digest,
)
from keplive.audit.models import AuditCheckpoint, AuditEvent
from keplive.audit.proofs import InclusionProof, verify_inclusion_proof
from keplive.audit.sealing import GENESIS_HASH
from keplive.audit.selectors import Problem, audit_chain_report, inclusion_proof
from keplive.audit.services import Origin, record_event, seal_audit_log
from keplive.audit.tasks import seal_audit_log_task
from tests.audit.conftest import START, record_events
from tests.staff import allow_audit_tampering

pytestmark = pytest.mark.django_db


def stored_values(event_id: int) -> dict:
    return AuditEvent.objects.values(*LEAF_FIELDS).get(pk=event_id)


def test_the_hash_stored_at_insert_is_the_one_read_back_from_the_database():
    event = record_event(
        action="appointment_details.viewed",
        origin=Origin(ip_address="2001:db8::7", channel="workspace"),
        object_type="appointment",
        object_id=12345,
        details={"ζ": "Ελληνικά", "list": [1, "two", None, True], "z": {"y": 1, "x": 2}},
        occurred_at=dt.datetime(
            2026, 10, 25, 3, 30, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=3))
        ),
    )
    assert event.leaf_hash == leaf_hash(stored_values(event.pk)).hex()
    assert (event.digest, event.previous_digest) == (None, "")


def test_recording_reads_no_other_row(django_assert_num_queries):
    record_event(action="appointment.booked")
    with django_assert_num_queries(1):  # the INSERT, nothing else
        record_event(action="appointment.booked")


def test_the_sealer_writes_signed_chained_checkpoints_of_the_events_in_id_order():
    events = record_events(7)
    sealed_at = START + dt.timedelta(hours=1)
    result = seal_audit_log(max_tree_size=3, now=sealed_at)
    assert [c.tree_size for c in result.checkpoints] == [3, 3, 1]
    assert result.sealed == 7
    previous, after, keys = None, 0, signing.verify_keys()
    for checkpoint, chunk in zip(
        result.checkpoints, [events[:3], events[3:6], events[6:]], strict=False
    ):
        assert checkpoint.number == (previous.number + 1 if previous else 1)
        assert checkpoint.after_event_id == after
        assert checkpoint.through_event_id == chunk[-1].pk
        assert checkpoint.log_size == (previous.log_size if previous else 0) + len(chunk)
        assert checkpoint.previous_hash == (previous.checkpoint_hash if previous else GENESIS_HASH)
        leaves = [leaf_hash(stored_values(event.pk)) for event in chunk]
        assert checkpoint.root_hash == merkle.root_hash(leaves).hex()
        statement = checkpoint.statement()
        assert checkpoint.checkpoint_hash == hashlib.sha256(statement).hexdigest()
        assert signing.signature_is_valid(
            statement, signed_by=checkpoint.key_id, signature=checkpoint.signature, keys=keys
        )
        assert checkpoint.sealed_at == sealed_at
        previous, after = checkpoint, checkpoint.through_event_id
    assert list(AuditCheckpoint.objects.all()) == list(result.checkpoints)


def test_sealing_again_seals_only_what_is_new_and_continues_the_chain():
    record_events(3)
    first = seal_audit_log().checkpoints
    assert seal_audit_log().checkpoints == ()
    later = record_events(2, start=3)
    [second] = seal_audit_log().checkpoints
    assert (second.number, second.after_event_id, second.through_event_id) == (
        2,
        first[-1].through_event_id,
        later[-1].pk,
    )
    assert second.previous_hash == first[-1].checkpoint_hash
    assert second.log_size == 5
    report = audit_chain_report()
    assert (report.intact, report.checked, report.checkpoints) == (True, 5, 2)


def test_an_empty_log_verifies_and_seals_nothing():
    assert seal_audit_log().checkpoints == ()
    report = audit_chain_report()
    assert (report.intact, report.checked, report.unsealed, report.latest) == (True, 0, 0, None)


def test_an_event_changed_before_sealing_is_sealed_as_recorded_and_named():
    events = record_events(3)
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=events[1].pk).update(object_id="ref-changed-early")
    result = seal_audit_log()
    assert result.mismatched == (events[1].pk,)
    report = audit_chain_report()
    assert [(p.kind, p.event_id) for p in report.problems] == [
        (Problem.EVENT_CHANGED, events[1].pk)
    ]


def test_the_worker_task_seals(db):
    record_events(2)
    assert seal_audit_log_task.call_local() == 2
    assert AuditCheckpoint.objects.count() == 1


# --- Inclusion proofs ----------------------------------------------------------------------


def test_every_sealed_event_has_an_inclusion_proof_that_verifies():
    events = record_events(11)
    checkpoints = seal_audit_log(max_tree_size=5).checkpoints
    for event in events:
        proof = inclusion_proof(event_id=event.pk)
        covering = next(c for c in checkpoints if c.through_event_id >= event.pk)
        assert proof.checkpoint_number == covering.number
        assert len(proof.audit_path) <= (covering.tree_size - 1).bit_length()
        assert verify_inclusion_proof(proof, event_values=stored_values(event.pk))


def test_an_inclusion_proof_fails_for_changed_fields_a_changed_statement_or_another_key():
    events = record_events(6)
    seal_audit_log()
    proof = inclusion_proof(event_id=events[2].pk)
    values = stored_values(events[2].pk)
    assert verify_inclusion_proof(proof, event_values=values)
    assert not verify_inclusion_proof(proof, event_values={**values, "object_id": "ref-x"})
    # Another event's fields at this event's place.
    assert not verify_inclusion_proof(proof, event_values=stored_values(events[3].pk))
    forged_root = proof.statement.replace(proof.statement.split("\n")[6], "00" * 32)
    assert not verify_inclusion_proof(
        InclusionProof(**{**_fields(proof), "statement": forged_root}), event_values=values
    )
    attacker = Ed25519PrivateKey.generate()
    assert not verify_inclusion_proof(
        proof, event_values=values, keys={proof.key_id: attacker.public_key()}
    )
    # Checked with only the public key, as an auditor outside the ministry would.
    public = {proof.key_id: signing.signing_key().public_key()}
    assert verify_inclusion_proof(proof, event_values=values, keys=public)


def _fields(proof: InclusionProof) -> dict:
    return {name: getattr(proof, name) for name in InclusionProof.__slots__}


def test_an_unsealed_or_missing_event_has_no_proof():
    [event] = record_events(1)
    assert inclusion_proof(event_id=event.pk) is None
    seal_audit_log()
    assert inclusion_proof(event_id=event.pk) is not None
    assert inclusion_proof(event_id=event.pk + 1000) is None


def test_the_proof_command_prints_a_proof_that_verifies():
    events = record_events(4)
    seal_audit_log()
    out = StringIO()
    call_command("audit_inclusion_proof", str(events[3].pk), stdout=out)
    data = json.loads(out.getvalue())
    proof = InclusionProof(
        event_id=data["event_id"],
        leaf_index=data["leaf_index"],
        audit_path=tuple(data["audit_path"]),
        checkpoint_number=data["checkpoint"],
        statement=data["statement"],
        key_id=data["key_id"],
        signature=data["signature"],
    )
    assert (proof.leaf_index, len(proof.audit_path)) == (3, 2)
    assert verify_inclusion_proof(proof, event_values=stored_values(events[3].pk))
    with pytest.raises(CommandError):
        call_command("audit_inclusion_proof", str(events[3].pk + 1000))


# --- Rows written before ADR 0011 ----------------------------------------------------------


def write_legacy_rows(count: int) -> list[AuditEvent]:
    """Rows as the old record_event wrote them: chained digests, no leaf hash."""
    previous, rows = GENESIS_DIGEST, []
    for n in range(count):
        event = AuditEvent(
            occurred_at=START - dt.timedelta(days=1, minutes=-n),
            action="appointment.booked",
            object_type="appointment",
            object_id=f"old-{n}",
            channel="web",
            details={"n": n},
            previous_digest=previous,
        )
        event.digest = legacy_digest(previous_digest=previous, values=event_values(event))
        event.save(force_insert=True)
        previous = event.digest
        rows.append(event)
    return rows


def test_old_chained_rows_then_new_ones_verify_and_are_sealed_together():
    old = write_legacy_rows(4)
    new = record_events(3)
    report = audit_chain_report()
    assert (report.intact, report.unsealed) == (True, 7)
    [checkpoint] = seal_audit_log().checkpoints
    assert (checkpoint.after_event_id, checkpoint.through_event_id) == (0, new[-1].pk)
    report = audit_chain_report()
    assert (report.intact, report.checked) == (True, 7)
    proof = inclusion_proof(event_id=old[1].pk)
    assert verify_inclusion_proof(proof, event_values=stored_values(old[1].pk))


def test_a_changed_old_row_is_caught_by_its_chain_and_by_the_checkpoint():
    old = write_legacy_rows(4)
    record_events(2)
    seal_audit_log()
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=old[2].pk).update(object_id="old-forged")
    report = audit_chain_report()
    # The old chain names the row; the checkpoint sealed a leaf computed from it, so its
    # root no longer matches either (problems come in the order of the log).
    assert [(p.kind, p.event_id) for p in report.problems] == [
        (Problem.EVENTS_DIFFER, 1),
        (Problem.EVENT_CHANGED, old[2].pk),
    ]


def test_a_deleted_old_row_before_sealing_breaks_the_old_chain_at_the_next_row():
    old = write_legacy_rows(4)
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=old[1].pk).delete()
    report = audit_chain_report()
    assert [(p.kind, p.event_id) for p in report.problems] == [(Problem.EVENT_CHANGED, old[2].pk)]


# --- Commands and keys ---------------------------------------------------------------------


def test_the_seal_command_reports_its_checkpoints():
    record_events(3)
    out = StringIO()
    call_command("seal_audit_log", stdout=out)
    checkpoint = AuditCheckpoint.objects.get()
    assert "Checkpoint 1: 3 events" in out.getvalue()
    assert checkpoint.checkpoint_hash in out.getvalue()
    assert "Sealed 3 events." in out.getvalue()


def test_the_verify_command_names_the_latest_checkpoint_and_the_unsealed_events():
    record_events(2)
    seal_audit_log()
    record_events(1, start=2)
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    latest = AuditCheckpoint.objects.get()
    assert f"Latest checkpoint 1: 2 events sealed, hash {latest.checkpoint_hash}" in out.getvalue()
    assert "1 events not sealed yet" in out.getvalue()
    assert "Audit log intact: 2 events in 1 checkpoints verified." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", "--expect", "1:not-a-hash")


def test_the_signing_key_command_prints_a_key_the_settings_accept(settings):
    out = StringIO()
    call_command("audit_signing_key", stdout=out)
    line = out.getvalue().splitlines()[0]
    assert line.startswith("KEPLIVE_AUDIT_SIGNING_KEY=")
    settings.KEPLIVE_AUDIT_SIGNING_KEY = line.split("=", 1)[1]
    key = signing.signing_key()
    assert signing.key_id(key.public_key()) in out.getvalue()
    public = base64.b64encode(signing.public_bytes(key.public_key())).decode()
    assert public in out.getvalue()


def test_the_development_key_is_derived_from_the_secret_key(settings):
    settings.KEPLIVE_AUDIT_SIGNING_KEY = ""
    first = signing.key_id(signing.signing_key().public_key())
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789-abcdef"
    assert signing.key_id(signing.signing_key().public_key()) != first
    assert signing.uses_development_key()


def test_the_verify_command_writes_english_and_leaves_the_language_as_it_was():
    from django.utils import translation

    [event] = record_events(1)
    seal_audit_log()
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=event.pk).update(object_id="ref-changed")
    err = StringIO()
    with translation.override("el"):
        with pytest.raises(CommandError):
            call_command("verify_audit_chain", stderr=err)
        assert translation.get_language() == "el"
    assert f"Event {event.pk} has been changed since it was recorded." in err.getvalue()
