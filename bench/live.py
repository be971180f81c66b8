"""Running KEPlive for real in the benchmarks: a sibling PostgreSQL database with the mixed-load
data set (``tests/mixed_load.py``), uvicorn processes on 127.0.0.1, signed-in HTTP sessions, and
what PostgreSQL says (deadlocks counted in ``pg_stat_database`` and in its log, overlaps).

Used by ``bench/mixed_load.py`` and ``bench/pg_restart.py``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import requests

from bench.database import recreate, with_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_PG_LOG = Path("/var/log/postgresql/postgresql-15-main.log")

PREPARE = """
import json, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from keplive.directory.versioning import mark_directory_changed
from tests.mixed_load import prepare
from tests.staff import totp_device

options = json.loads(sys.argv[1])
prepared = prepare(**options)
# Cached directory snapshots are keyed by ids: make those of an earlier build unreachable.
mark_directory_changed()

def session(user, staff):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if staff:  # signed in with the second factor, as the real login leaves the session
        store[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    store.create()
    return store.session_key

world = prepared.world
print(json.dumps({
    "world": {
        "kep_id": world.kep_id, "kep_code": world.kep_code, "service_code": world.service_code,
        "days": [d.isoformat() for d in world.days], "employee_ids": world.employee_ids,
        "served": world.served, "references": world.references,
    },
    "citizens": [session(u, False) for u in prepared.citizens],
    "employees": [session(u, True) for u in prepared.employees],
    "administrator": session(prepared.administrator, True),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_environment(database_url: str, *, redis_url: str, work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        KEPLIVE_VAR_DIR=str(work),
        KEPLIVE_DEBUG="0",
        KEPLIVE_SECRET_KEY="bench-" + "x" * 60,
        KEPLIVE_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="keplive.config.settings",
        PYTHONPATH=str(ROOT),
        # No worker runs: nothing is queued for delivery on commit.
        KEPLIVE_OUTBOX_DELIVER_ON_COMMIT="0",
        KEPLIVE_SMS_DELIVER_ON_COMMIT="0",
        KEPLIVE_MAX_ACTIVE_BOOKINGS="4",
    )
    env.pop("KEPLIVE_DB_CONN_MAX_AGE", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


@dataclass
class Prepared:
    database_url: str
    env: dict[str, str]
    data: dict[str, Any]
    seconds: float


def prepare_database(
    server_url: str, name: str, *, redis_url: str, options: dict[str, Any]
) -> Prepared:
    """Drop and create ``name`` beside the database of ``server_url``, migrate it, build the
    mixed-load data set and the signed-in sessions (a child process with the bench's settings)."""
    began = time.perf_counter()
    url = with_database(server_url, name)
    work = Path(tempfile.mkdtemp(prefix=f"keplive-{name}-"))
    env = bench_environment(url, redis_url=redis_url, work=work)
    recreate(server_url, name)
    subprocess.run(  # noqa: S603  (our own interpreter and scripts)
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-c", PREPARE, json.dumps(options)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Prepared(database_url=url, env=env, data=data, seconds=time.perf_counter() - began)


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def servers(env: dict[str, str], count: int, *, work: Path) -> Iterator[list[Server]]:
    """``count`` uvicorn processes on 127.0.0.1 (separate processes, separate pools); stopped
    on exit. Each one's output goes to a log file under ``work``."""
    started: list[Server] = []
    try:
        for index in range(count):
            port = free_port()
            log = work / f"uvicorn-{index}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(  # noqa: S603
                    [
                        PYTHON,
                        "-m",
                        "uvicorn",
                        "keplive.config.asgi:application",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(Server(port=port, process=process, log=log))
        for server in started:
            wait_until_serving(server)
        yield started
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)


def wait_until_serving(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"uvicorn exited: {server.log.read_text()[-2000:]}")
        try:
            if requests.get(server.url + "/api/v1/categories", timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"uvicorn on port {server.port} did not answer in {timeout} s")


class HttpSession:
    """``tests.mixed_load.Http`` over HTTP: a session cookie crafted in the database (as the
    login leaves it) and a CSRF cookie sent back in the header, as the pages' script does."""

    def __init__(self, base_url: str, session_key: str, *, timeout: float = 30) -> None:
        self.base_url, self.timeout = base_url, timeout
        self.http = requests.Session()
        token = secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")[:32]
        self.http.headers.update(
            {
                "Cookie": f"sessionid={session_key}; csrftoken={token}",
                "X-CSRFToken": token,
                "Referer": base_url + "/",
            }
        )

    def _answer(self, response: requests.Response) -> tuple[int, Any]:
        if response.headers.get("Content-Type", "").startswith("application/json"):
            try:
                return response.status_code, response.json()
            except ValueError:
                return response.status_code, None
        if response.status_code >= 500:  # a short sample for the report
            return response.status_code, " ".join(response.text.split())[:200]
        return response.status_code, None

    def get(self, path: str) -> tuple[int, Any]:
        return self._answer(
            self.http.get(self.base_url + path, timeout=self.timeout, allow_redirects=False)
        )

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        return self._answer(
            self.http.post(
                self.base_url + path, json=payload, timeout=self.timeout, allow_redirects=False
            )
        )

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, Any]:
        return self._answer(
            self.http.post(
                self.base_url + path, data=data, timeout=self.timeout, allow_redirects=False
            )
        )


# --- What PostgreSQL says ----------------------------------------------------------------


def pg_deadlocks(url: str) -> int:
    """``pg_stat_database.deadlocks`` of the database of ``url`` (a backend reports its count
    when it goes idle or ends: read it after the servers have stopped)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def overlapping_pairs(url: str) -> int:
    from tests.mixed_load import OVERLAPPING_PAIRS_SQL

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(OVERLAPPING_PAIRS_SQL).fetchone()
    return int(row[0]) if row else 0


class PgLog:
    """The PostgreSQL server log from now on, for one database: its deadlocks by cause."""

    def __init__(self, path: Path, database: str) -> None:
        self.path, self.database = path, database
        self.offset = path.stat().st_size if path.exists() else None

    @property
    def readable(self) -> bool:
        return self.offset is not None

    def new_text(self) -> str:
        if self.offset is None:
            return ""
        with self.path.open("rb") as log:
            log.seek(self.offset)
            return log.read().decode("utf-8", "replace")

    def entries(self) -> list[str]:
        """Each log entry of the database (its first line and continuation lines)."""
        entries: list[str] = []
        keep = False
        prefix = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
        for line in self.new_text().splitlines():
            if prefix.match(line):
                keep = f"@{self.database} " in line
                if keep:
                    entries.append(line)
            elif keep and entries:
                entries[-1] += "\n" + line
        return entries

    def deadlocks(self, tables: dict[int, str] | None = None) -> Counter[str]:
        """Deadlocks reported for the database, by cause (from the statements involved);
        ``tables`` names the relations the log gives by OID."""
        causes: Counter[str] = Counter()
        entries = self.entries()
        for index, entry in enumerate(entries):
            if "ERROR:  deadlock detected" not in entry:
                continue
            # DETAIL, HINT, CONTEXT and STATEMENT follow as their own entries of that process.
            pid = re.search(r"\[(\d+)\]", entry)
            detail = entry
            for later in entries[index + 1 : index + 6]:
                if pid and f"[{pid.group(1)}]" in later.split(" ERROR:")[0]:
                    detail += "\n" + later
            causes[classify(detail, tables or {})] += 1
        return causes

    def count(self, text: str) -> int:
        return sum(text in entry for entry in self.entries())


def table_names(url: str) -> dict[int, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT oid::int, relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        ).fetchall()
    return {int(oid): str(name) for oid, name in rows}


def classify(detail: str, tables: dict[int, str]) -> str:
    if "advisory lock" in detail:
        return "audit advisory lock"
    if "exclusion constraint" in detail:
        return "exclusion constraint"
    if "FOR KEY SHARE" in detail:
        return "foreign-key check at COMMIT"
    found = re.search(r'while (?:locking|updating|deleting) tuple \S+ in relation "(\w+)"', detail)
    if found:
        return f"row lock on {found.group(1)}"
    by_oid = re.search(r"on tuple \(\d+,\d+\) of relation (\d+)", detail)
    if by_oid:
        return f"row lock on {tables.get(int(by_oid.group(1)), 'relation ' + by_oid.group(1))}"
    return "other"
