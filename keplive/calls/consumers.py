"""Call signalling over WebSocket (docs/calls.md).

The server relays; it never sees media. Each connection speaks for one role — the employee
(staff session, the appointment's KEP), the citizen (the signed join link or their own session)
or the interpreter (their own link) — and every message is checked against that role and the
call's state before it is relayed. Nothing of a call reaches a citizen or an interpreter before
the employee admits them. The contents of ``signal`` and ``chat`` messages are passed on and
forgotten: never stored, never logged (P6).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from keplive.accounts.sessions import record_activity, session_expired
from keplive.accounts.staff_login import second_factor_verified
from keplive.audit.services import Origin
from keplive.booking.links import (
    LinkNotValid,
    appointment_for_interpreter_token,
    appointment_for_join_token,
)
from keplive.booking.models import Appointment, Status
from keplive.calls import selectors, services
from keplive.calls.exceptions import CallEnded, CallError, InvalidDelivery
from keplive.calls.groups import group_name
from keplive.calls.ice import ice_servers
from keplive.calls.models import Call, CallState, Role
from keplive.calls.services import LINK_OVERRUN
from keplive.directory.selectors import active_employee

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 16 * 1024
MAX_CHAT_CHARACTERS = 1000
HEARTBEAT_TIMEOUT_SECONDS = 45
# How often a session-signed connection re-checks its session (idle and absolute limits).
SESSION_CHECK_SECONDS = 60

CLOSE_REPLACED = 4009
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_ENDED = 4409

# What each role may send. Anything else is refused with an error; the call is unharmed.
ALLOWED: dict[str, frozenset[str]] = {
    Role.EMPLOYEE: frozenset(
        {"admit", "turn_away", "identity", "opening", "delivery", "audio_only", "camera", "end"}
        | {"signal", "chat", "sync", "ping"}
    ),
    Role.CITIZEN: frozenset({"knock", "signal", "chat", "resolution", "sync", "ping"}),
    Role.INTERPRETER: frozenset({"knock", "signal", "chat", "sync", "ping"}),
}
# Messages only an admitted participant may send.
NEEDS_ADMISSION = frozenset({"signal", "chat", "resolution"})


class Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- Database access (synchronous, run in a thread) ---------------------------------------


# Fewer threads than the process's PostgreSQL pool (KEPLIVE_DB_POOL_MAX_SIZE, 10): a burst of
# joins queues here, not on the pool's 10-second timeout, and leaves connections to the pages.
DATABASE_THREADS = 4
_DATABASE_THREADS = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="keplive-calls-db")


def _in_thread(function: Any) -> Any:
    """Run ``function`` in a worker thread of the event loop's pool, with Django's connection
    handling. Not Channels' default (``thread_sensitive=True``): a consumer outside a request
    has no thread of its own, so that default runs every consumer's queries in the one shared
    thread, one after another, and 50 citizens joining at once waited in line for it
    (docs/PERFORMANCE.md, "Call signalling"). Each call here is its own transaction(s) on a
    connection from the pool; nothing in it needs a particular thread. SQLite (development,
    the SQLite test run) keeps the one thread: it serialises writers anyway, and its shared
    in-memory test database refuses concurrent writers instead of waiting."""
    parallel = database_sync_to_async(function, thread_sensitive=False, executor=_DATABASE_THREADS)
    serial = database_sync_to_async(function)

    def run(*args: Any, **kwargs: Any) -> Any:
        return (serial if _on_sqlite() else parallel)(*args, **kwargs)

    return run


def _on_sqlite() -> bool:
    """Read from the settings, not from ``django.db.connection``: that is a per-context object
    (asgiref ``Local``), and asking it from a consumer made a ``DatabaseWrapper`` — about 5 KiB —
    for every held connection's task (docs/PERFORMANCE.md, "Memory per connection")."""
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3")


@_in_thread
def _authenticate(scope: dict[str, Any], reference: str, link: str) -> tuple[Call, str, Any]:
    """(call, role, actor) for this connection, or ``Refused``."""
    now = timezone.now()
    try:
        parsed = uuid.UUID(reference)
    except ValueError:
        raise Refused(CLOSE_NOT_FOUND, _("There is no such call.")) from None
    appointment: Appointment | None = None
    role = ""
    actor: Any = None
    if link:
        for candidate_role, resolve in (
            (Role.CITIZEN, appointment_for_join_token),
            (Role.INTERPRETER, appointment_for_interpreter_token),
        ):
            try:
                named = resolve(link, now=now, overrun=LINK_OVERRUN)
            except LinkNotValid:
                continue
            if named.reference == parsed:
                appointment, role = named, candidate_role
                actor = named.citizen.user if candidate_role == Role.CITIZEN else None
                break
        if appointment is None:
            raise Refused(CLOSE_NOT_AUTHENTICATED, _("This link is not valid for this call."))
    else:
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            raise Refused(CLOSE_NOT_AUTHENTICATED, _("Log in to join the call."))
        if session_expired(scope["session"], user, now):
            # Idle or past its absolute limit (ADR 0014): as on the pages, sign in again.
            raise Refused(CLOSE_NOT_AUTHENTICATED, _("Your session has ended. Sign in again."))
        if not user.is_citizen and not second_factor_verified(user, scope.get("session")):
            # Staff speak in a call only after their second factor, as on every staff page.
            raise Refused(
                CLOSE_NOT_AUTHENTICATED,
                _("Sign in with your authenticator code to join the call."),
            )
        appointment = (
            Appointment.objects.select_related("kep", "citizen", "citizen__user")
            .filter(reference=parsed, status=Status.BOOKED)
            .first()
        )
        if appointment is None:
            raise Refused(CLOSE_NOT_FOUND, _("There is no such call."))
        employee = active_employee(user)
        if employee is not None and employee.kep_id == appointment.kep_id:
            role, actor = Role.EMPLOYEE, employee
        elif user.is_citizen and appointment.citizen.user_id == user.pk:
            if appointment.ends_at + LINK_OVERRUN <= now:
                raise Refused(CLOSE_ENDED, _("This call has ended."))
            role, actor = Role.CITIZEN, user
        else:
            # Another KEP's appointment, or another citizen's: as if it did not exist.
            raise Refused(CLOSE_NOT_FOUND, _("There is no such call."))
    call = services.call_for_joining(appointment)
    if call.state == CallState.ENDED:
        raise Refused(CLOSE_ENDED, _("This call has ended."))
    return call, role, actor


@_in_thread
def _session_still_valid(scope: dict[str, Any]) -> bool:
    """For a connection signed in by its session: False once the session has expired; otherwise
    the message counts as activity, so a long call keeps the employee signed in (ADR 0014)."""
    # Read afresh: the pages may have moved the clocks, or a log-out ended the session.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    session, user, now = store(scope["session"].session_key), scope["user"], timezone.now()
    if not session.exists(session.session_key) or session_expired(session, user, now):
        return False
    if record_activity(session, user=user, now=now):
        session.save()
    return True


@_in_thread
def _fresh(call_id: int) -> Call:
    return Call.objects.select_related("appointment").get(pk=call_id)


def _snapshot_of(call: Call, role: str, participant: str) -> dict[str, Any]:
    body = selectors.snapshot(call, role=role)
    if body["you"]["admitted"]:
        body["ice_servers"] = ice_servers(participant=participant, now=timezone.now())
    return body


@_in_thread
def _snapshot(call_id: int, role: str, participant: str) -> dict[str, Any]:
    call = Call.objects.select_related("appointment").get(pk=call_id)
    return _snapshot_of(call, role, participant)


@_in_thread
def _arrive(
    call: Call, role: str, actor: Any, channel: str, participant: str, origin: Origin
) -> dict[str, Any]:
    """A connection has joined the call's group: it speaks for its role now (the employee opens
    the room), and the snapshot it starts with — one trip to the database."""
    call = services.set_presence(call=call, role=role, channel=channel)
    if role == Role.EMPLOYEE:
        call = services.open_call(call=call, employee=actor, now=timezone.now(), origin=origin)
    return _snapshot_of(call, role, participant)


@_in_thread
def _leave(call_id: int, role: str, channel: str) -> None:
    call = Call.objects.get(pk=call_id)
    services.set_presence(call=call, role=role, channel="", replace=channel)


def _run(function: Any, **kwargs: Any) -> Any:
    return _in_thread(function)(**kwargs)


# redis-py's asyncio pool (channels_redis) holds at most 100 connections and raises
# MaxConnectionsError beyond, instead of waiting: 200 sockets closing at once made their
# group_discard fail and left them "present". The layer calls of this process's consumers wait
# for one of these slots instead (one semaphore per event loop: tests run several loops).
LAYER_SLOTS = 48
_layer_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _layer_slots.get(loop)
    if slots is None:
        slots = _layer_slots[loop] = asyncio.Semaphore(LAYER_SLOTS)
    return slots


# --- The consumer ---------------------------------------------------------------------------


class CallConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    call_id: int
    role: str
    actor: Any
    participant: str
    language: str

    async def connect(self) -> None:
        self.call_id = 0
        self.sent = 0
        self.admitted_now = False
        self.last_heard = time.monotonic()
        reference = str(self.scope["url_route"]["kwargs"]["reference"])
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        link = (query.get("link") or [""])[0][:2000]
        self.by_link = bool(link)
        self.session_checked = time.monotonic()
        chosen = self.scope.get("cookies", {}).get("django_language", "")
        self.language = chosen if chosen in ("el", "en") else "el"  # Greek first (ADR 0007)
        await self.accept()
        try:
            with override(self.language):
                call, self.role, self.actor = await _authenticate(self.scope, reference, link)
        except Refused as refused:
            await self._send({"type": "error", "code": "refused", "message": refused.message})
            await self.close(code=refused.code)
            return
        self.call_id = call.pk
        self.participant = f"{self.role}-{uuid.uuid4().hex[:12]}"
        self.origin = Origin(ip_address=self._client_ip(), channel=f"call-{self.role}")
        # In the group before the presence is written: no change after it is missed.
        await self._layer(self.channel_layer.group_add(group_name(call.pk), self.channel_name))
        # A re-join of the same role takes over; the older connection closes itself. Told while
        # this one writes its presence: whichever comes first, the older one leaves the presence
        # to this one (``call_replace`` clears its ``call_id`` before its ``disconnect``).
        _replaced, body = await asyncio.gather(
            self._group({"type": "call.replace", "role": self.role, "channel": self.channel_name}),
            _arrive(call, self.role, self.actor, self.channel_name, self.participant, self.origin),
        )
        self.admitted_now = bool(body["you"]["admitted"])
        if self.role != Role.EMPLOYEE:
            self.actor = None  # only the employee's actions need it: no user kept per citizen
        await self._send(body)
        # The others learn of the arrival; this connection has its snapshot already.
        await self._group({"type": "call.changed", "skip": self.channel_name})
        heartbeats().add(self)

    async def disconnect(self, code: int) -> None:
        heartbeats().discard(self)
        if not self.call_id:
            return
        await self._layer(
            self.channel_layer.group_discard(group_name(self.call_id), self.channel_name)
        )
        await _leave(self.call_id, self.role, self.channel_name)
        await self._group({"type": "call.changed"})

    # --- From the browser ----------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.call_id:
            return
        self.last_heard = time.monotonic()
        with override(self.language):
            try:
                message = self._parse(text_data, bytes_data)
                kind = message["type"]
                if kind != "ping" and not await self._session_ok():
                    await self._send(
                        {
                            "type": "error",
                            "code": "refused",
                            "message": _("Your session has ended. Sign in again."),
                        }
                    )
                    await self.close(code=CLOSE_NOT_AUTHENTICATED)
                    return
                if kind not in ALLOWED[self.role]:
                    raise CallError(_("Your role cannot send this message."))
                await getattr(self, f"_on_{kind}")(message)
            except CallEnded as ended:
                await self._error("ended", str(ended))
            except InvalidDelivery as invalid:
                await self._send(
                    {
                        "type": "error",
                        "code": invalid.code,
                        "field": invalid.field,
                        "message": str(invalid),
                    }
                )
            except CallError as error:
                await self._error(getattr(error, "code", "refused"), str(error))

    async def _session_ok(self) -> bool:
        """Connections signed in by a session (not a link) check it at most once a minute."""
        if self.by_link or time.monotonic() - self.session_checked < SESSION_CHECK_SECONDS:
            return True
        self.session_checked = time.monotonic()
        return bool(await _session_still_valid(self.scope))

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
        if bytes_data is not None or text_data is None:
            raise CallError(_("Messages must be JSON text."))
        if len(text_data.encode()) > MAX_MESSAGE_BYTES:
            raise CallError(_("This message is too large."))
        try:
            message = json.loads(text_data)
        except ValueError:
            raise CallError(_("This message could not be read.")) from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise CallError(_("This message could not be read."))
        return message

    async def _call(self) -> Call:
        call: Call = await _fresh(self.call_id)
        return call

    async def _admitted(self) -> bool:
        return selectors.admitted(await self._call(), self.role)

    async def _employee_action(self, function: Any, **kwargs: Any) -> None:
        call = await self._call()
        await _run(
            function,
            call=call,
            employee=self.actor,
            now=timezone.now(),
            origin=self.origin,
            **kwargs,
        )
        await self._group({"type": "call.changed"})

    async def _on_ping(self, message: dict[str, Any]) -> None:
        await self._send({"type": "pong"})

    async def _on_sync(self, message: dict[str, Any]) -> None:
        await self._send_snapshot()

    async def _on_knock(self, message: dict[str, Any]) -> None:
        call = await self._call()
        before = call.version
        call = await _run(
            services.knock, call=call, role=self.role, now=timezone.now(), origin=self.origin
        )
        if call.version != before:
            await self._group({"type": "call.knock", "role": self.role})
        await self._group({"type": "call.changed"})

    async def _on_admit(self, message: dict[str, Any]) -> None:
        await self._employee_action(services.admit, role=self._target(message))

    async def _on_turn_away(self, message: dict[str, Any]) -> None:
        role = self._target(message)
        await self._employee_action(services.turn_away, role=role)
        await self._group({"type": "call.turned_away", "role": role})

    async def _on_identity(self, message: dict[str, Any]) -> None:
        verified = message.get("verified")
        if not isinstance(verified, bool):
            raise CallError(_("Say whether the identity was confirmed."))
        await self._employee_action(services.confirm_identity, verified=verified)

    async def _on_opening(self, message: dict[str, Any]) -> None:
        await self._employee_action(services.confirm_opening_told)

    async def _on_delivery(self, message: dict[str, Any]) -> None:
        method, email, address = (message.get(key, "") for key in ("method", "email", "address"))
        if not all(isinstance(value, str) for value in (method, email, address)):
            raise CallError(_("This message could not be read."))
        await self._employee_action(
            services.confirm_delivery, method=method, email=email, address=address
        )

    async def _on_audio_only(self, message: dict[str, Any]) -> None:
        on = message.get("on")
        if not isinstance(on, bool):
            raise CallError(_("This message could not be read."))
        await self._employee_action(services.set_audio_only, on=on)

    async def _on_camera(self, message: dict[str, Any]) -> None:
        blocked = message.get("blocked")
        if not isinstance(blocked, bool):
            raise CallError(_("This message could not be read."))
        await self._employee_action(services.set_citizen_camera_blocked, blocked=blocked)

    async def _on_end(self, message: dict[str, Any]) -> None:
        await self._employee_action(services.end_call)
        await self._group({"type": "call.ended"})

    async def _on_signal(self, message: dict[str, Any]) -> None:
        target = message.get("to")
        if target not in Role.values or target == self.role:
            raise CallError(_("This message could not be read."))
        relayed: dict[str, Any] = {"type": "signal", "from": self.role}
        description, candidate = message.get("description"), message.get("candidate")
        if (
            isinstance(description, dict)
            and description.get("type")
            in (
                "offer",
                "answer",
                "rollback",
            )
            and isinstance(description.get("sdp", ""), str)
        ):
            relayed["description"] = {
                "type": description["type"],
                "sdp": description.get("sdp", ""),
            }
        elif "candidate" in message and (candidate is None or isinstance(candidate, dict)):
            relayed["candidate"] = candidate
        else:
            raise CallError(_("This message could not be read."))
        call = await self._call()
        if not selectors.admitted(call, self.role):
            raise CallError(_("Wait until the employee lets you in."))
        if not selectors.admitted(call, target):
            raise CallError(_("That participant has not been admitted."))
        await self._group({"type": "call.relay", "to": target, "message": relayed})

    async def _on_chat(self, message: dict[str, Any]) -> None:
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            raise CallError(_("Type a message first."))
        if len(text) > MAX_CHAT_CHARACTERS:
            raise CallError(_("A message can have at most 1000 characters."))
        if not await self._admitted():
            raise CallError(_("Wait until the employee lets you in."))
        chat = {
            "type": "chat",
            "from": self.role,
            "text": text.strip(),
            "at": timezone.now().isoformat(timespec="seconds"),
        }
        await self._group({"type": "call.relay", "to": "admitted", "message": chat})
        # The echo tells the sender's page the message went out (its pending mark goes).
        await self._send(chat)

    async def _on_resolution(self, message: dict[str, Any]) -> None:
        width, height = message.get("width"), message.get("height")
        if not all(isinstance(v, int) and 0 < v <= 10_000 for v in (width, height)):
            raise CallError(_("This message could not be read."))
        if not await self._admitted():
            raise CallError(_("Wait until the employee lets you in."))
        await self._group(
            {
                "type": "call.relay",
                "to": Role.EMPLOYEE,
                "message": {"type": "resolution", "width": width, "height": height},
            }
        )

    def _target(self, message: dict[str, Any]) -> str:
        role = message.get("role")
        if role not in (Role.CITIZEN, Role.INTERPRETER):
            raise CallError(_("Say whom to admit: the citizen or the interpreter."))
        return str(role)

    # --- From the group (other connections of this call) --------------------------------

    async def call_changed(self, event: dict[str, Any]) -> None:
        if not self.call_id:
            return  # replaced by a newer connection, closing
        if event.get("skip") == self.channel_name:
            return  # this connection's own arrival: it sent its snapshot already
        await self._send_snapshot()

    async def _send_snapshot(self) -> None:
        body = await _snapshot(self.call_id, self.role, self.participant)
        # Kept for the relay below: group events reach this connection in order, so this is
        # the admission as of the latest change this connection has heard of.
        self.admitted_now = bool(body["you"]["admitted"])
        await self._send(body)

    async def call_knock(self, event: dict[str, Any]) -> None:
        if self.role == Role.EMPLOYEE:
            await self._send({"type": "knock", "role": event["role"]})

    async def call_relay(self, event: dict[str, Any]) -> None:
        if not self.call_id:
            return
        target = event["to"]
        if target == "admitted":
            if event["message"].get("from") == self.role or not await self._admitted():
                return
        elif target != self.role or not await self._admitted():
            return
        await self._send(dict(event["message"]))

    async def call_turned_away(self, event: dict[str, Any]) -> None:
        if self.role == event["role"]:
            await self._send({"type": "turned_away"})
            await self.close(code=CLOSE_FORBIDDEN)

    async def call_ended(self, event: dict[str, Any]) -> None:
        await self._send({"type": "ended"})
        await self.close(code=CLOSE_ENDED)

    async def call_replace(self, event: dict[str, Any]) -> None:
        if event["role"] == self.role and event["channel"] != self.channel_name:
            call_id, self.call_id = self.call_id, 0  # the newer connection owns the presence
            await self._layer(
                self.channel_layer.group_discard(group_name(call_id), self.channel_name)
            )
            await self.close(code=CLOSE_REPLACED)

    # --- Helpers ----------------------------------------------------------------------------

    async def _group(self, event: dict[str, Any]) -> None:
        await self._layer(self.channel_layer.group_send(group_name(self.call_id), event))

    @staticmethod
    async def _layer(operation: Any) -> None:
        """One channel-layer operation, in one of this process's slots (``LAYER_SLOTS``)."""
        async with _slots():
            await operation

    async def _send(self, body: dict[str, Any]) -> None:
        self.sent += 1
        await self.send(text_data=json.dumps(body | {"seq": self.sent}, default=str))

    async def _error(self, code: str, message: str) -> None:
        await self._send({"type": "error", "code": code, "message": message})

    def _client_ip(self) -> str | None:
        client = self.scope.get("client")
        return str(client[0]) if client else None

    async def _close_silent(self) -> None:
        # The page may be gone already (the server then raises its ClientDisconnected, an
        # OSError): closing a closed socket is no error to log.
        with contextlib.suppress(OSError):
            await self.close(code=1001)


# --- The heartbeat: one watcher per process, not a task per connection ----------------------

# How often the watcher looks for silent peers.
HEARTBEAT_CHECK_SECONDS = 5.0


class _Heartbeats:
    """The connections of one event loop that have joined a call, and the one task that closes
    those silent for ``HEARTBEAT_TIMEOUT_SECONDS`` (no ping, no message). A task (and its timer)
    per connection was a few KiB of every held connection (docs/PERFORMANCE.md, "Memory per
    connection"); this task runs while at least one connection is watched."""

    def __init__(self) -> None:
        self.watched: dict[CallConsumer, None] = {}  # insertion-ordered, strong until they leave
        self.task: asyncio.Task[None] | None = None
        self.closing: set[asyncio.Task[None]] = set()

    def add(self, consumer: CallConsumer) -> None:
        self.watched[consumer] = None
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._watch())

    def discard(self, consumer: CallConsumer) -> None:
        self.watched.pop(consumer, None)

    async def _watch(self) -> None:
        try:
            while self.watched:
                await asyncio.sleep(HEARTBEAT_CHECK_SECONDS)
                cutoff = time.monotonic() - HEARTBEAT_TIMEOUT_SECONDS
                for consumer in [c for c in self.watched if c.last_heard < cutoff]:
                    self.discard(consumer)
                    # Each close in a task of its own: one peer slow to take its close frame
                    # does not hold up the others.
                    closing = asyncio.ensure_future(consumer._close_silent())
                    self.closing.add(closing)
                    closing.add_done_callback(self.closing.discard)
        finally:
            self.task = None


_heartbeats: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Heartbeats] = (
    weakref.WeakKeyDictionary()
)


def heartbeats() -> _Heartbeats:
    """This event loop's watcher (tests run several loops; a server process one)."""
    loop = asyncio.get_running_loop()
    found = _heartbeats.get(loop)
    if found is None:
        found = _heartbeats[loop] = _Heartbeats()
    return found
