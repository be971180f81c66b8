"""Browser tests: the real ASGI server (uvicorn) on loopback, driven by Debian's Chromium.

The server runs exactly as `make run` starts it, on a fresh SQLite database with the demo
directory. Missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KEPLIVE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The call tests: a fake camera and microphone, allowed without a prompt, and host
    # candidates with real addresses so two browsers on loopback connect directly.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not start within 30 s")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Web server, Huey worker and SMTP stand-in, started as `make run` starts them."""
    var = tmp_path_factory.mktemp("var")
    port, mail_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "KEPLIVE_VAR_DIR": str(var),
        "KEPLIVE_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "keplive.config.settings",
        "PORT": str(port),  # the GSIS stand-in sends the browser back here
        "EMAIL_PORT": str(mail_port),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    subprocess.run([*manage, "load_demo"], env=env, check=True, capture_output=True)
    logs = var / "logs"
    logs.mkdir()
    processes = []

    def start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (logs / f"{name}.log").open("wb")
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
        processes.append(process)
        return process

    start("mail", [*manage, "run_mail_standin", "--port", str(mail_port)])
    start("worker", [*manage, "run_huey", "--workers", "2", "--worker-type", "thread"])
    web = start(
        "web",
        [
            sys.executable,
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
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/", web, "the web server")
        yield {"base": base, "var": var, "mail": var / "mail"}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def server(stack: dict[str, object]) -> str:
    return str(stack["base"])


@pytest.fixture(scope="session")
def mail_dir(stack: dict[str, object]) -> Path:
    """Where the SMTP stand-in keeps what the worker delivered."""
    directory = stack["mail"]
    assert isinstance(directory, Path)
    return directory


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium is needed at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="el-GR", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core (WCAG 2.1 A and AA rules) in the page; return the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    return list(results.response["violations"])
