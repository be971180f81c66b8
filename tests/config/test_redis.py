"""With REDIS_URL set (production, and the PostgreSQL pass of `make test`), the worker queue and
the cache run on the real Redis. Fails, never skips, when Redis is missing there."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from huey.contrib.djhuey import HUEY

pytestmark = pytest.mark.redis


@HUEY.task()
def add_minutes(a: int, b: int) -> int:
    return a + b


@pytest.fixture
def redis_configured() -> None:
    assert settings.REDIS_URL, "run with REDIS_URL=redis://… (make test-postgres sets it)"


def test_the_worker_queue_is_redis_and_round_trips_a_task(redis_configured):
    assert type(HUEY).__name__ == "RedisHuey"
    HUEY.flush()
    result = add_minutes(20, 10)  # enqueued on Redis, not run
    assert HUEY.pending_count() == 1
    HUEY.execute(HUEY.dequeue())
    assert result.get() == 30
    assert HUEY.pending_count() == 0


def test_the_cache_is_redis(redis_configured):
    cache.set("keplive-test", "ναι", timeout=30)
    assert cache.get("keplive-test") == "ναι"
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]


def test_a_quiet_websocket_outlives_the_redis_clients_read_timeout(redis_configured):
    """channels_redis waits for a message with a blocking BZPOPMIN of 5 s; redis-py 8 stops
    reading after 5 s by default, so a consumer with nothing to receive for 5 s crashed (and
    every call page reconnected every few seconds). A message 7 s later still arrives."""
    import asyncio

    from channels.layers import channel_layers, get_channel_layer

    channel_layers.backends.clear()

    async def quiet_then_message() -> dict[str, str]:
        layer = get_channel_layer()
        channel = await layer.new_channel()

        async def later() -> None:
            await asyncio.sleep(7)
            await layer.send(channel, {"type": "call.ping"})

        sender = asyncio.ensure_future(later())
        try:
            return dict(await asyncio.wait_for(layer.receive(channel), timeout=20))
        finally:
            await sender
            await layer.flush()

    try:
        assert asyncio.run(quiet_then_message()) == {"type": "call.ping"}
    finally:
        channel_layers.backends.clear()
