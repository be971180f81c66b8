"""One truth for the client's address, proved through the server as it is really started
(``manage.py serve``, as `make run` and production start it): issue 11 finding 2, ADR 0016.

- With no trusted proxy (the default), forged ``X-Forwarded-For`` headers change nothing: seven
  wrong passwords, each "from" another address, lock the user name out from the real one, and the
  right password is then refused too. The audit log records the real address.
- Behind a trusted proxy (``KEPLIVE_TRUSTED_PROXIES=127.0.0.1``, as nginx on the same host), the
  address the proxy appended is the client's, for django-axes and the audit log alike; and a user
  name tried from many addresses is slowed down (429 with Retry-After), never locked: after the
  wait, the right password signs in.
- No ``server`` banner on any response.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.serving import serve

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/administration/login/"
PASSWORD = "the-right-password-2026"


def _environment(var: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "KEPLIVE_VAR_DIR": str(var),
        "KEPLIVE_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "keplive.config.settings",
        **extra,
    }
    for name in ("DATABASE_URL", "REDIS_URL", "KEPLIVE_TRUSTED_PROXIES"):
        if name not in extra:
            env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with three administrators (one per scenario)."""
    var = tmp_path_factory.mktemp("var")
    env = _environment(var)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    script = (
        "from keplive.accounts.models import User, Role\n"
        "for name in ('forged.admin', 'proxied.admin', 'stuffed.admin'):\n"
        f"    User.objects.create_user(name, password={PASSWORD!r}, role=Role.ADMINISTRATOR)\n"
    )
    subprocess.run(
        [*manage, "shell", "-c", script], env=env, check=True, capture_output=True, cwd=ROOT
    )
    return var


def _serve(var: Path, **extra: str) -> Iterator[str]:
    with serve(
        _environment(var, **extra), var / f"serve-{len(list(var.glob('serve-*')))}.log"
    ) as base:
        yield base


@pytest.fixture
def server(var: Path) -> Iterator[str]:
    yield from _serve(var)


@pytest.fixture
def behind_proxy(var: Path) -> Iterator[str]:
    yield from _serve(var, KEPLIVE_TRUSTED_PROXIES="127.0.0.1")


def _log_in(
    session: requests.Session, base: str, username: str, password: str, forwarded: str = ""
) -> requests.Response:
    page = session.get(base + LOGIN, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.status_code
    headers = {"Referer": base + LOGIN}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    return session.post(
        base + LOGIN,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": password,
        },
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )


def _audited_addresses(var: Path, action: str) -> list[str]:
    with sqlite3.connect(var / "keplive.sqlite3") as db:
        rows = db.execute(
            "SELECT ip_address FROM audit_auditevent WHERE action = ? ORDER BY id", [action]
        ).fetchall()
    return [row[0] for row in rows]


def test_forged_forwarding_headers_do_not_dodge_the_lockout(server: str, var: Path) -> None:
    session = requests.Session()
    answers = [
        _log_in(session, server, "forged.admin", "wrong", forwarded=f"203.0.113.{n}").status_code
        for n in range(1, 8)
    ]
    # The fifth wrong password from one address locks the name out there (AXES_FAILURE_LIMIT).
    assert answers == [200] * 4 + [429] * 3
    right = _log_in(session, server, "forged.admin", PASSWORD, forwarded="198.51.100.1")
    assert right.status_code == 429  # still locked: the forged address changed nothing
    assert "server" not in {name.lower() for name in right.headers}
    addresses = set(_audited_addresses(var, "administration.login_failed"))
    assert addresses == {"127.0.0.1"}


def test_a_trusted_proxy_names_the_client_and_a_name_tried_everywhere_is_slowed(
    behind_proxy: str, var: Path
) -> None:
    session = requests.Session()
    first = _log_in(session, behind_proxy, "proxied.admin", "wrong", forwarded="192.0.2.10")
    assert first.status_code == 200
    # The address nginx appended last is the client's; what the client wrote before it is not.
    chained = _log_in(
        session, behind_proxy, "proxied.admin", "wrong", forwarded="10.9.9.9, 192.0.2.11"
    )
    assert chained.status_code == 200
    assert _audited_addresses(var, "administration.login_failed")[-2:] == [
        "192.0.2.10",
        "192.0.2.11",
    ]

    # Credential stuffing: one wrong password each from many addresses. No address reaches the
    # per-address lockout, but past KEPLIVE_ACCOUNT_FAILURE_LIMIT (10) the name is slowed.
    statuses = []
    retry_after = 0
    for n in range(1, 14):
        answer = _log_in(
            session, behind_proxy, "stuffed.admin", "wrong", forwarded=f"198.51.100.{n}"
        )
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            retry_after = int(answer.headers["Retry-After"])
    assert statuses[:10] == [200] * 10
    assert 429 in statuses[10:]
    assert 1 <= retry_after <= 60
    # The real employee, from their own address: refused while the name waits …
    answer = _log_in(session, behind_proxy, "stuffed.admin", PASSWORD, forwarded="192.0.2.99")
    if answer.status_code == 429:
        time.sleep(int(answer.headers["Retry-After"]) + 0.5)
        answer = _log_in(session, behind_proxy, "stuffed.admin", PASSWORD, forwarded="192.0.2.99")
    # … then signed in (on to the second factor): slowed, never locked out.
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/administration/verify/")
