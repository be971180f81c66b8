"""The production topology, brought up by `scripts/prod up` — what `make prod` runs — in a
directory, on ports and with a database of its own, and stopped (`scripts/prod down`) at the end
even when a test fails. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD = ROOT / "scripts" / "prod"
# The database of the smoke test's stack (dropped and created afresh each run).
DATABASE = os.environ.get("KEPLIVE_PROD_TEST_DATABASE", "keplive_prodtest")
UP_TIMEOUT = 240


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_tcp_and_udp_port() -> int:
    for _ in range(50):
        port = free_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no port free for both TCP and UDP")


def relay_range(size: int = 40) -> tuple[int, int]:
    """A run of UDP ports free now, for coturn's relays."""
    for _ in range(50):
        low = free_port(socket.SOCK_DGRAM)
        if low + size > 65535:
            continue
        sockets = []
        try:
            for port in range(low, low + size):
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return low, low + size - 1
    raise RuntimeError("no free run of UDP ports")


class Stack:
    """A running `make prod` stack: where it is, its ports, and how to talk to it."""

    def __init__(self, directory: Path, env: dict[str, str], ports: dict[str, int]) -> None:
        self.dir = directory
        self.env = env
        self.ports = ports
        self.url = f"https://127.0.0.1:{ports['https']}"
        self.cert = directory / "tls" / "cert.pem"
        self.logs = directory / "logs"
        self.mail = directory / "app" / "mail"
        self.up_output = ""
        self.up_seconds = 0.0

    @property
    def secrets(self) -> dict[str, str]:
        return dict(json.loads((self.dir / "secrets.json").read_text()))

    def pid(self, name: str) -> int:
        return int(json.loads((self.dir / "run" / f"{name}.pid").read_text())["pid"])

    def prod(self, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(PROD), *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def shell(self, script: str) -> Any:
        """Run ``script`` with `manage.py shell -c` in the stack's environment; it prints JSON as
        its last line, which is returned."""
        done = self.prod("manage", "shell", "-c", script)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def app_env(self) -> dict[str, str]:
        """The environment the stack's processes run with (keplive.env over this one's)."""
        values = {}
        for line in (self.dir / "keplive.env").read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                name, value = line.split("=", 1)
                values[name] = value.strip('"')
        inherited = {
            k: v
            for k, v in self.env.items()
            if not k.startswith(("KEPLIVE_", "EMAIL_", "DJANGO_", "PROMETHEUS_"))
            and k not in ("DATABASE_URL", "REDIS_URL")
        }
        return inherited | values

    def log_lines(self, name: str) -> list[str]:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def json_log(self, name: str) -> list[dict[str, Any]]:
        records = []
        for line in self.log_lines(name):
            if line.startswith("{"):
                records.append(json.loads(line))
        return records


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    attach = os.environ.get("KEPLIVE_PROD_TEST_ATTACH")
    if attach:
        # Debugging the smoke test: a stack already up (`KEPLIVE_PROD_DIR=… scripts/prod up`),
        # used as it is and left running.
        directory = Path(attach)
        known = json.loads((directory / "stack.json").read_text())
        env = {**os.environ, "KEPLIVE_PROD_DIR": str(directory)}
        yield Stack(directory, env, known["ports"])
        return
    for tool in ("nginx", "turnserver", "redis-server", "psql", "openssl"):
        assert shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists(), (
            f"{tool} is needed: scripts/ensure-services postgres nginx coturn redis_server"
        )
    directory = Path(tempfile.mkdtemp(prefix="keplive-prod-"))
    # nginx's workers read the static files as the same user; keep the tree traversable.
    directory.chmod(directory.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)
    low, high = relay_range()
    ports = {
        "https": free_port(),
        "http": free_port(),
        "web1": free_port(),
        "web2": free_port(),
        "redis": free_port(),
        "smtp": free_port(),
        "turn": free_tcp_and_udp_port(),
    }
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KEPLIVE_PROD_")},
        "KEPLIVE_PROD_DIR": str(directory),
        "KEPLIVE_PROD_HTTPS_PORT": str(ports["https"]),
        "KEPLIVE_PROD_HTTP_PORT": str(ports["http"]),
        "KEPLIVE_PROD_WEB_PORTS": f"{ports['web1']},{ports['web2']}",
        "KEPLIVE_PROD_REDIS_PORT": str(ports["redis"]),
        "KEPLIVE_PROD_SMTP_PORT": str(ports["smtp"]),
        "KEPLIVE_PROD_TURN_PORT": str(ports["turn"]),
        "KEPLIVE_PROD_TURN_RELAY_PORTS": f"{low}-{high}",
        "KEPLIVE_PROD_DATABASE": DATABASE,
        "KEPLIVE_PROD_FRESH": "1",
    }
    stack = Stack(directory, env, ports)
    try:
        started = time.monotonic()
        done = stack.prod("up", timeout=UP_TIMEOUT)
        stack.up_seconds = time.monotonic() - started
        stack.up_output = done.stdout + done.stderr
        assert done.returncode == 0, stack.up_output[-5000:]
        yield stack
    finally:
        down = stack.prod("down", timeout=120)
        left = [path.name for path in (directory / "run").glob("*.pid")]
        listening = [name for name, port in ports.items() if _listening(port)]
        # Everything `up` started is gone: no pid file left, no port still listening; the shared
        # PostgreSQL, running before, still runs.
        problems = [] if down.returncode == 0 else [down.stdout + down.stderr]
        problems += [f"pid files left: {left}"] if left else []
        problems += [f"still listening: {listening}"] if listening else []
        ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False)  # noqa: S607
        if ready.returncode != 0:
            problems.append("the shared PostgreSQL was stopped")
        # The logs, kept for a failure's post-mortem (artifacts/ is CI's).
        kept = ROOT / "artifacts" / "prod-logs"
        shutil.rmtree(kept, ignore_errors=True)
        if stack.logs.exists():
            shutil.copytree(stack.logs, kept)
        if problems:
            pytest.fail(f"`scripts/prod down` left things behind (kept {directory}): {problems}")
        shutil.rmtree(directory, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
