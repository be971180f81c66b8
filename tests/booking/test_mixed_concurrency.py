"""Mixed load on PostgreSQL (issue 11, finding 3): citizens booking, rescheduling and
cancelling, employees reading details, moving and recording outcomes, an administrator editing
hours and availability — all at once, through the real views, each thread on its own
connection. No answer is a 5xx, no two blocking appointments of an employee overlap, and
PostgreSQL detects no deadlock (``pg_stat_database.deadlocks`` of the test database, which
counts every deadlock, also those a service would quietly take as "lost the race").

Bounded: ``SECONDS`` of load (each actor also stops after ``MAX_STEPS``), well under a minute.
The five-minute version against real uvicorn processes is ``bench/mixed_load.py``.
"""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from tests import mixed_load
from tests.staff import login_staff

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECONDS = 20
MAX_STEPS = 400
CITIZENS = 6


class ClientHttp:
    """``mixed_load.Http`` over a Django test client (the whole stack but the socket)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    @staticmethod
    def _answer(response: Any) -> tuple[int, Any]:
        if response.get("Content-Type", "").startswith("application/json"):
            return response.status_code, response.json()
        return response.status_code, None

    def get(self, path: str) -> tuple[int, Any]:
        return self._answer(self.client.get(path))

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        return self._answer(
            self.client.post(path, data=json.dumps(payload), content_type="application/json")
        )

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, Any]:
        return self._answer(self.client.post(path, data))


def deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def end_the_threads_sessions(timeout: float = 10.0) -> None:
    """A backend reports its deadlock count when it ends: close the pool's connections (the
    threads gave theirs back to it) and wait until their backends are gone."""
    connection.close()
    if connection.pool is not None:
        connection.close_pool()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)
    time.sleep(0.5)


@pytest.fixture
def quiet(settings):  # type: ignore[no-untyped-def]
    settings.KEPLIVE_OUTBOX_DELIVER_ON_COMMIT = False
    settings.KEPLIVE_SMS_DELIVER_ON_COMMIT = False
    settings.KEPLIVE_MAX_ACTIVE_BOOKINGS = 4


def test_mixed_load_gives_no_server_error_no_deadlock_and_no_overlap(
    require_postgres, quiet, record_property
):
    prepared = mixed_load.prepare(citizens=CITIZENS)
    world, tally = prepared.world, mixed_load.Tally()
    actors: list[mixed_load.Actor] = []
    for index, user in enumerate(prepared.citizens):
        client = Client()
        client.force_login(user)
        actors.append(
            mixed_load.Citizen(ClientHttp(client), world, tally, random.Random(100 + index))
        )
    for index, user in enumerate(prepared.employees):
        actors.append(
            mixed_load.Employee(
                ClientHttp(login_staff(Client(), user)), world, tally, random.Random(200 + index)
            )
        )
    administrator = ClientHttp(login_staff(Client(), prepared.administrator))
    actors.append(mixed_load.Administrator(administrator, world, tally, random.Random(300)))
    before = deadlocks()
    connection.close()  # back to the pool: the actors' threads take theirs from it

    start = threading.Barrier(len(actors))

    def work(actor: mixed_load.Actor) -> None:
        try:
            start.wait(timeout=60)
            mixed_load.run_actor(actor, deadline=time.monotonic() + SECONDS, max_steps=MAX_STEPS)
        except BaseException as error:
            tally.error("thread", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)
    assert not any(thread.is_alive() for thread in threads), "an actor hung"
    end_the_threads_sessions()
    found = deadlocks() - before

    table = tally.by_operation()
    summary = f"{tally.requests} requests: {table}; failures: {tally.failures[:10]}"
    record_property("mixed_load", f"{summary}; deadlocks {found}")
    assert tally.server_errors == 0, summary
    assert found == 0, f"{found} deadlocks; {summary}"
    with connection.cursor() as cursor:
        cursor.execute(mixed_load.OVERLAPPING_PAIRS_SQL)
        assert cursor.fetchone()[0] == 0
    # The load did happen: each kind of change went through at least once.
    for operation, status in [
        ("confirm", 201),
        ("book", 201),
        ("reschedule", 200),
        ("cancel", 200),
        ("details", 200),
        ("move", 302),
        ("outcome_cancel", 302),
        ("outcome_completed", 302),
        ("admin_hours", 302),
    ]:
        assert table.get(operation, {}).get(status, 0) > 0, (operation, summary)
