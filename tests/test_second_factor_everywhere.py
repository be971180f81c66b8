"""Every door staff use refuses a session that gave the right password but not the second factor
(issue 11 finding 1): every HTTP route — pages, API, the Django admin — and every WebSocket route,
walked with a password-only session of each staff role.

The walk is generated from the URL resolver and the WebSocket routing, so a route added tomorrow is
walked too. Path parameters are filled with real objects (an appointment of the employee's own
KEP, the KEP, the employee), so a door that forgot the check would answer with that data; a
verified session of the same people opens the same doors (the control), so the refusals are not
an accident of bad identifiers.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from keplive.accounts.models import Role
from keplive.calls.routing import websocket_urlpatterns
from keplive.config.asgi import application
from tests.calls.conftest import make_appointment
from tests.factories import EmployeeFactory, UserFactory
from tests.staff import login_staff
from tests.test_url_access import PUBLIC, all_routes, rule_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Where a password-only session may be sent: a sign-in or code page, never a page with data.
# (Or a front page, walked itself: a logout's redirect, say.)
SIGN_IN = re.compile(
    r"^/(workspace|administration|admin)/(login|verify)/|^/login/|^/((workspace|administration|admin)/)?$"
)


def concrete(route: str, values: dict[str, str]) -> str:
    """A path for ``route`` with each parameter replaced by a real value."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "accounts", route)
    route = re.sub(r"\(\?P<url>\.\*\)", "accounts/user/", route)

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        return values.get(name, "1")

    return "/" + re.sub(r"<([^>]+)>", value, route)


@pytest.fixture
def people(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    appointment = make_appointment()
    kep = appointment.kep
    supervisor = EmployeeFactory(kep=kep, availability=False)
    supervisor.user.role = Role.SUPERVISOR
    supervisor.user.save(update_fields=["role"])
    staff = {
        "employee": appointment.employee.user,
        "supervisor": supervisor.user,
        "administrator": UserFactory(role=Role.ADMINISTRATOR, is_staff=True),
        "auditor": UserFactory(role=Role.AUDITOR),
        "superuser": UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
    }
    values = {
        "reference": str(appointment.reference),
        "hold": str(appointment.reference),
        "kep": kep.code,
        "kep_id": str(kep.pk),
        "employee_id": str(appointment.employee.pk),
        "token": "forged-token",
        "object_id": str(appointment.citizen.pk),
        "table": "by-day",
    }
    citizen = appointment.citizen
    secrets = [citizen.tax_id, citizen.last_name, "Γιώργος Νικολάου", "giorgos@example.gr"]
    return {"appointment": appointment, "staff": staff, "values": values, "secrets": secrets}


def walk() -> list[tuple[str, str]]:
    return [(route, rule_for(route) or "") for route in all_routes()]


def test_every_http_route_refuses_a_password_only_session(people):
    values, secrets = people["values"], people["secrets"]
    opened: list[str] = []
    for role, user in people["staff"].items():
        client = Client()
        client.force_login(user)  # the right password; no code given
        for route, rule in walk():
            if rule == PUBLIC:
                continue
            path = concrete(route, values)
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                status = response.status_code
                body = response.content.decode("utf-8", "replace")
                where = f"{role} {method.upper()} {path} → {status}"
                leaked = [secret for secret in secrets if secret in body]
                assert not leaked, where
                if 200 <= status < 300:
                    opened.append(where)
                elif status in (301, 302, 303, 307, 308):
                    location = response["Location"]
                    # A trailing-slash redirect goes on to a route walked on its own.
                    if not location.rstrip("/").endswith(path.rstrip("/")):
                        assert SIGN_IN.match(location), f"{where} → {location}"
                else:
                    assert status in (400, 401, 403, 404, 405, 410), where
    assert opened == []


def test_the_same_doors_open_once_the_second_factor_is_given(people):
    """The control: with the code given, the same people reach the same data."""
    reference = people["values"]["reference"]
    doors = {
        "employee": [f"/workspace/appointments/{reference}/", "/workspace/"],
        "supervisor": ["/workspace/week/"],
        "administrator": ["/administration/dashboard/", "/administration/keps/"],
        "auditor": ["/administration/audit/"],
        "superuser": [f"/admin/accounts/citizen/{people['values']['object_id']}/change/"],
    }
    for role, paths in doors.items():
        client = login_staff(Client(), people["staff"][role])
        for path in paths:
            assert client.get(path).status_code == 200, (role, path)
    employee = login_staff(Client(), people["staff"]["employee"])
    details = employee.get(f"/workspace/appointments/{reference}/").content.decode()
    assert people["secrets"][2] in details  # the control really sees the citizen's data


def _session_cookie(user: Any, *, verified: bool) -> bytes:
    client = Client()
    if verified:
        login_staff(client, user)
    else:
        client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _first_message(path: str, cookie: bytes) -> tuple[dict[str, Any], int | None]:
    origin = (b"origin", settings.KEPLIVE_PUBLIC_URL.encode())
    ws = WebsocketCommunicator(application, path, headers=[origin, (b"cookie", cookie)])
    connected, _ = await ws.connect()
    assert connected
    first = await ws.receive_json_from(timeout=5)
    code = None
    if first["type"] == "error":
        closing = await ws.receive_output(timeout=5)
        assert closing["type"] == "websocket.close"
        code = int(closing["code"])
    else:
        await ws.disconnect()
    return first, code


def test_every_websocket_route_refuses_a_password_only_session(people):
    channel_layers.backends.clear()
    values = people["values"]
    routes = [concrete(str(pattern.pattern), values) for pattern in websocket_urlpatterns]
    assert routes  # the calls' signalling route, at least
    for path in routes:
        for role, user in people["staff"].items():
            cookie = _session_cookie(user, verified=False)
            first, code = async_to_sync(_first_message)(path, cookie)
            assert first["type"] == "error", (role, path, first["type"])
            assert code == 4401, (role, path)
            text = str(first)
            assert not any(secret in text for secret in people["secrets"]), (role, path)
        # The control: the appointment's own employee, verified, is in the call.
        cookie = async_to_sync(sync_to_async(_session_cookie))(
            people["staff"]["employee"], verified=True
        )
        first, code = async_to_sync(_first_message)(path, cookie)
        assert (first["type"], code) == ("snapshot", None)
    channel_layers.backends.clear()
