"""``manage.py serve`` as `make run` and production start it, for tests that must go through the
real server (uvicorn, its middleware, its database pool): one process on 127.0.0.1, a free port,
its output in a log file, stopped at the end whatever happens."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(env: dict[str, str], log_path: Path, *, probe: str = "/") -> Iterator[str]:
    """Start ``manage.py serve`` with ``env`` and yield its base URL once ``probe`` answers.

    Start-up gets 90 s (a loaded CI machine); a server that exits fails at once."""
    port = free_port()
    command = [sys.executable, str(ROOT / "manage.py"), "serve", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env={**env, "PORT": str(port)}, cwd=ROOT, stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, f"the server exited (log: {log_path})"
                try:
                    requests.get(base + probe, timeout=2)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "the server did not start within 90 s"
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
