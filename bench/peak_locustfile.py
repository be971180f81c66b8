"""Locust users of the national peak hour (issue 12 item 5): run by bench/peak.py.

    PEAK_SEED=var/prod-peak/peak-seed.json PEAK_RESULTS=… PEAK_STACK_DIR=var/prod-peak \\
    .venv/bin/locust -f bench/peak_locustfile.py --headless --host https://127.0.0.1:PORT \\
        -u USERS -r RATE --run-time SECONDS

The model (docs/CAPACITY.md, "Load test at national peak"), at ``scale`` 1.0:

- **Employee** × 5,000: the workspace open all morning; its page asks
  ``/workspace/upcoming.json`` every 20 s with the last ETag (304 unless the day changed,
  workspace.js), and one in 45 polls the employee opens the day page (``/workspace/``): one
  other staff page a quarter hour each.
- **Citizen** × 160: visit after visit, each with a new citizen — the home page, the catalogue
  (``/services/``, one visit in three), the wizard (categories, services, the KEPs), two KEPs'
  months, a day's free times; two visits in five book (hold, details, confirm), thinking 2–8 s
  between pages (a visit lasts ~36 s): ~4.5 visits/s, ~33 pages/s and ~1.8 bookings/s.
- **ApiClient** × 50: the public API, one call every 5 s (~10/s): earliest free times, services.
- **Administrator** × 20: the national dashboard once a minute.
- **CallPair** × 500: a call in progress — the employee's and the citizen's WebSockets on
  ``/ws/calls/<reference>/`` (through nginx, on whichever web process), as call.js does it:
  knock, admit, the offer/answer and four ICE candidates each way, then both sides ping every
  15 s, and one chat message a minute.

Sessions are minted server-side by bench/peak_seed.py (as a real sign-in, second factor
included, makes them: see there); nobody types a password here. TLS: the stack's self-signed
certificate is trusted (requests, websocket-client); geventhttpclient does not check it
(``insecure``, loopback only).

At the end of the run (``test_stop``) the measured window — from ``PEAK_SETTLE`` (30) seconds
after every user is spawned (stats reset then) to the end — goes to ``PEAK_RESULTS`` (JSON):
per name requests, failures, p50/p95/p99, and the CPU (utime + stime from /proc) of the stack's
processes over the same window: web processes, worker, nginx, Redis, PostgreSQL's backends of
the stack's database, and Locust itself; and how much of the window the busiest thread of each
Python process was running or waiting for a core (/proc/<pid>/task/*/schedstat).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import gevent
import websocket
from gevent.queue import Empty, Queue
from locust import FastHttpUser, HttpUser, User, constant_pacing, events, task

SEED: dict[str, Any] = json.loads(Path(os.environ["PEAK_SEED"]).read_text())
STACK_DIR = Path(os.environ.get("PEAK_STACK_DIR", "var/prod-peak"))
RESULTS = Path(os.environ.get("PEAK_RESULTS", str(STACK_DIR / "peak-locust.json")))
SCALE = float(SEED["scale"])
CERT = str(STACK_DIR / "tls" / "cert.pem")
TICKS = os.sysconf("SC_CLK_TCK")


def scaled(count: int) -> int:
    return max(1, round(count * SCALE))


_employees = itertools.cycle(SEED["employees"])
_citizens = itertools.cycle(SEED["citizens"])
_admins = itertools.cycle(SEED["administrators"])
_calls = iter(SEED["calls"])
SERVICE = SEED["service"]
KEPS: list[str] = SEED["keps"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DAY = re.compile(r'href="([^"]*day=[^"]+)"')
TIME = re.compile(r'name="starts_at" value="([^"]+)"')


# --- HTTP users ---------------------------------------------------------------------------------


class Employee(FastHttpUser):
    fixed_count = scaled(5000)
    wait_time = constant_pacing(20)  # workspace.js polls every 20 s

    def on_start(self) -> None:
        self.cookie = f"sessionid={next(_employees)}"
        self.etag = ""
        gevent.sleep(random.uniform(0, 20))  # pages opened at different moments

    @task
    def poll(self) -> None:
        headers = {"Cookie": self.cookie}
        if self.etag:
            headers["If-None-Match"] = self.etag
        name = "employee poll (304)" if self.etag else "employee poll (first, 200)"
        with self.client.get(
            "/workspace/upcoming.json", headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code == 200:
                self.etag = response.headers.get("ETag", "")
                response.success()
            elif response.status_code == 304:
                response.success()
            else:
                response.failure(f"{response.status_code} {response.error or ''}"[:120])
        if random.random() < 1 / 45:  # another staff page: one a quarter hour
            with self.client.get(
                "/workspace/",
                headers={"Cookie": self.cookie},
                name="employee day",
                catch_response=True,
            ) as response:
                if response.status_code != 200 or "/login/" in (response.url or ""):
                    response.failure(f"{response.status_code}")


class Administrator(HttpUser):
    fixed_count = scaled(20)
    wait_time = constant_pacing(60)

    def on_start(self) -> None:
        self.client.verify = CERT
        self.client.trust_env = False
        self.client.cookies.set("sessionid", next(_admins))
        gevent.sleep(random.uniform(0, 60))

    @task
    def dashboard(self) -> None:
        with self.client.get(
            "/administration/dashboard/",
            name="admin dashboard",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class ApiClient(FastHttpUser):
    fixed_count = scaled(50)
    wait_time = constant_pacing(5)

    @task(3)
    def earliest(self) -> None:
        self.client.get(
            f"/api/v1/earliest?category=1&service={SERVICE['code']}&limit=5", name="API earliest"
        )

    @task(1)
    def services(self) -> None:
        self.client.get("/api/v1/services?category=1", name="API services")


class Citizen(HttpUser):
    fixed_count = scaled(160)
    wait_time = constant_pacing(0)  # the visit itself thinks between its pages

    def on_start(self) -> None:
        self.client.verify = CERT
        self.client.trust_env = False
        self.client.headers["Origin"] = self.host or ""
        self.client.headers["Referer"] = f"{self.host}/"
        gevent.sleep(random.uniform(0, 30))

    def think(self) -> None:
        gevent.sleep(random.uniform(2, 8))

    def page(self, path: str, name: str) -> Any:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/login/" in (response.url or ""):
                response.failure(f"{response.status_code} {(response.url or '')[-40:]}")
                raise _VisitOver
            return response

    @task
    def visit(self) -> None:
        self.client.cookies.clear()
        self.client.cookies.set("sessionid", next(_citizens))
        with contextlib.suppress(_VisitOver):
            self._visit()

    def _visit(self) -> None:
        self.page("/", "home")
        self.think()
        if random.random() < 1 / 3:
            self.page("/services/", "services (catalogue)")
            self.think()
        self.page("/book/", "book: categories")
        self.think()
        self.page("/book/1/", "book: services")
        self.think()
        base = f"/book/1/{SERVICE['id']}/"
        self.page(base, "book: KEPs")
        self.think()
        for kep in random.sample(KEPS, 2):
            month = self.page(f"{base}{kep}/", "book: a KEP's month")
            self.think()
        days = [p.replace("&amp;", "&") for p in DAY.findall(month.text)]
        if not days:
            return
        day = self.page(random.choice(days), "book: a day's free times")
        if random.random() >= 0.4:
            return
        self.think()
        self.book(day)

    def book(self, day: Any) -> None:
        times = TIME.findall(day.text)
        token = CSRF.search(day.text)
        if not times or not token:
            return
        with self.client.post(
            day.url,
            data={"csrfmiddlewaretoken": token.group(1), "starts_at": random.choice(times)},
            name="book: hold",
            catch_response=True,
        ) as held:
            if held.status_code != 200:
                held.failure(f"{held.status_code}")
                return
            if "/book/details/" not in (held.url or ""):
                # Someone else took that time first: the page offers the nearest (not an error).
                return
        self.think()
        token = CSRF.search(held.text)
        form = {
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "full_name": "Πολίτης Φόρτου",
            "email": "peak.bench@example.gr",
            "mobile_phone": "6912345678",
            "postal_address": "Ερμού 10, 10563 Αθήνα",
            "id_card_number": "ΑΒ123456",
            "subject": "Πιστοποιητικό",
            "consent": "on",
            "document_kind": "id_card",
            "delivery_method": "email",
            "language": "el",
        }
        with self.client.post(
            held.url, data=form, name="book: confirm", catch_response=True
        ) as done:
            if done.status_code != 200 or "/book/done/" not in (done.url or ""):
                done.failure(f"{done.status_code} {(done.url or '')[-40:]}")


class _VisitOver(Exception):
    pass


# --- The calls ----------------------------------------------------------------------------------


class CallPair(User):
    """One call in progress: the employee's and the citizen's sockets, as call.js uses them."""

    fixed_count = scaled(500)
    wait_time = constant_pacing(15)  # call.js: PING_EVERY_MS

    def on_start(self) -> None:
        self.sockets: list[websocket.WebSocket] = []
        self.call = next(_calls, None)
        if self.call is None:
            return
        gevent.sleep(random.uniform(0, 10))
        origin = (self.host or "").replace("https://", "wss://")
        ws_url = f"{origin}/ws/calls/{self.call['reference']}/"
        self.employee = self._connect(
            "WS employee connect",
            ws_url,
            header=[f"Cookie: sessionid={self.call['employee_session']}"],
        )
        self.citizen = self._connect("WS citizen connect", f"{ws_url}?link={self.call['link']}")
        if self.employee is None or self.citizen is None:
            self.call = None
            return
        began = time.perf_counter()
        ok = self._send(self.citizen, {"type": "knock"}) and self._until(self.employee, "knock")
        ok = ok and self._send(self.employee, {"type": "admit", "role": "citizen"})
        ok = ok and self._until(
            self.citizen, "snapshot", lambda m: m.get("you", {}).get("admitted")
        )
        self._fire("WS knock → admitted", began, None if ok else "not admitted")
        if not ok:
            self.call = None
            return
        # Perfect negotiation: an offer, an answer, four candidates each way.
        self._relay(
            self.employee,
            self.citizen,
            "WS signal relay",
            {
                "type": "signal",
                "to": "citizen",
                "description": {"type": "offer", "sdp": "v=0\r\n" + "a=x\r\n" * 60},
            },
            "signal",
        )
        self._relay(
            self.citizen,
            self.employee,
            "WS signal relay",
            {
                "type": "signal",
                "to": "employee",
                "description": {"type": "answer", "sdp": "v=0\r\n" + "a=y\r\n" * 60},
            },
            "signal",
        )
        for index in range(4):
            line = f"candidate:{index} 1 udp 2122260223 10.0.0.{index} 5{index}000 typ host"
            candidate = {"candidate": line, "sdpMid": "0", "sdpMLineIndex": 0}
            for sender, receiver, to in (
                (self.employee, self.citizen, "citizen"),
                (self.citizen, self.employee, "employee"),
            ):
                self._relay(
                    sender,
                    receiver,
                    "WS signal relay",
                    {"type": "signal", "to": to, "candidate": candidate},
                    "signal",
                )

    @task
    def keep_alive(self) -> None:
        if self.call is None:
            gevent.sleep(15)
            return
        for side, name in (
            (self.employee, "WS ping → pong (employee)"),
            (self.citizen, "WS ping → pong (citizen)"),
        ):
            began = time.perf_counter()
            ok = self._send(side, {"type": "ping"}) and self._until(side, "pong")
            self._fire(name, began, None if ok else "no pong")
        if random.random() < 0.25:  # one chat message a minute
            text = f"μήνυμα {random.randrange(10**6)}"
            self._relay(
                self.employee,
                self.citizen,
                "WS chat relay",
                {"type": "chat", "text": text},
                "chat",
                lambda m: m.get("text") == text,
            )

    def on_stop(self) -> None:
        for ws in self.sockets:
            with contextlib.suppress(Exception):
                ws.close()

    # The socket plumbing: one reader greenlet per socket, messages into a queue.
    def _connect(self, name: str, url: str, header: list[str] | None = None) -> Any:
        began = time.perf_counter()
        try:
            ws = websocket.create_connection(
                url,
                header=header or [],
                origin=self.host,
                timeout=30,
                sslopt={"ca_certs": CERT, "cert_reqs": ssl.CERT_REQUIRED},
            )
        except Exception as error:  # reported as the request's failure
            self._fire(name, began, f"{type(error).__name__}: {error}")
            return None
        ws.inbox = Queue()  # type: ignore[attr-defined]
        self.sockets.append(ws)
        gevent.spawn(self._read, ws)
        ok = self._until(ws, "snapshot")
        self._fire(name, began, None if ok else "no snapshot")
        return ws if ok else None

    @staticmethod
    def _read(ws: Any) -> None:
        while True:
            try:
                text = ws.recv()
            except Exception:  # the socket closed
                ws.inbox.put(None)
                return
            if not text:
                ws.inbox.put(None)
                return
            ws.inbox.put(json.loads(text))

    def _send(self, ws: Any, message: dict[str, Any]) -> bool:
        try:
            ws.send(json.dumps(message))
        except Exception:  # the caller reports it
            return False
        return True

    @staticmethod
    def _until(ws: Any, kind: str, check: Any = None, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = ws.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
            except Empty:
                return False
            if message is None:
                return False
            if message.get("type") == "error":
                return False
            if message.get("type") == kind and (check is None or check(message)):
                return True

    def _relay(
        self,
        sender: Any,
        receiver: Any,
        name: str,
        message: dict[str, Any],
        kind: str,
        check: Any = None,
    ) -> None:
        began = time.perf_counter()
        ok = self._send(sender, message) and self._until(receiver, kind, check)
        self._fire(name, began, None if ok else f"{kind} not relayed")

    def _fire(self, name: str, began: float, error: str | None) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - began) * 1000,
            response_length=0,
            exception=RuntimeError(error) if error else None,
            context={},
        )


# --- CPU of the stack, over the measured window --------------------------------------------------


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _threads(pid: int) -> dict[int, tuple[int, int]]:
    """Each thread's (ns on a CPU, ns waiting for one: runnable but not running), from
    /proc/<pid>/task/<tid>/schedstat."""
    found = {}
    for task_dir in Path(f"/proc/{pid}/task").glob("*"):
        try:
            running, waiting = (task_dir / "schedstat").read_text().split()[:2]
        except (OSError, ValueError):
            continue
        found[int(task_dir.name)] = (int(running), int(waiting))
    return found


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task_dir in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task_dir / "children").read_text().split()]
        except OSError:
            continue
    return found


def _stack_processes() -> dict[str, list[int]]:
    processes: dict[str, list[int]] = {}
    for path in sorted((STACK_DIR / "run").glob("*.pid")):
        pid = int(json.loads(path.read_text())["pid"])
        processes[path.stem] = [pid, *_children(pid)] if path.stem == "nginx" else [pid]
    processes["postgresql (the stack's backends)"] = _postgres_backends()
    processes["locust (load generator)"] = [os.getpid()]
    return processes


def _postgres_backends() -> list[int]:
    env = dict(
        line.split("=", 1)
        for line in (STACK_DIR / "keplive.env").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    url = env["DATABASE_URL"].strip('"')
    database = url.rsplit("/", 1)[1]
    query = f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'"  # noqa: S608
    try:
        done = subprocess.run(  # noqa: S603
            ["psql", "-tA", url, "-c", query],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except subprocess.TimeoutExpired:  # an overloaded machine: PostgreSQL's CPU goes unread
        return []
    return [int(line) for line in done.stdout.split() if line.strip().isdigit()]


_window: dict[str, Any] = {}


def _snapshot() -> dict[str, dict[int, float]]:
    return {name: {pid: _cpu(pid) for pid in pids} for name, pids in _stack_processes().items()}


def _thread_snapshot() -> dict[str, dict[int, tuple[int, int]]]:
    return {
        name: _threads(pids[0])
        for name, pids in _stack_processes().items()
        if name.startswith(("web", "worker", "locust"))
    }


# The window starts this long after the last user is spawned: the users' random start offsets
# (up to 20 s) and the calls' set-up are over by then.
SETTLE_SECONDS = float(os.environ.get("PEAK_SETTLE", "30"))


# If spawning has not finished by then (an overloaded machine: Locust starved too), the window
# starts anyway at this many seconds after the start, with the users spawned so far (reported).
LATEST_START_SECONDS = float(os.environ.get("PEAK_LATEST_START", "120"))


@events.spawning_complete.add_listener
def _measure_soon(user_count: int, **_: Any) -> None:
    gevent.spawn_later(SETTLE_SECONDS, _measure_from_here, user_count)


@events.test_start.add_listener
def _measure_at_the_latest(environment: Any, **_: Any) -> None:
    def start() -> None:
        if "started" not in _window:
            _window["spawning_unfinished"] = True
            _measure_from_here(environment.runner.user_count)

    gevent.spawn_later(LATEST_START_SECONDS, start)


def _measure_from_here(user_count: int) -> None:
    if "started" in _window:
        return
    environment = _environment["env"]
    environment.runner.stats.reset_all()
    _window.update(
        started=time.time(), cpu=_snapshot(), threads=_thread_snapshot(), users=user_count
    )


_environment: dict[str, Any] = {}


@events.init.add_listener
def _keep(environment: Any, **_: Any) -> None:
    _environment["env"] = environment


@events.test_stop.add_listener
def _write_results(environment: Any, **_: Any) -> None:
    if "started" not in _window:
        RESULTS.write_text(json.dumps({"error": "the run ended before every user was spawned"}))
        return
    seconds = time.time() - _window["started"]
    after = _snapshot()
    cpu = {}
    for name, pids in after.items():
        before = _window["cpu"].get(name, {})
        # Processes alive at both ends: their difference; a PostgreSQL backend born during the
        # window: all of its CPU (it started inside the window).
        spent = sum(value - before.get(pid, 0.0) for pid, value in pids.items())
        cpu[name] = {"seconds": round(spent, 2), "cores_busy": round(spent / seconds, 3)}
    # The busiest thread of each Python process: the share of the window it was running, and
    # waiting for a core (runnable, not running); and all its threads' waiting, in cores.
    # Django runs every synchronous view of an ASGI process, and the consumers' database calls,
    # on one thread (asgiref's thread_sensitive executor): that thread is the process's limit.
    for name, threads in _thread_snapshot().items():
        before_threads = _window["threads"].get(name, {})
        shares = []
        for tid, (running, waiting) in threads.items():
            if tid in before_threads:
                ran, waited = running - before_threads[tid][0], waiting - before_threads[tid][1]
                shares.append((ran / 1e9 / seconds, waited / 1e9 / seconds))
        if shares:
            ran_share, waited_share = max(shares)
            cpu[name]["busiest_thread_running"] = round(ran_share, 3)
            cpu[name]["busiest_thread_waiting_for_cpu"] = round(waited_share, 3)
            cpu[name]["threads_waiting_for_cpu"] = round(sum(w for _, w in shares), 3)
    rows = {}
    for entry in environment.runner.stats.entries.values():
        if entry.num_requests == 0 and entry.num_failures == 0:
            continue
        rows[entry.name] = {
            "type": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "per_second": round(entry.num_requests / seconds, 2),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99),
            "max_ms": round(entry.max_response_time or 0, 1),
        }
    errors = [
        {"name": e.name, "method": e.method, "error": str(e.error)[:200], "count": e.occurrences}
        for e in environment.runner.stats.errors.values()
    ]
    RESULTS.write_text(
        json.dumps(
            {
                "measured_seconds": round(seconds, 1),
                "users": _window["users"],
                "spawning_unfinished": _window.get("spawning_unfinished", False),
                "by_name": rows,
                "errors": errors,
                "cpu": cpu,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
