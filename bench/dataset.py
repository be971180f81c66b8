"""The national-scale data set: 1,000 KEPs, 5,000 employees, about half of all times booked.

Built straight into the bench database with ``bulk_create`` for the directory and ``COPY`` for
the appointments (the bulk of the rows). The overlap guard (the exclusion constraint of
booking migration 0002) stays on throughout: every booked row goes through it.

Import this module only after ``django.setup()``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.utils import timezone

from bench.database import CREATE_META_SQL, LAYOUT, SAVE_META_SQL
from keplive.accounts.models import Citizen, Role, User
from keplive.booking import codes
from keplive.booking.models import Appointment, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Availability, Employee, Kep, Municipality, OpeningHours
from keplive.directory.selectors import national_holidays

WEEKDAYS = range(5)
OPENS, CLOSES = dt.time(7, 30), dt.time(15, 0)
AVAILABLE_FROM, AVAILABLE_UNTIL = dt.time(8, 0), dt.time(14, 30)
MUNICIPALITIES = 300
KEP_EKE_EVERY = 20  # one KEP in 20 is a KEP-EKE (50 of 1,000)
REGIONS = [
    "Αττική",
    "Κεντρική Μακεδονία",
    "Θεσσαλία",
    "Δυτική Ελλάδα",
    "Κρήτη",
    "Πελοπόννησος",
    "Ανατολική Μακεδονία και Θράκη",
    "Στερεά Ελλάδα",
    "Ήπειρος",
    "Νότιο Αιγαίο",
    "Βόρειο Αιγαίο",
    "Ιόνια Νησιά",
    "Δυτική Μακεδονία",
]
INFO_SERVICE = "bench-information"  # categories 1 and 3
BUSINESS_SERVICE = "bench-business"  # category 2
RUSH_PREFIX = "bench-rush-"
APPOINTMENT_COLUMNS = (
    "reference",
    "status",
    "citizen_id",
    "kep_id",
    "employee_id",
    "category_id",
    "service_id",
    "starts_at",
    "ends_at",
    "blocked_until",
    "hold_expires_at",
    "sequence",
    "created_at",
    "updated_at",
    "cancelled_at",
    "code",
)


def bench_now(today: dt.date) -> dt.datetime:
    """Next Monday 07:00 Athens time (a week ahead when today is Monday): a horizon full of
    working days, and the first morning's times inside the two-hour notice."""
    ahead = (7 - today.weekday()) % 7 or 7
    monday = today + dt.timedelta(days=ahead)
    return dt.datetime.combine(monday, dt.time(7, 0), tzinfo=ATHENS)


def working_days(now: dt.datetime, days: int) -> list[dt.date]:
    """Monday–Friday dates that are no national holiday, in [local date of now, + days]."""
    first = now.astimezone(ATHENS).date()
    dates = [first + dt.timedelta(days=k) for k in range(days + 1)]
    closed = set().union(*(national_holidays(year) for year in {d.year for d in dates}))
    return [d for d in dates if d.weekday() < 5 and d not in closed]


def grid_times(category: Category) -> list[dt.time]:
    """The category's start times in its citizen window (08:00, 08:30, … 14:00 for category 1)."""
    start = category.window_start.hour * 60 + category.window_start.minute
    end = category.window_end.hour * 60 + category.window_end.minute
    first = -(-start // category.step_minutes) * category.step_minutes
    return [
        dt.time(m // 60, m % 60)
        for m in range(first, end - category.call_minutes + 1, category.step_minutes)
    ]


def tax_id(seed: int) -> str:
    """A Greek tax number (ΑΦΜ) with a correct check digit (unique per seed below 12,000,000)."""
    body = f"{10_000_000 + seed * 7:08d}"[-8:]
    total = sum(int(d) * 2 ** (8 - i) for i, d in enumerate(body))
    return body + str(total % 11 % 10)


@dataclass
class Step:
    name: str
    seconds: float
    rows: int


class _Clock:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self._mark = time.perf_counter()

    def lap(self, name: str, rows: int) -> None:
        now = time.perf_counter()
        self.steps.append(Step(name, now - self._mark, rows))
        self._mark = now
        print(f"  {name:<34} {rows:>9,} rows {self.steps[-1].seconds:8.1f} s", flush=True)


def build(
    *, keps: int, employees_per_kep: int, days: int, citizens: int, seed: int, now: dt.datetime
) -> dict[str, Any]:
    """Fill the (freshly migrated) bench database; returns what it built and how long it took."""
    rng = random.Random(seed)
    clock = _Clock()
    started = time.perf_counter()
    info = Category.objects.get(number=1)

    with transaction.atomic():
        municipalities = Municipality.objects.bulk_create(
            Municipality(
                code=f"bench-m{i:03d}",
                name_el=f"Δήμος Μετρήσεων {i:03d}",
                name_en=f"Benchmark Municipality {i:03d}",
                region=REGIONS[i % len(REGIONS)],
            )
            for i in range(min(MUNICIPALITIES, keps))
        )
        kep_rows = Kep.objects.bulk_create(
            (
                Kep(
                    code=f"B{i + 1:04d}",
                    municipality=municipalities[i % len(municipalities)],
                    name_el=f"ΚΕΠ Μετρήσεων {i + 1:04d}",
                    name_en=f"Benchmark KEP {i + 1:04d}",
                    address=f"Οδός Δοκιμής {i + 1}",
                    postal_code=f"{10000 + i:05d}",
                    city="Αθήνα",
                    email=f"kep{i + 1:04d}@bench.keplive.invalid",
                    protocol_email=f"protocol{i + 1:04d}@bench.keplive.invalid",
                    is_kep_eke=i % KEP_EKE_EVERY == 0,
                )
                for i in range(keps)
            ),
            batch_size=2000,
        )
        OpeningHours.objects.bulk_create(
            (
                OpeningHours(kep=k, weekday=d, opens=OPENS, closes=CLOSES)
                for k in kep_rows
                for d in WEEKDAYS
            ),
            batch_size=5000,
        )
        clock.lap("municipalities, KEPs, opening hours", len(municipalities) + len(kep_rows) * 6)

        staff = User.objects.bulk_create(
            (
                User(
                    username=f"bench-employee-{i:05d}",
                    password=UNUSABLE_PASSWORD_PREFIX,  # unusable: no hashing
                    role=Role.EMPLOYEE,
                    first_name="Υπάλληλος",
                    last_name=f"{i:05d}",
                )
                for i in range(keps * employees_per_kep)
            ),
            batch_size=5000,
        )
        employees = Employee.objects.bulk_create(
            (Employee(user=u, kep=kep_rows[i // employees_per_kep]) for i, u in enumerate(staff)),
            batch_size=5000,
        )
        Availability.objects.bulk_create(
            (
                Availability(
                    employee=e,
                    weekday=d,
                    starts=AVAILABLE_FROM,
                    ends=AVAILABLE_UNTIL,
                    workstation=f"Θέση {i % employees_per_kep + 1}",
                )
                for i, e in enumerate(employees)
                for d in WEEKDAYS
            ),
            batch_size=10000,
        )
        clock.lap("employees (users, availability)", len(employees) * 7)

        through = Service.categories.through
        info_service = Service.objects.create(
            code=INFO_SERVICE,
            title_el="Έκδοση πιστοποιητικού (μετρήσεις)",
            title_en="Issue of a certificate (benchmark)",
        )
        business_service = Service.objects.create(
            code=BUSINESS_SERVICE,
            title_el="Έναρξη δραστηριότητας (μετρήσεις)",
            title_en="Starting a business (benchmark)",
        )
        municipal_services = Service.objects.bulk_create(
            Service(
                code=f"bench-municipal-{m.code}",
                municipality=m,
                title_el=f"Βεβαίωση μόνιμης κατοικίας – {m.name_el}",
                title_en=f"Certificate of residence – {m.name_en}",
            )
            for m in municipalities
        )
        through.objects.bulk_create(
            [
                through(service_id=info_service.pk, category_id=1),
                through(service_id=info_service.pk, category_id=3),
                through(service_id=business_service.pk, category_id=2),
                *(through(service_id=s.pk, category_id=4) for s in municipal_services),
            ]
        )
        clock.lap("services", 2 + len(municipal_services))

        people = User.objects.bulk_create(
            (
                User(
                    username=f"bench-citizen-{i:06d}",
                    password=UNUSABLE_PASSWORD_PREFIX,
                    role=Role.CITIZEN,
                    first_name="Πολίτης",
                    last_name=f"{i:06d}",
                )
                for i in range(citizens)
            ),
            batch_size=5000,
        )
        citizen_rows = Citizen.objects.bulk_create(
            (
                Citizen(user=u, tax_id=tax_id(i), first_name="Πολίτης", last_name=f"{i:06d}")
                for i, u in enumerate(people)
            ),
            batch_size=5000,
        )
        clock.lap("citizens (users)", len(citizen_rows) * 2)

    booked = _copy_half_booked(
        employees=employees,
        employees_per_kep=employees_per_kep,
        citizen_ids=[c.pk for c in citizen_rows],
        service_id=info_service.pk,
        category=info,
        now=now,
        days=days,
        rng=rng,
    )
    clock.lap("appointments (COPY, guard on)", booked)

    vacuum_analyze()
    clock.lap("VACUUM (ANALYZE)", 0)

    counts = row_counts()
    result = {
        "layout": LAYOUT,
        "built_at": timezone.now().isoformat(timespec="seconds"),
        "now": now.isoformat(),
        "build_seconds": round(time.perf_counter() - started, 1),
        "steps": [
            {"name": s.name, "seconds": round(s.seconds, 2), "rows": s.rows} for s in clock.steps
        ],
        "row_counts": counts,
    }
    return result


def _copy_half_booked(
    *,
    employees: list[Employee],
    employees_per_kep: int,
    citizen_ids: list[int],
    service_id: int,
    category: Category,
    now: dt.datetime,
    days: int,
    rng: random.Random,
) -> int:
    """Book every other grid time of every employee on every working day of the horizon.

    Employees alternate (even ones take 08:00, 09:00…, odd ones 08:30, 09:30…, swapping day
    by day), so every time of a KEP-day stays free with some employee — the citizen sees all 13
    times — while half of the employee-times are taken. Rows go in in random order, as
    bookings arrive in real life, not clustered by KEP.
    """
    call = dt.timedelta(minutes=category.call_minutes)
    blocked = dt.timedelta(minutes=category.call_minutes + category.buffer_minutes)
    grid = grid_times(category)
    starts_by_day = [
        [dt.datetime.combine(day, t, tzinfo=ATHENS).astimezone(dt.UTC) for t in grid]
        for day in working_days(now, days)
    ]
    plan: list[tuple[int, int, dt.datetime]] = []
    for index, employee in enumerate(employees):
        seat = index % employees_per_kep
        for day_index, starts in enumerate(starts_by_day):
            for slot_index, start in enumerate(starts):
                if (slot_index + seat + day_index) % 2 == 0:
                    plan.append((employee.pk, employee.kep_id, start))
    rng.shuffle(plan)

    stamp = timezone.now()
    pool = len(citizen_ids)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        columns = ", ".join(APPOINTMENT_COLUMNS)
        with raw.copy(f"COPY {Appointment._meta.db_table} ({columns}) FROM STDIN") as copy:
            for n, (employee_id, kep_id, start) in enumerate(plan):
                copy.write_row(
                    (
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        Status.BOOKED.value,
                        citizen_ids[n % pool],
                        kep_id,
                        employee_id,
                        category.pk,
                        service_id,
                        start,
                        start + call,
                        start + blocked,
                        None,
                        0,
                        stamp,
                        stamp,
                        None,
                        _code(n),
                    )
                )
    return len(plan)


def _code(n: int) -> str:
    """A distinct readable code per row (the random ones would collide a few times in 650,000)."""
    body = "".join(codes.ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(codes.LENGTH - 1)))
    return body + codes.check_character(body)


def vacuum_analyze() -> None:
    """Statistics for the planner, and the vacuum autovacuum would otherwise start on its own
    a minute after the load — in the middle of the measurements."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def row_counts() -> dict[str, int]:
    models: dict[str, Any] = {
        "municipalities": Municipality,
        "keps": Kep,
        "opening_hours": OpeningHours,
        "employees": Employee,
        "availability": Availability,
        "services": Service,
        "citizens": Citizen,
        "users": User,
        "appointments": Appointment,
    }
    counts = {name: model.objects.count() for name, model in models.items()}
    counts["kep_eke"] = Kep.objects.filter(is_kep_eke=True).count()
    counts["appointments_booked"] = Appointment.objects.filter(status=Status.BOOKED).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        counts["database_bytes"] = cursor.fetchone()[0]
    return counts


def save_meta(meta: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(CREATE_META_SQL)
        cursor.execute(SAVE_META_SQL, [json.dumps(meta)])


def rush_citizens(count: int) -> list[Citizen]:
    """Citizens who book only in the rush (no earlier bookings, so the per-citizen limit of the
    services never turns them away); created on first use and kept for ``--reuse``."""
    existing = list(
        Citizen.objects.filter(user__username__startswith=RUSH_PREFIX)
        .select_related("user")
        .order_by("user__username")
    )
    missing = count - len(existing)
    if missing > 0:
        offset = len(existing)
        users = User.objects.bulk_create(
            User(
                username=f"{RUSH_PREFIX}{offset + i:06d}",
                password=UNUSABLE_PASSWORD_PREFIX,
                role=Role.CITIZEN,
                first_name="Βιαστικός",
                last_name=f"{offset + i:06d}",
            )
            for i in range(missing)
        )
        Citizen.objects.bulk_create(
            Citizen(
                user=u,
                tax_id=tax_id(5_000_000 + offset + i),
                first_name="Βιαστικός",
                last_name=f"{offset + i:06d}",
            )
            for i, u in enumerate(users)
        )
        return rush_citizens(count)
    return existing[:count]
