"""When every database connection of a web process is busy, a request answers 503 with
Retry-After in the visitor's language, never 500 — also when it first needs the database in a
middleware (the session, the user, the second factor), outside any view.

Found by the national peak load test (`make bench-peak`, docs/CAPACITY.md): 8,066 answers of
500 "couldn't get a connection after 10.00 sec", all raised while the session was read.

Proved through the server as production starts it (``manage.py serve``, Django's psycopg pool)
on the real PostgreSQL: a pool of one connection that waits one second; a lock on the session
table keeps the one connection busy; the next request waits for the pool in vain.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from tests.serving import serve

# serialized_rollback, as every transactional test here: the flush after it then leaves the
# content types to the next test to restore (a plain flush recreates them: duplicate keys).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
        f"{s['NAME']}"
    )


@pytest.fixture
def server(require_postgres: None, tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "KEPLIVE_VAR_DIR": str(tmp_path),
        # As in production: with DEBUG on, Django answers its own technical page instead.
        "KEPLIVE_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "keplive.config.settings",
        "DATABASE_URL": _database_url(),
        "KEPLIVE_DB_CONN_MAX_AGE": "",
        "KEPLIVE_DB_POOL_MIN_SIZE": "1",
        "KEPLIVE_DB_POOL_MAX_SIZE": "1",
        "KEPLIVE_DB_POOL_TIMEOUT": "1",
    }
    env.pop("REDIS_URL", None)
    with serve(env, tmp_path / "serve.log", probe="/healthz") as base:
        yield base


def test_no_free_database_connection_answers_503_not_500(server: str) -> None:
    cookies = {"sessionid": "a-session-that-has-to-be-read-from-the-database"}
    assert requests.get(server + "/", cookies=cookies, timeout=10).status_code == 200

    first: dict[str, requests.Response] = {}
    with psycopg.connect(_database_url().replace("postgres://", "postgresql://")) as locker:
        locker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
        # The first request takes the pool's one connection and waits on the lock …
        waiting = threading.Thread(
            target=lambda: first.update(
                page=requests.get(server + "/", cookies=cookies, timeout=30)
            )
        )
        waiting.start()
        time.sleep(0.5)
        # … so this one waits for the pool (one second) in vain.
        busy = requests.get(
            server + "/", cookies=cookies, headers={"Accept-Language": "el"}, timeout=30
        )
        api = requests.get(server + "/api/v1/services", cookies=cookies, timeout=30)
        locker.rollback()  # the lock goes; the first request goes on
    waiting.join(timeout=30)

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "2"
    assert "Δοκιμάστε ξανά" in busy.text  # the site's page, in Greek
    assert "<h1" in busy.text
    assert api.status_code == 503
    assert api.json()["code"] == "try_again"
    assert first["page"].status_code == 200  # waited for the lock, then served: nothing lost
    assert requests.get(server + "/", cookies=cookies, timeout=10).status_code == 200
