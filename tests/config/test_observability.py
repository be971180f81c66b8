"""Health, readiness, metrics, request ids and JSON logs (ADR 0018)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from keplive.config import health, observability
from keplive.config.logs import JsonFormatter, request_id
from keplive.notifications.models import OutboxMessage, SmsMessage, Status

TOKEN = "a-metrics-token-of-forty-characters-long"


@pytest.fixture
def worker_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "heartbeat_age", lambda: 12.0)


# --- /healthz and /readyz -------------------------------------------------------------------------


def test_healthz_answers_without_asking_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_green_when_everything_holds(client, worker_alive):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"] == {"ok": True, "heartbeat_age_seconds": 12.0}
    assert body["checks"]["outbox"] == {"ok": True, "lag_seconds": {"email": 0.0, "sms": 0.0}}


@pytest.mark.django_db
@pytest.mark.parametrize("age", [None, 181.0])
def test_readyz_turns_red_when_the_worker_stops_beating(client, monkeypatch, age):
    monkeypatch.setattr(health, "heartbeat_age", lambda: age)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert response.json()["checks"]["worker"]["ok"] is False


@pytest.mark.django_db
def test_readyz_turns_red_when_due_mail_waits_too_long(client, worker_alive):
    now = timezone.now()
    OutboxMessage.objects.create(
        key="late",
        recipient="x@example.gr",
        text_body="…",
        next_attempt_at=now - dt.timedelta(minutes=10),
    )
    OutboxMessage.objects.create(  # not due yet: a retry after backoff
        key="later",
        recipient="x@example.gr",
        text_body="…",
        next_attempt_at=now + dt.timedelta(hours=1),
    )
    SmsMessage.objects.create(key="sent", recipient="+306900000000", text="…", status=Status.SENT)
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["ok"] is False
    assert 595 <= outbox["lag_seconds"]["email"] <= 700
    assert outbox["lag_seconds"]["sms"] == 0.0


@pytest.mark.django_db
def test_readyz_turns_red_when_a_redis_is_away(client, settings, worker_alive):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis_cache"]["ok"] is False
    assert response.json()["checks"]["redis_cache"]["error"] == "ConnectionError"


def test_the_worker_heartbeat_is_read_back_from_the_workers_storage():
    health.beat()
    age = health.heartbeat_age()
    assert age is not None
    assert age < 5


def test_the_worker_beats_every_minute():
    from huey.contrib.djhuey import HUEY

    import keplive.config.tasks  # noqa: F401 - what run_huey discovers

    for minute in (dt.datetime(2026, 12, 7, 10, 17), dt.datetime(2026, 12, 7, 23, 59)):
        due = [task.name for task in HUEY.read_periodic(minute)]
        assert any(name.endswith("worker_heartbeat_task") for name in due), due


@pytest.mark.django_db
def test_probes_on_loopback_are_not_sent_to_https(client, settings, worker_alive):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/services/").status_code == 301


# --- /metrics -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_answer_only_the_token(client, settings):
    settings.KEPLIVE_METRICS_TOKEN = ""
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    settings.KEPLIVE_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 404
    assert client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code in (
        403,  # CSRF refuses the POST first
        404,
    )
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"keplive_http_requests_total" in response.content


def _requests(view: str, status: str) -> float:
    labels = {"view": view, "method": "GET", "status": status}
    return REGISTRY.get_sample_value("keplive_http_requests_total", labels) or 0.0


@pytest.mark.django_db
def test_requests_are_counted_by_view_name_never_by_path(client):
    healthz, unmatched = _requests("healthz", "200"), _requests("<unmatched>", "404")
    client.get("/healthz?token=secret")
    client.get("/no/such/page/")
    assert _requests("healthz", "200") == healthz + 1
    assert _requests("<unmatched>", "404") == unmatched + 1
    count = REGISTRY.get_sample_value(
        "keplive_http_request_duration_seconds_count", {"view": "healthz", "method": "GET"}
    )
    assert count is not None
    assert count >= 1


@pytest.mark.django_db
def test_the_database_gauges(client, settings, worker_alive):
    from keplive.calls.models import Call, CallState
    from tests.calls.conftest import make_appointment

    settings.KEPLIVE_METRICS_TOKEN = TOKEN
    appointment = make_appointment()
    Call.objects.create(appointment=appointment, state=CallState.IN_CALL)
    OutboxMessage.objects.create(
        key="gave-up", recipient="x@example.gr", text_body="…", status=Status.FAILED
    )
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert 'keplive_calls_live{state="in_call"} 1.0' in text
    assert 'keplive_outbox_messages{channel="email",status="failed"} 1.0' in text
    assert "keplive_database_up 1.0" in text
    assert "keplive_worker_heartbeat_age_seconds 12.0" in text


# --- The access log and request ids -------------------------------------------------------------


@pytest.mark.django_db
def test_one_access_line_per_request_with_the_view_and_no_path(client, caplog):
    caplog.set_level(logging.INFO, logger="keplive.access")
    client.get("/healthz?code=oauth-secret")
    [record] = [r for r in caplog.records if r.name == "keplive.access"]
    assert (record.view, record.status, record.method) == ("healthz", 200, "GET")
    assert "oauth-secret" not in record.getMessage()
    assert "/healthz" not in record.getMessage()


def _http(application: Any, headers: list[tuple[bytes, bytes]], client: tuple[str, int]) -> Any:
    """One GET through ``application``; the response start message and the request id seen."""
    seen: dict[str, Any] = {}

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen["id"] = request_id.get()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict[str, Any]] = []

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "headers": headers, "client": client, "path": "/"}
        await observability.RequestIdMiddleware(inner)(scope, receive, send)

    asyncio.run(run())
    response_headers = dict(sent[0]["headers"])
    return response_headers[b"x-request-id"].decode(), seen["id"]


def test_the_request_id_is_nginxs_only_from_a_trusted_proxy(settings):
    settings.KEPLIVE_TRUSTED_PROXIES = ["127.0.0.1"]
    nginx_id = "0123456789abcdef0123456789abcdef"
    header = [(b"x-request-id", nginx_id.encode())]
    assert _http(None, header, ("127.0.0.1", 5000)) == (nginx_id, nginx_id)
    from_outside, seen = _http(None, header, ("203.0.113.9", 5000))
    assert from_outside != nginx_id
    assert from_outside == seen
    malformed, _ = _http(None, [(b"x-request-id", b"<script>\n")], ("127.0.0.1", 5000))
    assert len(malformed) == 32
    settings.KEPLIVE_TRUSTED_PROXIES = []
    assert _http(None, header, ("127.0.0.1", 5000))[0] != nginx_id


def test_open_websockets_are_counted_and_uncounted():
    async def accept_then_close(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
        await asyncio.sleep(0)
        await send({"type": "websocket.close", "code": 1000})

    async def run() -> list[float]:
        values = []

        async def receive() -> dict[str, Any]:
            return {"type": "websocket.connect"}

        async def send(message: dict[str, Any]) -> None:
            values.append(REGISTRY.get_sample_value("keplive_websocket_connections") or 0.0)

        scope = {"type": "websocket", "headers": [], "client": ("127.0.0.1", 1), "path": "/ws/x/"}
        before = REGISTRY.get_sample_value("keplive_websocket_connections") or 0.0
        await observability.RequestIdMiddleware(accept_then_close)(scope, receive, send)
        after = REGISTRY.get_sample_value("keplive_websocket_connections") or 0.0
        return [before, *values, after]

    before, _at_accept, at_close, after = asyncio.run(run())
    assert at_close == before + 1  # counted once accepted (sampled as the close is sent)
    assert after == before


# --- JSON lines ---------------------------------------------------------------------------------


def test_json_lines_carry_the_request_id_and_no_secret():
    formatter = JsonFormatter()
    logging.getLogger("keplive.test").handlers = []
    factory = logging.getLogRecordFactory()  # the redacting factory, installed by settings
    token = request_id.set("feedfacefeedface")
    try:
        record = factory(
            "keplive.test", logging.INFO, __file__, 1, "sent to %s", ("maria@example.gr",), None
        )
        record.view = "portal:home"
        record.recipient = "maria@example.gr"
        line = json.loads(formatter.format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "feedfacefeedface"
    assert line["message"] == "sent to [email]"
    assert line["view"] == "portal:home"
    assert line["recipient"] == "[email]"
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


def test_json_lines_redact_exceptions():
    factory = logging.getLogRecordFactory()
    try:
        raise ValueError("/manage/secret-token-value/")
    except ValueError:
        import sys

        record = factory("keplive.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "secret-token-value" not in json.dumps(line)
    assert "ValueError" in line["exception"]


def test_every_answer_says_the_applications_own_time(client):
    """``Server-Timing: app;dur=…`` (milliseconds): what bench/front_door.py reads as the server's
    time, apart from the network and the ASGI server."""
    response = client.get("/healthz")
    name, _, duration = response.headers["Server-Timing"].partition(";dur=")
    assert name == "app"
    assert 0 <= float(duration) < 10_000
