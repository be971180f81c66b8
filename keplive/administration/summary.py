"""The dashboard from a per-KEP-day summary (issue 13 goal 5; ADR 0029).

``statistics`` computes every figure live from the appointments (the reference, kept callable);
this module gives the same figures from ``DaySummary`` rows for finished days the worker has
summarised and still clean, and computes the rest (today, the future, days not yet summarised
or marked dirty) live, with one grouped query per kind of fact instead of one per table.

- ``figures(start, end, now, …)``: per KEP, category and local day, every count the dashboard
  adds up; the worker stores it, the dashboard computes it for the days it cannot read.
- ``summarise_days(now=…)``: summarises finished days, dirty ones first, a bounded number a run.
- ``dashboard(f, now=…)`` and the table functions: the same results as ``statistics``'s.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from keplive.administration import statistics as live
from keplive.administration.models import ALL_CATEGORIES, DaySummary, DirtyMark, SummarisedDay
from keplive.administration.statistics import (
    _BOOKED,
    _CALL_LENGTH,
    _CANCELLED,
    _CHUNK,
    _CITIZEN_NO_SHOW,
    _NOT_OPENED,
    ATHENS,
    COUNTED_STATUSES,
    DashboardFilter,
    _kep_name,
    _past,
)
from keplive.audit.models import AuditEvent
from keplive.booking.models import Appointment, AppointmentChange, ChangeKind, Status
from keplive.booking.schedule_inputs import kep_directories, local_date, local_day_bounds
from keplive.catalogue.models import Category
from keplive.directory.models import Kep
from keplive.directory.versioning import directory_version

# Days summarised per worker run (a day of 1,000 KEPs: ~4 s on a loaded machine, 5,000 rows);
# a backfill loops (manage.py summarise_days).
DAYS_PER_RUN = 3
# How far back the worker fills days never summarised (the longest period the dashboard shows).
LOOKBACK_DAYS = live.MAX_PERIOD_DAYS
# Live days' offered minutes are cached under the directory version (a day at most).
OFFERED_CACHE_SECONDS = 24 * 3600

FIELDS = (
    "booked",
    "cancelled",
    "past",
    "no_employee",
    "citizen_no_show",
    "citizen_no_show_opened",
    "booked_seconds",
    "offered_minutes",
    "cancellations",
    "cancelled_by_kep",
    "citizen_moves",
    "kep_moves",
    "reassignments",
)


@dataclass(slots=True)
class Figures:
    booked: int = 0
    cancelled: int = 0
    upcoming: int = 0  # never stored: a summarised day has none
    past: int = 0
    no_employee: int = 0
    citizen_no_show: int = 0
    citizen_no_show_opened: int = 0
    booked_seconds: int = 0
    offered_minutes: int = 0
    cancellations: int = 0
    cancelled_by_kep: int = 0
    citizen_moves: int = 0
    kep_moves: int = 0
    reassignments: int = 0

    def add(self, other: Figures) -> None:
        # Spelled out: thousands of rows a request, and getattr/setattr cost several times more.
        self.booked += other.booked
        self.cancelled += other.cancelled
        self.upcoming += other.upcoming
        self.past += other.past
        self.no_employee += other.no_employee
        self.citizen_no_show += other.citizen_no_show
        self.citizen_no_show_opened += other.citizen_no_show_opened
        self.booked_seconds += other.booked_seconds
        self.offered_minutes += other.offered_minutes
        self.cancellations += other.cancellations
        self.cancelled_by_kep += other.cancelled_by_kep
        self.citizen_moves += other.citizen_moves
        self.kep_moves += other.kep_moves
        self.reassignments += other.reassignments

    def add_row(self, row: Mapping[str, Any], prefix: str = "") -> None:
        """Add the counts of a grouped row (``prefix`` before each field's name)."""
        for name in (*FIELDS, "upcoming"):
            value = row.get(prefix + name)
            if value:
                setattr(self, name, getattr(self, name) + value)


Key = tuple[int, int, dt.date]  # KEP, category, local date


@dataclass
class DayFigures:
    """``figures``'s result: per (KEP, category, day), and per (KEP, window category, day) the
    offered minutes (category 0: the widest window)."""

    rows: dict[Key, Figures] = field(default_factory=lambda: defaultdict(Figures))


def _narrow(rows: QuerySet, f: DashboardFilter | None, prefix: str = "") -> QuerySet:
    if f is None:
        return rows
    if f.kep_id is not None:
        rows = rows.filter(**{f"{prefix}kep_id": f.kep_id})
    if f.municipality_id is not None:
        rows = rows.filter(**{f"{prefix}kep__municipality_id": f.municipality_id})
    if f.category is not None:
        rows = rows.filter(**{f"{prefix}category_id": f.category})
    return rows


def figures(
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    f: DashboardFilter | None = None,
    keps: Sequence[Kep] | None = None,
    windows: Iterable[int | None] = (None,),
    cached: bool = False,
) -> DayFigures:
    """Every count of the dashboard per KEP, category and local date of [start, end], narrowed
    by ``f``'s KEP, municipality and category; offered minutes for ``keps`` under each window
    of ``windows`` (a category number, or None for the widest, stored as category 0)."""
    result = DayFigures()
    rows = result.rows
    low, high = local_day_bounds(start, end)
    past = _past(now)
    appointments = _narrow(
        Appointment.objects.filter(
            status__in=COUNTED_STATUSES, starts_at__gte=low, starts_at__lt=high
        ).order_by(),
        f,
    )
    # One day (today, live): no date to compute per row.
    grouped = (
        appointments.values("kep_id", "category_id")
        if start == end
        else appointments.annotate(day=TruncDate("starts_at", tzinfo=ATHENS)).values(
            "kep_id", "category_id", "day"
        )
    )
    for row in grouped.annotate(
        booked=Count("pk", filter=_BOOKED),
        cancelled=Count("pk", filter=_CANCELLED),
        upcoming=Count("pk", filter=_BOOKED & Q(ends_at__gt=now)),
        past=Count("pk", filter=past),
        no_employee=Count("pk", filter=past & _NOT_OPENED),
        citizen_no_show=Count("pk", filter=past & _CITIZEN_NO_SHOW),
        citizen_no_show_opened=Count("pk", filter=past & ~_NOT_OPENED & _CITIZEN_NO_SHOW),
        length=Sum(_CALL_LENGTH, filter=_BOOKED),
    ):
        figures_ = rows[(row["kep_id"], row["category_id"], row.get("day", start))]
        figures_.add_row(row)
        if row["length"]:
            figures_.booked_seconds += int(row["length"].total_seconds())
    for row in (
        _narrow(
            Appointment.objects.filter(
                status=Status.CANCELLED, cancelled_at__gte=low, cancelled_at__lt=high
            ).order_by(),
            f,
        )
        .annotate(day=TruncDate("cancelled_at", tzinfo=ATHENS))
        .values("kep_id", "category_id", "day")
        .annotate(count=Count("pk"))
    ):
        rows[(row["kep_id"], row["category_id"], row["day"])].cancellations += row["count"]
    field_of = {
        ChangeKind.CANCELLED_BY_KEP: "cancelled_by_kep",
        ChangeKind.MOVED: "kep_moves",
        ChangeKind.REASSIGNED: "reassignments",
    }
    for row in (
        _narrow(
            AppointmentChange.objects.filter(created_at__gte=low, created_at__lt=high).order_by(),
            f,
            "appointment__",
        )
        .annotate(day=TruncDate("created_at", tzinfo=ATHENS))
        .values("appointment__kep_id", "appointment__category_id", "day", "kind")
        .annotate(count=Count("pk"))
    ):
        name = field_of.get(row["kind"])
        if name is None:
            continue
        key = (row["appointment__kep_id"], row["appointment__category_id"], row["day"])
        setattr(rows[key], name, getattr(rows[key], name) + row["count"])
    _citizen_moves(rows, low=low, high=high, f=f)
    if keps:
        offer = _offered_cached if cached else _offered
        offer(rows, keps=keps, start=start, end=end, now=now, windows=windows)
    return result


def _citizen_moves(
    rows: dict[Key, Figures], *, low: dt.datetime, high: dt.datetime, f: DashboardFilter | None
) -> None:
    days_of: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for object_id, occurred_at in AuditEvent.objects.filter(
        action="appointment.rescheduled",
        object_type="appointment",
        occurred_at__gte=low,
        occurred_at__lt=high,
    ).values_list("object_id", "occurred_at"):
        days_of[object_id][occurred_at.astimezone(ATHENS).date()] += 1
    references = list(days_of)
    for offset in range(0, len(references), _CHUNK):
        chunk = references[offset : offset + _CHUNK]
        for reference, kep_id, category_id in _narrow(
            Appointment.objects.filter(reference__in=chunk).order_by(), f
        ).values_list("reference", "kep_id", "category_id"):
            for day, count in days_of[str(reference)].items():
                rows[(kep_id, category_id, day)].citizen_moves += count


def _offered(
    rows: dict[Key, Figures],
    *,
    keps: Sequence[Kep],
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    windows: Iterable[int | None],
) -> None:
    directories = kep_directories(keps=keps, start=start, end=end, now=now)
    day = start
    while day <= end:
        for category in windows:
            one_day = DashboardFilter(start=day, end=day, category=category)
            offered = live.offered_minutes_from(
                directories, keps=keps, f=one_day, window=live._window(one_day)
            )
            for kep_id, minutes in offered.items():
                rows[(kep_id, category or ALL_CATEGORIES, day)].offered_minutes += minutes
        day += dt.timedelta(days=1)


def _offered_cached(
    rows: dict[Key, Figures],
    *,
    keps: Sequence[Kep],
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    windows: Iterable[int | None],
) -> None:
    """``_offered`` for live days from the cache: each day's offered minutes of every active
    KEP per window, under the directory version (any directory change makes them unreachable).
    Offered time depends on the directory alone, so today's need not be computed per request:
    unpickling 1,000 KEPs' directories alone took longer than the whole target."""
    version = directory_version()
    windows = list(windows)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    keys = {
        (day, window): f"dashboard-offered:{version}:{day.isoformat()}:{window or 0}"
        for day in days
        for window in windows
    }
    found = cache.get_many(list(keys.values()))
    missing = sorted({day for (day, window), key in keys.items() if key not in found})
    if missing:
        every = list(Kep.objects.filter(is_active=True).only("pk", "municipality_id"))
        computed: dict[Key, Figures] = defaultdict(Figures)
        _offered(computed, keps=every, start=missing[0], end=missing[-1], now=now, windows=windows)
        fresh = {}
        for day in missing:
            for window in windows:
                category = window or ALL_CATEGORIES
                fresh[keys[(day, window)]] = {
                    kep.pk: computed[(kep.pk, category, day)].offered_minutes for kep in every
                }
        cache.set_many(fresh, timeout=OFFERED_CACHE_SECONDS)
        found |= fresh
    for (day, window), key in keys.items():
        minutes = found[key]
        for kep in keps:
            if kep.pk in minutes:
                rows[(kep.pk, window or ALL_CATEGORIES, day)].offered_minutes += minutes[kep.pk]


# --- The worker's side ------------------------------------------------------------------------


def dirty_days(*, marks: Iterable[DirtyMark] | None = None) -> set[dt.date]:
    """Local dates the ``DirtyMark`` rows name."""
    days: set[dt.date] = set()
    appointment_ids = []
    for mark in DirtyMark.objects.all() if marks is None else marks:
        if mark.day is not None:
            days.add(mark.day)
        if mark.at is not None:
            first = mark.at.astimezone(ATHENS).date()
            last = (mark.until or mark.at).astimezone(ATHENS).date()
            while first <= last:
                days.add(first)
                first += dt.timedelta(days=1)
        if mark.appointment_id is not None:
            appointment_ids.append(mark.appointment_id)
    if appointment_ids:
        references = [
            str(reference)
            for reference in Appointment.objects.filter(pk__in=appointment_ids).values_list(
                "reference", flat=True
            )
        ]
        for occurred_at in AuditEvent.objects.filter(
            action="appointment.rescheduled", object_type="appointment", object_id__in=references
        ).values_list("occurred_at", flat=True):
            days.add(occurred_at.astimezone(ATHENS).date())
    return days


def _finished(day: dt.date, now: dt.datetime) -> bool:
    """A day before today whose booked calls have all ended."""
    if day >= local_date(now):
        return False
    low, high = local_day_bounds(day, day)
    return not Appointment.objects.filter(
        status=Status.BOOKED, starts_at__gte=low, starts_at__lt=high, ends_at__gt=now
    ).exists()


def summarise_day(day: dt.date, *, now: dt.datetime) -> int:
    """(Re)write the summary of one finished day; returns its rows. The day's dirty marks read
    before computing are deleted with it: a change committed meanwhile leaves its mark."""
    keps = list(Kep.objects.filter(is_active=True).only("pk", "municipality_id").order_by("pk"))
    categories = list(Category.objects.order_by("number").values_list("number", flat=True))
    with transaction.atomic():
        result = figures(start=day, end=day, now=now, keps=keps, windows=[None, *categories]).rows
        totals: dict[int, Figures] = defaultdict(Figures)
        for (kep_id, category, _day), values in result.items():
            if category != ALL_CATEGORIES:
                offered = totals[kep_id].offered_minutes
                totals[kep_id].add(values)
                totals[kep_id].offered_minutes = offered
            else:
                totals[kep_id].offered_minutes += values.offered_minutes
        summaries = [
            DaySummary(
                day=day,
                kep_id=kep_id,
                category=category,
                **{name: getattr(values, name) for name in FIELDS},
            )
            for (kep_id, category, _day), values in result.items()
            if category != ALL_CATEGORIES
        ] + [
            DaySummary(
                day=day,
                kep_id=kep_id,
                category=ALL_CATEGORIES,
                **{name: getattr(values, name) for name in FIELDS},
            )
            for kep_id, values in totals.items()
        ]
        DaySummary.objects.filter(day=day).delete()
        DaySummary.objects.bulk_create(summaries, batch_size=2000)
        ends_at = local_day_bounds(day, day)[1]
        SummarisedDay.objects.update_or_create(
            day=day, defaults={"ends_at": ends_at, "summarised_at": now}
        )
    return len(summaries)


def days_to_summarise(
    *, now: dt.datetime, since: dt.date | None = None, limit: int = DAYS_PER_RUN
) -> list[dt.date]:
    """Dirty days first (newest first), then missing days from the newest back to ``since``
    (default: a year back, or the first appointment's day when that is later — a new service
    has no history to summarise; ``manage.py summarise_days --since`` reaches further)."""
    today = local_date(now)
    dirty = sorted((day for day in dirty_days() if day < today), reverse=True)
    wanted = [day for day in dirty if since is None or day >= since]
    if since is None:
        since = today - dt.timedelta(days=LOOKBACK_DAYS)
        first = Appointment.objects.order_by("starts_at").values_list("starts_at", flat=True)
        if (first_start := first.first()) is None:
            since = today  # nothing ever booked: nothing to summarise
        else:
            since = max(since, local_date(first_start))
    done = set(SummarisedDay.objects.filter(day__gte=since).values_list("day", flat=True))
    day = today - dt.timedelta(days=1)
    while day >= since and len(wanted) < limit:
        if day not in done and day not in wanted:
            wanted.append(day)
        day -= dt.timedelta(days=1)
    return wanted[:limit]


def summarise_days(
    *, now: dt.datetime, since: dt.date | None = None, limit: int = DAYS_PER_RUN
) -> list[dt.date]:
    """One bounded run of the worker: dirty days, then days never summarised. Idempotent.

    The marks read first are deleted at the end when every day they name was summarised in
    this run (or is not summarised at all); a change committed meanwhile leaves a new mark."""
    today = local_date(now)
    marks = list(DirtyMark.objects.all())
    done = []
    for day in days_to_summarise(now=now, since=since, limit=limit):
        if _finished(day, now):
            summarise_day(day, now=now)
            done.append(day)
    if marks:
        summarised = set(SummarisedDay.objects.values_list("day", flat=True)) - set(done)
        settled = [
            mark.pk
            for mark in marks
            if not any(day < today and day in summarised for day in dirty_days(marks=[mark]))
        ]
        DirtyMark.objects.filter(pk__in=settled).delete()
    return done


# --- The dashboard's side ---------------------------------------------------------------------


def _split(f: DashboardFilter, now: dt.datetime) -> tuple[list[dt.date], list[DashboardFilter]]:
    """The period's summarised clean days, and the runs of the other days (live)."""
    today = local_date(now)
    summarised = set(
        SummarisedDay.objects.filter(day__gte=f.start, day__lte=min(f.end, today)).values_list(
            "day", flat=True
        )
    )
    if summarised and DirtyMark.objects.exists():
        summarised -= dirty_days()
    stored = sorted(day for day in summarised if day < today)
    runs: list[DashboardFilter] = []
    run_start: dt.date | None = None
    for day in [*f.days, None]:
        if day is not None and day not in summarised:
            run_start = run_start or day
            continue
        if run_start is not None:
            last = (day or f.end + dt.timedelta(days=1)) - dt.timedelta(days=1)
            runs.append(
                DashboardFilter(
                    start=run_start,
                    end=last,
                    kep_id=f.kep_id,
                    municipality_id=f.municipality_id,
                    category=f.category,
                )
            )
            run_start = None
    return stored, runs


@dataclass
class Collected:
    by_kep: dict[int, Figures]
    by_day: dict[dt.date, Figures]
    by_category: dict[int, Figures]


def _summary_rows(f: DashboardFilter, days: list[dt.date]) -> QuerySet[DaySummary]:
    rows = DaySummary.objects.filter(day__gte=days[0], day__lte=days[-1])
    if len(days) != (days[-1] - days[0]).days + 1:
        rows = rows.filter(day__in=days)
    if f.kep_id is not None:
        rows = rows.filter(kep_id=f.kep_id)
    if f.municipality_id is not None:
        rows = rows.filter(kep__municipality_id=f.municipality_id)
    return rows.order_by()


def collect(f: DashboardFilter, *, now: dt.datetime, keps: Sequence[Kep]) -> Collected:
    """Every count of the filter, per KEP, per day and per category: summary rows for the
    clean summarised days, ``figures`` for the others."""
    stored, runs = _split(f, now)
    by_kep: dict[int, Figures] = defaultdict(Figures)
    by_day: dict[dt.date, Figures] = defaultdict(Figures)
    by_category: dict[int, Figures] = defaultdict(Figures)
    sums = {f"sum_{name}": Sum(name) for name in FIELDS}
    if stored:
        rows = _summary_rows(f, stored)
        own = rows.filter(category=f.category or ALL_CATEGORIES)
        per_kep: Iterable[Any] = own.values("kep_id").annotate(**sums)
        for row in per_kep:
            by_kep[row["kep_id"]].add_row(row, "sum_")
        per_day: Iterable[Any] = own.values("day").annotate(
            sum_booked=Sum("booked"), sum_cancelled=Sum("cancelled")
        )
        for row in per_day:
            by_day[row["day"]].add_row(row, "sum_")
        categories = rows.filter(category=f.category) if f.category else rows.exclude(category=0)
        per_category: Iterable[Any] = categories.values("category").annotate(
            sum_booked=Sum("booked"), sum_cancelled=Sum("cancelled")
        )
        for row in per_category:
            by_category[row["category"]].add_row(row, "sum_")
    for run in runs:
        found = figures(
            start=run.start,
            end=run.end,
            now=now,
            f=run,
            keps=keps,
            windows=[f.category],
            cached=True,
        ).rows
        for (kep_id, category, day), values in found.items():
            if category == ALL_CATEGORIES or (f.category and category == f.category):
                # Offered minutes (stored under the window's category); a category's own
                # appointment counts are added below, once.
                by_kep[kep_id].offered_minutes += values.offered_minutes
                if category == ALL_CATEGORIES:
                    continue
            offered = values.offered_minutes
            values.offered_minutes = 0
            by_kep[kep_id].add(values)
            by_day[day].add(values)
            by_category[category].add(values)
            values.offered_minutes = offered
    return Collected(by_kep=by_kep, by_day=by_day, by_category=by_category)


def _names(kep_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    english = live._english()
    return {
        pk: (code, _kep_name(name_el, name_en, english))
        for pk, code, name_el, name_en in Kep.objects.filter(pk__in=list(kep_ids)).values_list(
            "pk", "code", "name_el", "name_en"
        )
    }


def dashboard(f: DashboardFilter, *, now: dt.datetime) -> live.Dashboard:
    """``statistics.dashboard`` with every count from ``collect`` (the waits are live)."""
    english = live._english()
    keps = list(live._keps(f).only("pk", "code", "name_el", "name_en", "municipality_id"))
    data = collect(f, now=now, keps=keps)
    counted = {pk for pk, values in data.by_kep.items() if values.booked + values.cancelled}
    changed = {
        pk
        for pk, values in data.by_kep.items()
        if values.cancellations
        or values.cancelled_by_kep
        or values.citizen_moves
        or values.kep_moves
        or values.reassignments
    }
    with_past = {pk for pk, values in data.by_kep.items() if values.past}
    names = {kep.pk: (kep.code, _kep_name(kep.name_el, kep.name_en, english)) for kep in keps}
    missing = (counted | changed | with_past) - set(names)
    if missing:
        names |= _names(missing)

    by_day = [
        live.DayCount(day=day, booked=data.by_day[day].booked, cancelled=data.by_day[day].cancelled)
        if day in data.by_day
        else live.DayCount(day=day, booked=0, cancelled=0)
        for day in f.days
    ]
    by_kep = sorted(
        (
            live.KepCount(
                kep_id=pk,
                code=names[pk][0],
                name=names[pk][1],
                booked=data.by_kep[pk].booked,
                cancelled=data.by_kep[pk].cancelled,
            )
            for pk in counted
        ),
        key=lambda row: (-row.total, row.code),
    )
    categories = Category.objects.order_by("number")
    if f.category is not None:
        categories = categories.filter(number=f.category)
    by_category = [
        live.CategoryCount(
            category=category.number,
            title=category.title,
            booked=data.by_category[category.number].booked
            if category.number in data.by_category
            else 0,
            cancelled=data.by_category[category.number].cancelled
            if category.number in data.by_category
            else 0,
        )
        for category in categories
    ]
    total = Figures()
    for values in data.by_kep.values():
        total.add(values)
    by_status = live.StatusCounts(
        cancelled=total.cancelled,
        upcoming=total.upcoming,
        no_employee=total.no_employee,
        citizen_no_show=total.citizen_no_show_opened,
        took_place=total.past - total.no_employee - total.citizen_no_show_opened,
    )
    no_shows = sorted(
        (
            live.NoShowRow(
                kep_id=pk,
                code=names[pk][0],
                name=names[pk][1],
                past=data.by_kep[pk].past,
                citizen_no_shows=data.by_kep[pk].citizen_no_show,
                employee_no_shows=data.by_kep[pk].no_employee,
            )
            for pk in with_past
        ),
        key=lambda row: (-row.employee_no_shows, -row.citizen_no_shows, row.code),
    )
    utilisation = [
        live.UtilisationRow(
            kep_id=kep.pk,
            code=kep.code,
            name=_kep_name(kep.name_el, kep.name_en, english),
            booked_minutes=data.by_kep[kep.pk].booked_seconds // 60 if kep.pk in data.by_kep else 0,
            offered_minutes=max(data.by_kep[kep.pk].offered_minutes, 0)
            if kep.pk in data.by_kep
            else 0,
        )
        for kep in keps
    ]
    changes = sorted(
        (
            live.ChangeRow(
                kep_id=pk,
                code=names[pk][0],
                name=names[pk][1],
                cancellations=data.by_kep[pk].cancellations,
                cancelled_by_kep=data.by_kep[pk].cancelled_by_kep,
                citizen_moves=data.by_kep[pk].citizen_moves,
                kep_moves=data.by_kep[pk].kep_moves,
                reassignments=data.by_kep[pk].reassignments,
            )
            for pk in changed
        ),
        key=lambda row: (-(row.cancellations + row.moves + row.reassignments), row.code),
    )
    return live.Dashboard(
        filter=f,
        summary=live.summary_of(by_day, no_shows, changes, utilisation),
        by_day=by_day,
        by_kep=by_kep,
        by_category=by_category,
        by_status=by_status,
        utilisation=utilisation,
        no_shows=no_shows,
        waits=live.waits_by_kep(f, now=now),
        changes=changes,
    )
