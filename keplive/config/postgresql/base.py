"""Django's PostgreSQL backend with a cheaper check of pooled connections (ADR 0031).

Django gives the psycopg pool ``ConnectionPool.check_connection`` when ``CONN_HEALTH_CHECKS``
is on: an empty statement, one round trip to the server, before every request that uses the
database. For a free-times request that was half of its round trips, and under load each
round trip is two wake-ups (PostgreSQL's backend and the request's thread).

``check_quietly`` asks the kernel instead: an idle connection whose socket has nothing to read
is handed out without a round trip. A backend that was terminated (a restart of PostgreSQL,
``pg_terminate_backend``) sends its FATAL message and closes the socket, which makes it
readable: then, and whenever the connection is not plainly idle, the full check runs and a
broken connection is discarded as before (``tests/config/test_pool.py``). A server that
vanished without closing its sockets is not seen by either check until the statement times
out.
"""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg import pq
from psycopg_pool import ConnectionPool

__all__ = ["DatabaseWrapper", "check_quietly"]


def check_quietly(conn: psycopg.Connection[Any]) -> None:
    """Raise if the pooled connection ``conn`` is broken; no round trip while it is quiet."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    if conn.info.transaction_status == pq.TransactionStatus.IDLE:
        poller = select.poll()  # not select(): a descriptor may exceed FD_SETSIZE
        try:
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
            ready = poller.poll(0)
        except (OSError, ValueError) as exc:
            raise psycopg.OperationalError("the connection's socket is unusable") from exc
        if not ready:
            return
    # Something arrived (a FATAL message, the end of the stream, a notice) or the state is
    # unusual: ask the server, as psycopg_pool's own check does.
    ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    # Django's own attributes, which django-stubs does not declare.
    _connection_pools: dict[str, ConnectionPool]
    _configure_connection: Callable[[psycopg.Connection[Any]], None]

    @property
    def pool(self) -> ConnectionPool | None:
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not pool_options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            options = {} if pool_options is True else dict(pool_options)
            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # as Django's: it sets autocommit itself later
            pool = ConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,
                check=check_quietly if self.settings_dict["CONN_HEALTH_CHECKS"] else None,
                **options,
            )
            self._connection_pools.setdefault(self.alias, pool)
        found: ConnectionPool = self._connection_pools[self.alias]
        return found
