"""Read benchmarks: free times of a KEP-day, free days over the horizon, earliest free time.

Each calls only the public selectors of ``keplive.booking.selectors`` with an explicit ``now``,
the way the portal and the API do, so they keep measuring the real thing while the selectors'
insides change. KEPs are loaded once (with their municipality, as the views load them); the
timing covers the selector call alone.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

from bench.dataset import BUSINESS_SERVICE, INFO_SERVICE, working_days
from bench.measure import Metric, breakdown, machine_busy, profile, timed_samples
from keplive.booking import selectors
from keplive.booking.earliest import refresh_earliest_free_times
from keplive.booking.schedule_inputs import ATHENS
from keplive.catalogue.models import Category, Service
from keplive.catalogue.selectors import service_with_categories
from keplive.directory.models import Kep
from keplive.directory.selectors import bookable_keps

TARGET_FREE_TIMES_MS = 5.0
TARGET_FREE_DAYS_MS = 50.0
TARGET_EARLIEST_MS = 100.0
TARGET_COLD_EARLIEST_MS = 200.0  # issue 13, goal 6
TARGET_DASHBOARD_MS = 100.0  # issue 13, goal 5


@dataclass
class Context:
    now: dt.datetime
    keps: list[Kep]
    kep_eke: list[Kep]
    info: Category
    business: Category
    info_service: Service
    business_service: Service
    days: list[dt.date]  # working days of the horizon
    months: list[tuple[int, int]]  # the months the horizon touches


def _service(code: str) -> Service:
    service = service_with_categories(code=code)
    if service is None:
        raise LookupError(f"the data set has no service {code}")
    return service


def load_context(*, now: dt.datetime, days: int) -> Context:
    info = Category.objects.get(number=1)
    keps = list(bookable_keps().order_by("code"))
    first = now.astimezone(ATHENS).date()
    last = first + dt.timedelta(days=info.horizon_days)
    months = sorted({(d.year, d.month) for d in (first, last)})
    if (
        len(months) == 2
        and (months[1][0] * 12 + months[1][1]) - (months[0][0] * 12 + months[0][1]) > 1
    ):
        raise AssertionError("a horizon longer than two months is not expected")
    return Context(
        now=now,
        keps=keps,
        kep_eke=[k for k in keps if k.is_kep_eke],
        info=info,
        business=Category.objects.get(number=2),
        # As every interface fetches a service: with its categories (catalogue.selectors).
        info_service=_service(INFO_SERVICE),
        business_service=_service(BUSINESS_SERVICE),
        days=[d for d in working_days(now, days) if d <= last],
        months=months,
    )


@dataclass
class ReadBenchmark:
    metric: Metric
    call: Callable[[int], object]
    # Calls for the profile and the SQL breakdown (few for slow operations).
    profile_calls: int
    breakdown_calls: int
    warmup: int = 5


def read_benchmarks(ctx: Context, *, seed: int, iterations: int) -> list[ReadBenchmark]:
    """The read benchmarks, each with its own seeded choice of KEPs and days."""
    n = iterations + 50  # enough draws for the warm-up, the samples, the breakdown and the profile

    rng = random.Random(seed * 1000 + 1)
    slot_draws = [(rng.choice(ctx.keps), rng.choice(ctx.days)) for _ in range(n)]

    def free_times(i: int) -> object:
        kep, day = slot_draws[i % n]
        return selectors.free_slots_for(
            kep=kep, service=ctx.info_service, category=ctx.info, start=day, end=day, now=ctx.now
        )

    def free_times_cold(i: int) -> object:
        cache.clear()  # as after a directory change or on a KEP nobody asked about lately
        return free_times(i)

    rng = random.Random(seed * 1000 + 2)
    day_draws = [rng.choice(ctx.keps) for _ in range(n)]

    def free_days(i: int) -> object:
        kep = day_draws[i % n]
        return [
            selectors.free_days_in_month(
                kep=kep, service=ctx.info_service, category=ctx.info, year=y, month=m, now=ctx.now
            )
            for y, m in ctx.months
        ]

    def earliest(service: Service, category: Category) -> Callable[[int], object]:
        def call(i: int) -> object:
            return selectors.earliest_free_slots(service=service, category=category, now=ctx.now)

        return call

    def dashboard(i: int) -> object:
        # Every table of /administration/dashboard/ for the whole country, the last 30 days, as
        # the page computes it: finished days from the worker's summary, today live (ADR 0029).
        from keplive.administration import statistics as stats
        from keplive.administration import summary

        today = ctx.now.date()
        f = stats.DashboardFilter(start=today - dt.timedelta(days=29), end=today)
        return summary.dashboard(f, now=ctx.now)

    def dashboard_live(i: int) -> object:
        # The same tables computed live from the appointments (the path before the summary).
        from keplive.administration import statistics as stats

        today = ctx.now.date()
        f = stats.DashboardFilter(start=today - dt.timedelta(days=29), end=today)
        by_kep = stats.no_shows_by_kep(f, now=ctx.now)
        return [
            stats.appointments_by_day(f),
            stats.appointments_by_kep(f),
            stats.appointments_by_category(f),
            stats.appointments_by_status(f, now=ctx.now),
            by_kep,
            stats.no_show_totals(by_kep),
            stats.utilisation_by_kep(f, now=ctx.now),
            stats.waits_by_kep(f, now=ctx.now),
            stats.changes_by_kep(f),
        ]

    month_names = " + ".join(f"{y}-{m:02d}" for y, m in ctx.months)
    return [
        ReadBenchmark(
            Metric(
                "free_times_kep_day",
                "free times, one KEP-day (free_slots_for)",
                target_ms=TARGET_FREE_TIMES_MS,
                notes=[f"random KEP of {len(ctx.keps)}, random working day of the horizon"],
            ),
            free_times,
            profile_calls=100,
            breakdown_calls=100,
        ),
        ReadBenchmark(
            Metric(
                "free_times_kep_day_cold",
                "free times, one KEP-day, directory not cached (cold)",
                notes=[
                    "the cache emptied before every call: the KEP's directory (hours, "
                    "closures, availability, absences) is read from the database first"
                ],
            ),
            free_times_cold,
            profile_calls=50,
            breakdown_calls=50,
        ),
        ReadBenchmark(
            Metric(
                "free_days_30",
                "free days, one KEP, 30-day horizon (free_days_in_month ×2)",
                target_ms=TARGET_FREE_DAYS_MS,
                notes=[
                    f"one sample = free_days_in_month for {month_names} (the months the "
                    "30-day horizon touches), clipped to the horizon by the selector",
                ],
            ),
            free_days,
            profile_calls=50,
            breakdown_calls=50,
        ),
        ReadBenchmark(
            Metric(
                "earliest_cat1",
                f"earliest free time, category 1 ({len(ctx.keps)} KEPs)",
                target_ms=TARGET_EARLIEST_MS,
            ),
            earliest(ctx.info_service, ctx.info),
            profile_calls=2,
            breakdown_calls=3,
            warmup=2,
        ),
        ReadBenchmark(
            Metric(
                "earliest_cat2",
                f"earliest free time, category 2 ({len(ctx.kep_eke)} KEP-EKE)",
                target_ms=TARGET_EARLIEST_MS,
            ),
            earliest(ctx.business_service, ctx.business),
            profile_calls=10,
            breakdown_calls=10,
            warmup=3,
        ),
        ReadBenchmark(
            Metric(
                "dashboard_national_30",
                f"administration dashboard, all tables, {len(ctx.keps)} KEPs, 30 days",
                target_ms=TARGET_DASHBOARD_MS,
                notes=[
                    "every figure of /administration/dashboard/ with no filter but the period: "
                    "by day, KEP, category, status, no-shows, utilisation, waits, changes"
                ],
            ),
            dashboard,
            profile_calls=5,
            breakdown_calls=5,
            warmup=2,
        ),
        ReadBenchmark(
            Metric(
                "dashboard_national_30_live",
                f"administration dashboard, live queries (no summary), {len(ctx.keps)} KEPs, "
                "30 days",
                notes=["the same tables computed live: the path before ADR 0029, for comparison"],
            ),
            dashboard_live,
            profile_calls=1,
            breakdown_calls=1,
            warmup=1,
        ),
    ]


def summarise_like_the_worker(ctx: Context) -> Metric:
    """The dashboard's summary of the 30 days before ``now``, as the worker keeps it."""
    from keplive.administration.summary import summarise_days

    today = ctx.now.astimezone(ATHENS).date()
    started = time.perf_counter()
    days = 0
    while done := summarise_days(now=ctx.now, since=today - dt.timedelta(days=30)):
        days += len(done)
    metric = Metric(
        "dashboard_summary_30",
        f"dashboard summary: {days} days not yet summarised, {len(ctx.keps)} KEPs",
        notes=["summarise_days until done (the worker does a few days a minute)"],
    )
    metric.samples = [time.perf_counter() - started]
    return metric


def run_read(bench: ReadBenchmark, *, iterations: int, budget_seconds: float) -> Metric:
    metric = bench.metric
    print(f"  {metric.title} …", end="", flush=True)
    with machine_busy() as busy:
        metric.samples, cut_short = timed_samples(
            bench.call, iterations=iterations, warmup=bench.warmup, budget_seconds=budget_seconds
        )
    metric.extra["machine_busy_cores"] = busy.get("busy_cores")
    if cut_short:
        metric.notes.append(
            f"stopped after {metric.n} of {iterations} iterations: time budget of "
            f"{budget_seconds:.0f} s per metric spent"
        )
    metric.extra["breakdown"] = breakdown(bench.call, calls=bench.breakdown_calls).as_dict()
    print(f" n={metric.n} p95={metric.p(95):.2f} ms", flush=True)
    return metric


def profile_read(bench: ReadBenchmark) -> str:
    return profile(bench.call, calls=bench.profile_calls)


def warm_like_the_worker(ctx: Context) -> Metric:
    """What the worker's periodic refresh does every ten minutes: recompute every KEP's earliest
    free times, which also fills the cache of each KEP's directory. The steady state of a
    running deployment; the read benchmarks after it measure that state."""
    cache.clear()
    started = time.perf_counter()
    refresh_earliest_free_times(keps=ctx.keps, now=ctx.now)
    return Metric(
        "worker_refresh_all",
        f"worker: refresh every KEP's earliest free times ({len(ctx.keps)} KEPs)",
        samples=[time.perf_counter() - started],
        notes=["one run of refresh_earliest_free_times_task's work, from an empty cache"],
    )


def first_earliest_calls(ctx: Context, *, reused: bool) -> list[Metric]:
    """The first ``earliest_free_slots`` call of the run for each category, timed on its own.

    Right after a build this is the cold case: whatever the selector keeps between calls
    (the earliest-free-time index) is empty and gets filled by this call. With ``--reuse`` it
    finds what the previous run left.
    """
    state = "state left by the previous run (--reuse)" if reused else "first call after the build"
    metrics = []
    for key, service, category, keps in (
        ("earliest_cat1_first", ctx.info_service, ctx.info, f"{len(ctx.keps)} KEPs"),
        ("earliest_cat2_first", ctx.business_service, ctx.business, f"{len(ctx.kep_eke)} KEP-EKE"),
    ):
        started = time.perf_counter()
        selectors.earliest_free_slots(service=service, category=category, now=ctx.now)
        metrics.append(
            Metric(
                key,
                f"earliest free time, category {category.number}, first call ({keps})",
                samples=[time.perf_counter() - started],
                notes=[f"one call, {state}: not a steady-state figure"],
            )
        )
    return metrics


def cold_deployment_first_call(ctx: Context) -> list[Metric]:
    """Issue 13, goal 6: the first earliest-free-time request of a new deployment, across every
    KEP. A deployment starts with an empty index and cache; its deployment step
    (`manage.py refresh_earliest`, ADR 0020: make run, make prod and docs/OPERATIONS.md run it
    before traffic) fills the index, then the first request is timed with the cache still
    empty. The step itself is reported beside it: it is what the request no longer pays."""
    from keplive.booking.earliest import refresh_earliest_free_times
    from keplive.booking.models import EarliestFreeTime
    from keplive.directory.selectors import bookable_keps

    EarliestFreeTime.objects.all().delete()
    cache.clear()
    started = time.perf_counter()
    # What `manage.py refresh_earliest` runs, at the data set's clock instead of the wall's.
    refresh_earliest_free_times(keps=bookable_keps(), now=ctx.now)
    step = time.perf_counter() - started
    cache.clear()
    started = time.perf_counter()
    found = selectors.earliest_free_slots(service=ctx.info_service, category=ctx.info, now=ctx.now)
    elapsed = time.perf_counter() - started
    if not found:
        raise AssertionError("the cold first call found no free time")
    return [
        Metric(
            "earliest_index_deployment_step",
            f"deployment step: fill the earliest-time index ({len(ctx.keps)} KEPs)",
            samples=[step],
            notes=["manage.py refresh_earliest, once per deployment, before traffic"],
        ),
        Metric(
            "earliest_cat1_cold_deployment",
            f"earliest free time, category 1, cold deployment ({len(ctx.keps)} KEPs)",
            target_ms=TARGET_COLD_EARLIEST_MS,
            samples=[elapsed],
            notes=["the first call after the deployment step, the cache emptied"],
        ),
    ]


# --- Are the answers right? A fast wrong answer is no result. --------------------------------


def sanity_checks(ctx: Context, *, employees_per_kep: int) -> list[str]:
    """Check the selectors see the data set as built; returns the problems found."""
    problems: list[str] = []
    kep = ctx.keps[len(ctx.keps) // 2]
    grid_size = 13
    full_day = next(d for d in ctx.days if d > ctx.now.astimezone(ATHENS).date())
    slots = selectors.free_slots_for(
        kep=kep,
        service=ctx.info_service,
        category=ctx.info,
        start=full_day,
        end=full_day,
        now=ctx.now,
    )
    free_pairs = sum(len(s.employee_ids) for s in slots)
    if len(slots) != grid_size:
        problems.append(f"{kep.code} {full_day}: {len(slots)} free times, expected {grid_size}")
    expected_pairs = grid_size * employees_per_kep // 2
    if abs(free_pairs - expected_pairs) > grid_size:
        problems.append(
            f"{kep.code} {full_day}: {free_pairs} free employee-times, "
            f"expected about {expected_pairs}"
        )

    free_dates = selectors.free_days_in_month(
        kep=kep,
        service=ctx.info_service,
        category=ctx.info,
        year=ctx.months[0][0],
        month=ctx.months[0][1],
        now=ctx.now,
    )
    expected_dates = [d for d in ctx.days if (d.year, d.month) == ctx.months[0]]
    if free_dates != expected_dates:
        problems.append(
            f"{kep.code}: free days {free_dates} differ from working days {expected_dates}"
        )

    for label, service, category, eligible in (
        ("category 1", ctx.info_service, ctx.info, ctx.keps),
        ("category 2", ctx.business_service, ctx.business, ctx.kep_eke),
    ):
        found = selectors.earliest_free_slots(service=service, category=category, now=ctx.now)
        if not found:
            problems.append(f"earliest free time, {label}: nothing found")
            continue
        # Every KEP of the data set has the same pattern of free times, so the right answer
        # is the first free time of any one KEP, at the eligible KEPs with the lowest codes.
        first = selectors.free_slots_for(
            kep=eligible[0],
            service=service,
            category=category,
            start=ctx.days[0],
            end=ctx.days[-1],
            now=ctx.now,
        )[0].start
        expected = [(kep.code, first) for kep in eligible[: len(found)]]
        got = [(item.kep.code, item.slot.start) for item in found]
        if got != expected:
            problems.append(f"earliest free time, {label}: {got}, expected {expected}")
        for item in found:
            if category.kep_eke_only and not item.kep.is_kep_eke:
                problems.append(f"earliest free time, {label}: {item.kep.code} is no KEP-EKE")
            day = item.slot.start.astimezone(ATHENS).date()
            there = selectors.free_slots_for(
                kep=item.kep, service=service, category=category, start=day, end=day, now=ctx.now
            )
            if not any(s.start == item.slot.start for s in there):
                problems.append(
                    f"earliest free time, {label}: {item.kep.code} {item.slot.start} is not "
                    "among that KEP's free times"
                )
            elif there[0].start != item.slot.start:
                problems.append(
                    f"earliest free time, {label}: {item.kep.code} has an earlier free time "
                    f"{there[0].start} than the {item.slot.start} reported"
                )
    return problems
