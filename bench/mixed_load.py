"""Mixed load against real processes on PostgreSQL (issue 11, finding 3).

    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive \\
    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/mixed_load.py [--seconds 300]

Builds a sibling database (``--bench-db``, default ``keplive_mixed``; dropped and created afresh)
with one KEP, its employees over a few working days, appointments already booked and calls
waiting for their outcome (``tests/mixed_load.prepare``); starts ``--servers`` uvicorn processes
on 127.0.0.1 (separate processes, each with its own connection pool; Redis for the shared cache
when ``REDIS_URL`` is set); and for ``--seconds`` runs, on threads, over HTTP:

- citizens (API, session cookie as the TAXISnet login leaves it): hold and confirm, book
  directly, reschedule, cancel, read;
- employees (workspace, second factor verified): read details, move, record outcomes;
- an administrator: the KEP's weekday hours and employees' availability, split and whole again.

Prints the requests and answers by operation, the 5xx, the deadlocks PostgreSQL counted for the
database (``pg_stat_database``, read after the servers stopped) and found in its log (by cause,
when ``--pg-log`` is readable), and overlapping blocking appointments (must be 0). Writes the
same to ``var/bench-mixed-load.json``. Exit status 1 on any 5xx, deadlock or overlap.

Bounded: every actor stops at the deadline (and after ``--max-steps``); HTTP timeout 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import (  # noqa: E402
    DEFAULT_PG_LOG,
    HttpSession,
    PgLog,
    overlapping_pairs,
    pg_deadlocks,
    prepare_database,
    servers,
    table_names,
)
from tests import mixed_load  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=300, help="length of the load")
    parser.add_argument("--servers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--citizens", type=int, default=16)
    parser.add_argument("--employees", type=int, default=5, help="employees of the KEP")
    parser.add_argument("--staff", type=int, default=3, help="employees acting in the load")
    parser.add_argument("--administrators", type=int, default=1)
    parser.add_argument("--days", type=int, default=3, help="working days with free times")
    parser.add_argument("--booked", type=int, default=45, help="appointments booked at start")
    parser.add_argument("--served", type=int, default=300, help="calls awaiting an outcome")
    parser.add_argument("--pause", type=float, default=0.05, help="max think time (s)")
    parser.add_argument("--max-steps", type=int, default=100_000, help="per actor")
    parser.add_argument("--bench-db", default="keplive_mixed")
    parser.add_argument("--pg-log", type=Path, default=DEFAULT_PG_LOG)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-mixed-load.json")
    return parser.parse_args(argv)


def world_from(data: dict[str, Any]) -> mixed_load.World:
    world = data["world"]
    return mixed_load.World(
        kep_id=world["kep_id"],
        kep_code=world["kep_code"],
        service_code=world["service_code"],
        days=[dt.date.fromisoformat(day) for day in world["days"]],
        employee_ids=world["employee_ids"],
        served=list(world["served"]),
        references=list(world["references"]),
    )


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL=postgres://… (the benchmark uses a sibling database).")
        return 2
    redis_url = os.environ.get("REDIS_URL", "")
    print(f"building {args.bench_db} … (load average {load_average()})", flush=True)
    prepared = prepare_database(
        server_url,
        args.bench_db,
        redis_url=redis_url,
        options={
            "citizens": args.citizens,
            "employees": args.employees,
            "staff": args.staff,
            "days": args.days,
            "booked": args.booked,
            "served": args.served,
        },
    )
    print(f"  built in {prepared.seconds:.1f} s", flush=True)
    data, world, tally = prepared.data, world_from(prepared.data), mixed_load.Tally()
    work = Path(prepared.env["KEPLIVE_VAR_DIR"])
    deadlocks_before = pg_deadlocks(prepared.database_url)
    log = PgLog(args.pg_log, args.bench_db)

    load_before = load_average()
    with servers(prepared.env, args.servers, work=work) as running:
        urls = [server.url for server in running]
        actors: list[mixed_load.Actor] = []
        rng = random.Random(args.seed)

        def http(index: int, session: str) -> HttpSession:
            return HttpSession(urls[index % len(urls)], session)

        for index, session in enumerate(data["citizens"]):
            actors.append(
                mixed_load.Citizen(http(index, session), world, tally, random.Random(rng.random()))
            )
        for index, session in enumerate(data["employees"]):
            actors.append(
                mixed_load.Employee(http(index, session), world, tally, random.Random(rng.random()))
            )
        for index in range(args.administrators):
            actors.append(
                mixed_load.Administrator(
                    http(index, data["administrator"]), world, tally, random.Random(rng.random())
                )
            )
        print(
            f"{len(actors)} actors on {len(urls)} uvicorn processes for {args.seconds:g} s …",
            flush=True,
        )
        start = threading.Barrier(len(actors) + 1)
        deadline = [0.0]

        def work_on(actor: mixed_load.Actor) -> None:
            start.wait(timeout=60)
            mixed_load.run_actor(
                actor, deadline=deadline[0], max_steps=args.max_steps, pause=args.pause
            )

        threads = [threading.Thread(target=work_on, args=(a,), daemon=True) for a in actors]
        for thread in threads:
            thread.start()
        began = time.monotonic()
        deadline[0] = began + args.seconds
        start.wait(timeout=60)
        for thread in threads:
            thread.join(timeout=max(1.0, deadline[0] - time.monotonic()) + 60)
        wall = time.monotonic() - began
        hung = sum(thread.is_alive() for thread in threads)
        mixed_load.restore_directory(HttpSession(urls[0], data["administrator"]), world)
        load_after = load_average()
    # The servers have stopped: their backends have ended and reported their counts.
    time.sleep(1.0)
    deadlocks = pg_deadlocks(prepared.database_url) - deadlocks_before
    overlaps = overlapping_pairs(prepared.database_url)
    log_deadlocks = (
        dict(log.deadlocks(table_names(prepared.database_url))) if log.readable else None
    )
    server_tracebacks = sum(
        (work / f"uvicorn-{i}.log").read_text(errors="replace").count("Traceback")
        for i in range(args.servers)
    )

    result = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seconds": round(wall, 1),
        "servers": args.servers,
        "actors": {
            "citizens": args.citizens,
            "employees": args.staff,
            "administrators": args.administrators,
        },
        "requests": tally.requests,
        "requests_per_second": round(tally.requests / wall, 1),
        "server_errors_5xx": tally.server_errors,
        "answers": {
            op: {str(k): v for k, v in row.items()} for op, row in tally.by_operation().items()
        },
        "deadlocks_pg_stat_database": deadlocks,
        "deadlocks_in_log_by_cause": log_deadlocks,
        "overlapping_pairs": overlaps,
        "server_tracebacks": server_tracebacks,
        "actors_hung": hung,
        "failures_sample": tally.failures[:10],
        "load_average_before": load_before,
        "load_average_after": load_after,
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip(),
    }
    print_result(result)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    bad = tally.server_errors or deadlocks or overlaps or hung
    return 1 if bad else 0


def print_result(result: dict[str, Any]) -> None:
    print(
        f"\nrequests: {result['requests']} in {result['seconds']} s "
        f"({result['requests_per_second']}/s) on {result['servers']} processes"
    )
    for operation, row in result["answers"].items():
        answers = "  ".join(f"{status}: {count}" for status, count in row.items())
        print(f"  {operation:<20} {answers}")
    print(f"5xx (and exceptions): {result['server_errors_5xx']}")
    print(f"deadlocks (pg_stat_database): {result['deadlocks_pg_stat_database']}")
    print(f"deadlocks in the PostgreSQL log, by cause: {result['deadlocks_in_log_by_cause']}")
    print(f"overlapping blocking appointments: {result['overlapping_pairs']}")
    print(f"tracebacks in the servers' output: {result['server_tracebacks']}")
    print(
        f"load average before / after: {result['load_average_before']} / "
        f"{result['load_average_after']}"
    )
    for failure in result["failures_sample"]:
        print(f"  ! {failure}")


if __name__ == "__main__":
    raise SystemExit(main())
