"""The booking rush: hundreds of citizens press "Book" at once on the same few times.

Worker threads each open their own PostgreSQL connection, wait at a barrier, then take
attempts off a shared list until it is empty; each attempt is one ``book_appointment`` call of
a different citizen for a (KEP, time) target that ten or so others want too. The exclusion
constraint decides who gets each employee-time. Afterwards one SQL query counts the
overlapping pairs in the whole table, which must be zero.

PostgreSQL serves ``max_connections`` sessions (100 by default), so 500 simultaneous
connections are usually impossible: the rush runs ``workers`` connections (every one opened and
waiting before the start), and each attempt starts the moment a worker is free — like an
application server with a connection pool under a queue of requests. ``--rush-workers`` sets
it; with workers ≥ attempts every attempt has its own connection and thread.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction

from bench.dataset import RUSH_PREFIX, rush_citizens
from bench.measure import Metric, machine_busy, profile
from bench.reads import Context
from keplive.booking import selectors, services
from keplive.booking.exceptions import BookingError
from keplive.booking.models import Appointment, Status
from keplive.directory.models import Kep

OVERLAPPING_PAIRS_SQL = """
    SELECT count(*)
      FROM booking_appointment a
      JOIN booking_appointment b
        ON a.employee_id = b.employee_id
       AND a.id < b.id
       AND tstzrange(a.starts_at, a.blocked_until, '[)')
           && tstzrange(b.starts_at, b.blocked_until, '[)')
     WHERE a.status IN ('held', 'booked')
       AND b.status IN ('held', 'booked')
"""

# The same question answered without the exclusion constraint's own GiST index (which the
# planner uses for the query above): rows that start before an earlier row of the same
# employee has ended. Zero exactly when there is no overlapping pair.
OVERLAPPING_ROWS_NO_INDEX_SQL = """
    SELECT count(*) FROM (
        SELECT starts_at,
               max(blocked_until) OVER (
                   PARTITION BY employee_id ORDER BY starts_at, id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
               ) AS busy_until
          FROM booking_appointment
         WHERE status IN ('held', 'booked')
    ) AS timeline
     WHERE starts_at < busy_until
"""


@dataclass
class Target:
    kep: Kep
    starts_at: dt.datetime
    free_employees: int


@dataclass
class RushResult:
    attempts: int
    workers: int
    wall_seconds: float
    latency: Metric
    outcomes: Counter[str]
    targets: list[Target]
    capacity: int
    booked_rows: int
    overlapping_pairs: int
    overlapping_rows_without_index: int
    overlap_check_seconds: float
    errors: list[str] = field(default_factory=list)

    @property
    def booked(self) -> int:
        return self.outcomes.get("booked", 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "workers": self.workers,
            "wall_seconds": round(self.wall_seconds, 3),
            "attempts_per_second": round(self.attempts / self.wall_seconds, 1),
            "bookings_per_second": round(self.booked / self.wall_seconds, 1),
            "outcomes": dict(self.outcomes),
            "targets": len(self.targets),
            "target_keps": sorted({t.kep.code for t in self.targets}),
            "capacity_free_employee_times": self.capacity,
            "booked_rows_in_database": self.booked_rows,
            "overlapping_pairs": self.overlapping_pairs,
            "overlapping_rows_without_index": self.overlapping_rows_without_index,
            "overlap_check_seconds": round(self.overlap_check_seconds, 2),
            "unexpected_errors_sample": self.errors[:5],
            "latency": self.latency.as_dict(),
        }


def choose_targets(ctx: Context, *, seed: int, keps: int, times_per_kep: int) -> list[Target]:
    """``times_per_kep`` free times on the second working day at ``keps`` random KEPs."""
    rng = random.Random(seed * 1000 + 7)
    day = ctx.days[1]  # a full day: the first one is partly inside the two-hour notice
    targets: list[Target] = []
    for kep in rng.sample(ctx.keps, keps):
        slots = selectors.free_slots_for(
            kep=kep, service=ctx.info_service, category=ctx.info, start=day, end=day, now=ctx.now
        )
        for slot in sorted(
            rng.sample(slots, min(times_per_kep, len(slots))), key=lambda s: s.start
        ):
            targets.append(
                Target(kep=kep, starts_at=slot.start, free_employees=len(slot.employee_ids))
            )
    return targets


def clear_rush_bookings(now: dt.datetime) -> int:
    """Undo what the rush (or an earlier, interrupted run) booked: back to half booked.

    Each booking is cancelled through the public service first, so whatever the application
    keeps up to date when a booking goes (the earliest-free-time index) follows; then the rows
    are deleted so the table does not grow run after run (``--reuse``).
    """
    rush_rows = Appointment.objects.filter(citizen__user__username__startswith=RUSH_PREFIX)
    for appointment in rush_rows.filter(status=Status.BOOKED).select_related("citizen"):
        services.cancel_appointment(
            reference=appointment.reference, citizen=appointment.citizen, now=now
        )
    deleted, _ = rush_rows.delete()
    return deleted


def overlapping_pairs() -> tuple[int, int, float]:
    """Overlapping pairs of blocking rows of one employee in the whole table (must be 0), and
    the same checked without the guard's index."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(OVERLAPPING_PAIRS_SQL)
        pairs = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(OVERLAPPING_ROWS_NO_INDEX_SQL)
        rows = cursor.fetchone()[0]
    return pairs, rows, time.perf_counter() - started


def run_rush(
    ctx: Context, *, attempts: int, workers: int, seed: int, keps: int, times_per_kep: int
) -> RushResult:
    clear_rush_bookings(ctx.now)
    targets = choose_targets(ctx, seed=seed, keps=keps, times_per_kep=times_per_kep)
    capacity = sum(t.free_employees for t in targets)
    citizens = rush_citizens(attempts)
    rng = random.Random(seed * 1000 + 8)
    plan = [targets[i % len(targets)] for i in range(attempts)]
    rng.shuffle(plan)
    print(
        f"  {attempts} attempts on {len(targets)} times at {keps} KEPs "
        f"({capacity} free employee-times), {workers} connections …",
        flush=True,
    )

    latencies: list[float | None] = [None] * attempts
    outcomes: list[str] = [""] * attempts
    errors: list[str] = []
    next_attempt = itertools.count()
    barrier = threading.Barrier(workers + 1)
    ready_failures: list[str] = []

    def attempt(index: int) -> None:
        target = plan[index]
        started = time.perf_counter()
        try:
            services.book_appointment(
                citizen=citizens[index],
                kep=target.kep,
                service=ctx.info_service,
                category=ctx.info,
                starts_at=target.starts_at,
                now=ctx.now,
            )
            outcomes[index] = "booked"
        except BookingError as error:
            outcomes[index] = error.code
        except Exception as error:
            outcomes[index] = f"error:{type(error).__name__}"
            errors.append("".join(traceback.format_exception_only(error)).strip())
        latencies[index] = time.perf_counter() - started

    def worker() -> None:
        try:
            connection.ensure_connection()
        except Exception as error:
            ready_failures.append(str(error))
        try:
            barrier.wait(timeout=120)
            if ready_failures:
                return
            while (index := next(next_attempt)) < attempts:
                attempt(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"rush-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=120)
    with machine_busy() as busy:
        started = time.perf_counter()
        for thread in threads:
            thread.join(timeout=600)
        wall = time.perf_counter() - started
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("a booking attempt hung for ten minutes")
    if ready_failures:
        raise RuntimeError(f"could not open {workers} connections: {ready_failures[0]}")

    booked_rows = Appointment.objects.filter(citizen__in=citizens, status=Status.BOOKED).count()
    pairs, overlapping_rows, check_seconds = overlapping_pairs()

    latency = Metric(
        "rush_attempt",
        f"booking rush: latency per attempt ({attempts} attempts, {workers} connections)",
        samples=[s for s in latencies if s is not None],
        extra={"machine_busy_cores": busy.get("busy_cores")},
    )
    result = RushResult(
        attempts=attempts,
        workers=workers,
        wall_seconds=wall,
        latency=latency,
        outcomes=Counter(outcomes),
        targets=targets,
        capacity=capacity,
        booked_rows=booked_rows,
        overlapping_pairs=pairs,
        overlapping_rows_without_index=overlapping_rows,
        overlap_check_seconds=check_seconds,
        errors=errors,
    )
    clear_rush_bookings(ctx.now)  # leave the data set half booked for the next run (--reuse)
    return result


def single_bookings(
    ctx: Context, *, count: int, seed: int, first_citizen: int
) -> tuple[Metric, Callable[[int], object]]:
    """``count`` bookings one after another, each at a free time of a random KEP: the cost of
    one booking without contention (for reading the rush). Returns the metric and a callable
    that books more of the same (for a profile); ``clear_rush_bookings`` undoes them."""
    clear_rush_bookings(ctx.now)
    spare = 50  # extra targets for the profile
    rng = random.Random(seed * 1000 + 9)
    targets: list[tuple[Kep, dt.datetime]] = []
    taken: set[tuple[int, dt.datetime]] = set()
    while len(targets) < count + spare:
        kep, day = rng.choice(ctx.keps), rng.choice(ctx.days[1:])
        slots = selectors.free_slots_for(
            kep=kep, service=ctx.info_service, category=ctx.info, start=day, end=day, now=ctx.now
        )
        slot = rng.choice(slots)
        if (kep.pk, slot.start) not in taken:
            taken.add((kep.pk, slot.start))
            targets.append((kep, slot.start))
    citizens = rush_citizens(first_citizen + count + spare)[first_citizen:]
    outcomes: Counter[str] = Counter()

    def book(index: int) -> object:
        kep, starts_at = targets[index]
        try:
            services.book_appointment(
                citizen=citizens[index],
                kep=kep,
                service=ctx.info_service,
                category=ctx.info,
                starts_at=starts_at,
                now=ctx.now,
            )
            outcomes["booked"] += 1
        except BookingError as error:
            outcomes[error.code] += 1
        return None

    samples = []
    with machine_busy() as busy:
        for index in range(count):
            started = time.perf_counter()
            book(index)
            samples.append(time.perf_counter() - started)
    metric = Metric(
        "booking_single",
        "booking, one at a time, no contention (book_appointment)",
        samples=samples,
        notes=[f"free times at random KEPs and days; outcomes {dict(outcomes)}"],
    )
    metric.extra["outcomes"] = dict(outcomes)
    metric.extra["machine_busy_cores"] = busy.get("busy_cores")
    extra = itertools.count(count)
    return metric, lambda _i: book(next(extra) % (count + spare))


def profile_bookings(book_more: Callable[[int], object]) -> str:
    """cProfile of 20 more uncontended bookings (undone by the rush's clean-up)."""
    return profile(book_more, calls=20)
