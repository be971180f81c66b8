"""Held call connections: the heartbeat, the memory each keeps, and presence writes that do not
wait for the disk (issue 13, goal 3; docs/PERFORMANCE.md; ADR 0032)."""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keplive.booking.links import join_token
from keplive.calls import consumers, services
from keplive.calls.models import Call, Role
from tests.calls.conftest import make_appointment
from tests.calls.test_consumers import (
    closed_with,
    connect,
    connect_employee,
    fresh_channel_layer,  # noqa: F401  (autouse: a new channel layer for each test's loop)
    socket,
)
from tests.factories import KepFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_heartbeat_closes_a_silent_peer_and_keeps_one_that_pings(monkeypatch):
    """One watcher for the whole process still closes each silent peer (code 1001) and clears
    its presence, and leaves alone the peer that pings as the call page does."""
    monkeypatch.setattr(consumers, "HEARTBEAT_TIMEOUT_SECONDS", 0.8)
    monkeypatch.setattr(consumers, "HEARTBEAT_CHECK_SECONDS", 0.1)
    appointment = make_appointment()

    async def scenario() -> None:
        employee = await connect_employee(appointment)  # silent from now on
        citizen = await socket(appointment, link=join_token(appointment))
        await connect(citizen)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            await citizen.send_json_to({"type": "ping"})
            await asyncio.sleep(0.2)
        assert await closed_with(employee) == 1001
        await employee.disconnect()  # the server tells the consumer its socket is closed
        await citizen.send_json_to({"type": "ping"})
        while (message := await citizen.receive_json_from(timeout=3))["type"] != "pong":
            assert message["type"] == "snapshot", message
        await citizen.disconnect()

    async_to_sync(scenario)()
    call = Call.objects.get(appointment=appointment)
    assert call.employee_channel == ""
    assert call.citizen_channel == ""


def test_a_held_connection_keeps_little_memory(settings):
    """What one joined connection keeps in this process, with the test's communicator: 33.8 KiB
    before, 26.5 after (issue 13, goal 3). The difference: a task and timer of its own for the
    heartbeat, the citizen's user object, and a Django database connection object made for
    every connection's context by asking ``django.db.connection`` which database this is. (The
    server's own WebSocket state is measured with bench/calls.py.)"""
    # The same layer in every run (Redis's client state per channel differs): the consumer's own
    # share is what this test watches.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    count = 30
    kep = KepFactory()
    booked = [make_appointment(kep=kep, details=False) for _ in range(count)]
    links = [join_token(appointment) for appointment in booked]

    async def scenario() -> float:
        sockets = [await socket(a, link=link) for a, link in zip(booked, links, strict=True)]
        await connect(sockets[0])  # the first join warms caches; not counted
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            for ws in sockets[1:]:
                await connect(ws)
            await asyncio.sleep(0.2)
            gc.collect()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        for ws in sockets:
            await ws.disconnect()
        return grown / (count - 1) / 1024

    kib = async_to_sync(scenario)()
    assert kib < 30, f"{kib:.1f} KiB per held connection"


@pytest.mark.postgres
def test_presence_writes_do_not_wait_for_the_disk_and_the_setting_stays_with_them(
    require_postgres: None,
):
    """``synchronous_commit = off`` for the presence write's transaction only (ADR 0032): the
    pooled connection goes back to the server's default for everyone else."""
    appointment = make_appointment()
    with CaptureQueriesContext(connection) as queries:
        call = services.call_for_joining(appointment)
        call = services.set_presence(call=call, role=Role.CITIZEN, channel="specific.abc")
    statements = [query["sql"] for query in queries.captured_queries]
    assert sum("SET LOCAL synchronous_commit = off" in sql for sql in statements) == 2, statements
    assert Call.objects.get(pk=call.pk).citizen_channel == "specific.abc"
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@pytest.mark.postgres
def test_joining_an_existing_call_reads_it_in_one_query(require_postgres: None):
    appointment = make_appointment()
    first = services.call_for_joining(appointment)
    with CaptureQueriesContext(connection) as queries:
        again = services.call_for_joining(appointment)
    assert again.pk == first.pk
    assert len(queries.captured_queries) == 1
