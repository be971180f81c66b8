"""KEPlive at national scale: build the data set, time the selectors, run a booking rush.

    make bench                       # or:
    DATABASE_URL=postgres://keplive:keplive@127.0.0.1:5432/keplive .venv/bin/python bench/run.py

DATABASE_URL names the server (and an existing database to connect to for administration);
the benchmarks themselves run in a sibling database, ``keplive_bench``, dropped and rebuilt on
every run unless ``--reuse`` finds it already built with the same parameters.

Prints a table (metric, n, p50, p95, p99, target, verdict) and writes it as JSON to
var/bench-results.json. Exit status 1 when the rush left overlapping bookings of one employee
(the invariant is broken) or the selectors gave wrong answers; a missed time target is
reported but not fatal. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import database  # noqa: E402  (needs the path above)
from bench.goals import write_goals  # noqa: E402
from bench.measure import cpu_reference_ms  # noqa: E402

DEFAULT_URL = "postgres://keplive:keplive@127.0.0.1:5432/keplive"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keps", type=int, default=1000)
    parser.add_argument("--employees-per-kep", type=int, default=5)
    parser.add_argument("--days", type=int, default=30, help="days booked ahead (the horizon)")
    parser.add_argument("--citizens", type=int, default=20000, help="citizens who own the bookings")
    parser.add_argument("--rush", type=int, default=500, help="booking attempts in the rush")
    parser.add_argument(
        "--rush-workers",
        type=int,
        default=None,
        help="concurrent connections in the rush (default: what the server can spare, at most 80)",
    )
    parser.add_argument("--rush-keps", type=int, default=10, help="KEPs the rush aims at")
    parser.add_argument("--rush-times", type=int, default=5, help="times per KEP the rush aims at")
    parser.add_argument(
        "--single-bookings",
        type=int,
        default=100,
        help="bookings made one at a time before the rush (cost without contention)",
    )
    parser.add_argument(
        "--iterations", type=int, default=300, help="measured calls per read metric"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds of measured time per read metric before it stops early (slow operations)",
    )
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database if already built"
    )
    parser.add_argument("--bench-db", default="keplive_bench", help="name of the bench database")
    parser.add_argument(
        "--profile",
        choices=["missed", "all", "none"],
        default="missed",
        help="cProfile the read metrics that miss their target (default), all, or none",
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="JSON file (default var/bench-results.json)"
    )
    args = parser.parse_args(argv)
    for name in ("keps", "employees_per_kep", "days", "citizens", "rush", "rush_keps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.iterations < 2 or args.single_bookings < 2 or args.rush_times < 1:
        parser.error("--iterations and --single-bookings need at least 2, --rush-times 1")
    if args.rush_keps > args.keps:
        parser.error("--rush-keps cannot exceed --keps")
    return args


def prepare_database(
    args: argparse.Namespace, admin_url: str, bench_url: str
) -> dict[str, Any] | None:
    """The previous build's record when it can be reused; otherwise a fresh empty database."""
    wanted = build_params(args)
    if args.reuse:
        meta = database.read_meta(bench_url)
        if meta and meta.get("params") == wanted:
            print(f"Reusing {args.bench_db} (built {meta['built_at']}).", flush=True)
            return meta
        print(
            f"--reuse: {args.bench_db} holds no data set with these parameters; rebuilding.",
            flush=True,
        )
    database.recreate(admin_url, args.bench_db)
    return None


def build_params(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "keps": args.keps,
        "employees_per_kep": args.employees_per_kep,
        "days": args.days,
        "citizens": args.citizens,
        "seed": args.seed,
        "layout": database.LAYOUT,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run_started = time.perf_counter()
    load_before = os.getloadavg()
    cpu_before = cpu_reference_ms()
    if load_before[0] > 0.5 * (os.cpu_count() or 1):
        print(
            f"Warning: the machine is busy (load average {load_before[0]:.1f} on "
            f"{os.cpu_count()} cores); the figures will show it.",
            flush=True,
        )
    admin_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not database.is_postgres(admin_url):
        print("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    if database.database_name(admin_url) == args.bench_db:
        print("DATABASE_URL must name another database than the bench database.", file=sys.stderr)
        return 2
    bench_url = database.with_database(admin_url, args.bench_db)

    reused = prepare_database(args, admin_url, bench_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ["KEPLIVE_DEBUG"] = "0"  # DEBUG would record every query: memory and time
    # The rush holds one connection per thread (up to 80) from Django's pool at once.
    os.environ["KEPLIVE_DB_POOL_MAX_SIZE"] = "90"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")
    import django

    django.setup()

    from django.core.management import call_command

    from bench import dataset, reads, rush
    from bench.measure import breakdown, fmt_ms, render_table
    from keplive.booking.schedule_inputs import ATHENS

    if reused is None:
        print(f"Building the data set in {args.bench_db} …", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
        now = dataset.bench_now(dt.datetime.now(ATHENS).date())
        meta = dataset.build(
            keps=args.keps,
            employees_per_kep=args.employees_per_kep,
            days=args.days,
            citizens=args.citizens,
            seed=args.seed,
            now=now,
        )
        meta["params"] = build_params(args)
        dataset.save_meta(meta)
        print(f"Built in {meta['build_seconds']:.0f} s.", flush=True)
    else:
        meta = reused
        now = dt.datetime.fromisoformat(meta["now"])
        # Built by an earlier version, perhaps: its schema (indexes) as the code expects.
        call_command("migrate", verbosity=0, interactive=False)
        dataset.vacuum_analyze()

    ctx = reads.load_context(now=now, days=args.days)
    print(
        f"now = {now.isoformat()} (Europe/Athens); {len(ctx.days)} working days in the horizon",
        flush=True,
    )

    failures: list[str] = []
    print("First calls:", flush=True)
    first_calls = reads.first_earliest_calls(ctx, reused=reused is not None)
    for m in first_calls:
        print(f"  {m.title}: {m.p(50):,.0f} ms", flush=True)
    for cold in reads.cold_deployment_first_call(ctx):
        print(f"  {cold.title}: {cold.p(50):,.0f} ms", flush=True)
        first_calls.append(cold)
    problems = reads.sanity_checks(ctx, employees_per_kep=args.employees_per_kep)
    for problem in problems:
        print(f"  WRONG: {problem}", flush=True)
    if problems:
        failures.append(f"{len(problems)} wrong answer(s) from the selectors")

    print("Worker refresh (fills the directory cache, as in a running deployment):", flush=True)
    warm = reads.warm_like_the_worker(ctx)
    print(f"  {warm.title}: {warm.p(50):,.0f} ms", flush=True)

    print("Dashboard summary (as the worker keeps it):", flush=True)
    summarised = reads.summarise_like_the_worker(ctx)
    print(f"  {summarised.title}: {summarised.p(50):,.0f} ms", flush=True)

    print("Read benchmarks:", flush=True)
    benches = reads.read_benchmarks(ctx, seed=args.seed, iterations=args.iterations)
    metrics = [
        reads.run_read(b, iterations=args.iterations, budget_seconds=args.budget) for b in benches
    ]

    print("Bookings one at a time:", flush=True)
    single, book_more = rush.single_bookings(
        ctx, count=args.single_bookings, seed=args.seed, first_citizen=args.rush
    )
    print(f"  n={single.n} p50={single.p(50):.1f} ms p95={single.p(95):.1f} ms", flush=True)
    if single.extra["outcomes"] != {"booked": single.n}:
        failures.append(f"uncontended bookings did not all succeed: {single.extra['outcomes']}")
    single.extra["breakdown"] = breakdown(book_more, calls=20).as_dict()
    single_profile = rush.profile_bookings(book_more) if args.profile == "all" else None

    facts = database.server_facts(bench_url)
    workers = args.rush_workers or rush_workers_default(args.rush, facts)
    print("Booking rush:", flush=True)
    rush_result = rush.run_rush(
        ctx,
        attempts=args.rush,
        workers=workers,
        seed=args.seed,
        keps=args.rush_keps,
        times_per_kep=args.rush_times,
    )
    read_metrics = list(metrics)
    metrics = [*metrics, warm, summarised, *first_calls, single, rush_result.latency]
    if rush_result.overlapping_pairs or rush_result.overlapping_rows_without_index:
        failures.append(
            f"{rush_result.overlapping_pairs} overlapping pair(s) of bookings "
            f"({rush_result.overlapping_rows_without_index} found without the guard's index)"
        )
    if rush_result.booked > rush_result.capacity or rush_result.booked_rows != rush_result.booked:
        failures.append(
            f"rush booked {rush_result.booked} ({rush_result.booked_rows} rows) for "
            f"{rush_result.capacity} free employee-times"
        )
    if rush_result.errors:
        failures.append(f"{len(rush_result.errors)} unexpected error(s) in the rush")

    profiles: dict[str, str] = {}
    if args.profile != "none":
        for bench, metric in zip(benches, read_metrics, strict=True):
            if args.profile == "all" or metric.verdict == "FAIL":
                print(f"Profiling {metric.key} …", flush=True)
                profiles[metric.key] = reads.profile_read(bench)
        if single_profile is not None:
            profiles[single.key] = single_profile

    # --- Report -----------------------------------------------------------------------------
    rows = []
    for m in metrics:
        rows.append(
            [
                m.title,
                str(m.n),
                fmt_ms(m.p(50)),
                fmt_ms(m.p(95)),
                fmt_ms(m.p(99)),
                f"p95 < {m.target_ms:g} ms" if m.target_ms is not None else "-",
                m.verdict,
            ]
        )
    r = rush_result
    rush_rows = [
        ["attempts / connections", f"{r.attempts} / {r.workers}"],
        [
            "wall time of the rush",
            f"{r.wall_seconds:.2f} s (machine busy: "
            f"{_cores(r.latency.extra.get('machine_busy_cores'))} cores)",
        ],
        [
            "throughput",
            f"{r.attempts / r.wall_seconds:.1f} attempts/s, "
            f"{r.booked / r.wall_seconds:.1f} bookings/s",
        ],
        ["outcomes", ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items()))],
        [
            "targets / free employee-times",
            f"{len(r.targets)} times at {len({t.kep.pk for t in r.targets})} KEPs / {r.capacity}",
        ],
        [
            "overlapping pairs (SQL, whole table)",
            f"{r.overlapping_pairs} (without the guard's index: "
            f"{r.overlapping_rows_without_index}; {r.overlap_check_seconds:.1f} s)",
        ],
        ["booked rows in the database", f"{r.booked_rows} (outcomes say {r.booked})"],
    ]
    breakdown_rows = [
        [
            m.key,
            f"{m.extra['breakdown']['queries_per_call']:.0f}",
            fmt_ms(m.extra["breakdown"]["sql_ms_per_call"]),
            fmt_ms(m.extra["breakdown"]["python_ms_per_call"]),
            _cores(m.extra.get("machine_busy_cores")),
        ]
        for m in metrics
        if "breakdown" in m.extra
    ]
    counts = meta["row_counts"]
    total_seconds = time.perf_counter() - run_started

    print()
    print(
        render_table(
            ["metric", "n", "p50 ms", "p95 ms", "p99 ms", "target", "result"], rows, "lrrrrll"
        )
    )
    print()
    print(render_table(["booking rush", ""], rush_rows, "ll"))
    print()
    print(
        "Where the time goes (mean per call; SQL = execute incl. transfer, Python = the rest;"
        " busy = cores the whole machine kept busy while the samples ran, ~1 when alone):"
    )
    print(
        render_table(
            ["metric", "queries", "SQL ms", "Python ms", "busy cores"], breakdown_rows, "lrrrr"
        )
    )
    print()
    print(
        f"Data set: {counts['keps']:,} KEPs ({counts['kep_eke']} KEP-EKE), "
        f"{counts['employees']:,} employees, "
        f"{counts['appointments_booked']:,} booked appointments, {counts['citizens']:,} citizens; "
        f"built in {meta['build_seconds']:.0f} s{' (reused)' if reused else ''}; "
        f"database {counts['database_bytes'] / 2**20:,.0f} MiB."
    )
    for m in metrics:
        for note in m.notes:
            print(f"  note ({m.key}): {note}")
    for key, text in profiles.items():
        print(f"\nProfile of {key}:\n{text}")
    cpu_after = cpu_reference_ms()
    print(
        f"\nTotal run time {total_seconds:.0f} s. Load average before "
        f"{load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores). "
        f"CPU reference (a fixed Python loop) {cpu_before:.0f} ms before, {cpu_after:.0f} ms after."
    )

    results = {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "total_seconds": round(total_seconds, 1),
        "now": now.isoformat(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "memory_gib": _memory_gib(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "cpu_reference_ms_before": cpu_before,
            "cpu_reference_ms_after": cpu_after,
            "postgresql": facts,
        },
        "data_set": {**meta, "reused": reused is not None},
        "metrics": [m.as_dict() for m in metrics],
        "rush": r.as_dict(),
        "sanity_problems": problems,
        "profiles": profiles,
        "failures": failures,
        "table": render_table(
            ["metric", "n", "p50 ms", "p95 ms", "p99 ms", "target", "result"], rows, "lrrrrll"
        ),
    }
    output = args.output or _var_dir() / "bench-results.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    print(f"Results written to {output}.")

    write_goals("run", national_goals(metrics))
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def national_goals(metrics: list[Any]) -> list[dict[str, Any]]:
    """Issue 13's goals 5 and 6 for bench/goals.py (var/bench-goals/run.json)."""
    by_key = {m.key: m for m in metrics}
    goals = []
    for key, goal, q in (
        ("dashboard_national_30", "5. national dashboard, 1,000 KEPs, 30 days, p95", 95),
        (
            "earliest_cat1_cold_deployment",
            "6. cold deployment: first earliest free time, 1,000 KEPs",
            50,
        ),
    ):
        metric = by_key.get(key)
        figure = metric.p(q) if metric is not None and metric.n else None
        target = metric.target_ms if metric is not None else None
        goals.append(
            {
                "goal": goal,
                "figure": "-"
                if figure is None or metric is None
                else f"{figure:,.1f} ms (n {metric.n})",
                "target": f"≤ {target:g} ms" if target is not None else "-",
                "pass": figure is not None and target is not None and figure <= target,
            }
        )
    return goals


def rush_workers_default(attempts: int, facts: dict[str, Any]) -> int:
    """Connections the server can spare, leaving room for others (tests, the developers)."""
    spare = (
        int(facts["max_connections"])
        - int(facts["superuser_reserved_connections"])
        - int(facts["connections_in_use"])
    )
    return max(1, min(attempts, 80, spare - 10))


def _cores(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _var_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        return None
    return None


if __name__ == "__main__":
    sys.exit(main())
