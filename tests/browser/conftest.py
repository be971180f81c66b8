"""Browser tests: the real ASGI server (uvicorn) on loopback, driven by Debian's Chromium.

The server runs exactly as `make run` starts it, on a fresh SQLite database with the demo
directory. Missing Chromium is a failure, not a skip.

Every browser context any test opens reports Content-Security-Policy violations, and a test
during which any page violated the policy fails (ADR 0014): the policy is checked on every page
and every script path the tests exercise, the call included.
"""

from __future__ import annotations

import email
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

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
    deadline = time.monotonic() + 90  # start-up under load; a dead process fails at once
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{what} did not start within 90 s")


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
    # As `make run` serves (manage.py serve), with uvicorn's INFO lines kept: every line the web
    # server and the worker write is scanned for tokens and personal data (test_logs.py).
    web = start(
        "web", [*manage, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"]
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


# --- Content-Security-Policy: any violation fails the test ------------------------------------

# Runs first in every frame of every page: each violation the browser reports to the page is
# written to the console, where the context's listener collects it (Chromium also logs its own
# "Refused to …" line; either is enough).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + JSON.stringify({
    directive: event.effectiveDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  }));
});
"""
csp_violations: list[str] = []


def _collect_csp_violation(message: Any) -> None:
    text = message.text
    if text.startswith("CSP violation: ") or "Content Security Policy" in text:
        csp_violations.append(f"{message.location.get('url', '')}: {text}")


def watch_csp(context: Any) -> Any:
    """Make ``context`` report every Content-Security-Policy violation to ``csp_violations``."""
    context.add_init_script(CSP_REPORTER)
    context.on("console", _collect_csp_violation)
    return context


class CspWatchingBrowser:
    """The browser, whose every new context watches for policy violations."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    def new_context(self, *args: Any, **kwargs: Any) -> Any:
        return watch_csp(self._browser.new_context(*args, **kwargs))


@pytest.fixture(autouse=True)
def no_csp_violations() -> Iterator[None]:
    """Every browser test fails if any page it opened violated the Content-Security-Policy."""
    csp_violations.clear()
    yield
    found, csp_violations[:] = list(csp_violations), []
    assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium is needed at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield CspWatchingBrowser(browser)
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


# Pages with camera and microphone allowed, each in its own context (a call's two sides).
@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def opener(*, width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            locale="el-GR",
            viewport={"width": width, "height": height},
            permissions=["camera", "microphone"],
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield opener
    for context in contexts:
        context.close()


# --- Data in the server's database --------------------------------------------------------------

# What a script run by ``run_in_server`` prepends to make the people it needs. The whole session
# shares one server database, so nothing here counts rows or reads the clock to invent a name:
# every citizen and colleague gets a random, checked-free identity, whatever ran before.
SERVER_HELPERS = """
import uuid as _uuid
from django.db import IntegrityError as _IntegrityError, transaction as _transaction
from keplive.accounts.models import Citizen as _Citizen, Role as _Role, User as _User
from keplive.directory.models import Employee as _Employee


def _with_check_digit(first_eight):
    return first_eight + str(
        sum(int(d) * 2 ** (8 - i) for i, d in enumerate(first_eight)) % 11 % 10
    )


# A citizen with a valid Greek tax number (ninth digit: sum of d_i * 2^(8-i), mod 11, mod 10)
# and a username that no one in the database has. The numbers start with 9, which none of the
# GSIS stand-in's citizens does, so a later TAXISnet login never lands on one of these.
def new_citizen(first_name, last_name):
    for _attempt in range(1000):
        tax_id = _with_check_digit(f"9{_uuid.uuid4().int % 10**7:07d}")
        username = "citizen-" + tax_id
        if (
            _Citizen.objects.filter(tax_id=tax_id).exists()
            or _User.objects.filter(username=username).exists()
        ):
            continue
        try:
            with _transaction.atomic():
                user = _User.objects.create(username=username, role=_Role.CITIZEN)
                return _Citizen.objects.create(
                    user=user, tax_id=tax_id, first_name=first_name, last_name=last_name
                )
        except _IntegrityError:
            continue
    raise RuntimeError("no free tax number found")


# An extra employee of ``kep``, username ``<prefix>-<uuid4 hex>``; ``names`` go to the user
# (first_name, last_name); with ``email_domain``, the address is <username>@<email_domain>.
def new_colleague(kep, prefix, *, email_domain="", **names):
    username = f"{prefix}-{_uuid.uuid4().hex}"
    if email_domain:
        names["email"] = f"{username}@{email_domain}"
    with _transaction.atomic():
        user = _User.objects.create(username=username, role=_Role.EMPLOYEE, **names)
        return _Employee.objects.create(user=user, kep=kep)
"""


def run_in_server(stack: dict[str, object], script: str) -> Any:
    """Run ``script`` with ``manage.py shell -c`` against the stack's database and settings (the
    server's var directory and port), with ``SERVER_HELPERS`` before it. The script prints JSON
    as its last line of output; that is returned."""
    env = {
        **os.environ,
        "KEPLIVE_VAR_DIR": str(stack["var"]),
        "KEPLIVE_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "keplive.config.settings",
        "PORT": str(stack["base"]).rsplit(":", 1)[1],  # links it builds point at the server
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SERVER_HELPERS + script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"the server script failed:\n{done.stderr}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"the server script printed nothing:\n{done.stderr}"
    return json.loads(lines[-1])


def release_booking(stack: dict[str, object], reference: object) -> None:
    """Cancel a booking a test made, so the people the session shares (ΜΑΡΙΑ's limit of three,
    demo.employee's free time) are as the next test expects."""
    run_in_server(
        stack,
        "import json\n"
        "from django.utils import timezone\n"
        "from keplive.booking.models import Appointment, Status\n"
        f"released = Appointment.objects.filter(reference={str(reference)!r}, "
        "status=Status.BOOKED).update(status=Status.CANCELLED, cancelled_at=timezone.now())\n"
        "print(json.dumps(released))\n",
    )


# --- Waiting ------------------------------------------------------------------------------------


def wait_until(
    condition: Callable[[], Any], what: str, *, timeout: float = 20, interval: float = 0.25
) -> Any:
    """Poll ``condition`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def read_mail(mail_dir: Path) -> Iterator[EmailMessage]:
    """What the SMTP stand-in has kept so far, oldest first."""
    for path in sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        yield message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def _plain_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return "" if part is None else str(part.get_content())


def wait_for_mail(
    mail_dir: Path,
    *,
    to: str = "",
    subject_contains: str = "",
    body_contains: str = "",
    match: Callable[[EmailMessage], bool] | None = None,
    timeout: float = 60,
    what: str = "",
) -> EmailMessage:
    """The first email the worker delivered to the SMTP stand-in with ``to`` in its To,
    ``subject_contains`` in its Subject and ``body_contains`` in its plain text (and, if given,
    for which ``match`` is true); waits at most ``timeout`` seconds, then fails, naming
    ``what`` (or the criteria) and listing the stand-in's index."""

    def found() -> EmailMessage | None:
        for message in read_mail(mail_dir):
            if (
                to in str(message["To"])
                and subject_contains in str(message["Subject"])
                and (not body_contains or body_contains in _plain_text(message))
                and (match is None or match(message))
            ):
                return message
        return None

    deadline = time.monotonic() + timeout
    while True:
        message = found()
        if message is not None:
            return message
        if time.monotonic() > deadline:
            index = mail_dir / "index.txt"
            wanted = what or (
                f"email to {to!r} with {subject_contains!r} in the subject and "
                f"{body_contains!r} in the text"
            )
            pytest.fail(
                f"no {wanted} within {timeout} s; index: "
                + (index.read_text(encoding="utf-8") if index.exists() else "(none)")
            )
        time.sleep(0.25)


# --- Pages --------------------------------------------------------------------------------------


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


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """No axe-core violations; on failure, each rule with the elements it names."""
    violations = axe_violations(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


# The last TOTP time step used for each demo account in this run: a code is accepted once, so a
# second sign-in within the same 30 seconds uses the next step's code (django-otp accepts one
# step of drift) or waits for it.
_last_step: dict[str, int] = {}


def _demo_code(username: str) -> str:
    from django_otp.oath import TOTP

    from keplive.directory.demo_data import DEMO_TOTP_KEYS

    while True:
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEYS[username]))
        now_step = totp.t()
        step = max(now_step, _last_step.get(username, -1) + 1)
        if step <= now_step + 1:
            _last_step[username] = step
            totp.drift = step - now_step
            return f"{totp.token():06d}"
        time.sleep(1)


def sign_in_staff(page, server: str, username: str, *, next_path: str = "") -> None:  # type: ignore[no-untyped-def]
    """Sign a demo staff account in through the real pages: password, then the code its
    authenticator app would show. Employees and supervisors use the workspace door, the
    ministry's accounts the administration door. Ends on ``next_path`` or the door's home."""
    door = "/workspace/" if username in ("demo.employee", "demo.supervisor") else "/administration/"
    page.goto(f"{server}{door}login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "keplive-demo")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.fill("input[name=token]", _demo_code(username))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/verify/" not in page.url, "the second factor was refused"
