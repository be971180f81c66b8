"""Request ids, the access log and Prometheus metrics (ADR 0018).

- ``RequestIdMiddleware`` (ASGI, outermost): every HTTP request and WebSocket connection gets an
  id — the ``X-Request-ID`` nginx sends (``$request_id``, also in nginx's own log line) when the
  peer is a trusted proxy and the value is well formed, a new one otherwise. It is in the
  ``request_id`` context variable for every log line written on the request's behalf (threads
  of sync views included: asgiref copies the context) and returned as ``X-Request-ID``. It also
  counts open WebSocket connections.
- ``RequestMetrics`` (Django, first middleware): one access-log line per request on
  ``keplive.access`` (method, view name, status, duration — never a path nor a query string:
  they carry signed links and OAuth codes) and the request counter and latency histogram.
- ``metrics`` (``/metrics``): Prometheus text, for a scraper holding ``KEPLIVE_METRICS_TOKEN``.
  With several processes on a host (two web processes and the worker), each writes its samples
  to ``PROMETHEUS_MULTIPROC_DIR`` and any one of them answers for all (prometheus_client's
  multiprocess mode). Gauges that are facts of the database (outbox lag and failures, live
  calls, the worker's heartbeat) are read at scrape time, the same from any process or host.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from keplive.config import environment, health
from keplive.config.logs import request_id

access_log = logging.getLogger("keplive.access")

# prometheus_client's multiprocess mode is on whenever the variable is set, even empty (then it
# writes into the working directory): refuse anything but an existing directory.
_UNSET = "\0"
_MULTIPROCESS_DIR = environment.text("PROMETHEUS_MULTIPROC_DIR", _UNSET)
if _MULTIPROCESS_DIR == _UNSET:
    _MULTIPROCESS_DIR = ""
elif not Path(_MULTIPROCESS_DIR).is_dir():
    raise ImproperlyConfigured("PROMETHEUS_MULTIPROC_DIR must name an existing directory.")

# --- Metrics ------------------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "keplive_http_requests",
    "HTTP requests answered, by view name, method and status.",
    ["view", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "keplive_http_request_duration_seconds",
    "Time to answer an HTTP request (to the response's first byte), by view name and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BOOKINGS = Counter("keplive_bookings", "Appointments that became booked (committed).")
WEBSOCKETS_OPEN = Gauge(
    "keplive_websocket_connections",
    "WebSocket connections open now (call signalling).",
    multiprocess_mode="livesum",
)
WEBSOCKETS_OPENED = Counter("keplive_websocket_connections_opened", "WebSocket connections opened.")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"


def count_booking(sender: Any, instance: Any, created: bool, update_fields: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    """``post_save`` of an appointment: count it once it is booked and committed — a booking in
    one step (created booked) or a hold confirmed (its status saved as booked). A transaction
    that rolls back counts nothing (``on_commit``)."""
    from keplive.booking.models import Status

    if instance.status != Status.BOOKED:
        return
    if created or (update_fields is not None and "status" in update_fields):
        transaction.on_commit(BOOKINGS.inc)


# --- The access log and the request metrics (Django middleware) ---------------------------------


class RequestMetrics:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or UNMATCHED) if match is not None else UNMATCHED
        method = request.method if request.method in METHODS else "other"
        HTTP_REQUESTS.labels(view, method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(view, method).observe(elapsed)
        access_log.info(
            "%s %s %s %.1f ms",
            method,
            view,
            response.status_code,
            elapsed * 1000,
            extra={
                "method": method,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        # The application's own time, as browsers' developer tools and bench/front_door.py
        # read it: latency at the client minus this is the network and the ASGI server.
        response.headers["Server-Timing"] = f"app;dur={elapsed * 1000:.2f}"
        return response


# --- Request ids (ASGI) -------------------------------------------------------------------------

_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """The networks of KEPLIVE_TRUSTED_PROXIES; None means every peer ("*")."""
    networks = []
    for entry in settings.KEPLIVE_TRUSTED_PROXIES:
        if entry == "*":
            return None
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return networks


def _from_trusted_proxy(scope: dict[str, Any]) -> bool:
    client = scope.get("client")
    if not client:
        return False
    networks = _trusted_networks()
    if networks is None:
        return True
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    return any(address in network for network in networks)


def incoming_request_id(scope: dict[str, Any]) -> str:
    """The id to use for this request or connection."""
    if _from_trusted_proxy(scope):
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                text: str = value.decode("latin-1")
                if _WELL_FORMED_ID.fullmatch(text):
                    return text
                break
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.application(scope, receive, send)
            return
        current = incoming_request_id(scope)
        token = request_id.set(current)
        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send, current)
            else:
                await self._websocket(scope, receive, send)
        finally:
            request_id.reset(token)

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any, current: str) -> None:
        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", current.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.application(scope, receive, send_with_id)

    async def _websocket(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        opened_at: float | None = None

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal opened_at
            await send(message)
            if message["type"] == "websocket.accept" and opened_at is None:
                opened_at = time.monotonic()
                WEBSOCKETS_OPEN.inc()
                WEBSOCKETS_OPENED.inc()
                access_log.info("websocket open", extra={"event": "websocket_open"})

        try:
            await self.application(scope, receive, counting_send)
        finally:
            if opened_at is not None:
                WEBSOCKETS_OPEN.dec()
                seconds = round(time.monotonic() - opened_at, 1)
                access_log.info(
                    "websocket closed after %s s",
                    seconds,
                    extra={"event": "websocket_close", "duration_s": seconds},
                )


# --- Gauges read from the database at scrape time -----------------------------------------------


class DatabaseCollector(Collector):
    """Facts of the database and the queue, the same whichever process is scraped."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The names, without asking the database (the registry asks at registration)."""
        for name in (
            "keplive_database_up",
            "keplive_outbox_oldest_due_seconds",
            "keplive_outbox_messages",
            "keplive_calls_live",
            "keplive_worker_heartbeat_age_seconds",
        ):
            yield GaugeMetricFamily(name, name)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count

        from keplive.calls.models import Call, CallState
        from keplive.notifications.models import OutboxMessage, SmsMessage, Status

        up = GaugeMetricFamily("keplive_database_up", "1 if the database answered the scrape.")
        try:
            lag = GaugeMetricFamily(
                "keplive_outbox_oldest_due_seconds",
                "How long the oldest due, unsent message has waited, by channel.",
                labels=["channel"],
            )
            for channel, seconds in health.outbox_lag().items():
                lag.add_metric([channel], seconds)
            messages = GaugeMetricFamily(
                "keplive_outbox_messages",
                "Messages waiting to be sent and messages given up as failed, by channel.",
                labels=["channel", "status"],
            )
            for channel, model in (("email", OutboxMessage), ("sms", SmsMessage)):
                for status in (Status.PENDING, Status.FAILED):
                    messages.add_metric(
                        [channel, status.value], model.objects.filter(status=status).count()
                    )
            live = GaugeMetricFamily(
                "keplive_calls_live", "Calls open now, by state.", labels=["state"]
            )
            states = [
                CallState.OPEN,
                CallState.KNOCKING,
                CallState.IDENTITY_CHECK,
                CallState.IN_CALL,
            ]
            counts = dict(
                Call.objects.filter(
                    state__in=states,
                    appointment__ends_at__gte=timezone.now() - dt.timedelta(hours=1),
                )
                .values_list("state")
                .annotate(total=Count("id"))
                .order_by()
            )
            for state in states:
                live.add_metric([state.value], counts.get(state.value, 0))
        except Exception:
            up.add_metric([], 0)
            yield up
        else:
            up.add_metric([], 1)
            yield up
            yield lag
            yield messages
            yield live
        heartbeat = GaugeMetricFamily(
            "keplive_worker_heartbeat_age_seconds",
            "Seconds since the worker's last heartbeat (absent if it never beat).",
        )
        try:
            age = health.heartbeat_age()
        except Exception:
            age = None
        if age is not None:
            heartbeat.add_metric([], age)
            yield heartbeat


_database_collector = DatabaseCollector()
if not _MULTIPROCESS_DIR:
    REGISTRY.register(_database_collector)


def forget_dead_processes(directory: str) -> None:
    """Drop the live gauges of processes that are gone (a web process killed or restarted), so an
    open-connections gauge never counts the sockets of a dead process."""
    for path in Path(directory).glob("gauge_live*_*.db"):
        try:
            pid = int(path.stem.rsplit("_", 1)[1])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
        except PermissionError:
            continue


def exposition() -> bytes:
    """The Prometheus text of every process on this host (or of this one alone)."""
    if not _MULTIPROCESS_DIR:
        return generate_latest(REGISTRY)
    forget_dead_processes(_MULTIPROCESS_DIR)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=_MULTIPROCESS_DIR)  # type: ignore[no-untyped-call]
    registry.register(_database_collector)
    return generate_latest(registry)


def _authorised(request: HttpRequest) -> bool:
    token = settings.KEPLIVE_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text for a scraper with the token; for anyone else, as if there were nothing."""
    if not _authorised(request) or request.method != "GET":
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
