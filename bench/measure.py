"""Timing, percentiles, SQL accounting and profiles: the measuring tools of the benchmarks.

Every figure is wall-clock time from ``time.perf_counter`` around one call of the application's
public selector or service, in this process: the application's own cost, including its
database round trips on loopback.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection


def percentile_ms(samples: list[float], q: int) -> float | None:
    """The ``q``-th percentile (1..99) of ``samples`` (seconds), in milliseconds."""
    if not samples:
        return None
    if len(samples) == 1:
        return samples[0] * 1000
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[q - 1] * 1000


@dataclass
class Metric:
    """One row of the results table."""

    key: str
    title: str
    samples: list[float] = field(default_factory=list, repr=False)
    target_ms: float | None = None  # the p95 target; None: reported only
    unit: str = "ms"
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.samples)

    def p(self, q: int) -> float | None:
        return percentile_ms(self.samples, q)

    @property
    def verdict(self) -> str:
        if self.target_ms is None:
            return "-"
        p95 = self.p(95)
        if p95 is None:
            return "NO DATA"
        return "PASS" if p95 < self.target_ms else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "n": self.n,
            "p50_ms": _round(self.p(50)),
            "p95_ms": _round(self.p(95)),
            "p99_ms": _round(self.p(99)),
            "mean_ms": _round(statistics.fmean(self.samples) * 1000 if self.samples else None),
            "max_ms": _round(max(self.samples) * 1000 if self.samples else None),
            "target_p95_ms": self.target_ms,
            "verdict": self.verdict,
            "notes": self.notes,
            **self.extra,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _cpu_busy_seconds() -> float | None:
    """Seconds of CPU time the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@contextmanager
def machine_busy() -> Iterator[dict[str, float]]:
    """How many cores the whole machine kept busy on average during the block.

    This benchmark alone keeps about one core busy (its Python plus the PostgreSQL backend
    answering it, mostly in turn); clearly more means something else was running and the
    figures of that block are inflated.
    """
    result: dict[str, float] = {}
    busy_before, started = _cpu_busy_seconds(), time.perf_counter()
    yield result
    busy_after, wall = _cpu_busy_seconds(), time.perf_counter() - started
    if busy_before is not None and busy_after is not None and wall > 0:
        result["busy_cores"] = round((busy_after - busy_before) / wall, 2)


def cpu_reference_ms() -> float:
    """A fixed pure-Python loop, best of five: how fast this machine's Python is right now.

    Figures of two runs compare only when their references do; a virtual machine can be
    slowed by its host without any sign in the load average.
    """
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def timed_samples(
    call: Callable[[int], object],
    *,
    iterations: int,
    warmup: int,
    budget_seconds: float,
) -> tuple[list[float], bool]:
    """Run ``call(i)`` ``warmup`` times unmeasured, then up to ``iterations`` times measured.

    Stops early once ``budget_seconds`` of measured time has passed (a very slow operation
    would otherwise hold the whole run); the second value says whether it did.
    """
    for i in range(warmup):
        call(-1 - i)
    samples: list[float] = []
    spent = 0.0
    for i in range(iterations):
        started = time.perf_counter()
        call(i)
        elapsed = time.perf_counter() - started
        samples.append(elapsed)
        spent += elapsed
        if spent >= budget_seconds and i + 1 < iterations:
            return samples, True
    return samples, False


@dataclass
class SqlTally:
    queries: int = 0
    seconds: float = 0.0


@contextmanager
def counting_sql() -> Iterator[SqlTally]:
    """Count the queries run on this thread's connection and the time spent executing them.

    The time covers sending the query, the server's work and receiving the whole result
    (psycopg reads it all at execute time); turning rows into Python objects is not included.
    """
    tally = SqlTally()

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            tally.seconds += time.perf_counter() - started
            tally.queries += 1

    with connection.execute_wrapper(wrapper):
        yield tally


@dataclass
class Breakdown:
    calls: int
    wall_ms_per_call: float
    queries_per_call: float
    sql_ms_per_call: float

    @property
    def python_ms_per_call(self) -> float:
        return self.wall_ms_per_call - self.sql_ms_per_call

    def as_dict(self) -> dict[str, float]:
        return {
            **{k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()},
            "python_ms_per_call": round(self.python_ms_per_call, 3),
        }


def breakdown(call: Callable[[int], object], *, calls: int) -> Breakdown:
    """Where the time of ``call`` goes: queries per call, SQL time and the rest (Python)."""
    with counting_sql() as tally:
        started = time.perf_counter()
        for i in range(calls):
            call(i)
        wall = time.perf_counter() - started
    return Breakdown(
        calls=calls,
        wall_ms_per_call=wall * 1000 / calls,
        queries_per_call=tally.queries / calls,
        sql_ms_per_call=tally.seconds * 1000 / calls,
    )


def profile(call: Callable[[int], object], *, calls: int, top: int = 20) -> str:
    """cProfile of ``calls`` calls: the top entries by own time and by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(calls):
        call(i)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs()
    out.write(f"--- {calls} call(s), sorted by own time (tottime) ---\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write(f"--- {calls} call(s), sorted by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(top)
    return _compact(out.getvalue())


def _compact(text: str) -> str:
    """pstats output without its blank lines and banner noise."""
    keep = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("Ordered by", "List reduced")):
            continue
        keep.append(line.rstrip())
    return "\n".join(keep)


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render_table(headers: list[str], rows: list[list[str]], align: str) -> str:
    """A plain-text (and Markdown-compatible) table; ``align`` holds 'l' or 'r' per column."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: list[str]) -> str:
        parts = [
            c.ljust(w) if a == "l" else c.rjust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":" if a == "r" else ":" + "-" * (w + 1))
            for w, a in zip(widths, align, strict=True)
        )
        + "|"
    )
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
