"""Signalling rules, over real WebSocket connections to the ASGI application (docs/calls.md).

Each test drives the application with Channels' communicator: the same routing, origin check,
session authentication and channel layer as in production (in-memory here; Redis under
``make test-postgres``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client

from keplive.audit.models import AuditEvent
from keplive.booking.links import interpreter_token, join_token
from keplive.calls.models import Call, CallState
from keplive.config.asgi import application
from tests.calls.conftest import make_appointment
from tests.factories import CitizenFactory, EmployeeFactory
from tests.staff import login_staff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The site's own origin: its public URL, scheme, host and port (keplive.config.websocket).
ORIGIN = (b"origin", settings.KEPLIVE_PUBLIC_URL.encode())


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """Each test runs its own event loop (async_to_sync); the Redis channel layer binds its
    locks to the loop that first used it, so every test gets a new layer. (A server process
    runs one loop, where one layer serves for its whole life.)"""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def session_cookie(user, *, second_factor: bool = True) -> bytes:  # type: ignore[no-untyped-def]
    """The session cookie of ``user`` logged in; staff also give their second factor unless
    ``second_factor`` is False (a password-only session)."""
    client = Client()
    if user.is_citizen or not second_factor:
        client.force_login(user)
    else:
        login_staff(client, user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket(  # type: ignore[no-untyped-def]
    appointment, *, link: str = "", user=None, origin=ORIGIN, second_factor: bool = True
) -> WebsocketCommunicator:
    path = f"/ws/calls/{appointment.reference}/" + (f"?link={link}" if link else "")
    headers = [origin] if origin else []
    if user is not None:
        cookie = await sync_to_async(session_cookie)(user, second_factor=second_factor)
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


async def next_of(ws: WebsocketCommunicator, kind: str, timeout: float = 5) -> dict[str, Any]:
    """The next message of a type, skipping others (snapshots arrive after every change)."""
    for _ in range(50):
        message = await ws.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


async def latest_snapshot(ws: WebsocketCommunicator) -> dict[str, Any]:
    """The call as it is now: what was queued before is skipped."""
    await drain(ws)
    await ws.send_json_to({"type": "sync"})
    return await next_of(ws, "snapshot")


async def drain(ws: WebsocketCommunicator) -> list[dict[str, Any]]:
    messages = []
    while not await ws.receive_nothing(timeout=0.2):
        output = await ws.receive_output(timeout=1)
        if output["type"] == "websocket.send":
            messages.append(json.loads(output["text"]))
    return messages


async def closed_with(ws: WebsocketCommunicator) -> int:
    for _ in range(50):
        output = await ws.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            return int(output["code"])
    raise AssertionError("not closed")


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


async def connect(ws: WebsocketCommunicator) -> dict[str, Any]:
    connected, _subprotocol = await ws.connect()
    assert connected
    return await next_of(ws, "snapshot")


async def admitted_pair(appointment):  # type: ignore[no-untyped-def]
    employee = await connect_employee(appointment)
    citizen = await socket(appointment, link=join_token(appointment))
    await connect(citizen)
    await citizen.send_json_to({"type": "knock"})
    await next_of(employee, "knock")
    await employee.send_json_to({"type": "admit", "role": "citizen"})
    snapshot = await next_of(citizen, "snapshot")
    while not snapshot["you"]["admitted"]:
        snapshot = await next_of(citizen, "snapshot")
    return employee, citizen


async def connect_employee(appointment) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    ws = await socket(appointment, user=appointment.employee.user)
    await connect(ws)
    return ws


def test_knock_admit_signal_chat_and_end():
    appointment = make_appointment()

    async def scenario() -> None:
        employee = await connect_employee(appointment)
        citizen = await socket(appointment, link=join_token(appointment))
        first = await connect(citizen)
        assert first["you"] == {"role": "citizen", "admitted": False}
        assert "ice_servers" not in first
        assert first["participants"] == []
        await citizen.send_json_to({"type": "knock"})
        assert (await next_of(employee, "knock"))["role"] == "citizen"
        await employee.send_json_to({"type": "admit", "role": "citizen"})
        admitted = await next_of(citizen, "snapshot")
        while not admitted["you"]["admitted"]:
            admitted = await next_of(citizen, "snapshot")
        assert admitted["state"] == CallState.IDENTITY_CHECK
        assert "ice_servers" in admitted
        offer = {"type": "offer", "sdp": "v=0 fake"}
        await citizen.send_json_to({"type": "signal", "to": "employee", "description": offer})
        relayed = await next_of(employee, "signal")
        assert relayed["from"] == "citizen"
        assert relayed["description"] == offer
        await employee.send_json_to({"type": "chat", "text": "Καλημέρα σας"})
        chat = await next_of(citizen, "chat")
        assert chat["text"] == "Καλημέρα σας"
        assert chat["from"] == "employee"
        # The sender gets the same message back: its page knows it went out.
        echo = await next_of(employee, "chat")
        assert {k: v for k, v in echo.items() if k != "seq"} == {
            k: v for k, v in chat.items() if k != "seq"
        }
        await employee.send_json_to({"type": "end"})
        assert (await next_of(citizen, "ended"))["type"] == "ended"
        assert await closed_with(citizen) == 4409
        assert await closed_with(employee) == 4409

    run(scenario)
    assert Call.objects.get(appointment=appointment).state == CallState.ENDED
    # Nobody joins an ended call.

    async def too_late() -> None:
        ws = await socket(appointment, link=join_token(appointment))
        await ws.connect()
        assert (await next_of(ws, "error"))["code"] == "refused"
        assert await closed_with(ws) == 4409

    run(too_late)


def test_nothing_of_the_call_reaches_a_citizen_before_admission():
    appointment = make_appointment()

    async def scenario() -> None:
        employee = await connect_employee(appointment)
        citizen = await socket(appointment, link=join_token(appointment))
        await connect(citizen)
        await citizen.send_json_to({"type": "knock"})
        await next_of(employee, "knock")
        offer = {"type": "offer", "sdp": "v=0 fake"}
        await employee.send_json_to({"type": "signal", "to": "citizen", "description": offer})
        refused = await next_of(employee, "error")
        assert refused["message"] == "Αυτός ο συμμετέχων δεν έχει γίνει δεκτός."  # Greek first
        await employee.send_json_to({"type": "chat", "text": "secret"})
        await citizen.send_json_to({"type": "chat", "text": "hello"})
        assert (await next_of(citizen, "error"))["type"] == "error"
        await citizen.send_json_to({"type": "signal", "to": "employee", "description": offer})
        received = await drain(citizen)
        assert not [m for m in received if m["type"] in ("signal", "chat", "resolution")]
        assert all(m.get("participants", []) == [] for m in received if m["type"] == "snapshot")
        # Only the employee's own echo: nothing the waiting citizen sent.
        assert not [
            m
            for m in await drain(employee)
            if m["type"] == "signal" or (m["type"] == "chat" and m["from"] != "employee")
        ]
        await employee.disconnect()
        await citizen.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "message",
    [
        {"type": "admit", "role": "citizen"},
        {"type": "end"},
        {"type": "camera", "blocked": False},
        {"type": "audio_only", "on": True},
        {"type": "identity", "verified": True},
        {"type": "turn_away", "role": "interpreter"},
        {"type": "opening"},
        {"type": "delivery", "method": "pickup"},
    ],
)
def test_a_citizen_cannot_send_what_only_the_employee_may(message):
    appointment = make_appointment()

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        await employee.send_json_to({"type": "camera", "blocked": True})
        await next_of(employee, "snapshot")
        before = await latest_snapshot(employee)
        await citizen.send_json_to(message)
        error = await next_of(citizen, "error")
        assert error["code"] in ("refused", "call_error")
        after = await latest_snapshot(employee)
        assert after["version"] == before["version"]
        assert after["state"] == before["state"]
        assert after["citizen_camera_blocked"]
        await employee.disconnect()
        await citizen.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        json.dumps([1, 2, 3]),
        json.dumps({"no": "type"}),
        json.dumps({"type": "nonsense"}),
        json.dumps({"type": "signal", "to": "employee", "description": "x"}),
        json.dumps({"type": "chat", "text": "x" * 1001}),
        json.dumps({"type": "resolution", "width": -1, "height": "a"}),
        json.dumps({"type": "chat", "text": "x" * 20_000}),
    ],
)
def test_malformed_or_oversized_messages_are_refused_and_the_call_goes_on(raw):
    appointment = make_appointment()

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        await citizen.send_to(text_data=raw)
        assert (await next_of(citizen, "error"))["type"] == "error"
        await citizen.send_json_to({"type": "ping"})
        assert (await next_of(citizen, "pong"))["type"] == "pong"
        await citizen.send_json_to({"type": "chat", "text": "still here"})
        assert (await next_of(employee, "chat"))["text"] == "still here"
        await employee.disconnect()
        await citizen.disconnect()

    run(scenario)


def test_who_may_connect_at_all():
    appointment = make_appointment()
    other_kep_employee = EmployeeFactory(availability=False)
    another_citizen = CitizenFactory()
    ended = make_appointment()
    Call.objects.create(appointment=ended, state=CallState.ENDED)

    async def refused(ws: WebsocketCommunicator) -> int:
        connected, _ = await ws.connect()
        if not connected:
            return 403  # refused at the handshake (e.g. a foreign origin)
        await next_of(ws, "error")
        return await closed_with(ws)

    async def scenario() -> None:
        assert await refused(await socket(appointment)) == 4401  # anonymous
        assert await refused(await socket(appointment, link="forged")) == 4401
        assert (
            await refused(await socket(appointment, link=join_token(ended))) == 4401
        )  # another call
        assert await refused(await socket(appointment, user=other_kep_employee.user)) == 4404
        assert await refused(await socket(appointment, user=another_citizen.user)) == 4404
        assert await refused(await socket(ended, link=join_token(ended))) == 4409
        # The origin must be the site's own: scheme, host and port (issue 11 finding 7).
        public = settings.KEPLIVE_PUBLIC_URL  # http://127.0.0.1:8000 in tests
        other_port = public.rsplit(":", 1)[0] + ":9999"
        other_scheme = public.replace("http://", "https://")
        for foreign in (
            "https://evil.example",
            other_port,
            other_scheme,
            "http://127.0.0.1",
            "null",
            public + ".evil.example",
        ):
            header = (b"origin", foreign.encode())
            ws = await socket(appointment, link=join_token(appointment), origin=header)
            assert await refused(ws) == 403, foreign
        no_origin = await socket(appointment, link=join_token(appointment), origin=None)
        assert await refused(no_origin) == 403
        # A staff session that gave the right password but never its code (issue 11 finding 1).
        password_only = await socket(
            appointment, user=appointment.employee.user, second_factor=False
        )
        assert await refused(password_only) == 4401

    run(scenario)
    assert AuditEvent.objects.filter(action="call.opened").count() == 0


def test_the_citizen_own_session_works_too():
    appointment = make_appointment()

    async def scenario() -> None:
        ws = await socket(appointment, user=appointment.citizen.user)
        snapshot = await connect(ws)
        assert snapshot["you"]["role"] == "citizen"
        await ws.disconnect()

    run(scenario)


def test_a_re_join_replaces_the_old_connection_so_there_are_never_more_than_three():
    appointment = make_appointment(category_number=3, interpreter="sign_language")

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        interpreter = await socket(appointment, link=interpreter_token(appointment))
        await connect(interpreter)
        await interpreter.send_json_to({"type": "knock"})
        assert (await next_of(employee, "knock"))["role"] == "interpreter"
        await employee.send_json_to({"type": "admit", "role": "interpreter"})
        snapshot = await next_of(interpreter, "snapshot")
        while not snapshot["you"]["admitted"]:
            snapshot = await next_of(interpreter, "snapshot")
        assert {p["role"] for p in snapshot["participants"]} == {"employee", "citizen"}
        second = await socket(appointment, link=join_token(appointment))
        await connect(second)
        assert await closed_with(citizen) == 4009
        view = await latest_snapshot(employee)
        assert [p["present"] for p in view["participants"]] == [True, True]
        call = await Call.objects.aget(appointment=appointment)
        assert call.citizen_channel
        assert call.interpreter_channel
        assert call.employee_channel
        for ws in (employee, second, interpreter):
            await ws.disconnect()

    run(scenario)
    call = Call.objects.get(appointment=appointment)
    assert not (call.citizen_channel)
    assert not (call.interpreter_channel)
    assert not (call.employee_channel)


def test_the_employee_switches_the_citizen_camera_off():
    appointment = make_appointment()

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        await employee.send_json_to({"type": "camera", "blocked": True})
        snapshot = await next_of(citizen, "snapshot")
        while not snapshot["citizen_camera_blocked"]:
            snapshot = await next_of(citizen, "snapshot")
        await citizen.send_json_to({"type": "resolution", "width": 1920, "height": 1080})
        assert (await next_of(employee, "resolution"))["width"] == 1920
        await employee.disconnect()
        await citizen.disconnect()

    run(scenario)


def test_the_employee_confirms_the_opening_words_and_the_delivery_in_the_call():
    """Circular 002 (issue 15, items 7 and 8): both reach the employee's snapshot; a delivery
    that does not hold is refused naming the field, and the call goes on."""
    appointment = make_appointment()

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        await employee.send_json_to({"type": "opening"})
        snapshot = await next_of(employee, "snapshot")
        while not snapshot["identity"]["opening_told_at"]:
            snapshot = await next_of(employee, "snapshot")
        await employee.send_json_to({"type": "delivery", "method": "email", "email": "nope"})
        error = await next_of(employee, "error")
        assert (error["code"], error["field"]) == ("invalid_delivery", "email")
        await employee.send_json_to({"type": "delivery", "method": "post", "email": 3})
        assert (await next_of(employee, "error"))["code"] == "call_error"
        await employee.send_json_to(
            {"type": "delivery", "method": "post", "address": "Σταδίου 5, 10562 Αθήνα"}
        )
        snapshot = await next_of(employee, "snapshot")
        while not snapshot["delivery"]["confirmed"]:
            snapshot = await next_of(employee, "snapshot")
        assert snapshot["delivery"]["confirmed"]["address"] == "Σταδίου 5, 10562 Αθήνα"
        citizen_view = await latest_snapshot(citizen)
        assert "delivery" not in citizen_view
        assert "identity" not in citizen_view
        await employee.disconnect()
        await citizen.disconnect()

    run(scenario)


def test_the_citizen_camera_cannot_be_turned_off_while_the_interpreter_is_in():
    appointment = make_appointment(category_number=3, interpreter="sign_language")

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        interpreter = await socket(appointment, link=interpreter_token(appointment))
        await connect(interpreter)
        await interpreter.send_json_to({"type": "knock"})
        await next_of(employee, "knock")
        await employee.send_json_to({"type": "admit", "role": "interpreter"})
        snapshot = await next_of(interpreter, "snapshot")
        while not snapshot["you"]["admitted"]:
            snapshot = await next_of(interpreter, "snapshot")
        await drain(employee)
        await employee.send_json_to({"type": "camera", "blocked": True})
        error = await next_of(employee, "error")
        assert error["code"] == "invalid_state"
        assert "διερμηνέας" in error["message"] or "interpreter" in error["message"]
        assert not (await latest_snapshot(employee))["citizen_camera_blocked"]
        assert not (await latest_snapshot(citizen))["citizen_camera_blocked"]
        for ws in (employee, citizen, interpreter):
            await ws.disconnect()

    run(scenario)
    assert not Call.objects.get(appointment=appointment).citizen_camera_blocked
    assert not AuditEvent.objects.filter(action="call.camera_blocked").exists()


def test_the_registry_outcome_reaches_both_sides_without_asking():
    """The registry check is an HTTP POST: once its outcome is stored, every connection of the
    call gets a snapshot, so no page depends on asking for one (issue 15, item 3)."""
    appointment = make_appointment()
    client = Client()
    login_staff(client, appointment.employee.user)

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        await drain(employee)
        await drain(citizen)
        response = await sync_to_async(client.post)(
            f"/workspace/calls/{appointment.reference}/registry-check/"
        )
        assert response.status_code == 200
        # No sync sent: the snapshots come by themselves.
        snapshot = await next_of(employee, "snapshot")
        assert snapshot["identity"]["registry"]["verified"] is True
        after = await next_of(citizen, "snapshot")
        assert "identity" not in after  # the citizen learns of the change, not its content
        assert after["version"] == snapshot["version"]
        await employee.disconnect()
        await citizen.disconnect()

    run(scenario)


def test_chat_is_relayed_but_never_stored_or_logged(caplog):
    appointment = make_appointment()
    secret = "Ο αριθμός μου είναι 6987654321-unique-chat-text"

    async def scenario() -> None:
        employee, citizen = await admitted_pair(appointment)
        await citizen.send_json_to({"type": "chat", "text": secret})
        assert (await next_of(employee, "chat"))["text"] == secret
        sdp = {"type": "offer", "sdp": "v=0 unique-sdp-text"}
        await citizen.send_json_to({"type": "signal", "to": "employee", "description": sdp})
        await next_of(employee, "signal")
        await employee.disconnect()
        await citizen.disconnect()

    with caplog.at_level(logging.DEBUG):
        run(scenario)
    assert secret not in caplog.text
    assert "unique-sdp-text" not in caplog.text
    # Search every column of every table for the texts. Table and column names come from
    # the database's own catalogue, not from input.
    quoted = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            description = connection.introspection.get_table_description(cursor, table)
            for column in (c.name for c in description):
                query = (
                    f"SELECT COUNT(*) FROM {quoted(table)} "  # noqa: S608
                    f"WHERE CAST({quoted(column)} AS TEXT) LIKE %s"
                )
                for needle in ("%unique-chat-text%", "%unique-sdp-text%"):
                    cursor.execute(query, [needle])
                    assert cursor.fetchone()[0] == 0, (table, column)


def _age_session(cookie: bytes, minutes: int) -> None:
    """Make the session behind ``cookie`` look idle for ``minutes`` (ADR 0014's clocks)."""
    import datetime as dt

    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from keplive.accounts import sessions

    key = cookie.decode().split("=", 1)[1]
    session = SessionStore(session_key=key)
    then = int((timezone.now() - dt.timedelta(minutes=minutes)).timestamp())
    session[sessions.LOGIN_AT] = then
    session[sessions.SEEN_AT] = then
    session.save()


def test_an_idle_staff_session_cannot_join_or_stay_in_a_call(monkeypatch):
    """The session limits of the pages hold on the WebSocket too (ADR 0014): an employee idle for
    more than 30 minutes is refused; one whose session lapses during a call is closed at the next
    message, while messages within the limit keep the session alive."""
    from keplive.calls import consumers

    appointment = make_appointment()
    user = appointment.employee.user
    origin = (b"origin", settings.KEPLIVE_PUBLIC_URL.encode())
    path = f"/ws/calls/{appointment.reference}/"

    async def scenario() -> None:
        idle = await sync_to_async(session_cookie)(user)
        await sync_to_async(_age_session)(idle, 31)
        ws = WebsocketCommunicator(application, path, headers=[origin, (b"cookie", idle)])
        assert (await ws.connect())[0]
        assert (await next_of(ws, "error"))["code"] == "refused"
        assert await closed_with(ws) == 4401

        fresh = await sync_to_async(session_cookie)(user)
        ws = WebsocketCommunicator(application, path, headers=[origin, (b"cookie", fresh)])
        await connect(ws)
        monkeypatch.setattr(consumers, "SESSION_CHECK_SECONDS", 0)
        await ws.send_json_to({"type": "sync"})  # activity within the limit: still in the call
        await next_of(ws, "snapshot")
        await sync_to_async(_age_session)(fresh, 31)
        await ws.send_json_to({"type": "sync"})
        assert (await next_of(ws, "error"))["code"] == "refused"
        assert await closed_with(ws) == 4401

    run(scenario)
