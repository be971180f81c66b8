"""Call signalling capacity of one web process (issue 4, "Speed").

    .venv/bin/python bench/calls.py [--connections 500] [--chats 300]

Builds a throw-away SQLite database in a temporary directory (migrations, one KEP, one
appointment per citizen connection), starts one uvicorn process on 127.0.0.1 serving
KEPlive, then from this process:

1. opens ``--connections`` citizen WebSockets (each with its own appointment's signed join
   link, ten at a time) and keeps them all open, measuring the time from opening the socket
   to the first snapshot, and the server's resident memory (``VmRSS``) before and after:
   connections held, and memory per connection;
2. with one employee (session cookie) and one admitted citizen, sends ``--chats`` chat
   messages one after another and measures the relay time employee → server → citizen.

Everything listens on loopback only; every loop is bounded. Prints a table and writes
var/bench-calls.json. The time from admission to the first video frame needs a browser:
bench/call_media.py.
"""

from __future__ import annotations

import argparse
import asyncio
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10, help="connections opened at once")
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
    script = f"""
import datetime as dt, json
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.utils import timezone
from keplive.booking.links import join_token
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

kep = KepFactory()
category = Category.objects.get(number=1)
service = ServiceFactory()
start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
tokens = []
employees = [EmployeeFactory(kep=kep, availability=False) for _ in range({count} + 1)]
for index in range({count} + 1):
    appointment = Appointment.objects.create(
        status=Status.BOOKED, citizen=CitizenFactory(), kep=kep, employee=employees[index],
        category=category, service=service, starts_at=start,
        ends_at=start + dt.timedelta(minutes=20), blocked_until=start + dt.timedelta(minutes=30),
    )
    tokens.append([str(appointment.reference), join_token(appointment)])
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


async def open_citizens(
    url: str, tokens: list[list[str]], batch: int
) -> tuple[list[Any], list[float]]:
    import websockets

    sockets: list[Any] = []
    times: list[float] = []

    async def one(reference: str, token: str) -> None:
        began = time.perf_counter()
        ws = await websockets.connect(
            f"{url}/ws/calls/{reference}/?link={token}",
            origin=origin_of(url),  # type: ignore[arg-type]
            open_timeout=30,
        )
        while json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] != "snapshot":
            pass
        times.append(time.perf_counter() - began)
        sockets.append(ws)

    for start in range(0, len(tokens), batch):
        await asyncio.gather(*(one(ref, tok) for ref, tok in tokens[start : start + batch]))
    return sockets, times


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="keplive-bench-calls-"))
    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # one process: the in-memory channel layer, as `make run`
    env.update(
        DATABASE_URL=f"sqlite:///{work / 'bench.sqlite3'}",
        KEPLIVE_VAR_DIR=str(work),
        KEPLIVE_DEBUG="0",
        KEPLIVE_SECRET_KEY="bench-" + "x" * 60,
        DJANGO_SETTINGS_MODULE="keplive.config.settings",
        PYTHONPATH=str(ROOT),
    )
    began = time.perf_counter()
    data = build(env, args.connections)
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
        for _ in range(100):  # bounded wait for the server
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)
        before = rss_kib(server.pid)
        result = asyncio.run(_run(url, data, args, server.pid, before))
    finally:
        server.terminate()
        server.wait(timeout=10)
    result["build_seconds"] = round(build_seconds, 1)
    result["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    print_table(result)
    out = ROOT / "var" / "bench-calls.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 0


async def _run(
    url: str, data: dict[str, Any], args: argparse.Namespace, pid: int, before: int
) -> dict[str, Any]:
    tokens = data["tokens"]
    sockets, connect_times = await open_citizens(url, tokens[:-1], args.batch)
    await asyncio.sleep(1)
    after = rss_kib(pid)
    held = len(sockets)
    reference, token = tokens[-1]
    chats = await chat_round_trips(url, reference, token, data["employee_session"], args.chats)
    still_open = sum(1 for ws in sockets if ws.state.name == "OPEN")
    for ws in sockets:
        await ws.close()
    return {
        "connections_held": held,
        "connections_still_open_after_chat": still_open,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_connection": round((after - before) / max(held, 1), 1),
        "connect_to_snapshot_ms": summary(connect_times),
        "chat_relay_ms": summary(chats),
    }


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
    print(
        f"connections held by one process: {result['connections_held']} "
        f"(still open after the chat test: {result['connections_still_open_after_chat']})"
    )
    print(
        f"server memory: {result['rss_before_kib'] / 1024:.1f} MiB before, "
        f"{result['rss_after_kib'] / 1024:.1f} MiB after → "
        f"{result['kib_per_connection']} KiB per connection"
    )
    for name in ("connect_to_snapshot_ms", "chat_relay_ms"):
        figures = result[name]
        print(
            f"{name}: n={figures['n']} p50={figures['p50']} p95={figures['p95']} "
            f"p99={figures['p99']} max={figures['max']}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
