"""PostgreSQL restarted under load (issue 11, finding 9): errors only while it is down, none
two seconds after it is back.

    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive \\
    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/pg_restart.py --mode restart

Builds a small sibling database (``--bench-db``, default ``keplive_restart``), starts
``--servers`` uvicorn processes on 127.0.0.1 and keeps ``--clients`` threads sending requests
(citizens reading free times and their appointments, holding and releasing a time: reads and
writes). After ``--disrupt-at`` seconds it disrupts the database, then goes on until
``--seconds``:

- ``--mode restart``: ``pg_ctlcluster <version> <cluster> restart`` — the real thing. It stops
  every session on the server, other people's included: keep it to a few runs, on a machine
  where that is acceptable;
- ``--mode terminate`` (the default, safe on a shared server): ``pg_terminate_backend`` on every
  session of the bench database only — the application's connections break as in a restart,
  but the server never goes down.

"Down" runs from the disruption until a new connection to the database succeeds again ("back").
Every request is timed; prints the requests and errors (5xx, refused connections, timeouts)
before, while down, in the two seconds after back and later (which must be 0), the slowest
answer after back, the connections the database held at the end, and "too many clients" seen.
Writes ``var/bench-pg-restart.json``. Exit status 1 if any request failed more than two seconds
after the database was back.
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

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live import HttpSession, prepare_database, servers  # noqa: E402

GRACE = 2.0  # seconds after "back" during which errors are still forgiven


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["terminate", "restart"], default="terminate")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--disrupt-at", type=float, default=10)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cluster", default="15 main", help="pg_ctlcluster version and name")
    parser.add_argument("--bench-db", default="keplive_restart")
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=60,
        help="stop the load early when the bench database holds more sessions (the server is "
        "shared: never exhaust its max_connections)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the servers (e.g. KEPLIVE_DB_CONN_MAX_AGE=60 on old code)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-pg-restart.json")
    return parser.parse_args(argv)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True, connect_timeout=2)


SESSIONS_SQL = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


class SessionWatch:
    """Counts the bench database's sessions every 0.2 s on a connection of its own (opened
    again after a restart); stops the load when they pass ``limit``."""

    def __init__(self, url: str, limit: int, stop: threading.Event) -> None:
        self.url, self.limit, self.stop = url, limit, stop
        self.peak, self.last, self.exceeded_after = 0, 0, None
        self.began = time.monotonic()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self.stop.is_set():
            try:
                conn = conn or connect(self.url)
                row = conn.execute(SESSIONS_SQL).fetchone()
                self.last = int(row[0]) if row else 0
                self.peak = max(self.peak, self.last)
                if self.last > self.limit and self.exceeded_after is None:
                    self.exceeded_after = time.monotonic() - self.began
                    self.stop.set()
            except psycopg.Error:
                conn = None
            time.sleep(0.2)
        if conn is not None:
            conn.close()


def disrupt(mode: str, url: str, cluster: str) -> tuple[float, float]:
    """Break the application's connections; returns (down, back) on ``time.monotonic()``."""
    down = time.monotonic()
    if mode == "restart":
        subprocess.run(["pg_ctlcluster", *cluster.split(), "restart"], check=True)  # noqa: S603, S607
    else:
        with connect(url) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # back: a new connection works again
        try:
            with connect(url) as conn:
                conn.execute("SELECT 1")
            return down, time.monotonic()
        except psycopg.Error:
            time.sleep(0.05)
    raise RuntimeError("the database did not come back within two minutes")


class Client:
    """A citizen's requests: reads (free times, own appointments) and a write (hold, release)."""

    def __init__(self, http: HttpSession, world: dict[str, Any], rng: random.Random) -> None:
        self.http, self.world, self.rng = http, world, rng

    def step(self) -> int:
        world = self.world
        choice = self.rng.random()
        if choice < 0.4:
            day = self.rng.choice(world["days"])
            status, _body = self.http.get(
                f"/api/v1/keps/{world['kep_code']}/free-times?service={world['service_code']}"
                f"&category=1&date={day}"
            )
            return status
        if choice < 0.7:
            return self.http.get("/api/v1/bookings")[0]
        day = self.rng.choice(world["days"])
        status, body = self.http.get(
            f"/api/v1/keps/{world['kep_code']}/free-times?service={world['service_code']}"
            f"&category=1&date={day}"
        )
        if status != 200 or not body or not body.get("times"):
            return status
        starts_at = self.rng.choice(body["times"])["starts_at"]
        status, hold = self.http.post_json(
            "/api/v1/holds",
            {
                "kep": world["kep_code"],
                "service": world["service_code"],
                "category": 1,
                "starts_at": starts_at,
            },
        )
        if status == 201:
            return self.http.http.delete(
                f"{self.http.base_url}/api/v1/holds/{hold['reference']}", timeout=30
            ).status_code
        return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL=postgres://… (the benchmark uses a sibling database).")
        return 2
    print(f"building {args.bench_db} … (load average {load_average()})", flush=True)
    prepared = prepare_database(
        server_url,
        args.bench_db,
        redis_url=os.environ.get("REDIS_URL", ""),
        options={"citizens": args.clients, "booked": 6, "served": 0, "days": 2},
    )
    env = dict(prepared.env)
    for item in args.env:
        name, _, value = item.partition("=")
        env[name] = value
    work = Path(env["KEPLIVE_VAR_DIR"])
    samples: list[tuple[float, float, int | str]] = []  # (sent, answered, status or error)
    lock = threading.Lock()
    load_before = load_average()
    stopped = threading.Event()
    watch = SessionWatch(prepared.database_url, args.max_sessions, stopped)
    down = back = float("inf")
    with servers(env, args.servers, work=work) as running:
        began = time.monotonic()
        stop = began + args.seconds
        watch.thread.start()

        def client(index: int, session: str) -> None:
            http = HttpSession(running[index % len(running)].url, session, timeout=30)
            actor = Client(http, prepared.data["world"], random.Random(index))
            while time.monotonic() < stop and not stopped.is_set():
                sent = time.monotonic()
                try:
                    outcome: int | str = actor.step()
                except Exception as error:  # refused connection, timeout…
                    outcome = type(error).__name__
                with lock:
                    samples.append((sent, time.monotonic(), outcome))
                time.sleep(0.02)

        threads = [
            threading.Thread(target=client, args=(i, s), daemon=True)
            for i, s in enumerate(prepared.data["citizens"])
        ]
        for thread in threads:
            thread.start()
        stopped.wait(timeout=max(0.0, began + args.disrupt_at - time.monotonic()))
        if not stopped.is_set():
            print(f"disrupting ({args.mode}) …", flush=True)
            down, back = disrupt(args.mode, prepared.database_url, args.cluster)
            print(f"  back after {back - down:.2f} s", flush=True)
        for thread in threads:
            thread.join(timeout=max(1.0, stop - time.monotonic()) + 60)
        stopped.set()
        watch.thread.join(timeout=5)
        sessions_at_end = watch.last
        load_after = load_average()
    if watch.exceeded_after is not None:
        print(
            f"STOPPED: the bench database held more than {args.max_sessions} sessions "
            f"{watch.exceeded_after:.1f} s into the load",
            flush=True,
        )
    too_many = sum(
        (work / f"uvicorn-{i}.log").read_text(errors="replace").count("too many clients")
        for i in range(args.servers)
    )

    def failed(outcome: int | str) -> bool:
        return not isinstance(outcome, int) or outcome >= 500

    phases = {"before": (began, down), "down": (down, back), "grace": (back, back + GRACE)}
    phases["after"] = (back + GRACE, float("inf"))
    table: dict[str, dict[str, int]] = {}
    for name, (start, end) in phases.items():
        # A request belongs to the phase in which its answer arrived.
        answered = [outcome for _sent, done, outcome in samples if start <= done < end]
        table[name] = {"requests": len(answered), "errors": sum(map(failed, answered))}
    after = [(done - sent, outcome) for sent, done, outcome in samples if done >= back]
    errors_after = sorted(
        {str(o) for _sent, done, o in samples if done >= back + GRACE and failed(o)}
    )
    last_error = max((done for _s, done, o in samples if failed(o)), default=None)
    result = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": args.mode,
        "servers": args.servers,
        "clients": args.clients,
        "extra_env": args.env,
        "down_seconds": round(back - down, 2) if back != float("inf") else None,
        "stopped_at_sessions_after_seconds": (
            round(watch.exceeded_after, 1) if watch.exceeded_after is not None else None
        ),
        "peak_sessions": watch.peak,
        "phases": table,
        "last_error_after_back_seconds": (
            round(last_error - back, 2) if last_error is not None and last_error >= back else None
        ),
        "error_kinds_after_grace": errors_after,
        "slowest_answer_after_back_seconds": round(max((t for t, _o in after), default=0), 2),
        "statuses": {str(k): v for k, v in _count(o for _s, _d, o in samples).items()},
        "sessions_at_end": sessions_at_end,
        "too_many_clients_in_server_output": too_many,
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    print_result(result)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    return 1 if table["after"]["errors"] or watch.exceeded_after is not None else 0


def _count(outcomes: Any) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: str(item[0])))


def print_result(result: dict[str, Any]) -> None:
    print(
        f"\n{result['mode']}: down {result['down_seconds']} s; {result['servers']} processes, "
        f"{result['clients']} clients"
    )
    for name, row in result["phases"].items():
        print(f"  {name:<7} requests {row['requests']:>5}   errors {row['errors']:>4}")
    print(f"last error after back: {result['last_error_after_back_seconds']} s")
    print(f"slowest answer after back: {result['slowest_answer_after_back_seconds']} s")
    print(f"answers: {result['statuses']}")
    print(
        f"sessions of the database: peak {result['peak_sessions']}, "
        f"at the end {result['sessions_at_end']}"
    )
    print(
        f"'too many clients' in the servers' output: {result['too_many_clients_in_server_output']}"
    )
    print(
        f"load average before / after: {result['load_average_before']} / "
        f"{result['load_average_after']}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
