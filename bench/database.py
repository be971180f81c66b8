"""The benchmark's own PostgreSQL database, handled before Django starts.

The benchmarks never touch the database named in DATABASE_URL (the developers' data): they
use a sibling database on the same server, ``keplive_bench`` by default, which is dropped and
created afresh on every run unless ``--reuse`` finds it already built with the same parameters.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

META_TABLE = "bench_meta"
CREATE_META_SQL = "CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb)"
SAVE_META_SQL = (
    "INSERT INTO bench_meta (key, value) VALUES ('build', %s) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
)
# Bump when the shape of the data set changes, so ``--reuse`` rebuilds an older one.
LAYOUT = 3


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def _connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url.replace("pgsql://", "postgres://", 1), autocommit=True)


def recreate(admin_url: str, name: str) -> None:
    """Drop ``name`` (closing any session still using it) and create it empty."""
    with _connect(admin_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def read_meta(url: str) -> dict[str, Any] | None:
    """What a previous build recorded in the bench database, or None if there is none."""
    try:
        with _connect(url) as conn:
            row = conn.execute(
                sql.SQL("SELECT value FROM {} WHERE key = 'build'").format(
                    sql.Identifier(META_TABLE)
                )
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    value = row[0]
    return value if isinstance(value, dict) else json.loads(value)


def _value(conn: psycopg.Connection[Any], query: sql.Composable | str) -> Any:
    row = conn.execute(query).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0]


def server_facts(url: str) -> dict[str, Any]:
    """The server version and the settings that bear on the figures."""
    names = ["max_connections", "shared_buffers", "work_mem", "synchronous_commit", "fsync"]
    with _connect(url) as conn:
        facts: dict[str, Any] = {"version": _value(conn, "SHOW server_version")}
        for name in names:
            facts[name] = _value(conn, sql.SQL("SHOW {}").format(sql.Identifier(name)))
        facts["connections_in_use"] = _value(conn, "SELECT count(*) FROM pg_stat_activity")
        facts["superuser_reserved_connections"] = int(
            _value(conn, "SHOW superuser_reserved_connections")
        )
    return facts
