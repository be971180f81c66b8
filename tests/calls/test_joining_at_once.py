"""Many connections at once on PostgreSQL and Redis (issue 13, goal 3; docs/PERFORMANCE.md).

1. Citizens joining at the same instant do not wait in line for one thread: each join's
   database work runs in a thread of its own (Channels' default runs every consumer's
   queries in one shared thread, one after another).
2. Connections closing at the same instant each leave the call's group and clear their
   presence: redis-py's pool of 100 connections refused the 101st ``group_discard`` at once
   (MaxConnectionsError) and left those citizens "present".
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from django.conf import settings

from keplive.booking.links import join_token
from keplive.calls import selectors
from keplive.calls.consumers import DATABASE_THREADS
from keplive.calls.models import Call
from tests.calls.conftest import make_appointment
from tests.calls.test_consumers import connect, next_of, socket
from tests.factories import KepFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.redis,
]


@pytest.fixture(autouse=True)
def production_like(require_postgres: None) -> Any:
    assert "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"], (
        "run with REDIS_URL=redis://… (make test-postgres sets it)"
    )
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def appointments(count: int) -> list[Any]:
    kep = KepFactory()
    return [make_appointment(kep=kep, details=False) for _ in range(count)]


def test_citizens_joining_at_once_do_not_wait_for_one_another(monkeypatch):
    joining, pause = DATABASE_THREADS, 0.6  # as many as the consumers' database threads
    booked = appointments(joining)
    links = [join_token(appointment) for appointment in booked]
    original = selectors.snapshot

    def slow_snapshot(call: Call, *, role: str) -> dict[str, Any]:
        time.sleep(pause)  # a join's database work, made long enough to tell the two apart
        return original(call, role=role)

    monkeypatch.setattr(selectors, "snapshot", slow_snapshot)

    async def scenario() -> float:
        sockets = [
            await socket(appointment, link=link)
            for appointment, link in zip(booked, links, strict=True)
        ]
        began = time.perf_counter()
        snapshots = await asyncio.gather(*(connect(ws) for ws in sockets))
        elapsed = time.perf_counter() - began
        assert all(snapshot["you"]["role"] == "citizen" for snapshot in snapshots)
        for ws in sockets:
            await ws.disconnect(timeout=10)
        return elapsed

    elapsed = async_to_sync(scenario)()
    # In line, one after another, it takes joining × pause (2.4 s) at least; side by side one
    # pause and the rest of each join's work.
    assert elapsed < joining * pause * 0.75, f"{joining} joins took {elapsed:.2f} s"


async def joined(ws: Any) -> None:
    connected, _subprotocol = await ws.connect(timeout=30)
    assert connected
    await next_of(ws, "snapshot", timeout=30)


def test_connections_closing_at_once_all_leave():
    count = 130  # more than redis-py's pool of 100 connections
    booked = appointments(count)
    links = [join_token(appointment) for appointment in booked]

    async def scenario() -> None:
        sockets = [
            await socket(appointment, link=link)
            for appointment, link in zip(booked, links, strict=True)
        ]
        for start in range(0, count, 10):
            await asyncio.gather(*(joined(ws) for ws in sockets[start : start + 10]))
        present = await sync_to_async(lambda: Call.objects.exclude(citizen_channel="").count())()
        assert present == count
        await asyncio.gather(*(ws.disconnect(timeout=30) for ws in sockets))

    async_to_sync(scenario)()
    still_present = Call.objects.exclude(citizen_channel="").count()
    assert still_present == 0, f"{still_present} of {count} closed connections still present"
