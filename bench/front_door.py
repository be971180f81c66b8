"""Free times and bookings through the front door: real HTTP against `manage.py serve` (uvicorn),
on the national data set of bench/run.py. Issue 13, goals 1 and 2.

    make bench        # after bench/run.py has built the data set; or by hand:
    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive \\
        .venv/bin/python bench/front_door.py

It copies the data set (``--bench-db``, built by bench/run.py) into a throw-away sibling database
(``CREATE DATABASE … TEMPLATE``, a few seconds), so the bookings it makes leave the data set as it
was; starts ``--servers`` (2) processes of ``manage.py serve`` on 127.0.0.1, each with its own
connection pool and no Redis (the directory cache is each process's own); and measures, with one
HTTP/1.1 keep-alive connection per client thread:

1. **Free times** on the first process alone, warm (every KEP sampled asked once first): one
   KEP-day (``GET /api/v1/keps/{code}/free-times``) and a month (``…/free-days``), ``--reads``
   sequential requests each; latency at the client (request sent → whole answer read).
2. **Bookings** (``POST /api/v1/bookings``, a time booked directly):
   - the queries one booking makes, counted in a child process with Django's test client
     over a session as the TAXISnet sign-in makes it (``CaptureQueriesContext``: every
     statement Django sends, the session's and the user's reads, BEGIN, any SAVEPOINT and
     RELEASE, COMMIT and what runs after it; the suite's
     tests/booking/test_booking_query_count.py holds the bound);
   - ``--sequential`` bookings one at a time: the server's own time (``Server-Timing: app``,
     the request middleware's clock) and the latency;
   - throughput: ``--clients`` (64) threads, each a citizen of its own, each on KEPs of its own
     (so on distinct times), spread over the processes, for ``--seconds`` (8): bookings/s;
   - a rush: the same clients all on ``--rush-times`` (20) times at 4 KEPs, ``--rush-attempts``
     in all: bookings against refusals (409), their server time, 5xx, and overlapping blocking
     rows of one employee (SQL, through the exclusion constraint's index and each booked row).

Writes var/bench-front-door.json and var/bench-goals/front_door.json (bench/goals.py). Exit 1 on
an overlap or a server error, 2 when the data set is missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench import database, live  # noqa: E402
from bench.goals import write_goals  # noqa: E402

DEFAULT_URL = "postgres://keplive:keplive@127.0.0.1:5432/keplive"
API = "/api/v1"
SERVICE = "bench-information"  # bench/dataset.py's INFO_SERVICE, categories 1 and 3
TARGET_DAY_P95_MS = 5.0
TARGET_MONTH_P95_MS = 20.0
TARGET_QUERIES = 6
TARGET_SERVER_P50_MS = 5.0
TARGET_BOOKINGS_PER_S = 300.0

# In the copy: citizens with sessions, the KEPs, and the queries of a booking counted in-process.
PREPARE = """
import json, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from bench.dataset import rush_citizens
from keplive.accounts.backends import CITIZEN_SESSION_BACKEND
from keplive.booking.selectors import free_times_on
from keplive.catalogue.models import Category
from keplive.catalogue.selectors import service_with_categories
from keplive.directory.selectors import bookable_keps

options = json.loads(sys.argv[1])
citizens = rush_citizens(options["citizens"] + 1)
keps = list(bookable_keps().order_by("code"))

def session(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = CITIZEN_SESSION_BACKEND  # as the TAXISnet sign-in names it
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

# Queries of one booking and one refusal through the API, in this process (the last KEP).
counter = citizens[-1]
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(counter.user, backend=CITIZEN_SESSION_BACKEND)
service = service_with_categories(code=options["service"])
category = Category.objects.get(number=1)
now = timezone.now()
days = [now.date() + __import__("datetime").timedelta(days=k) for k in range(3, 12)]
times = []
for kep in keps[-3:]:
    for day in days:
        slots = free_times_on(kep=kep, service=service, category=category, day=day, now=now)
        times += [(kep.code, s.start.isoformat()) for s in slots]
counts = {"booked": [], "refused": []}
for kep_code, starts_at in times[:12]:
    body = {"kep": kep_code, "service": options["service"], "category": 1, "starts_at": starts_at}
    # The same time again until every employee free at it is taken: then refusals.
    for _attempt in range(8):
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/api/v1/bookings", body, content_type="application/json")
        if answer.status_code not in (201, 409):
            raise SystemExit(f"query count: {answer.status_code} {answer.content[:300]!r}")
        counts["booked" if answer.status_code == 201 else "refused"].append(len(queries))
        if answer.status_code == 409:
            break
print(json.dumps({
    "citizens": [session(c.user) for c in citizens[:-1]],
    "keps": [k.code for k in keps],
    "query_counts": counts,
}))
"""

# ``--free-times-only``: the KEPs, no sessions, no bookings.
KEPS_ONLY = """
import json
import django
django.setup()
from keplive.directory.selectors import bookable_keps
keps = [k.code for k in bookable_keps().order_by("code")]
print(json.dumps({"citizens": [], "keps": keps, "query_counts": {"booked": [], "refused": []}}))
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bench-db", default="keplive_bench", help="the data set of bench/run.py")
    parser.add_argument("--copy-db", default=None, help="the throw-away copy (<bench-db>_front)")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--reads", type=int, default=300, help="requests per free-times metric")
    parser.add_argument("--sequential", type=int, default=100, help="bookings one at a time")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the throughput run")
    parser.add_argument("--rush-attempts", type=int, default=640)
    parser.add_argument("--rush-times", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--keep", action="store_true", help="keep the copy afterwards")
    parser.add_argument(
        "--free-times-only",
        action="store_true",
        help="goal 1 only: the free times, no bookings (no goals file is written)",
    )
    args = parser.parse_args(argv)
    args.copy_db = args.copy_db or f"{args.bench_db}_front"
    return args


# --- HTTP, one keep-alive connection per thread --------------------------------------------


class Client:
    def __init__(self, port: int, session_key: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Host": "127.0.0.1", "Accept": "application/json"}
        if session_key:
            token = "b" * 32
            self.headers |= {
                "Cookie": f"sessionid={session_key}; csrftoken={token}",
                "X-CSRFToken": token,
                "Referer": f"http://127.0.0.1:{port}/",
                "Content-Type": "application/json",
            }

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes, float, float]:
        """Status, body, client latency (ms) and the server's own time (ms; nan when absent)."""
        data = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=self.headers)
            response = self.conn.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            raise
        latency = (time.perf_counter() - started) * 1000
        return response.status, content, latency, server_ms(response.getheader("Server-Timing"))


def server_ms(header: str | None) -> float:
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name == "app":
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key == "dur":
                    return float(value)
    return float("nan")


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def stats(values: list[float]) -> dict[str, float | int | None]:
    values = [v for v in values if v == v]  # no nan
    if len(values) < 2:
        return {"n": len(values), "p50": values[0] if values else None, "p95": None, "p99": None}
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), 2),
        "p95": round(percentile(values, 95), 2),
        "p99": round(percentile(values, 99), 2),
    }


# --- The run ----------------------------------------------------------------------------------


def copy_database(admin_url: str, source: str, target: str) -> float:
    began = time.perf_counter()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    return time.perf_counter() - began


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serve(env: dict[str, str], count: int, work: Path) -> list[tuple[int, subprocess.Popen[bytes]]]:
    started = []
    for index in range(count):
        port = live.free_port()
        with (work / f"serve-{index}.log").open("wb") as out:
            process = subprocess.Popen(  # noqa: S603  (our own interpreter and manage.py)
                [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append((port, process))
    for port, process in started:
        server = live.Server(port=port, process=process, log=work / "serve.log")
        live.wait_until_serving(server)
    return started


def stop(servers: list[tuple[int, subprocess.Popen[bytes]]]) -> None:
    for _port, process in servers:
        process.terminate()
    for _port, process in servers:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def working_days(port: int, kep: str) -> list[dt.date]:
    """The days with free times over the horizon, as the API says (this month and the next)."""
    client = Client(port)
    today = dt.datetime.now(dt.UTC).date()
    months = [today.replace(day=1), (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)]
    days: list[dt.date] = []
    for month in months:
        query = urlencode({"service": SERVICE, "category": 1, "month": f"{month:%Y-%m}"})
        status, body, _l, _s = client.request("GET", f"{API}/keps/{kep}/free-days?{query}")
        if status != 200:
            raise RuntimeError(f"free-days answered {status}: {body[:300]!r}")
        days += [dt.date.fromisoformat(d) for d in json.loads(body)["days"]]
    # Leave out the first two (the notice) and keep a margin at the end of the horizon.
    return [d for d in days if d >= today + dt.timedelta(days=2)][:-1]


def grid_times(day: dt.date) -> list[str]:
    """Category 1's grid, 08:00 … 14:00 every 30 minutes, Athens time, as the API takes it."""
    from zoneinfo import ZoneInfo

    athens = ZoneInfo("Europe/Athens")
    first = dt.datetime.combine(day, dt.time(8, 0), tzinfo=athens)
    return [(first + dt.timedelta(minutes=30 * k)).isoformat() for k in range(13)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux): less noisy than latency on a
    shared machine, since waiting for a core is not counted."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_metric(
    port: int, paths: list[str], warm: list[str], pid: int | None = None
) -> dict[str, Any]:
    client = Client(port)
    for path in warm:
        status, body, _l, _s = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
    latencies, server = [], []
    cpu_before = cpu_seconds(pid) if pid else 0.0
    for path in paths:
        status, body, latency, app = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
        latencies.append(latency)
        server.append(app)
    result = {"latency_ms": stats(latencies), "server_ms": stats(server)}
    if pid and paths:
        result["server_cpu_ms_per_request"] = round(
            (cpu_seconds(pid) - cpu_before) * 1000 / len(paths), 2
        )
    return result


def book(client: Client, kep: str, starts_at: str) -> tuple[int, float, float]:
    body = {"kep": kep, "service": SERVICE, "category": 1, "starts_at": starts_at}
    status, _content, latency, app = client.request("POST", f"{API}/bookings", body)
    return status, latency, app


def run_threads(
    ports: list[int],
    sessions: list[str],
    work: list[list[tuple[str, str]]],
    *,
    seconds: float | None,
) -> tuple[list[tuple[int, float, float]], float, list[str]]:
    """Each thread books its own list in order (until ``seconds`` run out); all start together."""
    results: list[tuple[int, float, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(work) + 1)
    deadline: list[float] = [0.0]

    def worker(index: int) -> None:
        client = Client(ports[index % len(ports)], sessions[index])
        mine = []
        barrier.wait()
        for kep, starts_at in work[index]:
            if seconds is not None and time.perf_counter() > deadline[0]:
                break
            try:
                mine.append(book(client, kep, starts_at))
            except (http.client.HTTPException, OSError) as error:
                with lock:
                    errors.append(type(error).__name__)
                client = Client(ports[index % len(ports)], sessions[index])
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(work))]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + (seconds or 0)
    barrier.wait()
    for thread in threads:
        thread.join(timeout=(seconds or 0) + 120)
    return results, time.perf_counter() - began, errors


OVERLAPS_SQL = """
    SELECT count(*) FROM booking_appointment a
     WHERE a.citizen_id = ANY(%s) AND a.status IN ('held', 'booked')
       AND EXISTS (
           SELECT 1 FROM booking_appointment b
            WHERE b.employee_id = a.employee_id AND b.id <> a.id
              AND b.status IN ('held', 'booked')
              AND tstzrange(b.starts_at, b.blocked_until, '[)')
                  && tstzrange(a.starts_at, a.blocked_until, '[)'))
"""


def overlaps(url: str, prefix: str) -> tuple[int, int]:
    """Blocking rows of the bench's citizens that overlap another of the same employee, and
    how many rows the bench's citizens hold."""
    with psycopg.connect(url, autocommit=True) as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT c.id FROM accounts_citizen c JOIN accounts_user u ON u.id = c.user_id"
                " WHERE u.username LIKE %s",
                [prefix + "%"],
            ).fetchall()
        ]
        found = conn.execute(OVERLAPS_SQL, [ids]).fetchone()
        rows = conn.execute(
            "SELECT count(*) FROM booking_appointment WHERE citizen_id = ANY(%s)"
            " AND status IN ('held', 'booked')",
            [ids],
        ).fetchone()
    return int(found[0]) if found else -1, int(rows[0]) if rows else -1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    bench_url = database.with_database(admin_url, args.bench_db)
    if not database.read_meta(bench_url):
        print(f"No data set in {args.bench_db}: run bench/run.py first.", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    began = time.perf_counter()
    copy_seconds = copy_database(admin_url, args.bench_db, args.copy_db)
    copy_url = database.with_database(admin_url, args.copy_db)
    work_dir = Path(tempfile.mkdtemp(prefix="keplive-front-door-"))
    env = live.bench_environment(copy_url, redis_url="", work=work_dir)
    env["KEPLIVE_MAX_ACTIVE_BOOKINGS"] = "1000000"  # each client books many times
    print(f"Copied {args.bench_db} in {copy_seconds:.1f} s; migrating, sessions …", flush=True)
    # The data set may have been built by an earlier version (bench/run.py --reuse).
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    script = KEPS_ONLY if args.free_times_only else PREPARE
    prepared = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, json.dumps({"citizens": args.clients, "service": SERVICE})],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if prepared.returncode != 0:
        print(prepared.stderr[-3000:], file=sys.stderr)
        drop_database(admin_url, args.copy_db)
        return 2
    data = json.loads(prepared.stdout.strip().splitlines()[-1])
    sessions, keps = data["citizens"], data["keps"][:-3]  # the last 3: the query count's
    counts = data["query_counts"]
    rng = random.Random(args.seed)
    results: dict[str, Any] = {"query_counts": counts}
    servers = serve(env, args.servers, work_dir)
    ports = [port for port, _process in servers]
    try:
        days = working_days(ports[0], keps[0])
        print(f"{len(keps)} KEPs, {len(days)} days with free times; free times …", flush=True)

        # 1. Free times, one process, warm.
        def day_path(kep: str, day: dt.date) -> str:
            query = urlencode({"service": SERVICE, "category": 1, "date": day.isoformat()})
            return f"{API}/keps/{kep}/free-times?{query}"

        def month_path(kep: str, day: dt.date) -> str:
            query = urlencode({"service": SERVICE, "category": 1, "month": f"{day:%Y-%m}"})
            return f"{API}/keps/{kep}/free-days?{query}"

        draws = [(rng.choice(keps), rng.choice(days)) for _ in range(args.reads)]
        warm = [day_path(k, days[0]) for k in sorted({k for k, _d in draws})]
        pid = servers[0][1].pid
        day_paths = [day_path(k, d) for k, d in draws]
        results["free_times_day"] = read_metric(ports[0], day_paths, warm, pid)
        print(f"  KEP-day: {results['free_times_day']}", flush=True)
        month_paths = [month_path(k, d) for k, d in draws]
        results["free_days_month"] = read_metric(ports[0], month_paths, [], pid)
        print(f"  month: {results['free_days_month']}", flush=True)
        if args.free_times_only:
            return free_times_only(results, load_before, began)

        # 2a. Bookings one at a time (KEPs of their own: the first ones).
        slots_by_kep = {kep: [(kep, t) for d in days for t in grid_times(d)] for kep in keps}
        client = Client(ports[0], sessions[0])
        sequential_keps = keps[: max(1, args.sequential // 13 + 1)]
        queue = [pair for kep in sequential_keps for pair in slots_by_kep[kep][:13]]
        seq = [book(client, kep, t) for kep, t in queue[: args.sequential]]
        # ... and the same times again, one at a time, until every employee free at each is
        # taken: the 409s are refusals.
        seq_refused = []
        for kep, t in queue[: args.sequential]:
            for _attempt in range(8):
                seq_refused.append(book(client, kep, t))
                if seq_refused[-1][0] != 201:
                    break
        results["sequential"] = {
            "statuses": dict(Counter(s for s, _l, _a in seq)),
            "server_ms": stats([a for s, _l, a in seq if s == 201]),
            "latency_ms": stats([lat for s, lat, _a in seq if s == 201]),
            "refused_statuses": dict(Counter(s for s, _l, _a in seq_refused)),
            "refused_server_ms": stats([a for s, _l, a in seq_refused if s == 409]),
        }
        print(f"  one at a time: {results['sequential']}", flush=True)

        # 2b. Throughput: each client its own KEPs, so distinct times.
        rest = keps[len(sequential_keps) : -8]
        per_client: list[list[tuple[str, str]]] = [[] for _ in range(args.clients)]
        for index, kep in enumerate(rest):
            per_client[index % args.clients] += slots_by_kep[kep]
        for queue_of_client in per_client:
            rng.shuffle(queue_of_client)
        got, wall, transport = run_threads(ports, sessions, per_client, seconds=args.seconds)
        statuses = Counter(s for s, _l, _a in got)
        results["throughput"] = {
            "clients": args.clients,
            "servers": args.servers,
            "wall_seconds": round(wall, 2),
            "statuses": dict(statuses),
            "bookings_per_second": round(statuses[201] / wall, 1),
            "latency_ms": stats([lat for _s, lat, _a in got]),
            "server_ms": stats([a for _s, _l, a in got]),
            "transport_errors": transport,
        }
        print(f"  throughput: {results['throughput']}", flush=True)

        # 2c. The rush: everyone on the same few times.
        rush_keps = keps[-8:-4]
        per_kep = max(1, args.rush_times // len(rush_keps))
        targets = [pair for kep in rush_keps for pair in slots_by_kep[kep][13 : 13 + per_kep]]
        attempts = [rng.choice(targets) for _ in range(args.rush_attempts)]
        rush_work = [attempts[i :: args.clients] for i in range(args.clients)]
        got, wall, transport = run_threads(ports, sessions, rush_work, seconds=None)
        statuses = Counter(s for s, _l, _a in got)
        overlapping, rows = overlaps(copy_url, "bench-rush-")
        results["rush"] = {
            "attempts": len(attempts),
            "targets": len(targets),
            "wall_seconds": round(wall, 2),
            "statuses": dict(statuses),
            "booked_server_ms": stats([a for s, _l, a in got if s == 201]),
            "refused_server_ms": stats([a for s, _l, a in got if s == 409]),
            "booked_latency_ms": stats([lat for s, lat, _a in got if s == 201]),
            "refused_latency_ms": stats([lat for s, lat, _a in got if s == 409]),
            "transport_errors": transport,
            "overlapping_rows": overlapping,
            "blocking_rows_of_the_bench": rows,
        }
        print(f"  rush: {results['rush']}", flush=True)
    finally:
        stop(servers)
        if not args.keep:
            drop_database(admin_url, args.copy_db)
    server_errors = sum(
        n
        for part in ("throughput", "rush")
        for status, n in results.get(part, {}).get("statuses", {}).items()
        if int(status) >= 500
    ) + sum(n for s, n in results["sequential"]["statuses"].items() if int(s) >= 500)
    results.update(
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in os.getloadavg()],
        total_seconds=round(time.perf_counter() - began, 1),
        server_errors=server_errors,
    )
    goals = make_goals(results)
    write_goals("front_door", goals)
    out = Path(os.environ.get("KEPLIVE_VAR_DIR") or ROOT / "var") / "bench-front-door.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**results, "goals": goals}, indent=2) + "\n", encoding="utf-8")
    print(
        f"Front door: {results['total_seconds']:.0f} s; load {load_before[0]:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after. Written to {out}."
    )
    fatal = results["rush"]["overlapping_rows"] != 0 or server_errors
    return 1 if fatal else 0


def free_times_only(results: dict[str, Any], load_before: tuple[float, ...], began: float) -> int:
    """Goal 1 alone (``--free-times-only``): printed and written to var/bench-free-times.json,
    not to the goals table (which wants both goals' rows)."""
    results.update(
        load_before=[round(x, 2) for x in load_before],
        load_after=[round(x, 2) for x in os.getloadavg()],
        total_seconds=round(time.perf_counter() - began, 1),
    )
    out = Path(os.environ.get("KEPLIVE_VAR_DIR") or ROOT / "var") / "bench-free-times.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for name in ("free_times_day", "free_days_month"):
        latency = results[name]["latency_ms"]
        cpu = results[name].get("server_cpu_ms_per_request")
        print(
            f"{name}: p50 {_ms(latency['p50'])}, p95 {_ms(latency['p95'])}, n {latency['n']}, "
            f"server CPU {_ms(cpu)} per request"
        )
    print(f"load {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after. Written to {out}.")
    return 0


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:,.1f} ms"


def make_goals(r: dict[str, Any]) -> list[dict[str, Any]]:
    day, month = r["free_times_day"]["latency_ms"], r["free_days_month"]["latency_ms"]
    booked_q = r["query_counts"]["booked"]
    refused_q = r["query_counts"]["refused"]
    seq, thr, rush = r["sequential"], r["throughput"], r["rush"]
    rush_booked = rush["booked_server_ms"]["p50"]
    rush_refused = rush["refused_server_ms"]["p50"]
    rush_5xx = sum(n for s, n in rush["statuses"].items() if int(s) >= 500)
    return [
        {
            "goal": "1. free times over HTTP, one KEP-day, p95",
            "figure": _ms(day["p95"]) + f" (p50 {_ms(day['p50'])}, n {day['n']})",
            "target": f"≤ {TARGET_DAY_P95_MS:g} ms",
            "pass": day["p95"] is not None and day["p95"] <= TARGET_DAY_P95_MS,
        },
        {
            "goal": "1. free times over HTTP, month view, p95",
            "figure": _ms(month["p95"]) + f" (p50 {_ms(month['p50'])}, n {month['n']})",
            "target": f"≤ {TARGET_MONTH_P95_MS:g} ms",
            "pass": month["p95"] is not None and month["p95"] <= TARGET_MONTH_P95_MS,
        },
        {
            "goal": "2. queries per booking (API POST, warm cache)",
            "figure": f"{statistics.median(booked_q):g} (cold cache {max(booked_q)}; a refusal "
            f"{statistics.median(refused_q) if refused_q else '-'})",
            "target": f"≤ {TARGET_QUERIES}",
            "pass": bool(booked_q) and statistics.median(booked_q) <= TARGET_QUERIES,
        },
        {
            "goal": "2. booking over HTTP, server time p50",
            "figure": _ms(seq["server_ms"]["p50"]) + f" (n {seq['server_ms']['n']})",
            "target": f"≤ {TARGET_SERVER_P50_MS:g} ms",
            "pass": seq["server_ms"]["p50"] is not None
            and seq["server_ms"]["p50"] <= TARGET_SERVER_P50_MS,
        },
        {
            "goal": f"2. bookings/s, {thr['servers']} processes, {thr['clients']} clients",
            "figure": f"{thr['bookings_per_second']:,.1f}/s ({thr['statuses']})",
            "target": f"≥ {TARGET_BOOKINGS_PER_S:g}/s",
            "pass": thr["bookings_per_second"] >= TARGET_BOOKINGS_PER_S,
        },
        {
            "goal": "2. rush: a refusal costs less than a booking (server p50)",
            "figure": f"refused {_ms(rush_refused)}, booked {_ms(rush_booked)}",
            "target": "refused < booked",
            "pass": rush_booked is not None
            and rush_refused is not None
            and rush_refused < rush_booked,
        },
        {
            "goal": "2. rush: 0 overlaps, 0 server errors",
            "figure": f"{rush['overlapping_rows']} overlapping, {rush_5xx} 5xx, "
            f"{len(rush['transport_errors'])} broken connections ({rush['statuses']})",
            "target": "0 and 0",
            "pass": rush["overlapping_rows"] == 0
            and rush_5xx == 0
            and not rush["transport_errors"]
            and r["server_errors"] == 0,
        },
    ]


if __name__ == "__main__":
    sys.exit(main())
