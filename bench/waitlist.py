"""How long from a cancellation to the offer of the freed time, with 10,000 waiting requests
(issue 16; figures in docs/PERFORMANCE.md).

    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive \\
        .venv/bin/python bench/waitlist.py [--requests 10000] [--keps 60] [--samples 60]

DATABASE_URL names the server; the run uses a sibling database, ``keplive_waitlist_bench``,
dropped and created afresh. It builds ``--keps`` KEPs with one employee each and books
``--requests`` appointments (bulk, in the last three weeks of the horizon), each with declared
details and a waiting request — four in five with a window that no freed time fits (Sundays
only), so the engine scans many requests before it finds the one it offers to. Each sample:
a citizen books an earlier time at a random KEP (not timed), cancels it (timed from here), and
the worker's ``process_freed_times`` runs until the offer, its hold, its email and its SMS are
committed in the outboxes (timed to here). The worker's pick-up delay is not in it: the task
is queued on the cancellation's commit (Huey, immediate when a worker is free) and the
every-minute task catches anything missed. Delivery of the email/SMS is the outbox's, measured
elsewhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402

DEFAULT_URL = "postgres://keplive:keplive@127.0.0.1:5432/keplive"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--keps", type=int, default=60)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--bench-db", default="keplive_waitlist_bench")
    args = parser.parse_args()
    admin_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not database.is_postgres(admin_url):
        sys.exit("Set DATABASE_URL=postgres://…")
    database.recreate(admin_url, args.bench_db)
    os.environ["DATABASE_URL"] = database.with_database(admin_url, args.bench_db)
    os.environ["KEPLIVE_DEBUG"] = "0"
    os.environ["KEPLIVE_OUTBOX_DELIVER_ON_COMMIT"] = "0"
    os.environ["KEPLIVE_SMS_DELIVER_ON_COMMIT"] = "0"
    os.environ["KEPLIVE_HUEY_IMMEDIATE"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(run(args), indent=2))


def run(args: argparse.Namespace) -> dict[str, object]:
    from django.db import transaction

    from keplive.booking import services
    from keplive.booking.models import Appointment, AppointmentDetails, Status
    from keplive.booking.schedule_inputs import ATHENS
    from keplive.booking.selectors import free_slots_for
    from keplive.catalogue.models import Category
    from keplive.waitlist import services as waitlist
    from keplive.waitlist.models import Offer, WaitingRequest
    from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

    rng = random.Random(args.seed)
    category = Category.objects.get(number=1)
    service = ServiceFactory()
    # A Monday 09:00 two weeks ahead: outside the quiet hours, working days after it.
    today = dt.datetime.now(tz=ATHENS).date()
    monday = today + dt.timedelta(days=14 - today.weekday())
    now = dt.datetime.combine(monday, dt.time(9, 0), tzinfo=ATHENS)
    keps = [KepFactory() for _ in range(args.keps)]
    employees = [EmployeeFactory(kep=kep) for kep in keps]

    started = time.perf_counter()
    citizens = [CitizenFactory() for _ in range(args.requests)]
    late_days = [monday + dt.timedelta(days=d) for d in range(9, 30)]
    late_slots = {
        kep.pk: list(
            free_slots_for(
                kep=kep,
                service=service,
                category=category,
                start=late_days[0],
                end=late_days[-1],
                now=now,
            )
        )
        for kep in keps
    }
    appointments = []
    for index, citizen in enumerate(citizens):
        kep_index = index % len(keps)
        slot = late_slots[keps[kep_index].pk].pop(0)
        appointments.append(
            Appointment(
                status=Status.BOOKED,
                citizen=citizen,
                kep=keps[kep_index],
                employee=employees[kep_index],
                category=category,
                service=service,
                starts_at=slot.start,
                ends_at=slot.end,
                blocked_until=slot.end + dt.timedelta(minutes=category.buffer_minutes),
            )
        )
    with transaction.atomic():
        Appointment.objects.bulk_create(appointments, batch_size=2000)
        AppointmentDetails.objects.bulk_create(
            [
                AppointmentDetails(
                    appointment=a,
                    full_name="Bench",
                    email=f"bench{a.pk}@example.gr",
                    mobile_phone="+306900000000",
                    postal_address="-",
                    document_kind="id_card",
                    id_card_number="AB1",
                    subject="-",
                    delivery_method="email",
                    consent_at=now,
                )
                for a in appointments
            ],
            batch_size=2000,
        )
        WaitingRequest.objects.bulk_create(
            [
                WaitingRequest(
                    citizen=a.citizen,
                    appointment=a,
                    kep=a.kep,
                    municipality_id=a.kep.municipality_id,
                    service=service,
                    category=category,
                    weekdays="7" if rng.random() < 0.8 else "12345",
                    created_at=now - dt.timedelta(days=1, seconds=-i),
                )
                for i, a in enumerate(appointments)
            ],
            batch_size=2000,
        )
    build_seconds = time.perf_counter() - started

    latencies: list[float] = []
    offers = 0
    early_days = [monday + dt.timedelta(days=d) for d in range(1, 8)]
    for _sample in range(args.samples):
        kep = rng.choice(keps)
        day = rng.choice([d for d in early_days if d.weekday() < 5])
        free = free_slots_for(
            kep=kep, service=service, category=category, start=day, end=day, now=now
        )
        if not free:
            continue
        booked = services.book_appointment(
            citizen=CitizenFactory(),
            kep=kep,
            service=service,
            category=category,
            starts_at=free[0].start,
            now=now,
        )
        before = Offer.objects.count()
        t0 = time.perf_counter()
        services.cancel_appointment(reference=booked.reference, citizen=booked.citizen, now=now)
        counts = waitlist.process_freed_times(now=now)
        latencies.append(time.perf_counter() - t0)
        offers += counts.offers
        assert Offer.objects.count() == before + counts.offers

    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "waiting_requests": WaitingRequest.objects.count(),
        "keps": args.keps,
        "build_seconds": round(build_seconds, 1),
        "samples": len(latencies),
        "offers_made": offers,
        "cancel_to_offer_ms": {
            "p50": round(quantiles[49] * 1000, 1),
            "p95": round(quantiles[94] * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
        },
        "load_average": os.getloadavg(),
    }


if __name__ == "__main__":
    main()
