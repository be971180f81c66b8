"""Holding the API to its OpenAPI document with schemathesis: one run, shared by the bounded
test (``tests/api/test_contract.py``) and the long run (``bench/fuzz.py``).

A run reads ``/api/v1/openapi.json`` from the real ASGI application (the one uvicorn serves)
and goes through schemathesis's phases, as ``st run`` does: the schema's examples; the coverage
phase (boundary and invalid values of every parameter and property: missing, wrong type, too
long, out of range, and unexpected methods); fuzzing (generated requests, valid and invalid,
reusing values earlier answers gave, such as KEP codes); and the stateful phase (chains of calls
along links schemathesis infers from the schema, e.g. create a hold, then release it or book
it). Every answer goes through every check schemathesis has (``not_a_server_error``,
``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance`` with
formats, ``response_headers_conformance``, ``negative_data_rejection``,
``positive_data_acceptance``, ``missing_required_header``, ``unsupported_method``,
``allow_header_conformance``, ``ignored_auth``, ``use_after_free``,
``ensure_resource_availability``, ``object_level_authorization``) but ``max_response_time``
(a timing), and through ``validator_matches_schema`` below.

``positive_data_acceptance`` expects 400 and 422 to be possible for a request the schema allows:
400 is a NUL character (PostgreSQL cannot store one; the schema cannot say so), 422 a booking
rule (a date that has passed, a category the service does not offer). What that leaves open —
the API's own request validation refusing what its schema allows — is ``validator_matches_schema``.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from django.test import Client
from django.utils import timezone
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.openapi import from_asgi

from keplive.accounts.models import Citizen
from keplive.audit.services import SYSTEM
from keplive.booking import services
from keplive.booking.declarations import Declaration
from keplive.booking.selectors import free_times_on
from keplive.catalogue.models import Category
from keplive.config.asgi import application
from keplive.directory.selectors import national_holidays
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

# The fixed seed of CI's runs. Schemathesis derives each operation's from it, so a run is
# repeatable; a failure's message carries the seed to repeat it with.
SEED = 20260611
# Statuses a request the schema allows may get: see the module's docstring.
POSITIVE_STATUSES = ["2xx", "400", "401", "403", "404", "409", "422"]
# What a citizen declares when booking: a 422 `invalid_input` naming only these fields is a
# booking rule (``booking.declarations``), not the request validation.
DECLARED_FIELDS = frozenset(Declaration.field_names()) | {"consent"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class Directory:
    """What ``build_directory`` made, and values that lead the generated requests to it."""

    citizen: Citizen
    hints: dict[str, list[str | int]]


# Where each hint goes. Most valid values there come from it (a request reaches the booking
# logic only when all of KEP, service, category and time are real); the rest, and all the
# invalid ones, are generated as usual.
HINT_PROBABILITY = 0.8
HINTED = {
    "path.code": "keps",
    "query.service": "services",
    "body.service": "services",
    "body.kep": "keps",
    "query.category": "categories",
    "body.category": "categories",
    "query.date": "days",
    "query.month": "months",
    "body.starts_at": "times",
    # Not `hold`: holds come from POST /holds, and its links lead to booking or releasing them.
    "path.reference": "references",
    "body.reference": "references",  # a waiting request names the booking to move earlier
}


def config(
    *, seed: int, max_examples: int, hints: dict[str, list[str | int]]
) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            # No example database: what a run tries depends on the seed (and the hints) alone.
            "generation": {"max-examples": max_examples, "database": "none"},
            "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
            "dictionaries": {name: {"values": values} for name, values in hints.items()},
            "parameters": {
                key: {"dictionary": name, "probability": HINT_PROBABILITY}
                for key, name in HINTED.items()
            },
        }
    )


@schemathesis.check
def validator_matches_schema(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request the schema allows is never refused by the API's request validation: that
    answers 422 ``invalid_input`` naming request fields (``api.invalid_input``), where a booking
    rule names the citizen's declared details (``booking.declarations``)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None  # content_type_conformance and response_schema_conformance report it
    if not isinstance(body, dict) or body.get("code") != "invalid_input":
        return None
    fields = {
        str(error.get("field")) for error in body.get("errors", []) if isinstance(error, dict)
    }
    if not fields or fields - DECLARED_FIELDS:
        raise AssertionError(
            "The request validation refused a request the schema allows: "
            + ", ".join(sorted(fields or {"?"}))
        )
    return None


class CountingApp:
    """The ASGI application, counting each answer by status: the requests as the server saw
    them, checks' own follow-up requests included."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app
        self.statuses: collections.Counter[int] = collections.Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.statuses[int(message["status"])] += 1
            await send(message)

        await self.app(scope, receive, counting_send)


def working_days(*, after: dt.date, count: int) -> list[dt.date]:
    """The first ``count`` weekdays without a national holiday, two days or more after ``after``."""
    days: list[dt.date] = []
    day = after + dt.timedelta(days=2)
    while len(days) < count:
        if day.weekday() < 5 and day not in national_holidays(day.year):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def build_directory(*, now: dt.datetime) -> Directory:
    """KEP 0001 with an employee, a service of categories 1 and 3, and a citizen with a booking
    there: something real for the operations to find. The hints: these codes, the next two
    working days and their free times, the booking's reference. (No hold: a citizen holds one
    time at a time, so the first hold the run makes would release it; holds come from the run,
    and the link from POST /holds leads to releasing or booking them.)"""
    days = working_days(after=timezone.localdate(now), count=2)
    kep = KepFactory(code="0001")
    EmployeeFactory(kep=kep)
    service = ServiceFactory(code="family-status-certificate")
    citizen = CitizenFactory()
    category = Category.objects.get(number=1)
    times = [
        slot.start
        for day in days
        for slot in free_times_on(kep=kep, service=service, category=category, day=day, now=now)
    ]
    booked = services.book_appointment(
        citizen=citizen,
        kep=kep,
        service=service,
        category=category,
        starts_at=times[0],
        now=now,
        origin=SYSTEM,
    )
    hints: dict[str, list[str | int]] = {
        "keps": [kep.code],
        "services": [service.code],
        "categories": [category.number],
        "days": [day.isoformat() for day in days],
        "months": sorted({f"{day:%Y-%m}" for day in days}),
        "times": [start.isoformat() for start in times[1:]],
        "references": [str(booked.reference)],
    }
    return Directory(citizen=citizen, hints=hints)


def log_in(citizen: Citizen) -> dict[str, str]:
    """The cookies of a session of ``citizen``, with a CSRF token."""
    client = Client()
    client.force_login(citizen.user)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": secrets.token_hex(16)}


def _citizen_auth(cookies: dict[str, str]) -> type:
    class CitizenSession:
        """The session cookie, and the CSRF token as cookie and header, on every request;
        ``ignored_auth`` removes or spoils the session cookie to see the 401."""

        def get(self, case: Any, ctx: Any) -> dict[str, str]:
            return cookies

        def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
            case.cookies = {**(case.cookies or {}), **data}
            case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrftoken"]}

    return CitizenSession


@dataclass
class Outcome:
    requests: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    cases: collections.Counter[str] = field(default_factory=collections.Counter)
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    succeeded: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    # Links of the stateful phase followed to a 2xx answer: "source -> status -> target".
    links: collections.Counter[str] = field(default_factory=collections.Counter)
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def report(self) -> str:
        lines = [
            f"{self.requests} requests in {self.seconds:.0f} s, {self.server_errors} server "
            f"errors, {len(self.failures)} contract failures, {len(self.errors)} errors",
            "statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items())),
            "test cases: " + ", ".join(f"{p}: {n}" for p, n in sorted(self.cases.items())),
            f"links followed to a 2xx: {len(self.links)}",
            "never 2xx: " + (", ".join(sorted(self.operations - self.succeeded)) or "none"),
        ]
        for (operation, check, title), sample in sorted(self.failures.items()):
            lines.append(f"FAILURE {operation} [{check}] {title}\n    {sample}")
        lines.extend(f"ERROR {error}" for error in self.errors)
        return "\n".join(lines)


def run(
    *,
    seed: int,
    max_examples: int,
    hints: dict[str, list[str | int]],
    cookies: dict[str, str] | None,
) -> Outcome:
    """One schemathesis run over every operation; as the citizen of ``cookies``, or anonymous."""
    app = CountingApp(application)
    settings = config(seed=seed, max_examples=max_examples, hints=hints)
    schema = from_asgi("/api/v1/openapi.json", app, config=settings)
    if cookies is not None:
        schema.auth(refresh_interval=None)(_citizen_auth(cookies))
    outcome = Outcome(operations={op.ok().label for op in schema.get_all_operations()})
    started = time.monotonic()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _record(outcome, event)
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.title}: {event.value!r}"[:500])
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {event.exception!r}"[:500])
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:
                outcome.failures[(failure.operation, "after_run", failure.title)] = failure.message
    outcome.seconds = time.monotonic() - started
    outcome.statuses = app.statuses
    outcome.requests = sum(app.statuses.values())
    return outcome


def _record(outcome: Outcome, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    outcome.cases[event.phase.value] += len(recorder.cases)
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        response = interaction.response if interaction is not None else None
        if response is not None and 200 <= response.status_code < 300:
            outcome.succeeded.add(node.value.operation.label)
            if node.transition is not None and node.is_transition_applied:
                outcome.links[node.transition.id] += 1
    for case_id, checks in recorder.checks.items():
        node = recorder.cases.get(case_id)
        operation = node.value.operation.label if node is not None else recorder.label
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            failure = check.failure_info.failure
            key = (operation, check.name, failure.title)
            outcome.failures.setdefault(
                key, f"{failure.message}\n    {check.failure_info.code_sample}"[:2000]
            )
