"""Is this process alive, and can it serve? (ADR 0018)

- ``/healthz``: the process answers. Nothing else is asked: systemd's watchdog and a balancer's
  liveness probe restart a process that stops answering, never one whose database is away.
- ``/readyz``: the database answers, every Redis in use answers, the worker's last heartbeat is
  recent and the oldest message due in the outbox (email or SMS) has not waited too long. JSON,
  200 when all hold, 503 when one does not — before users see errors: a dead worker shows here
  within ``KEPLIVE_READY_MAX_HEARTBEAT_AGE_SECONDS``, long before a citizen misses an email.

Both are public (no data in them: names of checks, durations, ages) and exempt from the https
redirect, so a probe can ask a web process straight on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEARTBEAT_KEY = "keplive.worker.heartbeat"
_NO_STORE = {"Cache-Control": "no-store"}


def beat() -> None:
    """The worker says it is alive: the time now, in the worker's own storage (Redis in
    production), where every web process can read it."""
    from huey.contrib.djhuey import HUEY

    HUEY.put(HEARTBEAT_KEY, time.time())


def heartbeat_age() -> float | None:
    """Seconds since the worker's last heartbeat; None if it never beat."""
    from huey.contrib.djhuey import HUEY

    value = HUEY.get(HEARTBEAT_KEY, peek=True)
    if not isinstance(value, int | float):
        return None
    return max(0.0, time.time() - float(value))


def outbox_lag() -> dict[str, float]:
    """For email and SMS, how long the oldest message that is due and unsent has waited past
    its due time, in seconds (0 when none is due). Uses the worker's own partial indexes."""
    from keplive.notifications.models import OutboxMessage, SmsMessage, Status

    now = timezone.now()
    lags = {}
    for channel, model in (("email", OutboxMessage), ("sms", SmsMessage)):
        oldest = model.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).aggregate(
            oldest=Min("next_attempt_at")
        )["oldest"]
        lags[channel] = 0.0 if oldest is None else (now - oldest).total_seconds()
    return lags


def redis_urls() -> dict[str, str]:
    """Each Redis this process uses, by what it is for (cache, queue, signalling)."""
    urls: dict[str, str] = {}
    cache: dict[str, Any] = dict(settings.CACHES["default"])
    if str(cache["BACKEND"]).endswith("RedisCache"):
        urls["cache"] = str(cache["LOCATION"])
    huey: dict[str, Any] = dict(settings.HUEY)
    if str(huey.get("huey_class", "")).endswith("RedisHuey") and huey.get("url"):
        urls["queue"] = str(huey["url"])
    layer: dict[str, Any] = dict(settings.CHANNEL_LAYERS["default"])
    hosts = layer.get("CONFIG", {}).get("hosts", [])
    if hosts:
        host = hosts[0]
        urls["signalling"] = str(host["address"] if isinstance(host, dict) else host)
    return urls


_redis_clients: dict[str, Any] = {}


def _ping_redis(url: str) -> None:
    import redis

    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        _redis_clients[url] = client
    client.ping()


def _timed(check: Callable[[], Any]) -> tuple[bool, float, Any]:
    started = time.perf_counter()
    try:
        value = check()
    except Exception as exc:
        return False, (time.perf_counter() - started) * 1000, type(exc).__name__
    return True, (time.perf_counter() - started) * 1000, value


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """(ready, the result of each check)."""
    checks: dict[str, dict[str, Any]] = {}
    ok, ms, value = _timed(_database)
    checks["database"] = {"ok": ok, "ms": round(ms, 1)} | ({} if ok else {"error": value})
    for use, url in redis_urls().items():
        ok, ms, value = _timed(lambda url=url: _ping_redis(url))  # type: ignore[misc]
        checks[f"redis_{use}"] = {"ok": ok, "ms": round(ms, 1)} | ({} if ok else {"error": value})
    ok, _ms, age = _timed(heartbeat_age)
    limit = settings.KEPLIVE_READY_MAX_HEARTBEAT_AGE_SECONDS
    if not ok:
        checks["worker"] = {"ok": False, "error": age}
    elif age is None:
        checks["worker"] = {"ok": False, "error": "no heartbeat yet"}
    else:
        checks["worker"] = {"ok": age <= limit, "heartbeat_age_seconds": round(age, 1)}
    if checks["database"]["ok"]:
        ok, _ms, lags = _timed(outbox_lag)
        limit = settings.KEPLIVE_READY_MAX_OUTBOX_LAG_SECONDS
        if ok:
            checks["outbox"] = {
                "ok": all(lag <= limit for lag in lags.values()),
                "lag_seconds": {channel: round(lag, 1) for channel, lag in lags.items()},
            }
        else:
            checks["outbox"] = {"ok": False, "error": lags}
    return all(check["ok"] for check in checks.values()), checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"}, headers=_NO_STORE)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = readiness()
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
        headers=_NO_STORE,
    )
