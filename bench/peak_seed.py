"""The national data set and the signed-in users of the peak load test (bench/peak.py).

    (run by bench/peak.py with the stack's environment, var/prod-peak/keplive.env)
    python bench/peak_seed.py --scale 1.0 --out var/prod-peak/peak-seed.json

Into the stack's own database (`make bench-peak` starts the stack on `keplive_prod_peak`, not
the demo staging's `keplive_prod`; the demo data and logins are there too):

1. **The national data set** of bench/dataset.py — 1,000 KEPs × 5 employees, every other
   category-1 time booked over the horizon — built once (kept for the next run: KEP B0001
   exists), then the earliest-free-time index refreshed for every KEP, as the worker would.
2. **Signed-in sessions, minted server-side** exactly as a real sign-in makes them: a session
   in the stack's session store, ``django.contrib.auth.login`` (its ``user_logged_in`` receivers:
   the session clocks of ADR 0014, django-axes' access log) and, for staff, ``django_otp.login``
   with a confirmed TOTP device of that user (what ``staff_login.second_factor`` does after a
   correct code), audited ``staff.logged_in``. Nothing is bypassed on the server: every request
   then goes through the same middleware (session limits, second factor) as a browser's. The
   load test cannot type 5,000 six-digit codes; the bench employees have no password at all.
   Minted at every run: a staff session is idle after 30 minutes, a citizen's after 15.
   - employees: ``5,000 × scale`` (seat-major: the first employee of every KEP, then the
     second …), one confirmed device each (``bench-peak``);
   - administrators: ``20 × scale`` (at least 1), ``bench-peak-admin-NN``;
   - citizens who browse and book: ``2,000 × scale`` fresh ones (``bench-peak-citizen-N``:
     none with an active appointment, so the per-citizen limits never turn a booking away).
3. **The live calls**: ``500 × scale`` appointments starting a minute ago, one per KEP (the
   first employee of KEPs B0001… that is free then), each with its own citizen
   (``bench-peak-caller-N``) and the citizen's signed join link; the last run's are cancelled
   first.

Writes the sessions and links to ``--out`` (mode 600: they sign in), for the locustfile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import login as auth_login  # noqa: E402
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import login as otp_login  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from bench import dataset  # noqa: E402
from keplive.accounts.models import Citizen, Role, User  # noqa: E402
from keplive.audit.origin import request_origin  # noqa: E402
from keplive.audit.services import record_event  # noqa: E402
from keplive.booking.earliest import refresh_earliest_free_times  # noqa: E402
from keplive.booking.links import join_token  # noqa: E402
from keplive.booking.models import Appointment, Status  # noqa: E402
from keplive.booking.schedule_inputs import ATHENS  # noqa: E402
from keplive.catalogue.models import Category, Service  # noqa: E402
from keplive.directory.models import Employee, Kep  # noqa: E402

KEPS, EMPLOYEES_PER_KEP = 1000, 5
DEVICE = "bench-peak"
CITIZEN_PREFIX, CALLER_PREFIX, ADMIN_PREFIX = (
    "bench-peak-citizen-",
    "bench-peak-caller-",
    "bench-peak-admin-",
)
ACTIVE = (Status.HELD, Status.BOOKED)
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def say(text: str) -> None:
    print(f"peak-seed: {text}", flush=True)


def ensure_dataset(days: int) -> str:
    if Kep.objects.filter(code="B0001").exists():
        return "kept from an earlier run"
    now = dataset.bench_now(dt.datetime.now(ATHENS).date())
    meta = dataset.build(
        keps=KEPS, employees_per_kep=EMPLOYEES_PER_KEP, days=days, citizens=20000, seed=1, now=now
    )
    return f"built in {meta['build_seconds']:.0f} s: {meta['row_counts']}"


def refresh_index() -> int:
    """The earliest-free-time rows of every KEP, as the worker's ten-minute refresh writes them."""
    return refresh_earliest_free_times(keps=Kep.objects.all(), now=timezone.now())


def mint(user: User, device: TOTPDevice | None) -> str:
    """A session of ``user`` as the real sign-in leaves it (module docstring)."""
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_USER_AGENT="bench-peak")
    request.session = SessionStore()
    request.user = AnonymousUser()
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
        record_event(
            action="staff.logged_in",
            actor=user,
            origin=request_origin(request, channel="staff"),
            object_type="staff",
            object_id=str(user.pk),
        )
    request.session.save()
    return str(request.session.session_key)


def devices_for(users: list[User]) -> dict[int, TOTPDevice]:
    have = {d.user_id: d for d in TOTPDevice.objects.filter(user__in=users, name=DEVICE)}
    missing = [u for u in users if u.pk not in have]
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=u, name=DEVICE, confirmed=True, key=os.urandom(20).hex()) for u in missing
    )
    return {d.user_id: d for d in TOTPDevice.objects.filter(user__in=users, name=DEVICE)}


def seat_major_employees(count: int) -> list[Employee]:
    """The bench employees, the first of every KEP first, then the second …"""
    rows = list(
        Employee.objects.filter(kep__code__startswith="B", user__username__startswith="bench-")
        .select_related("user", "kep")
        .order_by("kep__code", "pk")
    )
    by_kep: dict[str, list[Employee]] = {}
    for employee in rows:
        by_kep.setdefault(employee.kep.code, []).append(employee)
    ordered = [
        staff[seat]
        for seat in range(EMPLOYEES_PER_KEP)
        for staff in by_kep.values()
        if seat < len(staff)
    ]
    return ordered[:count]


def fresh_citizens(prefix: str, count: int, tax_offset: int) -> list[Citizen]:
    """``count`` citizens named ``prefix``N with no active appointment, created as needed."""
    existing = Citizen.objects.filter(user__username__startswith=prefix)
    busy = Appointment.objects.filter(status__in=ACTIVE, citizen__in=existing).values("citizen")
    free = list(existing.exclude(pk__in=busy).select_related("user").order_by("pk")[:count])
    missing = count - len(free)
    if missing > 0:
        start = existing.count()
        users = User.objects.bulk_create(
            User(
                username=f"{prefix}{start + i:06d}",
                password=UNUSABLE_PASSWORD_PREFIX,
                role=Role.CITIZEN,
                first_name="Πολίτης",
                last_name=f"Φόρτου {start + i:06d}",
            )
            for i in range(missing)
        )
        created = Citizen.objects.bulk_create(
            Citizen(
                user=u,
                tax_id=dataset.tax_id(tax_offset + start + i),
                first_name="Πολίτης",
                last_name=f"Φόρτου {start + i:06d}",
            )
            for i, u in enumerate(users)
        )
        free += list(Citizen.objects.filter(pk__in=[c.pk for c in created]).select_related("user"))
    return free


def administrators(count: int) -> list[User]:
    users = []
    for number in range(count):
        user, _ = User.objects.get_or_create(
            username=f"{ADMIN_PREFIX}{number:02d}",
            defaults={
                "password": UNUSABLE_PASSWORD_PREFIX,
                "role": Role.ADMINISTRATOR,
                "first_name": "Διαχειριστής",
                "last_name": f"Φόρτου {number:02d}",
            },
        )
        users.append(user)
    return users


def live_calls(count: int, sessions: dict[int, str]) -> list[dict[str, str]]:
    """``count`` appointments in progress (started a minute ago), one per KEP B0001…, with the
    first of its employees free then; the last run's are cancelled first."""
    now = timezone.now().replace(second=0, microsecond=0)
    Appointment.objects.filter(
        status__in=ACTIVE, citizen__user__username__startswith=CALLER_PREFIX
    ).update(status=Status.CANCELLED, cancelled_at=now, updated_at=now)
    category = Category.objects.get(number=1)
    service = Service.objects.get(code=dataset.INFO_SERVICE)
    starts = now - dt.timedelta(minutes=1)
    ends = starts + dt.timedelta(minutes=category.call_minutes)
    blocked = ends + dt.timedelta(minutes=category.buffer_minutes)
    busy = set(
        Appointment.objects.filter(
            status__in=ACTIVE, starts_at__lt=blocked, blocked_until__gt=starts
        ).values_list("employee_id", flat=True)
    )
    citizens = fresh_citizens(CALLER_PREFIX, count, tax_offset=7_000_000)
    chosen: list[Employee] = []
    for kep in Kep.objects.filter(code__startswith="B").order_by("code"):
        staff = [e for e in kep.employees.order_by("pk") if e.pk not in busy]
        if staff and staff[0].user_id in sessions:
            chosen.append(staff[0])
        if len(chosen) == count:
            break
    calls = []
    with transaction.atomic():
        for employee, citizen in zip(chosen, citizens, strict=False):
            appointment = Appointment.objects.create(
                status=Status.BOOKED,
                citizen=citizen,
                kep_id=employee.kep_id,
                employee=employee,
                category=category,
                service=service,
                starts_at=starts,
                ends_at=ends,
                blocked_until=blocked,
            )
            calls.append(
                {
                    "reference": str(appointment.reference),
                    "link": join_token(appointment),
                    "employee_session": sessions[employee.user_id],
                }
            )
    return calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: the national peak")
    parser.add_argument("--days", type=int, default=30, help="horizon of the data set's bookings")
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    scale = options.scale
    began = time.perf_counter()
    say(f"data set: {ensure_dataset(options.days)}")
    say(f"earliest-free-time index: {refresh_index()} rows refreshed")

    employees = seat_major_employees(round(5000 * scale))
    devices = devices_for([e.user for e in employees])
    employee_sessions = {e.user_id: mint(e.user, devices[e.user_id]) for e in employees}
    say(f"{len(employee_sessions)} employees signed in (two factors)")
    admins = administrators(max(1, round(20 * scale)))
    admin_devices = devices_for(admins)
    admin_sessions = [mint(u, admin_devices[u.pk]) for u in admins]
    citizens = fresh_citizens(CITIZEN_PREFIX, round(2000 * scale), tax_offset=6_000_000)
    citizen_sessions = [mint(c.user, None) for c in citizens]
    say(f"{len(admin_sessions)} administrators, {len(citizen_sessions)} citizens signed in")
    calls = live_calls(round(500 * scale), employee_sessions)
    say(f"{len(calls)} calls in progress")

    service = Service.objects.get(code=dataset.INFO_SERVICE)
    out = Path(options.out)
    out.touch(mode=0o600)
    out.write_text(
        json.dumps(
            {
                "scale": scale,
                "seeded_at": timezone.now().isoformat(timespec="seconds"),
                "employees": list(employee_sessions.values()),
                "administrators": admin_sessions,
                "citizens": citizen_sessions,
                "calls": calls,
                "service": {"id": service.pk, "code": service.code, "category": 1},
                "keps": list(
                    Kep.objects.filter(code__startswith="B")
                    .order_by("code")
                    .values_list("code", flat=True)
                ),
                "counts": {
                    "keps": Kep.objects.count(),
                    "employees": Employee.objects.count(),
                    "appointments": Appointment.objects.count(),
                },
            }
        )
    )
    say(f"written {out} in {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
