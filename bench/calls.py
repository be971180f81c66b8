"""Call signalling capacity of one web process (issue 4, "Speed"; issue 13, goal 3).

    .venv/bin/python bench/calls.py [--connections 5000] [--hold 600] [--joining 50]
                                    [--join-rounds 3] [--chats 300] [--sqlite] [--no-ping]

Builds a throw-away database (PostgreSQL: ``<database of DATABASE_URL>_bench_calls``, dropped
and created again; or SQLite with ``--sqlite``) with one KEP and one appointment per citizen
connection, starts one uvicorn process on 127.0.0.1 serving KEPlive (``manage.py serve``)
with the Redis channel layer (``REDIS_URL``, default redis://127.0.0.1:6379/15; the in-memory
layer with ``--sqlite``), then from this process:

1. opens ``--connections`` citizen WebSockets (each with its own appointment's signed join
   link, ``--batch`` at a time) and keeps them all open **as the call page does**: each client
   reads every message and sends ``{"type": "ping"}`` every 15 s (static/js/call.js,
   ``PING_EVERY_MS``), because the server closes a peer silent for 45 s
   (``HEARTBEAT_TIMEOUT_SECONDS``). ``--no-ping`` leaves them silent, to show that;
2. measures the server's resident memory (``VmRSS``) before and after: memory per connection;
3. holds them ``--hold`` seconds (at most 900), and ``--join-rounds`` times during the hold
   lets ``--joining`` more citizens join at once, measuring open → first snapshot;
4. with one employee (session cookie) and one admitted citizen, sends ``--chats`` chat
   messages one after another and measures the relay time employee → server → citizen;
5. counts the held connections still open, and why the others closed (close codes).

Everything listens on loopback only; every loop is bounded. Prints a table, writes
var/bench-calls.json and the goals of issue 13 (3) to var/bench-goals/calls.json. The time
from admission to the first video frame needs a browser: bench/call_media.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.goals import write_goals  # noqa: E402

MAX_CONNECTIONS = 10_000
MAX_HOLD_SECONDS = 900
PING_EVERY_SECONDS = 15.0  # static/js/call.js PING_EVERY_MS
# Issue 13, goal 3.
GOAL_CONNECTIONS = 5000
GOAL_HOLD_SECONDS = 600
GOAL_KIB_PER_CONNECTION = 40
GOAL_JOINING = 50
GOAL_JOIN_P95_MS = 100


def bounded(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"between {low} and {high}")
        return value

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=bounded(1, MAX_CONNECTIONS), default=5000)
    parser.add_argument(
        "--hold", type=bounded(0, MAX_HOLD_SECONDS), default=600, help="seconds (≤ 900)"
    )
    parser.add_argument("--joining", type=bounded(1, 500), default=50, help="joining at once")
    parser.add_argument("--join-rounds", type=bounded(1, 10), default=3)
    parser.add_argument("--chats", type=bounded(0, 5000), default=300)
    parser.add_argument("--batch", type=bounded(1, 200), default=10, help="opened at once")
    parser.add_argument(
        "--no-ping", action="store_true", help="clients stay silent (not as the call page)"
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="SQLite and the in-memory channel layer"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://keplive:keplive@127.0.0.1:5432/keplive"),
        help="PostgreSQL server: the bench uses the sibling database <name>_bench_calls",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    )
    return parser.parse_args(argv)


def origin_of(url: str) -> str:
    """The page origin a browser would send: the server's own (the WebSocket origin check)."""
    return url.replace("ws://", "http://", 1).split("/ws/")[0]


def serve_command(port: int) -> list[str]:
    """The web server as `make run` and production start it (manage.py serve)."""
    return [PYTHON, str(ROOT / "manage.py"), "serve", "--port", str(port), "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_server(port: int, seconds: float = 90) -> None:
    """Until the server accepts connections: bounded (a loaded machine starts it slowly)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start within {seconds:.0f} s")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build(env: dict[str, str], count: int) -> dict[str, Any]:
    """Migrate and create the appointments, in a child process with the bench's settings."""
    subprocess.run(  # noqa: S603  (our own interpreter and scripts)
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    # KEPLIVE_DEBUG=0 serves static files from STATIC_ROOT only, as in production.
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # Bulk inserts: 5,000 appointments (each with its own citizen and employee, so that the
    # employees' exclusion constraint lets them share one time) in seconds, not minutes.
    script = f"""
import datetime as dt, json
import django
django.setup()
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.utils import timezone
from keplive.accounts.models import Citizen, Role, User
from keplive.booking.links import join_token
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from keplive.directory.models import Employee
from tests.factories import KepFactory, ServiceFactory, valid_tax_id

count = {count} + 1
kep = KepFactory()
category = Category.objects.get(number=1)
service = ServiceFactory()
start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
unusable = make_password(None)
users = User.objects.bulk_create(
    [User(username=f"bench-e{{i}}", role=Role.EMPLOYEE, password=unusable) for i in range(count)]
    + [User(username=f"bench-c{{i}}", role=Role.CITIZEN, password=unusable) for i in range(count)],
    batch_size=1000,
)
users = list(User.objects.filter(username__startswith="bench-").order_by("pk"))
staff = [u for u in users if u.role == Role.EMPLOYEE]
people = [u for u in users if u.role == Role.CITIZEN]
Employee.objects.bulk_create([Employee(user=u, kep=kep) for u in staff], batch_size=1000)
Citizen.objects.bulk_create(
    [Citizen(user=u, tax_id=valid_tax_id(50_000 + i), first_name="Γιώργος", last_name="Νικολάου")
     for i, u in enumerate(people)],
    batch_size=1000,
)
employees = list(Employee.objects.filter(kep=kep).order_by("pk"))
citizens = list(Citizen.objects.filter(user__username__startswith="bench-c").order_by("pk"))
Appointment.objects.bulk_create(
    [
        Appointment(
            status=Status.BOOKED, citizen=citizens[i], kep=kep, employee=employees[i],
            category=category, service=service, starts_at=start,
            ends_at=start + dt.timedelta(minutes=20),
            blocked_until=start + dt.timedelta(minutes=30),
        )
        for i in range(count)
    ],
    batch_size=1000,
)
appointments = Appointment.objects.filter(kep=kep).select_related("citizen").order_by("pk")
tokens = [[str(a.reference), join_token(a)] for a in appointments]
employee_user = employees[-1].user
session = SessionStore()
session[SESSION_KEY] = str(employee_user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = employee_user.get_session_auth_hash()
# Staff speak in a call only with their second factor given (as after the real sign-in).
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
device = TOTPDevice.objects.create(user=employee_user, name="bench", confirmed=True)
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.create()
print(json.dumps({{"tokens": tokens, "employee_session": session.session_key}}))
"""
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class Holder:
    """One held citizen connection, behaving as the call page: it reads every message and
    pings every ``ping_every`` seconds (None: stays silent). Remembers how it closed."""

    def __init__(self, ws: Any, ping_every: float | None) -> None:
        self.ws = ws
        self.ping_every = ping_every
        self.close_code: int | None = None
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed

        next_ping = time.monotonic() + (self.ping_every or 0)
        try:
            while True:
                if self.ping_every is None:
                    await self.ws.recv()
                    continue
                wait = next_ping - time.monotonic()
                if wait <= 0:
                    await self.ws.send('{"type": "ping"}')
                    next_ping += self.ping_every
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.ws.recv(), wait)
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else 1006
        except asyncio.CancelledError:
            pass

    @property
    def is_open(self) -> bool:
        return self.close_code is None and self.ws.state.name == "OPEN"


async def join(url: str, reference: str, token: str) -> tuple[Any, float]:
    """Open one citizen connection; the seconds from opening the socket to the first snapshot."""
    import websockets

    began = time.perf_counter()
    ws = await websockets.connect(
        f"{url}/ws/calls/{reference}/?link={token}",
        origin=origin_of(url),  # type: ignore[arg-type]
        open_timeout=30,
        ping_interval=None,  # as a browser: no protocol pings of its own (the server sends them)
    )
    for _ in range(20):
        if json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "snapshot":
            return ws, time.perf_counter() - began
    raise RuntimeError("no snapshot")


async def open_citizens(
    url: str, tokens: list[list[str]], batch: int, ping_every: float | None
) -> tuple[list[Holder], list[float], int]:
    holders: list[Holder] = []
    times: list[float] = []
    failed = 0

    async def one(reference: str, token: str) -> None:
        nonlocal failed
        try:
            ws, seconds = await join(url, reference, token)
        except Exception:  # a refused or timed-out connection is counted
            failed += 1
            return
        times.append(seconds)
        holders.append(Holder(ws, ping_every))

    for start in range(0, len(tokens), batch):
        await asyncio.gather(*(one(ref, tok) for ref, tok in tokens[start : start + batch]))
    return holders, times, failed


async def joining_at_once(url: str, tokens: list[list[str]]) -> list[float]:
    """``len(tokens)`` citizens join at the same instant: open → first snapshot of each."""
    results = await asyncio.gather(
        *(join(url, ref, tok) for ref, tok in tokens), return_exceptions=True
    )
    times = []
    for result in results:
        if isinstance(result, BaseException):
            continue
        ws, seconds = result
        times.append(seconds)
        await ws.close()
    return times


async def chat_round_trips(
    url: str, reference: str, token: str, session: str, count: int
) -> list[float]:
    import websockets

    async def until(ws: Any, kind: str, check: Any = None) -> dict[str, Any]:
        for _ in range(200):
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if message["type"] == kind and (check is None or check(message)):
                return message
        raise RuntimeError(f"no {kind}")

    employee = await websockets.connect(
        f"{url}/ws/calls/{reference}/",
        origin=origin_of(url),  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session}"},
        ping_interval=None,
    )
    await until(employee, "snapshot")
    citizen = await websockets.connect(
        f"{url}/ws/calls/{reference}/?link={token}",
        origin=origin_of(url),  # type: ignore[arg-type]
    )
    await until(citizen, "snapshot")
    await citizen.send(json.dumps({"type": "knock"}))
    await until(employee, "knock")
    await employee.send(json.dumps({"type": "admit", "role": "citizen"}))
    await until(citizen, "snapshot", lambda m: m["you"]["admitted"])
    times = []
    for index in range(count):
        began = time.perf_counter()
        await employee.send(json.dumps({"type": "chat", "text": f"μήνυμα {index}"}))
        await until(citizen, "chat", lambda m, i=index: m["text"] == f"μήνυμα {i}")
        times.append(time.perf_counter() - began)
    await employee.close()
    await citizen.close()
    return times


def database_env(args: argparse.Namespace, work: Path) -> tuple[dict[str, str], str]:
    """The server's database and channel layer, and their description."""
    if args.sqlite:
        return {"DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}"}, "SQLite, in-memory layer"
    import psycopg

    base, _, name = args.database_url.rpartition("/")
    bench = f"{name.split('?')[0]}_bench_calls"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{bench}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{bench}"')
    # The bench's own Redis database starts empty, as its PostgreSQL database does: group
    # members an earlier run left behind would otherwise fill the layer's groups ("over
    # capacity") and skew the figures.
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    return (
        {"DATABASE_URL": f"{base}/{bench}", "REDIS_URL": args.redis_url},
        f"PostgreSQL ({bench}), Redis channel layer ({args.redis_url})",
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="keplive-bench-calls-"))
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    backend_env, backend = database_env(args, work)
    env.update(
        backend_env,
        KEPLIVE_VAR_DIR=str(work),
        KEPLIVE_DEBUG="0",
        KEPLIVE_SECRET_KEY="bench-" + "x" * 60,
        DJANGO_SETTINGS_MODULE="keplive.config.settings",
        PYTHONPATH=str(ROOT),
    )
    needed = args.connections + args.joining * args.join_rounds
    began = time.perf_counter()
    data = build(env, needed)
    build_seconds = time.perf_counter() - began
    port = free_port()
    env["KEPLIVE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # the origin its pages have
    server = subprocess.Popen(  # noqa: S603
        serve_command(port),
        cwd=ROOT,
        env=env,
    )
    url = f"ws://127.0.0.1:{port}"
    try:
        wait_for_server(port)
        time.sleep(0.5)
        result = asyncio.run(_run(url, data, args, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["backend"] = backend
    result["build_seconds"] = round(build_seconds, 1)
    result["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    print_table(result)
    out = ROOT / "var" / "bench-calls.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    write_goals("calls", goals(result, args))
    return 0


async def _run(
    url: str, data: dict[str, Any], args: argparse.Namespace, pid: int
) -> dict[str, Any]:
    tokens = data["tokens"]
    held_tokens = tokens[: args.connections]
    join_tokens = tokens[args.connections : -1]
    ping_every = None if args.no_ping else PING_EVERY_SECONDS
    # Warm the server (first imports, first queries) with one connection, as any deployment is.
    ws, _seconds = await join(url, *join_tokens[0])
    await ws.close()
    before = rss_kib(pid)
    opening = time.perf_counter()
    holders, connect_times, refused = await open_citizens(url, held_tokens, args.batch, ping_every)
    opening_seconds = time.perf_counter() - opening
    await asyncio.sleep(2)
    after = rss_kib(pid)
    joins: list[float] = []
    hold_began = time.monotonic()
    for round_ in range(args.join_rounds):
        # Spread over the hold: at its start, …, before its end.
        due = hold_began + args.hold * round_ / args.join_rounds
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        batch = join_tokens[round_ * args.joining : (round_ + 1) * args.joining]
        joins += await joining_at_once(url, batch)
    await asyncio.sleep(max(0.0, hold_began + args.hold - time.monotonic()))
    held_seconds = time.monotonic() - hold_began
    open_after_hold = sum(1 for holder in holders if holder.is_open)
    reference, token = tokens[-1]
    chats = (
        await chat_round_trips(url, reference, token, data["employee_session"], args.chats)
        if args.chats
        else []
    )
    await asyncio.sleep(1)
    still_open = sum(1 for holder in holders if holder.is_open)
    codes: dict[str, int] = {}
    for holder in holders:
        if not holder.is_open:
            codes[str(holder.close_code)] = codes.get(str(holder.close_code), 0) + 1
    for holder in holders:
        holder.task.cancel()
    await asyncio.gather(*(holder.ws.close() for holder in holders), return_exceptions=True)
    return {
        "connections": args.connections,
        "clients_ping": ping_every is not None,
        "connections_held": len(holders),
        "connections_refused": refused,
        "opening_seconds": round(opening_seconds, 1),
        "hold_seconds": round(held_seconds, 1),
        "connections_open_after_hold": open_after_hold,
        "connections_still_open_after_chat": still_open,
        "dropped": args.connections - still_open,
        "close_codes_of_dropped": codes,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_connection": round((after - before) / max(len(holders), 1), 1),
        "connect_to_snapshot_ms": summary(connect_times or [0]),
        "joining_at_once": args.joining,
        "joining_to_first_snapshot_ms": summary(joins or [0]),
        "joining_failed": args.joining * args.join_rounds - len(joins),
        "chat_relay_ms": summary(chats or [0]),
    }


def goals(result: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Issue 13, goal 3: passes only when run at the goal's size, as `make bench` runs it."""
    at_size = (
        args.connections >= GOAL_CONNECTIONS and args.hold >= GOAL_HOLD_SECONDS and not args.no_ping
    )
    production = not args.sqlite
    joins = result["joining_to_first_snapshot_ms"]
    return [
        {
            "goal": "3. Connections held by one process, 0 dropped",
            "figure": (
                f"{result['dropped']} of {result['connections']} dropped after "
                f"{result['hold_seconds']:.0f} s held and {args.chats} chats"
            ),
            "target": f"0 of {GOAL_CONNECTIONS} dropped, {GOAL_HOLD_SECONDS // 60} min",
            "pass": at_size and result["dropped"] == 0,
        },
        {
            "goal": "3. Memory per held connection",
            "figure": f"{result['kib_per_connection']} KiB ({result['connections_held']} held)",
            "target": f"≤ {GOAL_KIB_PER_CONNECTION} KiB",
            "pass": at_size and result["kib_per_connection"] <= GOAL_KIB_PER_CONNECTION,
        },
        {
            "goal": f"3. {args.joining} joining at once → first snapshot, p95",
            "figure": f"{joins['p95']:.0f} ms (n={joins['n']}, {result['backend']})",
            "target": f"≤ {GOAL_JOIN_P95_MS} ms, {GOAL_JOINING} at once, PostgreSQL and Redis",
            "pass": production
            and args.joining >= GOAL_JOINING
            and result["joining_failed"] == 0
            and joins["p95"] <= GOAL_JOIN_P95_MS,
        },
    ]


def summary(seconds: list[float]) -> dict[str, float]:
    ms = [value * 1000 for value in seconds]
    return {
        "n": len(ms),
        "p50": round(statistics.median(ms), 2),
        "p95": round(percentile(ms, 0.95), 2),
        "p99": round(percentile(ms, 0.99), 2),
        "max": round(max(ms), 2),
    }


def print_table(result: dict[str, Any]) -> None:
    print(f"backend: {result['backend']}; clients ping: {result['clients_ping']}")
    print(
        f"connections held by one process: {result['connections_held']} of "
        f"{result['connections']} (refused {result['connections_refused']}, opened in "
        f"{result['opening_seconds']} s); open after {result['hold_seconds']} s held: "
        f"{result['connections_open_after_hold']}; after the chat test: "
        f"{result['connections_still_open_after_chat']}; dropped: {result['dropped']} "
        f"{result['close_codes_of_dropped']}"
    )
    print(
        f"server memory: {result['rss_before_kib'] / 1024:.1f} MiB before, "
        f"{result['rss_after_kib'] / 1024:.1f} MiB after → "
        f"{result['kib_per_connection']} KiB per connection"
    )
    for name in ("connect_to_snapshot_ms", "joining_to_first_snapshot_ms", "chat_relay_ms"):
        figures = result[name]
        print(
            f"{name}: n={figures['n']} p50={figures['p50']} p95={figures['p95']} "
            f"p99={figures['p99']} max={figures['max']}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
