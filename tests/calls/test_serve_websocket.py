"""The WebSocket as `manage.py serve` really serves it (issue 13, goal 3: memory per held
connection). Signalling messages are small JSON; per-message compression (permessage-deflate,
uvicorn's default) kept a zlib compressor and decompressor per connection — most of the
~90 KiB each of 2,000 held connections cost (docs/PERFORMANCE.md)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        KEPLIVE_VAR_DIR=str(tmp_path),
        KEPLIVE_DEBUG="0",
        KEPLIVE_SECRET_KEY="test-" + "x" * 60,
        KEPLIVE_PUBLIC_URL=f"http://127.0.0.1:{port}",
        DJANGO_SETTINGS_MODULE="keplive.config.settings",
    )
    command = [sys.executable, str(ROOT / "manage.py"), "serve", "--port", str(port)]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the server exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_the_call_socket_is_not_compressed(served: str) -> None:
    import websockets

    async def handshake() -> str | None:
        # The client offers permessage-deflate, as browsers do.
        async with websockets.connect(
            f"ws://{served}/ws/calls/not-a-call/", origin=f"http://{served}"
        ) as ws:
            extensions: str | None = ws.response.headers.get("Sec-WebSocket-Extensions")
            return extensions

    assert asyncio.run(handshake()) is None


def test_the_lean_protocol_still_speaks_after_the_handshake(served: str) -> None:
    """``LeanWebSocketProtocol`` forgets the handshake's request and response once it is done:
    messages and the close still reach the page (here the refusal of a call that does not
    exist), with the uvicorn pinned in requirements.txt."""
    import json

    import websockets

    async def refusal() -> tuple[dict[str, str], int]:
        async with websockets.connect(
            f"ws://{served}/ws/calls/not-a-call/", origin=f"http://{served}"
        ) as ws:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            await asyncio.wait_for(ws.wait_closed(), 30)
            assert ws.close_code is not None
            return message, ws.close_code

    message, code = asyncio.run(refusal())
    assert (message["type"], message["code"], code) == ("error", "refused", 4404)
