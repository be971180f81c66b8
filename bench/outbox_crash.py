"""A worker killed mid-delivery loses no mail (issue 11, finding 5).

    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/outbox_crash.py [--messages 200] [--kills 10]

Runs the real thing on 127.0.0.1: the SMTP stand-in (``manage.py run_mail_standin``, slowed down
with ``--delay`` so that a kill lands mid-send) and the Huey worker (``manage.py run_huey``, as
scripts/run-dev starts it) on PostgreSQL and Redis, each a child process. It queues
``--messages`` emails, then ``--kills`` times waits for some progress and kills the worker with
SIGKILL at a random moment, noting which messages the kill left ``sending``, and starts it again.
Then it waits (at most ``--timeout`` seconds) until every message is sent and counts, from the
stand-in's index (one line per message received, with its Message-ID):

- delivered: messages received at least once; lost: messages never received;
- duplicates: messages received more than once — each must be one a kill interrupted mid-send
  (sent again with the same Message-ID after its lease ran out).

The worker's periodic task runs only once a minute; this script stands in for that clock and
enqueues the same delivery task every half second (``tick``), so the run takes seconds, not
minutes. The lease is shortened the same way (``--lease-minutes``).

DATABASE_URL names the server; the run uses a sibling database, ``keplive_outbox_crash``
(``--bench-db``), dropped and created afresh. REDIS_URL's queue is flushed before and after.
Exit status 1 when a message was lost or a duplicate is not explained by a kill.

``CrashRig`` is also the apparatus of the short version in tests/notifications/test_crash.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
DEFAULT_URL = "postgres://keplive:keplive@127.0.0.1:5432/keplive"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, seconds: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@dataclass
class Figure:
    """What one run delivered. Message ids are the messages' public ids."""

    messages: int
    kills: int
    seconds: float
    delivered: int  # received at least once
    lost: int  # never received
    received: int  # copies received in all
    statuses: dict[str, int]
    # Per kill: the messages it left "sending" (interrupted mid-send).
    interrupted_by_kill: list[list[str]] = field(default_factory=list)
    # Messages received more than once, with how many copies.
    duplicates: dict[str, int] = field(default_factory=dict)
    # Duplicates of messages no kill interrupted (must stay empty).
    unexplained_duplicates: list[str] = field(default_factory=list)
    interruptions_recorded: int = 0  # the outbox's own count (OutboxMessage.interruptions)
    # Messages the outbox took back after their lease ran out (interruptions > 0).
    recorded_interrupted: list[str] = field(default_factory=list)
    attempts: dict[int, int] = field(default_factory=dict)  # attempts -> messages

    @property
    def interrupted(self) -> set[str]:
        return {message for kill in self.interrupted_by_kill for message in kill}

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and not self.unexplained_duplicates
            and self.statuses == {"sent": self.messages}
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["interrupted"] = len(self.interrupted)
        data["ok"] = self.ok
        return data

    def summary(self) -> str:
        interrupted = self.interrupted
        duplicated = set(self.duplicates)
        lines = [
            f"messages queued            {self.messages}",
            f"worker killed (SIGKILL)    {self.kills}",
            f"delivered                  {self.delivered}",
            f"lost                       {self.lost}",
            f"copies received            {self.received}",
            f"duplicates                 {len(self.duplicates)} "
            f"({sum(self.duplicates.values()) - len(self.duplicates)} extra copies)",
            f"interrupted mid-send       {len(interrupted)} "
            f"(of which duplicated: {len(interrupted & duplicated)}, "
            f"received once: {len(interrupted - duplicated)})",
            f"duplicates not interrupted {len(self.unexplained_duplicates)}",
            f"final statuses             {self.statuses}",
            f"interruptions recorded     {self.interruptions_recorded} "
            f"(outbox column; on {len(self.recorded_interrupted)} messages)",
            f"attempts per message       {dict(sorted(self.attempts.items()))}",
            f"wall time                  {self.seconds:.1f} s",
        ]
        for number, kill in enumerate(self.interrupted_by_kill, start=1):
            marks = [f"{m[:8]}{'*' if m in duplicated else ''}" for m in kill]
            lines.append(f"  kill {number:2}: left sending {', '.join(marks) or '(none)'}")
        lines.append("  (* = received twice, same Message-ID)")
        return "\n".join(lines)


class CrashRig:
    """The SMTP stand-in and the Huey worker as child processes on 127.0.0.1, and this process
    queueing mail and watching. Django must be set up in this process, on the same database
    (``database_url``) and Redis (``redis_url``) the children get. ``close()`` kills every child
    it started; call it in a ``finally`` (tests: a fixture's teardown)."""

    def __init__(
        self,
        *,
        workdir: Path,
        database_url: str,
        redis_url: str,
        lease_minutes: float,
        delay: float,
        from_email: str,
        backoff_cap_minutes: float = 0.02,
        max_attempts: int = 100,
        tick_seconds: float = 0.5,
        log: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.workdir = Path(workdir)
        self.mail_dir = self.workdir / "mail"
        self.port = free_port()
        self.database_url = database_url
        self.redis_url = redis_url
        self.lease_minutes = lease_minutes
        self.delay = delay
        self.from_email = from_email
        self.backoff_cap_minutes = backoff_cap_minutes
        self.max_attempts = max_attempts
        self.tick_seconds = tick_seconds
        self.log = log
        self.standin: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.worker_starts = 0
        self._children: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []
        self._last_tick = 0.0

    # --- the children ------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("EMAIL_", "KEPLIVE_OUTBOX_", "PYTEST_"))
        }
        env |= {
            "DJANGO_SETTINGS_MODULE": "keplive.config.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "KEPLIVE_VAR_DIR": str(self.workdir / "var"),
            "KEPLIVE_MAIL_DIR": str(self.mail_dir),
            "KEPLIVE_HUEY_IMMEDIATE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_TIMEOUT": "5",
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
            "DEFAULT_FROM_EMAIL": self.from_email,
            "KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES": str(self.lease_minutes),
            "KEPLIVE_OUTBOX_BACKOFF_CAP_MINUTES": str(self.backoff_cap_minutes),
            "KEPLIVE_OUTBOX_MAX_ATTEMPTS": str(self.max_attempts),
            "KEPLIVE_OUTBOX_BATCH_SIZE": "100",
            "PYTHONUNBUFFERED": "1",
        }
        return env

    def _spawn(self, name: str, arguments: list[str]) -> subprocess.Popen[bytes]:
        self.workdir.mkdir(parents=True, exist_ok=True)
        output = (self.workdir / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [PYTHON, "manage.py", *arguments],
            cwd=ROOT,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        self._children.append((process, output))
        return process

    def start_standin(self) -> None:
        self.standin = self._spawn(
            "mail-standin",
            [
                "run_mail_standin",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--directory",
                str(self.mail_dir),
                "--delay",
                str(self.delay),
            ],
        )
        wait_for_port(self.port, seconds=30, process=self.standin)
        self.log(f"SMTP stand-in on 127.0.0.1:{self.port} (delay {self.delay} s)")

    def stop_standin(self) -> None:
        if self.standin is not None and self.standin.poll() is None:
            self.standin.terminate()
            try:
                self.standin.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.standin.kill()
                self.standin.wait(timeout=10)
        self.standin = None

    def start_worker(self) -> None:
        self.worker_starts += 1
        # As scripts/run-dev starts it.
        self.worker = self._spawn(
            "worker", ["run_huey", "--workers", "2", "--worker-type", "thread"]
        )
        self.log(f"worker started (pid {self.worker.pid}, start {self.worker_starts})")

    def kill_worker(self) -> None:
        assert self.worker is not None
        assert self.worker.poll() is None, "the worker exited on its own: see worker.log"
        os.kill(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.log(f"worker killed (pid {self.worker.pid})")
        self.worker = None

    def close(self) -> None:
        """Kill every child this rig started and empty the worker's queue."""
        for process, output in self._children:
            if process.poll() is None:
                process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
            output.close()
        self._children.clear()
        self.standin = self.worker = None
        with contextlib.suppress(Exception):
            self._huey().flush()

    # --- this process: queueing, ticking, watching -----------------------------------------

    def _huey(self) -> Any:
        from huey.contrib.djhuey import HUEY

        return HUEY

    def check_queue(self) -> None:
        huey = self._huey()
        assert type(huey).__name__ == "RedisHuey", "the worker's queue must be Redis (REDIS_URL)"
        assert not huey.immediate, "Huey runs tasks inline here; the worker must run them"
        huey.flush()

    def queue(self, count: int, *, prefix: str) -> dict[str, str]:
        """Queue ``count`` emails in one transaction; their Message-IDs → public ids."""
        from django.db import transaction

        from keplive.notifications.delivery import message_id_domain
        from keplive.notifications.models import OutboxMessage
        from keplive.notifications.services import queue_email

        with transaction.atomic():
            for number in range(count):
                queue_email(
                    key=f"{prefix}:{number}",
                    to=f"citizen{number}@example.gr",
                    subject=f"Επιβεβαίωση ραντεβού {number}",
                    text="Το ραντεβού σας κλείστηκε.",
                )
        domain = message_id_domain()
        ids = OutboxMessage.objects.filter(key__startswith=f"{prefix}:").values_list(
            "public_id", flat=True
        )
        return {f"<{public_id}@{domain}>": str(public_id) for public_id in ids}

    def tick(self) -> None:
        """The worker's clock, faster: ask for a delivery run unless one is already waiting."""
        from keplive.notifications.tasks import deliver_outbox_soon_task

        now = time.monotonic()
        if now - self._last_tick < self.tick_seconds:
            return
        self._last_tick = now
        if self._huey().pending_count() < 2:
            deliver_outbox_soon_task()

    def received(self) -> list[str]:
        """The Message-ID of every copy the stand-in received, in order."""
        from keplive.integrations.smtp.local import read_index

        return [entry.message_id for entry in read_index(self.mail_dir)]

    def statuses(self, prefix: str) -> Counter[str]:
        from keplive.notifications.models import OutboxMessage

        return Counter(
            OutboxMessage.objects.filter(key__startswith=f"{prefix}:").values_list(
                "status", flat=True
            )
        )

    def _sending(self, prefix: str) -> set[tuple[str, Any]]:
        from keplive.notifications.models import OutboxMessage, Status

        rows = OutboxMessage.objects.filter(
            key__startswith=f"{prefix}:", status=Status.SENDING
        ).values_list("public_id", "claimed_at")
        return {(str(public_id), claimed_at) for public_id, claimed_at in rows}

    def wait_until(self, condition: Callable[[], bool], *, deadline: float) -> bool:
        """Tick and poll until ``condition`` holds (True) or the deadline passes (False)."""
        while time.monotonic() < deadline:
            if condition():
                return True
            self.tick()
            time.sleep(0.05)
        return condition()

    def all_refused(self, prefix: str) -> bool:
        """Every message tried and waiting to be tried again (the SMTP server is down)."""
        from keplive.notifications.models import OutboxMessage, Status

        ours = OutboxMessage.objects.filter(key__startswith=f"{prefix}:")
        return not ours.exclude(status=Status.PENDING, attempts__gte=1).exists()

    def all_sent(self, prefix: str, count: int) -> bool:
        return self.statuses(prefix) == Counter({"sent": count})

    # --- the runs ----------------------------------------------------------------------------

    def crash_run(
        self, *, count: int, kills: int, timeout: float, rng: random.Random, prefix: str = "crash"
    ) -> Figure:
        """Queue ``count`` messages and kill the worker ``kills`` times while it delivers them."""
        started = time.monotonic()
        deadline = started + timeout
        self.check_queue()
        self.start_standin()
        expected = self.queue(count, prefix=prefix)
        self.start_worker()
        gap = max(1, count // (kills + 2))
        seen: set[tuple[str, Any]] = set()
        interrupted_by_kill: list[list[str]] = []
        for kill in range(kills):
            target = len(self.received()) + gap
            if not self.wait_until(lambda t=target: len(self.received()) >= t, deadline=deadline):
                self.log(f"no progress before kill {kill + 1}; stopping the kills")
                break
            time.sleep(rng.uniform(0, self.delay))
            self.kill_worker()
            # A statement the worker sent just before it died still completes in its database
            # session; let it, so that "left sending" is what the kill really interrupted.
            time.sleep(0.5)
            sending = self._sending(prefix)
            interrupted_by_kill.append(sorted(public_id for public_id, _ in sending - seen))
            seen |= sending
            self.log(f"kill {kill + 1}: left sending {interrupted_by_kill[-1]}")
            self.start_worker()
        self.wait_until(lambda: self.all_sent(prefix, count), deadline=deadline)
        return self.figure(
            expected=expected,
            prefix=prefix,
            interrupted_by_kill=interrupted_by_kill,
            seconds=time.monotonic() - started,
        )

    def outage_run(
        self, *, count: int, outage_seconds: float, timeout: float, prefix: str = "outage"
    ) -> Figure:
        """The stand-in is down while ``count`` messages are queued and tried (each refused at
        least once, and for ``outage_seconds`` at least); then it comes back."""
        started = time.monotonic()
        deadline = started + timeout
        self.check_queue()
        expected = self.queue(count, prefix=prefix)
        self.start_worker()
        self.wait_until(lambda: False, deadline=time.monotonic() + outage_seconds)
        self.wait_until(lambda: self.all_refused(prefix), deadline=deadline)
        self.start_standin()
        self.wait_until(lambda: self.all_sent(prefix, count), deadline=deadline)
        return self.figure(
            expected=expected,
            prefix=prefix,
            interrupted_by_kill=[],
            seconds=time.monotonic() - started,
        )

    def figure(
        self,
        *,
        expected: dict[str, str],
        prefix: str,
        interrupted_by_kill: list[list[str]],
        seconds: float,
    ) -> Figure:
        from django.db.models import Sum

        from keplive.notifications.models import OutboxMessage

        copies = Counter(self.received())
        ours = {message_id: copies[message_id] for message_id in expected}
        duplicates = {expected[m]: n for m, n in ours.items() if n > 1}
        interrupted = {message for kill in interrupted_by_kill for message in kill}
        rows = OutboxMessage.objects.filter(key__startswith=f"{prefix}:")
        recorded = {
            str(public_id)
            for public_id in rows.filter(interruptions__gt=0).values_list("public_id", flat=True)
        }
        return Figure(
            messages=len(expected),
            kills=len(interrupted_by_kill),
            seconds=round(seconds, 1),
            delivered=sum(1 for n in ours.values() if n >= 1),
            lost=sum(1 for n in ours.values() if n == 0),
            received=sum(ours.values()),
            statuses=dict(self.statuses(prefix)),
            interrupted_by_kill=interrupted_by_kill,
            duplicates=duplicates,
            # A duplicate must be a message a kill left "sending" and the outbox took back.
            unexplained_duplicates=sorted(set(duplicates) - (interrupted & recorded)),
            interruptions_recorded=rows.aggregate(total=Sum("interruptions"))["total"] or 0,
            recorded_interrupted=sorted(recorded),
            attempts=dict(Counter(rows.values_list("attempts", flat=True))),
        )


# --- the benchmark ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.3, help="stand-in's seconds per message")
    parser.add_argument("--lease-minutes", type=float, default=0.1, help="the outbox's lease")
    parser.add_argument("--timeout", type=float, default=600, help="seconds, at most")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--bench-db", default="keplive_outbox_crash")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench-outbox-crash.json")
    return parser.parse_args(argv)


@contextlib.contextmanager
def django_on(database_url: str, workdir: Path) -> Iterator[None]:
    os.environ["DATABASE_URL"] = database_url
    os.environ["KEPLIVE_VAR_DIR"] = str(workdir / "var")
    os.environ["KEPLIVE_OUTBOX_DELIVER_ON_COMMIT"] = "0"  # the rig's ticks ask for delivery
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--no-input", verbosity=0)
    yield


def main(argv: list[str] | None = None) -> int:
    from bench import database

    args = parse_args(argv)
    admin_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("REDIS_URL", "")
    if not database.is_postgres(admin_url) or not redis_url:
        print("Set DATABASE_URL=postgres://… and REDIS_URL=redis://…", file=sys.stderr)
        return 2
    database.recreate(admin_url, args.bench_db)
    bench_url = database.with_database(admin_url, args.bench_db)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="keplive-outbox-crash-") as tmp:
        workdir = Path(tmp)
        with django_on(bench_url, workdir):
            from django.conf import settings

            rig = CrashRig(
                workdir=workdir,
                database_url=bench_url,
                redis_url=redis_url,
                lease_minutes=args.lease_minutes,
                delay=args.delay,
                from_email=settings.DEFAULT_FROM_EMAIL,
                log=lambda line: print(f"  {line}", flush=True),
            )
            try:
                figure = rig.crash_run(
                    count=args.messages,
                    kills=args.kills,
                    timeout=args.timeout,
                    rng=random.Random(args.seed),
                )
            finally:
                rig.close()
    load_after = os.getloadavg()
    print()
    print(figure.summary())
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    result = figure.as_dict() | {
        "parameters": vars(args) | {"json": str(args.json)},
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print(f"written to {args.json}")
    if not figure.ok:
        print("FAIL: a message was lost or a duplicate is not explained by a kill", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
