"""A mixed load through the real HTTP views, shared by the concurrency test on PostgreSQL
(``tests/booking/test_mixed_concurrency.py``: Django test clients in threads) and the five-minute
benchmark against real uvicorn processes (``bench/mixed_load.py``: HTTP clients).

At one KEP at once:

- citizens (API, session cookie) hold and confirm, book directly, reschedule, cancel and read
  their appointments;
- employees (workspace, second factor verified) read an appointment's details, move it, record
  outcomes (cancelled by the KEP on upcoming appointments; completed on calls that took place);
- an administrator edits the KEP's weekday hours and an employee's availability (split and
  whole again, so appointments are stranded and fit again).

Every answer is counted by operation and status; a 5xx is a failure (no request answers 500).
The scenario only knows HTTP: ``Http`` is a test client or a real HTTP session.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

ATHENS = ZoneInfo("Europe/Athens")
API = "/api/v1"
REASON = "Έκτακτη αλλαγή προγράμματος του ΚΕΠ"
DETAILS = {
    "full_name": "Μαρία Παπαδοπούλου",
    "email": "maria@example.gr",
    "mobile_phone": "6912345678",
    "postal_address": "Ερμού 10, 10563 Αθήνα",
    "document_kind": "id_card",
    "id_card_number": "ΚΛ987654",
    "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
    "delivery_method": "email",
    "consent": True,
}
# Statuses a correct server may answer to this load: success, redirect, refusal.
EXPECTED = {200, 201, 204, 302, 400, 404, 409, 422}
WHOLE_HOURS = [("07:30", "15:00")]
SPLIT_HOURS = [("07:30", "11:00"), ("11:30", "15:00")]
WHOLE_AVAILABILITY = [("08:00", "14:30", "Θέση 1")]
SPLIT_AVAILABILITY = [("08:00", "12:00", "Θέση 1"), ("12:30", "14:30", "Θέση 1")]


class Http(Protocol):
    """One user's HTTP session: answers ``(status, JSON body or None)``."""

    def get(self, path: str) -> tuple[int, Any]: ...

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]: ...

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, Any]: ...


@dataclass
class World:
    """What every actor knows of the data set (ids, codes) and what they have seen booked."""

    kep_id: int
    kep_code: str
    service_code: str
    days: list[dt.date]
    employee_ids: list[int]
    served: list[str]  # references of calls that took place: "completed" can be recorded
    category: int = 1
    references: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, reference: str) -> None:
        with self.lock:
            self.references.append(reference)
            if len(self.references) > 2000:
                del self.references[:1000]

    def some_reference(self, rng: random.Random) -> str | None:
        with self.lock:
            return rng.choice(self.references) if self.references else None

    def take_served(self) -> str | None:
        with self.lock:
            return self.served.pop() if self.served else None


@dataclass
class Tally:
    """Answers by (operation, status); a 5xx and any exception are kept as samples."""

    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, operation: str, status: int, body: Any = None) -> None:
        with self.lock:
            self.answers[(operation, status)] += 1
            if status not in EXPECTED and len(self.failures) < 50:
                self.failures.append(f"{operation}: {status} {str(body)[:300]}")

    def error(self, operation: str, error: BaseException) -> None:
        with self.lock:
            self.answers[(operation, -1)] += 1
            if len(self.failures) < 50:
                self.failures.append(f"{operation}: {type(error).__name__}: {str(error)[:300]}")

    @property
    def requests(self) -> int:
        return sum(self.answers.values())

    @property
    def server_errors(self) -> int:
        return sum(n for (_op, status), n in self.answers.items() if status >= 500 or status < 0)

    def by_operation(self) -> dict[str, dict[int, int]]:
        table: dict[str, dict[int, int]] = {}
        for (operation, status), count in sorted(self.answers.items()):
            table.setdefault(operation, {})[status] = count
        return table


def _iso(moment: str) -> str:
    return dt.datetime.fromisoformat(moment).astimezone(ATHENS).isoformat()


class Actor:
    def __init__(self, http: Http, world: World, tally: Tally, rng: random.Random) -> None:
        self.http, self.world, self.tally, self.rng = http, world, tally, rng

    def operations(self) -> Sequence[tuple[int, Callable[[], None]]]:
        raise NotImplementedError

    def step(self) -> None:
        choices = self.operations()
        weights = [weight for weight, _op in choices]
        operation = self.rng.choices([op for _w, op in choices], weights=weights)[0]
        operation()

    def get(self, operation: str, path: str) -> tuple[int, Any]:
        status, body = self.http.get(path)
        self.tally.add(operation, status, body)
        return status, body

    def post_json(self, operation: str, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        status, body = self.http.post_json(path, payload)
        self.tally.add(operation, status, body)
        return status, body

    def post_form(self, operation: str, path: str, data: dict[str, str]) -> tuple[int, Any]:
        status, body = self.http.post_form(path, data)
        self.tally.add(operation, status, body)
        return status, body

    def free_time(self, operation: str) -> str | None:
        """A free time of a random day, as a citizen sees it: most want one of the first."""
        world = self.world
        day = self.rng.choice(world.days)
        status, body = self.get(
            operation,
            f"{API}/keps/{world.kep_code}/free-times?service={world.service_code}"
            f"&category={world.category}&date={day.isoformat()}",
        )
        if status != 200 or not body or not body.get("times"):
            return None
        times = [t["starts_at"] for t in body["times"]]
        if self.rng.random() < 0.7:
            times = times[:4]
        return _iso(self.rng.choice(times))


class Citizen(Actor):
    def operations(self) -> Sequence[tuple[int, Callable[[], None]]]:
        return [
            (30, self.hold_and_confirm),
            (10, self.book_directly),
            (20, self.reschedule),
            (15, self.cancel),
            (10, self.read),
        ]

    def _mine(self, operation: str) -> list[str]:
        status, body = self.get(operation, f"{API}/bookings")
        if status != 200 or not isinstance(body, list):
            return []
        return [b["reference"] for b in body if b.get("status") == "booked"]

    def hold_and_confirm(self) -> None:
        starts_at = self.free_time("free_times")
        if starts_at is None:
            return
        world = self.world
        status, hold = self.post_json(
            "hold",
            f"{API}/holds",
            {
                "kep": world.kep_code,
                "service": world.service_code,
                "category": world.category,
                "starts_at": starts_at,
            },
        )
        if status != 201:
            return
        status, booking = self.post_json(
            "confirm", f"{API}/bookings", {"hold": hold["reference"], "details": DETAILS}
        )
        if status == 201:
            world.remember(booking["reference"])

    def book_directly(self) -> None:
        starts_at = self.free_time("free_times")
        if starts_at is None:
            return
        world = self.world
        status, booking = self.post_json(
            "book",
            f"{API}/bookings",
            {
                "kep": world.kep_code,
                "service": world.service_code,
                "category": world.category,
                "starts_at": starts_at,
                "details": DETAILS,
            },
        )
        if status == 201:
            world.remember(booking["reference"])

    def reschedule(self) -> None:
        mine = self._mine("list")
        starts_at = self.free_time("free_times") if mine else None
        if not mine or starts_at is None:
            return
        self.post_json(
            "reschedule",
            f"{API}/bookings/{self.rng.choice(mine)}/reschedule",
            {"starts_at": starts_at},
        )

    def cancel(self) -> None:
        mine = self._mine("list")
        if mine:
            self.post_json("cancel", f"{API}/bookings/{self.rng.choice(mine)}/cancel", {})

    def read(self) -> None:
        mine = self._mine("list")
        if mine:
            self.get("read", f"{API}/bookings/{self.rng.choice(mine)}")


class Employee(Actor):
    def operations(self) -> Sequence[tuple[int, Callable[[], None]]]:
        return [
            (40, self.details),
            (30, self.move),
            (15, self.cancel_by_kep),
            (15, self.complete),
        ]

    def details(self) -> None:
        reference = self.world.some_reference(self.rng)
        if reference:
            self.get("details", f"/workspace/appointments/{reference}/")

    def move(self) -> None:
        reference = self.world.some_reference(self.rng)
        starts_at = self.free_time("free_times") if reference else None
        if reference is None or starts_at is None:
            return
        self.post_form(
            "move",
            f"/workspace/appointments/{reference}/move/",
            {
                "day": dt.datetime.fromisoformat(starts_at).date().isoformat(),
                "starts_at": starts_at,
                "reason": REASON,
                # The circular's order (seed 002): the citizen phoned first, an urgent reason.
                "phone_outcome": "reached",
                "reason_code": "technical",
                "action": "move",
            },
        )

    def cancel_by_kep(self) -> None:
        reference = self.world.some_reference(self.rng)
        if reference:
            self.post_form(
                "outcome_cancel",
                f"/workspace/appointments/{reference}/outcome/",
                {"result": "cancelled_by_kep", "note": REASON},
            )

    def complete(self) -> None:
        reference = self.world.take_served()
        if reference is None:
            return self.details()
        self.post_form(
            "outcome_completed",
            f"/workspace/appointments/{reference}/outcome/",
            {
                "result": "completed",
                "delivery_method": "email",
                "delivery_email": "maria@example.gr",
                "delivery_address": "",
            },
        )
        return None


def _hours_form(intervals: list[tuple[str, str]]) -> dict[str, str]:
    data = {"i-TOTAL_FORMS": str(len(intervals)), "i-INITIAL_FORMS": "0"}
    for index, (opens, closes) in enumerate(intervals):
        data[f"i-{index}-opens"], data[f"i-{index}-closes"] = opens, closes
    return data


def _availability_form(intervals: list[tuple[str, str, str]]) -> dict[str, str]:
    data = {"a-TOTAL_FORMS": str(len(intervals)), "a-INITIAL_FORMS": "0"}
    for index, (starts, ends, station) in enumerate(intervals):
        data[f"a-{index}-starts"], data[f"a-{index}-ends"] = starts, ends
        data[f"a-{index}-workstation"] = station
    return data


class Administrator(Actor):
    def operations(self) -> Sequence[tuple[int, Callable[[], None]]]:
        return [(60, self.hours), (40, self.availability)]

    def hours(self) -> None:
        world = self.world
        weekday = self.rng.choice(world.days).weekday()
        intervals = SPLIT_HOURS if self.rng.random() < 0.5 else WHOLE_HOURS
        self.post_form(
            "admin_hours",
            f"/administration/keps/{world.kep_id}/hours/{weekday}/",
            _hours_form(intervals),
        )

    def availability(self) -> None:
        world = self.world
        weekday = self.rng.choice(world.days).weekday()
        employee = self.rng.choice(world.employee_ids)
        intervals = SPLIT_AVAILABILITY if self.rng.random() < 0.5 else WHOLE_AVAILABILITY
        self.post_form(
            "admin_availability",
            f"/administration/keps/{world.kep_id}/employees/{employee}/availability/{weekday}/",
            _availability_form(intervals),
        )


def restore_directory(http: Http, world: World) -> None:
    """Whole hours and availability again (the administrator's last edits may have split them)."""
    for weekday in sorted({day.weekday() for day in world.days}):
        http.post_form(
            f"/administration/keps/{world.kep_id}/hours/{weekday}/", _hours_form(WHOLE_HOURS)
        )
        for employee in world.employee_ids:
            http.post_form(
                f"/administration/keps/{world.kep_id}/employees/{employee}/availability/{weekday}/",
                _availability_form(WHOLE_AVAILABILITY),
            )


def run_actor(actor: Actor, *, deadline: float, max_steps: int, pause: float = 0.0) -> None:
    """Steps until the deadline (``time.monotonic()``) or ``max_steps``: bounded both ways."""
    for _ in range(max_steps):
        if time.monotonic() >= deadline:
            return
        try:
            actor.step()
        except Exception as error:  # a test client re-raises a view's exception: a 500
            actor.tally.error(type(actor).__name__.lower(), error)
        if pause:
            time.sleep(actor.rng.uniform(0, pause))


# --- The data set and the checks (both need Django set up) ---------------------------------

OVERLAPPING_PAIRS_SQL = """
    SELECT count(*)
      FROM booking_appointment a
      JOIN booking_appointment b
        ON a.employee_id = b.employee_id AND a.id < b.id
       AND tstzrange(a.starts_at, a.blocked_until, '[)')
           && tstzrange(b.starts_at, b.blocked_until, '[)')
     WHERE a.status IN ('held', 'booked') AND b.status IN ('held', 'booked')
"""


@dataclass
class Prepared:
    world: World
    citizens: list[Any]  # users
    employees: list[Any]  # users of the employees who work the load
    administrator: Any


def working_days(count: int, *, after_days: int = 2) -> list[dt.date]:
    from django.utils import timezone

    from keplive.directory.selectors import national_holidays

    days: list[dt.date] = []
    day = timezone.localdate() + dt.timedelta(days=after_days)
    while len(days) < count:
        if day.weekday() < 5 and day not in national_holidays(day.year):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def prepare(
    *,
    citizens: int,
    employees: int = 4,
    staff: int = 2,
    days: int = 2,
    booked: int = 24,
    served: int = 12,
) -> Prepared:
    """One KEP open 07:30–15:00 with ``employees`` available 08:00–14:30 on ``days`` working
    days; ``booked`` appointments already booked (other citizens); ``served`` past calls that
    took place, waiting for their outcome; the users who will act."""
    from django.utils import timezone

    from keplive.accounts.models import Role
    from keplive.booking import services
    from keplive.booking.declarations import Declaration
    from keplive.booking.models import Appointment, AppointmentDetails, Status
    from keplive.booking.selectors import free_slots_for
    from keplive.calls.models import Call, CallState
    from keplive.catalogue.models import Category
    from tests.factories import (
        CitizenFactory,
        EmployeeFactory,
        KepFactory,
        ServiceFactory,
        UserFactory,
    )

    kep = KepFactory()
    workers = [EmployeeFactory(kep=kep) for _ in range(employees)]
    service = ServiceFactory()
    category = Category.objects.get(number=1)
    chosen_days = working_days(days)
    now = timezone.now()
    rng = random.Random(7)
    declaration = Declaration(**{k: v for k, v in DETAILS.items() if k != "consent"}, language="el")
    world = World(
        kep_id=kep.pk,
        kep_code=kep.code,
        service_code=service.code,
        days=chosen_days,
        employee_ids=[w.pk for w in workers],
        served=[],
    )
    owners = [CitizenFactory() for _ in range(max(1, booked // 3))]
    for index in range(booked):
        day = chosen_days[index % len(chosen_days)]
        slots = free_slots_for(
            kep=kep, service=service, category=category, start=day, end=day, now=now
        )
        appointment = services.book_appointment(
            citizen=owners[index % len(owners)],
            kep=kep,
            service=service,
            category=category,
            starts_at=rng.choice(slots).start,
            now=now,
            declaration=declaration,
        )
        world.references.append(str(appointment.reference))
    yesterday = (now - dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    for index in range(served):
        start = yesterday - dt.timedelta(hours=index)
        appointment = Appointment.objects.create(
            status=Status.BOOKED,
            citizen=owners[index % len(owners)],
            kep=kep,
            employee=workers[index % len(workers)],
            category=category,
            service=service,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=20),
            blocked_until=start + dt.timedelta(minutes=30),
        )
        AppointmentDetails.objects.create(
            appointment=appointment,
            **{k: v for k, v in DETAILS.items() if k != "consent"},
            consent_at=now,
        )
        Call.objects.create(
            appointment=appointment,
            state=CallState.ENDED,
            knocked_at=start,
            admitted_at=start,
            identity_confirmed=True,
            ended_at=start + dt.timedelta(minutes=15),
        )
        world.served.append(str(appointment.reference))
    return Prepared(
        world=world,
        citizens=[CitizenFactory().user for _ in range(citizens)],
        employees=[w.user for w in workers[:staff]],
        administrator=UserFactory(role=Role.ADMINISTRATOR),
    )
