"""The CI smoke test against `make prod` (issue 12, item 4).

Over HTTPS through nginx (the stack's self-signed certificate, verified): the front door (TLS,
HTTP/2, limits, headers, static files, /metrics hidden); a citizen books through the GSIS
stand-in; the employee and the citizen are pinned to *different* web processes (nginx's
`keplive_pin` cookie, deploy/nginx/keplive.conf) and hold a call — signalling relayed through
Redis, media flowing, the TURN credentials the page was given allocating relays on the running
coturn; then the citizen's web process is killed: the next requests succeed on the other and the
call page reconnects; the call ends, the outcome is recorded, the emails arrive. Last, the
nightly backup is restored into a scratch database and checked. Bounded: about three minutes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    csp_violations,
    sign_in_staff,
    text_of,
    wait_for_mail,
    wait_until,
    watch_csp,
)
from tests.deploy.conftest import ROOT, Stack

pytestmark = [pytest.mark.prod, pytest.mark.timeout(420)]

MAIL_WAIT_SECONDS = 90
TYPED = {
    "id_mobile_phone": "6912345678",
    "id_postal_address": "Ερμού 10, 10563 Αθήνα",
    "id_id_card_number": "ΑΒ123456",
    "id_subject": "Πιστοποιητικό οικογενειακής κατάστασης",
}
# Figures the tests measure, printed at the end (docs/RELIABILITY.md, docs/CAPACITY.md).
MEASURED: dict[str, Any] = {}


@pytest.fixture(scope="module")
def session(stack: Stack) -> requests.Session:
    return _https(stack)


def _https(stack: Stack) -> requests.Session:
    """A session that trusts the stack's certificate, and only it (not REQUESTS_CA_BUNDLE,
    which requests would otherwise prefer to ``verify``)."""
    http = requests.Session()
    http.trust_env = False
    http.verify = str(stack.cert)
    return http


# --- The front door ------------------------------------------------------------------------------


def test_make_prod_prints_the_url_and_says_it_is_a_staging(stack: Stack) -> None:
    assert f"{stack.url}/" in stack.up_output
    assert "keplive.W002" in stack.up_output  # the stand-ins are allowed, loudly
    MEASURED["make prod (fresh database, demo loaded) seconds"] = round(stack.up_seconds, 1)


def test_tls_and_http2_with_the_stacks_certificate(stack: Stack) -> None:
    context = ssl.create_default_context(cafile=str(stack.cert))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", stack.ports["https"]), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    # TLS 1.2 is the oldest nginx speaks (ssl_protocols TLSv1.2 TLSv1.3).
    twelve = ssl.create_default_context(cafile=str(stack.cert))
    twelve.maximum_version = ssl.TLSVersion.TLSv1_2
    with (
        socket.create_connection(("127.0.0.1", stack.ports["https"]), timeout=5) as raw,
        twelve.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() == "TLSv1.2"
        assert "GCM" in tls.cipher()[0] or "CHACHA20" in tls.cipher()[0]


def test_the_front_door(stack: Stack, session: requests.Session) -> None:
    home = session.get(f"{stack.url}/")
    assert home.status_code == 200
    assert home.headers["Strict-Transport-Security"].startswith("max-age=")
    assert re.fullmatch(r"[0-9a-f]{32}", home.headers["X-Request-ID"])  # nginx's $request_id
    assert home.headers["Server"] == "nginx"  # no version
    assert "default-src" in home.headers["Content-Security-Policy"]
    # Plain HTTP only redirects.
    plain = session.get(f"http://127.0.0.1:{stack.ports['http']}/services/", allow_redirects=False)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"{stack.url}/services/"
    # Health through nginx; metrics never.
    ready = session.get(f"{stack.url}/readyz")
    assert ready.status_code == 200, ready.text
    assert {
        "database",
        "redis_queue",
        "redis_cache",
        "redis_signalling",
        "worker",
        "outbox",
    } <= set(ready.json()["checks"])
    token = stack.secrets["KEPLIVE_METRICS_TOKEN"]
    hidden = session.get(f"{stack.url}/metrics", headers={"Authorization": f"Bearer {token}"})
    assert hidden.status_code == 404
    # A body too large is refused by nginx; Python never sees it.
    big = session.post(f"{stack.url}/login/", data=b"x" * (2 * 1024 * 1024))
    assert big.status_code == 413
    assert big.headers["Server"] == "nginx"
    # Static files: hashed names cached a year, immutable; pre-compressed.
    css = re.search(r'href="(/static/css/keplive\.[0-9a-f]{12}\.css)"', home.text)
    assert css is not None
    static = session.get(f"{stack.url}{css.group(1)}", headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert static.headers["Content-Encoding"] == "gzip"
    # A client that forges its address is not believed: nginx overwrites X-Forwarded-For.
    forged = session.get(f"{stack.url}/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert forged.status_code == 200


def test_a_slow_client_is_cut_off_by_nginx(stack: Stack) -> None:
    """Headers that never finish: nginx closes after client_header_timeout (10 s); no web
    process hears of it."""
    before = sum(len(stack.log_lines(name)) for name in ("web1", "web2"))
    context = ssl.create_default_context(cafile=str(stack.cert))
    started = time.monotonic()
    with (
        socket.create_connection(("127.0.0.1", stack.ports["https"]), timeout=30) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and nothing more
        try:
            reply = tls.recv(1024)
        except (ConnectionResetError, ssl.SSLError):
            reply = b""
    waited = time.monotonic() - started
    assert reply in (b"",) or reply.startswith(b"HTTP/1.1 408"), reply
    assert 8 < waited < 20, waited
    assert sum(len(stack.log_lines(name)) for name in ("web1", "web2")) == before
    MEASURED["slow client cut off after seconds"] = round(waited, 1)


# --- A booking and a call across two web processes -----------------------------------------------


def _book(page: Any, stack: Stack, email: str) -> str:
    """A citizen logs in with TAXISnet (the stand-in; an identity the demo day books nothing for)
    and books at demo.employee's KEP (0071)."""
    page.goto(f"{stack.url}/login/?category=1")
    with page.expect_navigation():
        page.get_by_role("button", name="ΓΕΩΡΓΙΟΣ ΝΙΚΟΛΑΟΥ").click()
    assert page.url.endswith("/book/1/"), page.url
    service = page.locator(".kl-services a").first.get_attribute("href")
    assert service is not None
    page.goto(f"{stack.url}{service}0071/")
    page.locator("a.kl-calendar__free").first.click()
    page.locator(".kl-time").first.wait_for()
    with page.expect_navigation():
        page.locator(".kl-time").first.click()
    assert "/book/details/" in page.url, page.url
    page.fill("#id_email", email)
    for field, value in TYPED.items():
        page.fill(f"#{field}", value)
    page.check("#id_consent")
    with page.expect_navigation():
        page.get_by_role("button", name="Επιβεβαίωση του ραντεβού").click()
    done = re.search(r"/book/done/([0-9a-f-]{36})/", page.url)
    assert done is not None, page.url
    return done.group(1)


BRING_FORWARD = """
import datetime as dt, json, uuid
from django.utils import timezone
from keplive.accounts.models import Role, User
from keplive.booking.models import Appointment
from keplive.directory.models import Employee

appointment = Appointment.objects.get(reference="REFERENCE")
user = User.objects.create(username=f"smoke-{uuid.uuid4().hex}", role=Role.EMPLOYEE)
colleague = Employee.objects.create(user=user, kep=appointment.kep)
start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=2)
length = appointment.ends_at - appointment.starts_at
pause = appointment.blocked_until - appointment.ends_at
Appointment.objects.filter(pk=appointment.pk).update(
    employee=colleague, starts_at=start, ends_at=start + length,
    blocked_until=start + length + pause,
)
print(json.dumps({"kep": appointment.kep.code, "starts_at": start.isoformat()}))
"""


def _inbound_bytes(page: Any, remote: str) -> int:
    return int(
        page.evaluate(
            """async (remote) => {
                const pc = window.keplive.peers.get(remote);
                if (!pc) return 0;
                let bytes = 0;
                (await pc.getStats()).forEach((r) => {
                    if (r.type === "inbound-rtp" && r.kind === "video") bytes += r.bytesReceived;
                });
                return bytes;
            }""",
            remote,
        )
    )


def _media_flows(page: Any, remote: str) -> None:
    first = _inbound_bytes(page, remote)
    wait_until(lambda: _inbound_bytes(page, remote) > first + 2000, f"video from the {remote}")


RELAY_PROBE = """async ([servers, spoil]) => {
    const turn = servers.filter((s) => [].concat(s.urls).some((u) => u.startsWith("turn:")))
        .map((s) => ({...s, credential: spoil ? s.credential + "x" : s.credential}));
    const config = {iceServers: turn, iceTransportPolicy: "relay"};
    const a = new RTCPeerConnection(config), b = new RTCPeerConnection(config);
    const relays = [];
    a.onicecandidate = (e) => {
        if (e.candidate) { relays.push(e.candidate.type); b.addIceCandidate(e.candidate); }
    };
    b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate); };
    const received = new Promise((resolve) => {
        b.ondatachannel = (e) => { e.channel.onmessage = (m) => resolve(m.data); };
    });
    const channel = a.createDataChannel("probe");
    channel.onopen = () => channel.send("through coturn");
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    const timeout = new Promise((resolve) => setTimeout(() => resolve(null), spoil ? 5000 : 15000));
    const message = await Promise.race([received, timeout]);
    let pair = null;
    (await a.getStats()).forEach((r) => {
        if (r.type === "candidate-pair" && r.nominated && r.state === "succeeded") pair = r;
    });
    const local = pair ? (await a.getStats()).get(pair.localCandidateId) : null;
    a.close(); b.close();
    return {message, relays, localType: local ? local.candidateType : null};
}"""


def _websocket_opens(stack: Stack, name: str) -> int:
    return sum(1 for r in stack.json_log(name) if r.get("event") == "websocket_open")


def _browser() -> Any:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium is needed at {CHROMIUM}"
    return sync_playwright().start()


def _context(browser: Any, stack: Stack, *, pin: str | None, **options: Any) -> Any:
    context = browser.new_context(
        locale="el-GR",
        ignore_https_errors=False,
        permissions=["camera", "microphone"],
        **options,
    )
    if pin is not None:
        context.add_cookies([{"name": "keplive_pin", "value": pin, "url": stack.url}])
    return watch_csp(context)  # production's Content-Security-Policy, as nginx delivers it


def test_a_call_across_two_web_processes_survives_losing_one(
    stack: Stack, session: requests.Session
) -> None:
    email = f"smoke-{uuid.uuid4().hex[:12]}@example.gr"
    playwright = _browser()
    # The browser trusts the stack's own certificate only (no --ignore-certificate-errors): the
    # certificate's SPKI is pinned, as a self-signed certificate of a real host would be.
    spki = _spki_hash(stack.cert)
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki}"],
    )
    csp_violations.clear()
    try:
        _the_call(stack, session, browser, email)
    finally:
        browser.close()
        playwright.stop()
    assert csp_violations == [], "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


def _the_call(stack: Stack, session: requests.Session, browser: Any, email: str) -> None:
    # 1. The citizen books (any web process), and the confirmation email arrives.
    citizen_context = _context(browser, stack, pin="2", viewport={"width": 390, "height": 844})
    citizen = citizen_context.new_page()
    citizen.set_default_timeout(20_000)
    booked_at = time.monotonic()
    reference = _book(citizen, stack, email)
    MEASURED["booking through nginx (login to confirmation) seconds"] = round(
        time.monotonic() - booked_at, 1
    )
    confirmation = wait_for_mail(stack.mail, to=email, timeout=MAIL_WAIT_SECONDS)
    join = re.search(r"https://127\.0\.0\.1:\d+/call/[^/\s]+/", text_of(confirmation))
    assert join is not None, text_of(confirmation)
    assert join.group(0).startswith(stack.url)

    # 2. The appointment is brought forward to start in two minutes, with a free colleague.
    moved = stack.shell(BRING_FORWARD.replace("REFERENCE", reference))
    assert moved["kep"] == "0071"

    # 3. The employee on web process 1, the citizen on web process 2.
    opens = {name: _websocket_opens(stack, name) for name in ("web1", "web2")}
    employee_context = _context(browser, stack, pin="1", viewport={"width": 1280, "height": 900})
    employee = employee_context.new_page()
    employee.set_default_timeout(20_000)
    sign_in_staff(employee, stack.url, "demo.employee")
    employee.goto(f"{stack.url}/workspace/calls/{reference}/")
    wait_until(
        lambda: _websocket_opens(stack, "web1") > opens["web1"], "the employee's socket on web1"
    )
    citizen.goto(join.group(0))
    employee.locator("[data-admit=citizen]").wait_for(state="visible", timeout=30_000)
    # The lobby shows the citizen as soon as their page connects, but the server admits only
    # once their knock has arrived ("not waiting to be admitted" before): wait for the knock,
    # as an employee who clicks too early would click again. (Reported: the lobby could wait
    # for the knock itself.)
    wait_until(
        lambda: employee.evaluate("window.keplive.state.snapshot?.state") == "knocking",
        "the citizen's knock to reach the employee",
    )
    employee.locator("[data-admit=citizen]").click()
    try:
        citizen.locator("#call-stage").wait_for(state="visible")
    except Exception as error:
        seen = {
            "employee": employee.evaluate("window.keplive.state.snapshot"),
            "citizen": citizen.evaluate("window.keplive.state.snapshot"),
            "employee's error": employee.locator("#call-error").all_inner_texts(),
        }
        raise AssertionError(f"the citizen was not admitted: {seen}") from error
    assert _websocket_opens(stack, "web2") > opens["web2"], "the citizen is not on web2"
    assert _websocket_opens(stack, "web1") == opens["web1"] + 1, "the citizen reached web1"
    # Signalling crossed processes (through Redis): media flows both ways.
    _media_flows(employee, "citizen")
    _media_flows(citizen, "employee")

    # 4. TURN: the credentials the citizen's page was given allocate relays on the running coturn
    # and carry data through them; spoiled, they allocate nothing.
    servers = citizen.evaluate("window.keplive.state.iceServers")
    turn = [s for s in servers if any(str(u).startswith("turn:") for u in s["urls"])]
    assert turn
    assert turn[0]["username"].split(":", 1)[1].startswith("citizen-")  # an opaque id
    relayed = citizen.evaluate(RELAY_PROBE, [servers, False])
    assert relayed["message"] == "through coturn", relayed
    assert relayed["localType"] == "relay", relayed
    assert set(relayed["relays"]) == {"relay"}, relayed
    refused = citizen.evaluate(RELAY_PROBE, [servers, True])
    assert refused["relays"] == [], refused
    assert refused["message"] is None, refused

    # 5. Kill the citizen's web process. The call page reconnects (through nginx, to web1), the
    # media never stopped (it is peer to peer), and the next requests all succeed.
    killed_at = time.monotonic()
    os.kill(stack.pid("web2"), signal.SIGKILL)
    wait_until(
        lambda: citizen.evaluate("window.keplive.state.connection") != "connected",
        "the citizen's page to notice",
        interval=0.05,
    )
    wait_until(
        lambda: citizen.evaluate("window.keplive.state.connection") == "connected",
        "the citizen's page to reconnect",
        timeout=30,
        interval=0.05,
    )
    reconnected = time.monotonic() - killed_at
    MEASURED["call page reconnected after its web process was killed, seconds"] = round(
        reconnected, 2
    )
    assert citizen.evaluate("window.keplive.state.admitted")
    assert _websocket_opens(stack, "web1") == opens["web1"] + 2  # the citizen, now on web1
    _media_flows(employee, "citizen")
    _media_flows(citizen, "employee")
    pinned_to_dead = _https(stack)
    pinned_to_dead.cookies.set("keplive_pin", "2", domain="127.0.0.1")
    statuses = []
    started = time.monotonic()
    for path in ["/", "/services/", "/healthz", "/readyz", "/manual/"] * 6:
        statuses.append(pinned_to_dead.get(f"{stack.url}{path}").status_code)
        statuses.append(session.get(f"{stack.url}{path}").status_code)
    MEASURED["requests after the kill (60, half pinned to the dead process): errors"] = sum(
        status != 200 for status in statuses
    )
    MEASURED["requests after the kill: mean seconds"] = round(
        (time.monotonic() - started) / len(statuses), 3
    )
    assert statuses == [200] * len(statuses), statuses

    # 6. The employee checks the identity, ends the call and records the outcome.
    employee.locator("#call-registry-check").click()
    wait_until(
        lambda: (
            employee.locator("#call-registry-outcome").inner_text()
            not in ("", "Δεν έχει ελεγχθεί ακόμη", "Not checked yet")
        ),
        "the registry outcome",
    )
    employee.locator("#call-identity-yes").click()
    employee.locator("#call-end").click()
    employee.locator("#call-end-yes").click()
    citizen.locator("#call-over").wait_for(state="visible")
    employee.goto(f"{stack.url}/workspace/appointments/{reference}/outcome/")
    employee.check("input[name=result][value=completed]")
    employee.check("input[name=delivery_method][value=email]")
    employee.fill("#id_delivery_email", email)
    with employee.expect_navigation():
        employee.click("main form button[type=submit]")
    protocol = employee.locator("#protocol-number").inner_text().strip()
    assert protocol.startswith("KEPLIVE-")
    outcome_mail = wait_for_mail(
        stack.mail, to=email, subject_contains=protocol, timeout=MAIL_WAIT_SECONDS
    )
    assert any(part.get_filename() == f"{protocol}.pdf" for part in outcome_mail.iter_attachments())
    cases = stack.dir / "app" / "ekep" / "cases.jsonl"
    wait_until(lambda: cases.exists() and protocol in cases.read_text(), "e-KEP's registration")
    MEASURED["reference"] = reference
    # No crash anywhere, the kill included (a quiet WebSocket dying on a Redis read timeout was
    # one: every call page reconnected every few seconds).
    assert _errors(stack) == []


def _errors(stack: Stack) -> list[str]:
    return [
        record["message"][:200]
        for name in ("web1", "web2", "worker")
        for record in stack.json_log(name)
        if record["level"] in ("ERROR", "CRITICAL") and record["logger"] != "django.request"
    ]


def _spki_hash(cert: Path) -> str:
    """base64(SHA-256(the certificate's public key)), as Chromium's SPKI list wants it."""
    der = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout
    spki = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"],  # noqa: S607
        input=der,
        capture_output=True,
        check=True,
    ).stdout
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


# --- Faults that heal ---------------------------------------------------------------------------

QUEUE_WHILE_REDIS_IS_DOWN = """
import json
from django.db import transaction
from keplive.notifications.services import queue_email

with transaction.atomic():  # its delivery trigger cannot reach Redis now (logged, not raised)
    message = queue_email(
        key="smoke-redis-down", to="redis-down@example.gr", subject="Queued while Redis was down",
        text="The outbox keeps it; the worker sends it once Redis is back.",
    )
print(json.dumps({"message": str(message.public_id)}))
"""


def _ready(session: requests.Session, stack: Stack) -> tuple[int, dict[str, Any]]:
    response = session.get(f"{stack.url}/readyz")
    return response.status_code, response.json()


def test_a_restarted_redis_loses_no_message_and_readyz_says_so_first(
    stack: Stack, session: requests.Session
) -> None:
    """Redis stops: /readyz turns red; an email queued meanwhile stays in the outbox
    (PostgreSQL) and is sent once Redis is back; the killed web process comes back too."""
    restarted = stack.prod("restart", "web2")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert requests.get(f"http://127.0.0.1:{stack.ports['web2']}/healthz", timeout=5).ok

    stopped_at = time.monotonic()
    os.kill(stack.pid("redis"), signal.SIGTERM)

    def red() -> tuple[int, dict[str, Any]] | None:
        ready = _ready(session, stack)
        return ready if ready[0] == 503 else None

    status, body = wait_until(red, "/readyz to turn red", interval=0.1)
    MEASURED["Redis stopped → /readyz red, seconds"] = round(time.monotonic() - stopped_at, 2)
    assert status == 503
    assert body["checks"]["redis_queue"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    queued = stack.shell(QUEUE_WHILE_REDIS_IS_DOWN)
    assert queued["message"]

    started = time.monotonic()
    back = stack.prod("restart", "redis")
    assert back.returncode == 0, back.stdout + back.stderr
    wait_until(lambda: _ready(session, stack)[0] == 200, "/readyz to turn green", timeout=90)
    MEASURED["Redis restarted → /readyz green, seconds"] = round(time.monotonic() - started, 1)
    message = wait_for_mail(stack.mail, to="redis-down@example.gr", timeout=150)
    assert "Queued while Redis was down" in str(message["Subject"])
    MEASURED["Redis restarted → the queued email delivered, seconds"] = round(
        time.monotonic() - started, 1
    )
    # The worker and the web processes reconnected by themselves.
    assert session.get(f"{stack.url}/").status_code == 200


# --- What the stack says about itself -------------------------------------------------------------


def test_metrics_count_every_process_on_the_host(stack: Stack) -> None:
    token = stack.secrets["KEPLIVE_METRICS_TOKEN"]
    port = stack.ports["web1"]
    refused = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert refused.status_code == 404
    text = requests.get(
        f"http://127.0.0.1:{port}/metrics",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).text
    samples = {
        line.split(" ")[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    # The booking was answered by web2 (the citizen's pin), the metrics by web1: one host, one
    # answer for all its processes (prometheus_client's multiprocess mode).
    assert samples["keplive_bookings_total"] >= 1
    assert samples["keplive_websocket_connections_opened_total"] >= 3
    assert samples["keplive_database_up"] == 1
    assert samples["keplive_worker_heartbeat_age_seconds"] < 120
    assert 'keplive_outbox_oldest_due_seconds{channel="email"}' in samples
    details = [key for key in samples if key.startswith("keplive_http_requests_total{")]
    assert any('view="portal:book_details"' in key and 'method="POST"' in key for key in details)
    MEASURED["metrics scrape bytes"] = len(text)


def test_logs_are_json_with_request_ids_and_keep_no_secret(stack: Stack) -> None:
    reference = MEASURED.get("reference", "")
    names = ["web1", "web2", "worker", "nginx-access"]
    nginx_ids = {record["request_id"] for record in stack.json_log("nginx-access")}
    app_ids = set()
    for name in ("web1", "web2", "worker"):
        for line in stack.log_lines(name):
            if not line.startswith("{"):
                continue  # a line written before logging is configured (none expected)
            record = json.loads(line)
            assert {"time", "level", "logger", "message"} <= set(record), line
            if record.get("logger") == "keplive.access" and "request_id" in record:
                app_ids.add(record["request_id"])
    # Every request the application answered through nginx carries nginx's id.
    assert len(nginx_ids & app_ids) >= 20
    everything = "\n".join(
        "\n".join(stack.log_lines(name)) for name in [*names, "coturn", "mail", "redis"]
    )
    secrets = [value for key, value in stack.secrets.items()]
    assert not [secret for secret in secrets if secret in everything]
    assert "@example.gr" not in everything
    assert "/call/" not in everything or "/call/[token]" in everything
    assert "sessionid=" not in everything.replace("sessionid=[redacted]", "")
    assert reference == "" or f"/book/done/{reference}" not in everything


def test_the_nightly_backup_restores(stack: Stack) -> None:
    reference = MEASURED.get("reference")
    backup = stack.dir / "backups"
    env = stack.app_env() | {"KEPLIVE_BACKUP_DIR": str(backup)}
    started = time.monotonic()
    done = subprocess.run(
        [str(ROOT / "deploy" / "backup" / "keplive-backup")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip().splitlines()[-1])
    MEASURED["pg_dump seconds"] = round(time.monotonic() - started, 1)
    MEASURED["pg_dump MB (demo directory + one day)"] = round(dump.stat().st_size / 1e6, 2)
    probe = (
        f"SELECT EXISTS (SELECT 1 FROM booking_appointment WHERE reference = '{reference}')"  # noqa: S608 - a UUID we made
        if reference
        else ""
    )
    started = time.monotonic()
    restored = subprocess.run(
        [str(ROOT / "deploy" / "backup" / "keplive-restore-check"), str(dump), probe],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert restored.returncode == 0, restored.stdout[-2000:] + restored.stderr[-3000:]
    assert "restore check passed" in restored.stdout
    MEASURED["restore + audit chain check seconds"] = round(time.monotonic() - started, 1)
    print("\nMEASURED " + json.dumps(MEASURED, ensure_ascii=False, indent=1))  # noqa: T201 - the figures
