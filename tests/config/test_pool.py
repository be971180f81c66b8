"""PostgreSQL connections come from Django's psycopg pool (issue 11, finding 9): bounded per
process whatever the number of threads, and a connection broken under it (a database restart,
here its backends terminated) is discarded by the pool's check, not handed to a request.

The restart itself, under load against uvicorn, is ``bench/pg_restart.py``."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.db import close_old_connections, connection, connections
from django.test import Client

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGE = "/api/v1/categories"  # reads the database on every request


def admin_connection() -> psycopg.Connection:
    """A connection of its own, outside the pool, to watch and terminate the pool's."""
    params = connection.get_connection_params()
    for name in ("context", "cursor_factory", "prepare_threshold", "client_encoding"):
        params.pop(name, None)
    return psycopg.connect(**params, autocommit=True)


def backends(watcher: psycopg.Connection) -> int:
    row = watcher.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchone()
    return int(row[0]) if row else 0


def request(client: Client, path: str = PAGE) -> int:
    """One request as the server makes it: its connection goes back to the pool at the end
    (the test client leaves that out)."""
    try:
        return client.get(path).status_code
    finally:
        close_old_connections()


def test_postgresql_connections_come_from_the_pool(require_postgres):
    pool = connection.pool
    assert pool is not None, "PostgreSQL connections must come from the pool"
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is True  # Django passes the pool its check
    assert pool.max_size == database["OPTIONS"]["pool"]["max_size"] >= 1
    connection.close()
    before = pool.get_stats().get("requests_num", 0)
    client = Client()
    assert [request(client) for _ in range(3)] == [200, 200, 200]
    assert pool.get_stats()["requests_num"] >= before + 3
    assert not [e for e in run_checks() if e.id.startswith("keplive.E01")]


def test_many_threads_share_a_bounded_number_of_connections(require_postgres):
    pool = connection.pool
    assert pool is not None
    connection.close()  # this thread's goes back to the pool too
    threads_count, per_thread = pool.max_size * 3, 3
    statuses: list[int] = []
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        with admin_connection() as watcher:
            while not done.is_set():
                peak[0] = max(peak[0], backends(watcher))
                time.sleep(0.01)

    def work() -> None:
        client = Client()
        try:
            for _ in range(per_thread):
                statuses.append(request(client))
        finally:
            connections.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    workers = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    done.set()
    watcher.join(timeout=10)
    assert not any(thread.is_alive() for thread in workers)
    assert statuses == [200] * (threads_count * per_thread)
    assert 1 <= peak[0] <= pool.max_size


def test_connections_broken_under_the_pool_are_discarded_not_used(require_postgres):
    """A restart of PostgreSQL breaks every pooled connection; here their backends are
    terminated instead (the shared server stays up). The next requests all succeed."""
    assert connection.pool is not None
    connection.close()
    connection.close_pool()  # a fresh pool, as a process starts: it opens MIN_SIZE connections
    client = Client()
    assert request(client) == 200
    pool = connection.pool
    for _ in range(100):
        if pool.get_stats()["pool_size"] >= pool.min_size:
            break
        time.sleep(0.05)
    with admin_connection() as admin:
        assert backends(admin) >= 1
        lost_before = pool.get_stats().get("connections_lost", 0)
        terminated = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
        assert terminated is not None
        assert terminated[0] >= 1
        for _ in range(100):  # the backends end a moment after being told to: wait for it
            if backends(admin) == 0:
                break
            time.sleep(0.05)
        started = time.monotonic()
        statuses = [request(client) for _ in range(pool.max_size + 2)]
        elapsed = time.monotonic() - started
        assert statuses == [200] * len(statuses)
        assert pool.get_stats().get("connections_lost", 0) > lost_before
        assert backends(admin) <= pool.max_size
    assert elapsed < pool.timeout  # each broken one costs the pool's check a short wait


def test_a_quiet_pooled_connection_is_handed_out_without_a_round_trip(require_postgres):
    """The pool's check asks the kernel, not the server, while the socket is quiet (ADR 0031):
    a request then makes only its own statements. Before, every request began with an empty
    statement to the server (psycopg_pool's ``check_connection``)."""
    from keplive.config.postgresql.base import check_quietly

    pool = connection.pool
    assert pool is not None
    assert pool._check is check_quietly  # the pool Django built from our backend
    connection.close()
    client = Client()
    assert request(client) == 200  # a connection has been used and given back
    sent: list[bytes] = []
    original = psycopg.Connection.execute

    def counting(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(query if isinstance(query, bytes) else str(query).encode())
        return original(self, query, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psycopg.Connection, "execute", counting)
        conn = pool.getconn()
        try:
            assert sent == []  # the check sent nothing
        finally:
            pool.putconn(conn)


def test_the_quiet_check_asks_the_server_once_the_socket_speaks(require_postgres):
    """A terminated backend sends its FATAL message and closes the socket: the quiet check sees
    the socket readable and fails the connection, which the pool then discards."""
    from keplive.config.postgresql.base import check_quietly

    with admin_connection() as admin, admin_connection() as victim:
        check_quietly(victim)  # healthy and quiet: no error
        pid = victim.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            found = row.fetchone()
            if found is not None and found[0] == 0:
                break
            time.sleep(0.05)
        with pytest.raises(psycopg.OperationalError):
            check_quietly(victim)
