"""The audit log on PostgreSQL: concurrent recording, and sealing throughput (ADR 0011).

    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive .venv/bin/python bench/audit.py

Runs in a sibling database, ``keplive_bench_audit`` (``--bench-db``), dropped and migrated
afresh each run; the database named in DATABASE_URL is never touched.

1. **Recording.** ``--workers`` threads, each with its own connection, run ``--transactions``
   transactions each: ``record_event`` and then ``--work-ms`` of other work in the same
   transaction (``pg_sleep`` on the server, standing for the rest of a booking), then COMMIT.
   Reported per scenario (no other work, and ``--work-ms``): wall time, committed
   transactions per second, latency per transaction (p50/p95/p99) and errors by class.
2. **Sealing** (only where ``seal_audit_log`` exists): ``--seal-events`` events are inserted
   in bulk, then one ``seal_audit_log`` run seals them all (events/s), one
   ``audit_chain_report`` verifies them (events/s), and ``--proofs`` inclusion proofs are
   generated and verified (ms each).

The script runs unchanged against the code before ADR 0011 (then only part 1): check out the
older tree elsewhere (``git archive main | tar -x -C /tmp/before``), copy this file into its
``bench/`` and run it there. Prints a table and writes ``var/bench-audit.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402  (needs the path above)

DEFAULT_URL = "postgres://keplive:keplive@127.0.0.1:5432/keplive"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=16, help="concurrent connections")
    parser.add_argument("--transactions", type=int, default=50, help="transactions per worker")
    parser.add_argument(
        "--work-ms", type=float, default=5.0, help="other work in each transaction, after the event"
    )
    parser.add_argument("--seal-events", type=int, default=100_000)
    parser.add_argument("--proofs", type=int, default=100)
    parser.add_argument("--bench-db", default="keplive_bench_audit")
    return parser.parse_args(argv)


def percentiles_ms(samples: list[float]) -> dict[str, float | None]:
    if len(samples) < 2:
        return {"p50": None, "p95": None, "p99": None}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def recording(*, workers: int, transactions: int, work_ms: float) -> dict[str, Any]:
    from django.db import connection, connections, transaction

    from keplive.audit.services import Origin, record_event

    origin = Origin(ip_address="192.0.2.1", channel="web")
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(workers)

    def worker(index: int) -> None:
        mine: list[float] = []
        try:
            start.wait(timeout=60)
            for n in range(transactions):
                began = time.perf_counter()
                try:
                    with transaction.atomic():
                        record_event(
                            action="bench.recorded",
                            origin=origin,
                            object_type="bench",
                            object_id=f"{index}-{n}",
                            details={"worker": index, "n": n},
                        )
                        if work_ms:
                            with connection.cursor() as cursor:
                                cursor.execute("SELECT pg_sleep(%s)", [work_ms / 1000])
                except Exception as error:
                    with lock:
                        errors[type(error).__name__] += 1
                    continue
                mine.append(time.perf_counter() - began)
        finally:
            with lock:
                latencies.extend(mine)
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {
        "workers": workers,
        "transactions": workers * transactions,
        "work_ms": work_ms,
        "wall_s": wall,
        "committed": len(latencies),
        "committed_per_s": len(latencies) / wall,
        "latency_ms": percentiles_ms(latencies),
        "errors": dict(errors),
    }


def sealing(*, events: int, proofs: int) -> dict[str, Any]:
    import datetime as dt
    import random

    from keplive.audit.hashing import LEAF_FIELDS, event_values, leaf_hash
    from keplive.audit.models import AuditEvent
    from keplive.audit.proofs import verify_inclusion_proof
    from keplive.audit.selectors import audit_chain_report, inclusion_proof
    from keplive.audit.services import seal_audit_log

    seal_audit_log()  # what part 1 recorded, so the timed run seals exactly ``events``
    now = dt.datetime.now(dt.UTC)
    began = time.perf_counter()
    batch: list[AuditEvent] = []
    for n in range(events):
        event = AuditEvent(
            occurred_at=now + dt.timedelta(microseconds=n),
            action="appointment_details.viewed",
            object_type="appointment",
            object_id=f"KL-{n:08d}",
            ip_address="192.0.2.1",
            channel="workspace",
            details={"fields": ["document", "phone"], "n": n},
        )
        event.leaf_hash = leaf_hash(event_values(event)).hex()
        batch.append(event)
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    if batch:
        AuditEvent.objects.bulk_create(batch)
    insert_s = time.perf_counter() - began

    began = time.perf_counter()
    result = seal_audit_log()
    seal_s = time.perf_counter() - began
    assert result.sealed == events, (result.sealed, events)

    began = time.perf_counter()
    report = audit_chain_report()
    verify_s = time.perf_counter() - began
    assert report.intact, report.problems[:5]

    ids = list(AuditEvent.objects.order_by("?").values_list("pk", flat=True)[:proofs])
    rng = random.Random(1)
    rng.shuffle(ids)
    make, check = [], []
    for event_id in ids:
        began = time.perf_counter()
        proof = inclusion_proof(event_id=event_id)
        make.append(time.perf_counter() - began)
        values = AuditEvent.objects.values(*LEAF_FIELDS).get(pk=event_id)
        began = time.perf_counter()
        assert proof is not None
        assert verify_inclusion_proof(proof, event_values=values)
        check.append(time.perf_counter() - began)
    return {
        "events": events,
        "bulk_insert_s": insert_s,
        "seal_s": seal_s,
        "sealed_per_s": events / seal_s,
        "checkpoints": len(result.checkpoints),
        "verify_s": verify_s,
        "verified_per_s": report.checked / verify_s,
        "verified": report.checked,
        "proof_make_ms": percentiles_ms(make),
        "proof_verify_ms": percentiles_ms(check),
        "audit_path_length": len(proof.audit_path) if ids and proof else None,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not database.is_postgres(admin_url):
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    if database.database_name(admin_url) == args.bench_db:
        print("DATABASE_URL must name another database than the bench database.", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    bench_url = database.with_database(admin_url, args.bench_db)
    database.recreate(admin_url, args.bench_db)
    os.environ["DATABASE_URL"] = bench_url
    os.environ["KEPLIVE_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from keplive.audit import services

    call_command("migrate", verbosity=0, interactive=False)
    results: dict[str, Any] = {
        "code": "merkle checkpoints" if hasattr(services, "seal_audit_log") else "global lock",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
        },
        "server": database.server_facts(bench_url),
        "recording": [],
    }
    for work_ms in (0.0, args.work_ms):
        row = recording(workers=args.workers, transactions=args.transactions, work_ms=work_ms)
        results["recording"].append(row)
        lat = row["latency_ms"]
        print(
            f"record_event x{row['transactions']} on {row['workers']} connections, "
            f"{work_ms:g} ms other work: {row['committed_per_s']:.0f} tx/s, "
            f"p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms, p99 {lat['p99']:.1f} ms, "
            f"errors {row['errors'] or 'none'} ({row['wall_s']:.1f} s)",
            flush=True,
        )
    if hasattr(services, "seal_audit_log"):
        row = sealing(events=args.seal_events, proofs=args.proofs)
        results["sealing"] = row
        print(
            f"seal {row['events']} events: {row['seal_s']:.2f} s = {row['sealed_per_s']:.0f} "
            f"events/s in {row['checkpoints']} checkpoints; verify {row['verified']}: "
            f"{row['verify_s']:.2f} s = {row['verified_per_s']:.0f} events/s; inclusion proof "
            f"make p50 {row['proof_make_ms']['p50']:.1f} ms, verify p50 "
            f"{row['proof_verify_ms']['p50']:.2f} ms ({row['audit_path_length']} hashes); "
            f"bulk insert {row['bulk_insert_s']:.1f} s",
            flush=True,
        )
    results["machine"]["load_average_after"] = os.getloadavg()
    out = ROOT / "var" / "bench-audit.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"load average before {load_before}, after {os.getloadavg()}; written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
