"""The audit log under concurrency, on PostgreSQL (ADR 0011): recording takes no lock; ids
that commit out of order are sealed, never skipped; one sealer at a time.

Real threads, each with its own connection; they fail (never skip) without PostgreSQL.
Every wait is bounded: a regression fails within seconds instead of hanging."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, connections, transaction

from keplive.audit import sealing
from keplive.audit.models import AuditCheckpoint, AuditEvent
from keplive.audit.selectors import audit_chain_report
from keplive.audit.services import record_event, seal_audit_log
from tests.audit.conftest import record_events

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def in_threads(jobs: list[Callable[[], object]], *, timeout: float = 60) -> list[object]:
    """Run each job on its own thread and connection; return results (or the exception)."""
    results: list[object] = [None] * len(jobs)

    def run(index: int) -> None:
        try:
            results[index] = jobs[index]()
        except BaseException as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def set_timeouts(*, lock: str = "2s", statement: str = "5s") -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{lock}'")
        cursor.execute(f"SET LOCAL statement_timeout = '{statement}'")


def assert_sealed_exactly_once() -> None:
    """Checkpoint ranges follow one another without gap or overlap, and together hold every
    event exactly once; verification finds nothing wrong."""
    checkpoints = list(AuditCheckpoint.objects.order_by("number"))
    after = 0
    for number, checkpoint in enumerate(checkpoints, start=1):
        assert (checkpoint.number, checkpoint.after_event_id) == (number, after)
        in_range = AuditEvent.objects.filter(
            pk__gt=checkpoint.after_event_id, pk__lte=checkpoint.through_event_id
        ).count()
        assert in_range == checkpoint.tree_size
        after = checkpoint.through_event_id
    events = AuditEvent.objects.count()
    assert sum(c.tree_size for c in checkpoints) == events
    assert not AuditEvent.objects.filter(pk__gt=after).exists()
    report = audit_chain_report()
    assert (report.intact, report.checked, report.unsealed) == (True, events, 0), report.problems


def test_two_transactions_record_events_at_once_without_waiting_for_each_other(
    require_postgres,
):
    """Both transactions are inside record_event's INSERT, neither has committed: with a
    global lock held to commit, the second would wait (and fail on its lock_timeout)."""
    both_inserted = threading.Barrier(2, timeout=8)

    def attempt(n: int) -> Callable[[], object]:
        def run() -> object:
            with transaction.atomic():
                set_timeouts()
                event = record_event(action="appointment.booked", object_id=f"ref-{n}")
                both_inserted.wait()  # neither commits before the other has inserted
            return event.pk

        return run

    started = time.monotonic()
    results = in_threads([attempt(1), attempt(2)], timeout=20)
    assert all(isinstance(result, int) for result in results), results
    assert time.monotonic() - started < 5
    assert AuditEvent.objects.count() == 2


def test_a_lower_id_committed_late_is_sealed_after_it_commits_never_skipped(require_postgres):
    inserted, may_commit = threading.Event(), threading.Event()
    late_id: list[int] = []

    def late_transaction() -> object:
        with transaction.atomic():
            late_id.append(record_event(action="appointment.booked", object_id="late").pk)
            inserted.set()
            assert may_commit.wait(20)
        return "committed"

    thread = threading.Thread(target=lambda: (late_transaction(), connections.close_all()))
    thread.start()
    try:
        assert inserted.wait(10)
        later = record_event(action="appointment.booked", object_id="later")  # committed now
        assert later.pk > late_id[0]
        # The later event is visible, but an open transaction may still commit an id below it.
        result = seal_audit_log(wait_seconds=0.3)
        assert (result.waiting_for, result.sealed) == (1, 0)
        assert not AuditCheckpoint.objects.exists()
    finally:
        may_commit.set()
        thread.join(20)
    assert not thread.is_alive()
    [checkpoint] = seal_audit_log(wait_seconds=5).checkpoints
    assert (checkpoint.tree_size, checkpoint.through_event_id) == (2, later.pk)
    assert checkpoint.after_event_id < late_id[0]
    assert_sealed_exactly_once()


def test_the_sealer_waits_for_a_transaction_that_commits_while_it_seals(require_postgres):
    inserted, may_commit = threading.Event(), threading.Event()

    def late_transaction() -> None:
        with transaction.atomic():
            record_event(action="appointment.booked", object_id="late")
            inserted.set()
            assert may_commit.wait(20)
        connections.close_all()

    thread = threading.Thread(target=late_transaction)
    thread.start()
    assert inserted.wait(10)
    record_event(action="appointment.booked", object_id="later")
    threading.Timer(0.3, may_commit.set).start()
    result = seal_audit_log(wait_seconds=10)
    thread.join(20)
    assert (result.waiting_for, result.sealed) == (0, 2)
    assert_sealed_exactly_once()


def test_a_rolled_back_transaction_leaves_a_gap_the_sealer_passes(require_postgres):
    def failing_change() -> None:
        with transaction.atomic():
            record_event(action="appointment.booked", object_id="rolled-back")
            raise RuntimeError("the business change failed")

    [first] = record_events(1)
    with pytest.raises(RuntimeError):
        failing_change()
    [last] = record_events(1, start=1)
    [checkpoint] = seal_audit_log(wait_seconds=1).checkpoints
    assert checkpoint.tree_size == 2
    assert last.pk - first.pk == 2  # the rolled-back id is a gap inside the sealed range
    assert_sealed_exactly_once()


def test_many_concurrent_transactions_with_late_commits_and_rollbacks_are_sealed_once(
    require_postgres,
):
    """Eight writers, some committing late, some rolling back, while a sealer keeps running:
    at the end every committed event is in exactly one checkpoint and the log verifies."""
    writers, transactions_each = 8, 20
    done = threading.Event()
    sealed_during_load: list[int] = []

    def writer(seed: int) -> Callable[[], object]:
        def run() -> object:
            rng = random.Random(seed)
            committed = 0
            for n in range(transactions_each):
                events = rng.randint(1, 3)
                try:
                    with transaction.atomic():
                        set_timeouts()
                        for k in range(events):
                            record_event(action="load.test", object_id=f"{seed}-{n}-{k}")
                        if rng.random() < 0.3:  # hold the drawn ids open for a while
                            time.sleep(rng.uniform(0.01, 0.15))
                        if rng.random() < 0.1:
                            raise LookupError("rolled back")
                    committed += events
                except LookupError:
                    pass
            return committed

        return run

    def sealer() -> object:
        runs = 0
        deadline = time.monotonic() + 60
        while not done.is_set() and time.monotonic() < deadline:
            result = seal_audit_log(max_tree_size=50, wait_seconds=2)
            sealed_during_load.append(result.sealed)
            runs += 1
            time.sleep(0.02)
        return runs

    def writers_then_done() -> list[object]:
        try:
            return in_threads([writer(seed) for seed in range(writers)], timeout=60)
        finally:
            done.set()

    [written, runs] = in_threads([writers_then_done, sealer], timeout=90)
    assert all(isinstance(count, int) for count in written), written
    assert isinstance(runs, int), runs
    assert sum(sealed_during_load) > 0, "the sealer should have sealed while writers wrote"
    seal_audit_log(wait_seconds=5)
    assert AuditEvent.objects.count() == sum(written)
    assert_sealed_exactly_once()


def test_two_sealers_at_once_make_one_set_of_checkpoints(require_postgres):
    for round_ in range(3):
        record_events(400, start=400 * round_)
        start = threading.Barrier(3, timeout=10)

        def seal(start: threading.Barrier = start) -> object:
            start.wait()
            return seal_audit_log(max_tree_size=200, wait_seconds=5)

        results = in_threads([seal, seal, seal])
        assert all(isinstance(r, sealing.SealResult) for r in results), results
        assert sum(r.sealed for r in results) == 400
        assert sorted(len(r.checkpoints) for r in results)[-1] == 2
    assert AuditCheckpoint.objects.count() == 6
    assert_sealed_exactly_once()


def test_without_the_lock_the_database_still_refuses_a_second_chain(require_postgres, monkeypatch):
    """If the advisory lock were lost, the unique checkpoint number and predecessor refuse a
    fork: one sealer wins, the other's transaction fails and leaves nothing behind."""
    record_events(20)
    monkeypatch.setattr(sealing, "_try_sealer_lock", lambda: True)
    both_ready = threading.Barrier(2, timeout=10)
    write = sealing._write_checkpoint

    def write_together(**kwargs):
        both_ready.wait()  # both have read the same latest checkpoint (none)
        return write(**kwargs)

    monkeypatch.setattr(sealing, "_write_checkpoint", write_together)
    results = in_threads([lambda: seal_audit_log(wait_seconds=5)] * 2)
    winners = [r for r in results if isinstance(r, sealing.SealResult)]
    losers = [r for r in results if isinstance(r, IntegrityError)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert AuditCheckpoint.objects.count() == 1
    assert_sealed_exactly_once()


def test_the_sealer_refuses_a_sequence_that_hands_out_blocks_of_ids(require_postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('audit_auditevent', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"ALTER SEQUENCE {sequence} CACHE 20")
    try:
        with pytest.raises(sealing.SequenceCacheError):
            seal_audit_log()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER SEQUENCE {sequence} CACHE 1")
