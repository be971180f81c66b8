"""Verification catches what an attacker with the database's rights could do to the audit log
(ADR 0011): change an event, delete one, add one, swap two, change, re-sign, delete or
re-order a checkpoint. The append-only triggers are lifted first (``allow_audit_tampering``),
as such an attacker could; each case must be reported by ``verify_audit_chain`` and on the page.

Runs on SQLite and again on PostgreSQL (the triggers and SQL differ)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from keplive.audit import signing
from keplive.audit.hashing import event_values, leaf_hash
from keplive.audit.models import AuditCheckpoint, AuditEvent
from keplive.audit.selectors import Problem, audit_chain_report
from keplive.audit.services import record_event, seal_audit_log
from tests.audit.conftest import checkpoint_table, execute, swap_event_ids
from tests.staff import allow_audit_tampering

pytestmark = pytest.mark.django_db


def kinds(report) -> list[tuple[str, int | None]]:
    return [(problem.kind, problem.checkpoint) for problem in report.problems]


def assert_command_fails() -> None:
    with pytest.raises(CommandError, match="Audit log broken"):
        call_command("verify_audit_chain")


def test_an_untouched_sealed_log_verifies(sealed_log):
    _events, checkpoints = sealed_log
    report = audit_chain_report()
    assert report.intact
    assert (report.checked, report.checkpoints, report.unsealed) == (10, 3, 0)
    assert report.latest == checkpoints[-1]
    call_command("verify_audit_chain")


# --- (a) A changed event -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("object_id", "ref-someone-else"),
        ("action", "appointment.cancelled"),
        ("details", '{"step": 99}'),
        ("outcome", "refused"),
        ("ip_address", "198.51.100.1"),
        ("actor_id", None),
        ("occurred_at", "2026-03-02 07:05:00.000001+00:00"),
    ],
)
def test_a_changed_field_names_the_event(sealed_log, column, value):
    events, _ = sealed_log
    target = events[6] if column != "actor_id" else events[3]  # events[3] has an actor
    allow_audit_tampering()
    execute(
        f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s",  # noqa: S608
        [value, target.pk],
    )
    report = audit_chain_report()
    assert kinds(report) == [(Problem.EVENT_CHANGED, None)]
    assert report.first_broken_id == target.pk
    assert report.checked == 9
    assert_command_fails()


def test_a_changed_event_with_its_hash_recomputed_breaks_its_checkpoint(sealed_log):
    events, checkpoints = sealed_log
    target = events[5]
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=target.pk).update(object_id="ref-forged")
    forged = AuditEvent.objects.get(pk=target.pk)
    AuditEvent.objects.filter(pk=target.pk).update(leaf_hash=leaf_hash(event_values(forged)).hex())
    report = audit_chain_report()
    assert kinds(report) == [(Problem.EVENTS_DIFFER, checkpoints[1].number)]
    [problem] = report.problems
    assert problem.event_id <= target.pk <= problem.through_id
    assert report.checked == 6  # the two other checkpoints still verify
    assert_command_fails()


def test_a_changed_unsealed_event_is_named_too(sealed_log):
    late = record_event(action="appointment.booked", object_id="ref-late")
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=late.pk).update(object_id="ref-other")
    report = audit_chain_report()
    assert kinds(report) == [(Problem.EVENT_CHANGED, None)]
    assert (report.first_broken_id, report.unsealed) == (late.pk, 1)


# --- (b) A deleted or added event ----------------------------------------------------------


@pytest.mark.parametrize("position", [0, 5, 9])
def test_a_deleted_event_breaks_its_checkpoint(sealed_log, position):
    events, checkpoints = sealed_log
    target = events[position]
    allow_audit_tampering()
    execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    report = audit_chain_report()
    covering = next(c for c in checkpoints if c.after_event_id < target.pk <= c.through_event_id)
    assert kinds(report) == [(Problem.EVENTS_DIFFER, covering.number)]
    assert report.problems[0].event_id <= target.pk <= report.problems[0].through_id
    assert_command_fails()


def test_an_event_replaced_under_the_same_id_breaks_its_checkpoint(sealed_log):
    events, checkpoints = sealed_log
    target = events[1]
    allow_audit_tampering()
    execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    forged = AuditEvent(
        pk=target.pk,
        occurred_at=target.occurred_at,
        action="appointment.cancelled",
        object_type="appointment",
        object_id=target.object_id,
        channel=target.channel,
        details={},
    )
    forged.leaf_hash = leaf_hash(event_values(forged)).hex()  # consistent with itself
    forged.save(force_insert=True)
    report = audit_chain_report()
    assert kinds(report) == [(Problem.EVENTS_DIFFER, checkpoints[0].number)]


# --- (c) Re-ordered events -----------------------------------------------------------------


def test_two_events_swapped_within_a_checkpoint_are_detected(sealed_log):
    events, checkpoints = sealed_log
    allow_audit_tampering()
    swap_event_ids(events[4].pk, events[6].pk)
    report = audit_chain_report()
    assert kinds(report) == [(Problem.EVENTS_DIFFER, checkpoints[1].number)]
    assert_command_fails()


def test_two_events_swapped_across_checkpoints_are_detected(sealed_log):
    events, checkpoints = sealed_log
    allow_audit_tampering()
    swap_event_ids(events[0].pk, events[9].pk)
    report = audit_chain_report()
    assert kinds(report) == [
        (Problem.EVENTS_DIFFER, checkpoints[0].number),
        (Problem.EVENTS_DIFFER, checkpoints[2].number),
    ]


# --- (d) A changed or re-signed checkpoint --------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("root_hash", "ab" * 32),
        ("tree_size", 3),
        ("through_event_id", 10**9),
        ("sealed_at", "2020-01-01 00:00:00+00:00"),
    ],
)
def test_a_changed_checkpoint_is_detected(sealed_log, column, value):
    _, checkpoints = sealed_log
    allow_audit_tampering()
    execute(
        f"UPDATE {checkpoint_table()} SET {column} = %s WHERE id = %s",  # noqa: S608
        [value, checkpoints[1].pk],
    )
    report = audit_chain_report()
    found = set(kinds(report))
    assert (Problem.CHECKPOINT_CHANGED, 2) in found
    assert (Problem.BAD_SIGNATURE, 2) in found
    assert report.first_broken_id is not None
    assert_command_fails()


def test_a_checkpoint_rewritten_with_its_hash_recomputed_fails_its_signature(sealed_log):
    _, checkpoints = sealed_log
    allow_audit_tampering()
    forged = AuditCheckpoint.objects.get(pk=checkpoints[0].pk)
    forged.root_hash = "cd" * 32
    forged.checkpoint_hash = hashlib.sha256(forged.statement()).hexdigest()
    AuditCheckpoint.objects.filter(pk=forged.pk).update(
        root_hash=forged.root_hash, checkpoint_hash=forged.checkpoint_hash
    )
    found = set(kinds(audit_chain_report()))
    assert (Problem.BAD_SIGNATURE, 1) in found
    assert (Problem.CHECKPOINT_CHANGED, 1) not in found
    # The next checkpoint names the original as its predecessor.
    assert (Problem.CHAIN_BROKEN, 2) in found


def test_a_checkpoint_signed_with_another_key_is_detected(sealed_log):
    _, checkpoints = sealed_log
    attacker = Ed25519PrivateKey.generate()
    target = AuditCheckpoint.objects.get(pk=checkpoints[2].pk)
    forged_signature = base64.b64encode(attacker.sign(target.statement())).decode()
    allow_audit_tampering()
    for key_id in (target.key_id, signing.key_id(attacker.public_key())):
        AuditCheckpoint.objects.filter(pk=target.pk).update(
            key_id=key_id, signature=forged_signature
        )
        assert kinds(audit_chain_report()) == [(Problem.BAD_SIGNATURE, 3)]


def test_a_signature_made_with_a_rotated_out_key_verifies_while_its_public_key_is_known(
    sealed_log, settings
):
    old_public = base64.b64encode(signing.public_bytes(signing.signing_key().public_key()))
    settings.KEPLIVE_AUDIT_SIGNING_KEY = signing.new_signing_key()
    assert [p.kind for p in audit_chain_report().problems] == [Problem.BAD_SIGNATURE] * 3
    settings.KEPLIVE_AUDIT_VERIFY_KEYS = [old_public.decode()]
    record_event(action="appointment.booked")
    assert seal_audit_log().sealed == 1  # signed with the new key
    report = audit_chain_report()
    assert report.intact
    assert report.checked == 11
    assert len({c.key_id for c in AuditCheckpoint.objects.all()}) == 2


# --- (e) A deleted or re-ordered checkpoint -------------------------------------------------


def test_a_deleted_checkpoint_breaks_the_chain_and_uncovers_its_events(sealed_log):
    events, checkpoints = sealed_log
    allow_audit_tampering()
    execute(f"DELETE FROM {checkpoint_table()} WHERE id = %s", [checkpoints[1].pk])  # noqa: S608
    report = audit_chain_report()
    assert kinds(report) == [
        (Problem.EVENTS_NOT_COVERED, None),
        (Problem.CHAIN_BROKEN, 3),
    ]
    uncovered = report.problems[0]
    assert (uncovered.event_id, uncovered.through_id) == (events[4].pk, events[7].pk)
    assert_command_fails()


def test_re_ordered_checkpoints_break_the_chain(sealed_log):
    _, _checkpoints = sealed_log
    allow_audit_tampering()
    table = checkpoint_table()
    execute(f"UPDATE {table} SET number = 100 WHERE number = 1")  # noqa: S608
    execute(f"UPDATE {table} SET number = 1 WHERE number = 2")  # noqa: S608
    execute(f"UPDATE {table} SET number = 2 WHERE number = 100")  # noqa: S608
    found = set(kinds(audit_chain_report()))
    assert {(Problem.CHECKPOINT_CHANGED, 1), (Problem.CHECKPOINT_CHANGED, 2)} <= found


def test_removing_the_newest_checkpoint_is_caught_by_a_checkpoint_kept_outside(sealed_log):
    """The chain alone cannot tell that its newest checkpoints were removed (the events look
    not sealed yet, and the sealer would seal them again): a checkpoint recorded elsewhere —
    the worker logs each one — can."""
    _, checkpoints = sealed_log
    newest = checkpoints[-1]
    anchor = f"{newest.number}:{newest.checkpoint_hash}"
    call_command("verify_audit_chain", "--expect", anchor)
    allow_audit_tampering()
    execute(f"DELETE FROM {checkpoint_table()} WHERE id = %s", [newest.pk])  # noqa: S608
    report = audit_chain_report()
    assert (report.intact, report.unsealed) == (True, 2)
    expected = (newest.number, newest.checkpoint_hash)
    assert kinds(audit_chain_report(expected=expected)) == [(Problem.ANCHOR_MISMATCH, 3)]
    # Sealed again (a new time, so a new hash): still not the checkpoint recorded outside.
    seal_audit_log(now=newest.sealed_at + dt.timedelta(minutes=1))
    assert kinds(audit_chain_report(expected=expected)) == [(Problem.ANCHOR_MISMATCH, 3)]
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", "--expect", anchor)


# --- The database's own guard --------------------------------------------------------------


def test_the_database_refuses_to_change_a_checkpoint(sealed_log):
    _, checkpoints = sealed_log
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoints[0].pk).update(root_hash="00" * 32)


def test_the_database_still_refuses_to_change_an_event(sealed_log):
    events, _ = sealed_log
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(action="changed")


@pytest.mark.postgres
def test_postgresql_refuses_to_delete_a_checkpoint(require_postgres, sealed_log):
    _, checkpoints = sealed_log
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=checkpoints[0].pk).delete()
    assert AuditCheckpoint.objects.count() == 3
