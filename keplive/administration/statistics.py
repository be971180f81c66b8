"""The dashboard's figures (issue 6 item 2; A1, A7): pure functions of a ``DashboardFilter``.

Every count is aggregated in the database (one grouped query per table, whatever the number
of KEPs); only the offered minutes of utilisation are summed in Python, from the same
directory data the booking engine reads (``booking.schedule_inputs.kep_directories``), in
time proportional to the number of employees, not to the number of days times employees.

Definitions (docs/administration.md says the same in words):

- *Appointments* of a period are the booked and cancelled appointments whose time falls on a
  local date (Europe/Athens) of the period; holds never count.
- *Past* appointments are booked ones that have ended by ``now``.
- *Citizen no-show*: a past appointment whose call is in state ``no_show`` or has
  ``no_show_at``. *Employee no-show*: a past appointment whose call no employee opened
  (``Call.opened_at`` empty, or no call at all). An appointment may be both.
- *Utilisation* of a KEP: minutes of booked calls over the minutes its active employees offer
  in the period: availability ∩ the KEP's opening hours (a dated exception replaces the
  weekday's hours) ∩ the citizen window, on days that are not holidays or local closures,
  less absences. With a category filter: that category's calls, in that category's window.
- *Cancellations* and *moves* count what happened during the period: appointments cancelled
  then (``cancelled_at``; those the KEP cancelled also counted apart), reschedules made then by
  citizens (audit events ``appointment.rescheduled``) and by the KEP (``AppointmentChange``
  moved), and appointments the KEP gave to another employee (``AppointmentChange`` reassigned).
- The *wait* is from ``now`` to the KEP's earliest free time in the ``EarliestFreeTime`` index
  (refreshed by the worker every ten minutes); it ignores the period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils.translation import get_language

from keplive.audit.models import AuditEvent
from keplive.booking.models import (
    Appointment,
    AppointmentChange,
    ChangeKind,
    EarliestFreeTime,
    Status,
)
from keplive.booking.schedule_inputs import KepDirectory, kep_directories, local_day_bounds
from keplive.booking.scheduling import TimeRange
from keplive.catalogue.models import Category
from keplive.directory.models import Kep

ATHENS = ZoneInfo(settings.TIME_ZONE)
# The longest period the dashboard computes at once.
MAX_PERIOD_DAYS = 366
# Reschedules are recorded in the audit log; their appointments are looked up in chunks.
_CHUNK = 2000

COUNTED_STATUSES = (Status.BOOKED, Status.CANCELLED)


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """A period of local dates [start, end] and optional KEP, municipality and category."""

    start: dt.date
    end: dt.date
    kep_id: int | None = None
    municipality_id: int | None = None
    category: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("end before start")

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return local_day_bounds(self.start, self.end)

    @property
    def days(self) -> list[dt.date]:
        count = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=offset) for offset in range(count)]


def _english() -> bool:
    return (get_language() or "el").startswith("en")


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Rows -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayCount:
    day: dt.date
    booked: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.booked + self.cancelled


@dataclass(frozen=True, slots=True)
class KepCount:
    kep_id: int
    code: str
    name: str
    booked: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.booked + self.cancelled


@dataclass(frozen=True, slots=True)
class CategoryCount:
    category: int
    title: str
    booked: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.booked + self.cancelled


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """Each appointment of the period in exactly one bucket (the first that applies)."""

    cancelled: int
    upcoming: int
    no_employee: int  # past, no employee opened the call
    citizen_no_show: int  # past, opened, the citizen did not arrive
    took_place: int  # past, opened, the citizen arrived

    @property
    def total(self) -> int:
        past = self.no_employee + self.citizen_no_show + self.took_place
        return self.cancelled + self.upcoming + past


@dataclass(frozen=True, slots=True)
class NoShowRow:
    kep_id: int
    code: str
    name: str
    past: int
    citizen_no_shows: int
    employee_no_shows: int

    @property
    def citizen_rate(self) -> float | None:
        return _rate(self.citizen_no_shows, self.past)

    @property
    def employee_rate(self) -> float | None:
        return _rate(self.employee_no_shows, self.past)


@dataclass(frozen=True, slots=True)
class UtilisationRow:
    kep_id: int
    code: str
    name: str
    booked_minutes: int
    offered_minutes: int

    @property
    def utilisation(self) -> float | None:
        return _rate(self.booked_minutes, self.offered_minutes)


@dataclass(frozen=True, slots=True)
class WaitRow:
    kep_id: int
    code: str
    name: str
    indexed: bool  # False: the index has no row for this KEP yet
    next_free: dt.datetime | None  # None with indexed: nothing free within the horizon
    wait: dt.timedelta | None


@dataclass(frozen=True, slots=True)
class ChangeRow:
    kep_id: int
    code: str
    name: str
    cancellations: int  # by anyone
    cancelled_by_kep: int  # of them, by the KEP
    citizen_moves: int
    kep_moves: int
    reassignments: int  # given to another employee of the KEP, same time

    @property
    def moves(self) -> int:
        return self.citizen_moves + self.kep_moves


# --- Querysets --------------------------------------------------------------------------------


def _appointments(f: DashboardFilter) -> QuerySet[Appointment]:
    start, end = f.bounds
    rows = Appointment.objects.filter(
        status__in=COUNTED_STATUSES, starts_at__gte=start, starts_at__lt=end
    )
    return _narrow(rows, f).order_by()


def _narrow(rows: QuerySet[Appointment], f: DashboardFilter) -> QuerySet[Appointment]:
    if f.kep_id is not None:
        rows = rows.filter(kep_id=f.kep_id)
    if f.municipality_id is not None:
        rows = rows.filter(kep__municipality_id=f.municipality_id)
    if f.category is not None:
        rows = rows.filter(category_id=f.category)
    return rows


def _keps(f: DashboardFilter) -> QuerySet[Kep]:
    keps = Kep.objects.filter(is_active=True)
    if f.kep_id is not None:
        keps = keps.filter(pk=f.kep_id)
    if f.municipality_id is not None:
        keps = keps.filter(municipality_id=f.municipality_id)
    return keps.order_by("code")


def _kep_name(name_el: str, name_en: str, english: bool | None = None) -> str:
    """``english``: the caller's ``_english()`` computed once for many rows (it is not free)."""
    if english is None:
        english = _english()
    return name_en if english and name_en else name_el


_BOOKED = Q(status=Status.BOOKED)
_CALL_LENGTH = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
_CANCELLED = Q(status=Status.CANCELLED)


def _past(now: dt.datetime) -> Q:
    return Q(status=Status.BOOKED, ends_at__lte=now)


_NOT_OPENED = Q(call__isnull=True) | Q(call__opened_at__isnull=True)
_CITIZEN_NO_SHOW = Q(call__state="no_show") | Q(call__no_show_at__isnull=False)


# --- Tables -----------------------------------------------------------------------------------


def appointments_by_day(f: DashboardFilter) -> list[DayCount]:
    """Every local date of the period, with zeros for days without appointments."""
    found = {
        row["day"]: row
        for row in _appointments(f)
        .annotate(day=TruncDate("starts_at", tzinfo=ATHENS))
        .values("day")
        .annotate(booked=Count("pk", filter=_BOOKED), cancelled=Count("pk", filter=_CANCELLED))
    }
    return [
        DayCount(
            day=day,
            booked=found[day]["booked"] if day in found else 0,
            cancelled=found[day]["cancelled"] if day in found else 0,
        )
        for day in f.days
    ]


def appointments_by_kep(f: DashboardFilter) -> list[KepCount]:
    """KEPs with appointments in the period, most appointments first."""
    rows = (
        _appointments(f)
        .values("kep_id", "kep__code", "kep__name_el", "kep__name_en")
        .annotate(booked=Count("pk", filter=_BOOKED), cancelled=Count("pk", filter=_CANCELLED))
    )
    counts = [
        KepCount(
            kep_id=row["kep_id"],
            code=row["kep__code"],
            name=_kep_name(row["kep__name_el"], row["kep__name_en"]),
            booked=row["booked"],
            cancelled=row["cancelled"],
        )
        for row in rows
    ]
    return sorted(counts, key=lambda row: (-row.total, row.code))


def appointments_by_category(f: DashboardFilter) -> list[CategoryCount]:
    """Every category (or the filtered one), in category order, zeros included."""
    found = {
        row["category_id"]: row
        for row in _appointments(f)
        .values("category_id")
        .annotate(booked=Count("pk", filter=_BOOKED), cancelled=Count("pk", filter=_CANCELLED))
    }
    categories = Category.objects.order_by("number")
    if f.category is not None:
        categories = categories.filter(number=f.category)
    return [
        CategoryCount(
            category=category.number,
            title=category.title,
            booked=found[category.number]["booked"] if category.number in found else 0,
            cancelled=found[category.number]["cancelled"] if category.number in found else 0,
        )
        for category in categories
    ]


def appointments_by_status(f: DashboardFilter, *, now: dt.datetime) -> StatusCounts:
    past = _past(now)
    opened = past & ~_NOT_OPENED
    figures = _appointments(f).aggregate(
        cancelled=Count("pk", filter=_CANCELLED),
        upcoming=Count("pk", filter=_BOOKED & Q(ends_at__gt=now)),
        no_employee=Count("pk", filter=past & _NOT_OPENED),
        citizen_no_show=Count("pk", filter=opened & _CITIZEN_NO_SHOW),
        took_place=Count("pk", filter=opened & ~_CITIZEN_NO_SHOW),
    )
    return StatusCounts(**figures)


def no_shows_by_kep(f: DashboardFilter, *, now: dt.datetime) -> list[NoShowRow]:
    """KEPs with past appointments in the period: citizen and employee no-shows."""
    past = _past(now)
    rows = (
        _appointments(f)
        .filter(past)
        .values("kep_id", "kep__code", "kep__name_el", "kep__name_en")
        .annotate(
            past=Count("pk"),
            citizen=Count("pk", filter=_CITIZEN_NO_SHOW),
            employee=Count("pk", filter=_NOT_OPENED),
        )
    )
    result = [
        NoShowRow(
            kep_id=row["kep_id"],
            code=row["kep__code"],
            name=_kep_name(row["kep__name_el"], row["kep__name_en"]),
            past=row["past"],
            citizen_no_shows=row["citizen"],
            employee_no_shows=row["employee"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda row: (-row.employee_no_shows, -row.citizen_no_shows, row.code))


def no_show_totals(rows: Iterable[NoShowRow]) -> NoShowRow:
    rows = list(rows)
    return NoShowRow(
        kep_id=0,
        code="",
        name="",
        past=sum(row.past for row in rows),
        citizen_no_shows=sum(row.citizen_no_shows for row in rows),
        employee_no_shows=sum(row.employee_no_shows for row in rows),
    )


def summary_of(
    by_day: Sequence[DayCount],
    no_shows: Sequence[NoShowRow],
    changes: Sequence[ChangeRow],
    utilisation: Sequence[UtilisationRow],
) -> Summary:
    """The headline figures, from the tables (live or from the day summaries alike)."""
    totals = no_show_totals(no_shows)
    return Summary(
        appointments=sum(row.total for row in by_day),
        booked=sum(row.booked for row in by_day),
        cancelled=sum(row.cancelled for row in by_day),
        past=totals.past,
        citizen_no_shows=totals.citizen_no_shows,
        employee_no_shows=totals.employee_no_shows,
        cancellations_made=sum(row.cancellations for row in changes),
        moves_made=sum(row.moves for row in changes),
        booked_minutes=sum(row.booked_minutes for row in utilisation),
        offered_minutes=sum(row.offered_minutes for row in utilisation),
    )


def utilisation_by_kep(f: DashboardFilter, *, now: dt.datetime) -> list[UtilisationRow]:
    """Active KEPs of the filter: booked call minutes over offered minutes, in KEP code order."""
    keps = list(_keps(f).only("pk", "code", "name_el", "name_en", "municipality_id"))
    if not keps:
        return []
    booked = {
        row["kep_id"]: row["length"]
        for row in _appointments(f)
        .filter(status=Status.BOOKED, kep_id__in=[kep.pk for kep in keps])
        .values("kep_id")
        .annotate(length=Sum(_CALL_LENGTH))
    }
    offered = offered_minutes(keps=keps, f=f, now=now)
    return [
        UtilisationRow(
            kep_id=kep.pk,
            code=kep.code,
            name=_kep_name(kep.name_el, kep.name_en),
            booked_minutes=int(booked[kep.pk].total_seconds() // 60) if booked.get(kep.pk) else 0,
            offered_minutes=offered.get(kep.pk, 0),
        )
        for kep in keps
    ]


def waits_by_kep(f: DashboardFilter, *, now: dt.datetime) -> list[WaitRow]:
    """Active KEPs of the filter and the wait until their earliest free time, longest first."""
    index = EarliestFreeTime.objects.filter(kep=OuterRef("pk"))
    if f.category is not None:
        index = index.filter(category_id=f.category)
    keps = _keps(f).annotate(
        indexed=Exists(index),
        next_free=Subquery(
            index.filter(starts_at__isnull=False).order_by("starts_at").values("starts_at")[:1]
        ),
    )
    english = _english()
    rows = [
        WaitRow(
            kep_id=pk,
            code=code,
            name=_kep_name(name_el, name_en, english),
            indexed=indexed,
            next_free=next_free,
            wait=max(next_free - now, dt.timedelta(0)) if next_free else None,
        )
        # Tuples, not 1,000 model instances.
        for pk, code, name_el, name_en, indexed, next_free in keps.values_list(
            "pk", "code", "name_el", "name_en", "indexed", "next_free"
        )
    ]
    return sorted(rows, key=_wait_order)


def _wait_order(row: WaitRow) -> tuple[int, float, str]:
    """Nothing free first, then the longest waits, then the KEPs the index has not reached."""
    if row.wait is not None:
        return (1, -row.wait.total_seconds(), row.code)
    return (0 if row.indexed else 2, 0.0, row.code)


def changes_by_kep(f: DashboardFilter) -> list[ChangeRow]:
    """Cancellations, moves and reassignments made during the period, per KEP, most first.

    Citizens' moves are read from the audit log (``appointment.rescheduled``); what the KEP
    did from ``AppointmentChange`` (moved, reassigned, cancelled by the KEP)."""
    start, end = f.bounds
    cancellations = Counter(
        {
            row["kep_id"]: row["count"]
            for row in _narrow(
                Appointment.objects.filter(
                    status=Status.CANCELLED, cancelled_at__gte=start, cancelled_at__lt=end
                ),
                f,
            )
            .order_by()
            .values("kep_id")
            .annotate(count=Count("pk"))
        }
    )
    by_kep: dict[str, Counter[int]] = {kind: Counter() for kind in ChangeKind.values}
    for row in (
        _narrow_changes(
            AppointmentChange.objects.filter(created_at__gte=start, created_at__lt=end), f
        )
        .order_by()
        .values("appointment__kep_id", "kind")
        .annotate(count=Count("pk"))
    ):
        by_kep[row["kind"]][row["appointment__kep_id"]] = row["count"]
    citizen_moves = _citizen_moves_by_kep(f)
    kep_ids = set(cancellations) | set(citizen_moves)
    for counts in by_kep.values():
        kep_ids |= set(counts)
    keps = Kep.objects.filter(pk__in=kep_ids).values_list("pk", "code", "name_el", "name_en")
    rows = [
        ChangeRow(
            kep_id=pk,
            code=code,
            name=_kep_name(name_el, name_en),
            cancellations=cancellations[pk],
            cancelled_by_kep=by_kep[ChangeKind.CANCELLED_BY_KEP][pk],
            citizen_moves=citizen_moves[pk],
            kep_moves=by_kep[ChangeKind.MOVED][pk],
            reassignments=by_kep[ChangeKind.REASSIGNED][pk],
        )
        for pk, code, name_el, name_en in keps
    ]
    return sorted(
        rows, key=lambda row: (-(row.cancellations + row.moves + row.reassignments), row.code)
    )


def _narrow_changes(
    rows: QuerySet[AppointmentChange], f: DashboardFilter
) -> QuerySet[AppointmentChange]:
    if f.kep_id is not None:
        rows = rows.filter(appointment__kep_id=f.kep_id)
    if f.municipality_id is not None:
        rows = rows.filter(appointment__kep__municipality_id=f.municipality_id)
    if f.category is not None:
        rows = rows.filter(appointment__category_id=f.category)
    return rows


def _citizen_moves_by_kep(f: DashboardFilter) -> Counter[int]:
    """Citizens' reschedules made in the period, from the audit log (``appointment.rescheduled``:
    no table keeps them), matched to their appointments a chunk at a time."""
    start, end = f.bounds
    per_reference = Counter(
        AuditEvent.objects.filter(
            action="appointment.rescheduled",
            object_type="appointment",
            occurred_at__gte=start,
            occurred_at__lt=end,
        ).values_list("object_id", flat=True)
    )
    moves: Counter[int] = Counter()
    references = list(per_reference)
    for offset in range(0, len(references), _CHUNK):
        chunk = references[offset : offset + _CHUNK]
        rows = _narrow(Appointment.objects.filter(reference__in=chunk), f).values_list(
            "reference", "kep_id"
        )
        for reference, kep_id in rows:
            moves[kep_id] += per_reference[str(reference)]
    return moves


# --- Offered time -----------------------------------------------------------------------------

Span = tuple[int, int]  # minutes from local midnight, [start, end)


def _spans(ranges: Iterable[TimeRange]) -> list[Span]:
    spans = sorted(
        (value.start.hour * 60 + value.start.minute, value.end.hour * 60 + value.end.minute)
        for value in ranges
    )
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersect(left: Sequence[Span], right: Sequence[Span]) -> list[Span]:
    result = []
    for a_start, a_end in left:
        for b_start, b_end in right:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                result.append((start, end))
    return result


def _length(spans: Iterable[Span]) -> int:
    return sum(end - start for start, end in spans)


def _window(f: DashboardFilter) -> list[Span]:
    """The citizen window: the category's, or the widest across categories."""
    categories = Category.objects.all()
    if f.category is not None:
        categories = categories.filter(number=f.category)
    bounds = categories.aggregate(start=Min("window_start"), end=Max("window_end"))
    if bounds["start"] is None:
        return []
    start, end = bounds["start"], bounds["end"]
    return [(start.hour * 60 + start.minute, end.hour * 60 + end.minute)]


def offered_minutes(*, keps: Sequence[Kep], f: DashboardFilter, now: dt.datetime) -> dict[int, int]:
    """Minutes each KEP's active employees offer in the period (see the module's docstring)."""
    directories = kep_directories(keps=keps, start=f.start, end=f.end, now=now)
    offered = offered_minutes_from(directories, keps=keps, f=f, window=_window(f))
    return {kep_id: max(total, 0) for kep_id, total in offered.items()}


def offered_minutes_from(
    directories: Mapping[int, KepDirectory],
    *,
    keps: Sequence[Kep],
    f: DashboardFilter,
    window: Sequence[Span],
) -> dict[int, int]:
    """The offered minutes of ``offered_minutes`` from directories already loaded (covering the
    period), not yet clamped at zero: the per-day summary adds days up before clamping."""
    days = f.days
    offered: dict[int, int] = {}
    for kep in keps:
        directory = directories[kep.pk]
        calendar = directory.calendar
        weekly = {day: _spans(ranges) for day, ranges in calendar.weekly_hours.items()}
        ordinary: Counter[int] = Counter()
        special: dict[dt.date, list[Span]] = {}
        for day in days:
            if day in calendar.closed_dates:
                continue
            if day in calendar.exceptions:
                special[day] = _intersect(_spans(calendar.exceptions[day]), window)
            else:
                ordinary[day.weekday()] += 1
        open_by_weekday = {
            weekday: _intersect(weekly.get(weekday, []), window) for weekday in ordinary
        }
        total = 0
        for employee in directory.employees:
            available = {day: _spans(ranges) for day, ranges in employee.weekly.items()}
            # Only the weekdays the period has as ordinary days (one for a single day).
            per_weekday = {
                weekday: _intersect(available.get(weekday, []), open_by_weekday[weekday])
                for weekday in ordinary
            }
            total += sum(
                count * _length(per_weekday[weekday]) for weekday, count in ordinary.items()
            )
            offered_on: dict[dt.date, list[Span]] = {}
            for day, spans in special.items():
                offered_on[day] = _intersect(available.get(day.weekday(), []), spans)
                total += _length(offered_on[day])
            if employee.absences:

                def spans_on(
                    day: dt.date,
                    offered_on: dict[dt.date, list[Span]] = offered_on,
                    per_weekday: dict[int, list[Span]] = per_weekday,
                    closed: frozenset[dt.date] = calendar.closed_dates,
                ) -> list[Span]:
                    if day in closed:
                        return []
                    return offered_on.get(day, per_weekday[day.weekday()])

                for absence in employee.absences:
                    total -= _absent_minutes(absence.start, absence.end, f=f, spans_on=spans_on)
        offered[kep.pk] = total
    return offered


def _absent_minutes(
    start: dt.datetime,
    end: dt.datetime,
    *,
    f: DashboardFilter,
    spans_on: Callable[[dt.date], list[Span]],
) -> int:
    """Offered minutes an absence [start, end) covers, day by day within the period."""
    first = max(start.astimezone(ATHENS).date(), f.start)
    last = min(end.astimezone(ATHENS).date(), f.end)
    minutes = 0
    day = first
    while day <= last:
        for span_start, span_end in spans_on(day):
            opens = dt.datetime.combine(day, dt.time.min, tzinfo=ATHENS) + dt.timedelta(
                minutes=span_start
            )
            closes = dt.datetime.combine(day, dt.time.min, tzinfo=ATHENS) + dt.timedelta(
                minutes=span_end
            )
            overlap = min(closes, end) - max(opens, start)
            if overlap > dt.timedelta(0):
                minutes += int(overlap.total_seconds() // 60)
        day += dt.timedelta(days=1)
    return minutes


# --- Summary ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    appointments: int
    booked: int
    cancelled: int
    past: int
    citizen_no_shows: int
    employee_no_shows: int
    cancellations_made: int
    moves_made: int
    booked_minutes: int
    offered_minutes: int

    @property
    def citizen_no_show_rate(self) -> float | None:
        return _rate(self.citizen_no_shows, self.past)

    @property
    def employee_no_show_rate(self) -> float | None:
        return _rate(self.employee_no_shows, self.past)

    @property
    def utilisation(self) -> float | None:
        return _rate(self.booked_minutes, self.offered_minutes)


@dataclass(frozen=True, slots=True)
class Dashboard:
    filter: DashboardFilter
    summary: Summary
    by_day: list[DayCount]
    by_kep: list[KepCount]
    by_category: list[CategoryCount]
    by_status: StatusCounts
    utilisation: list[UtilisationRow]
    no_shows: list[NoShowRow]
    waits: list[WaitRow]
    changes: list[ChangeRow]


def dashboard(f: DashboardFilter, *, now: dt.datetime) -> Dashboard:
    by_day = appointments_by_day(f)
    utilisation = utilisation_by_kep(f, now=now)
    no_shows = no_shows_by_kep(f, now=now)
    changes = changes_by_kep(f)
    return Dashboard(
        filter=f,
        summary=summary_of(by_day, no_shows, changes, utilisation),
        by_day=by_day,
        by_kep=appointments_by_kep(f),
        by_category=appointments_by_category(f),
        by_status=appointments_by_status(f, now=now),
        utilisation=utilisation,
        no_shows=no_shows,
        waits=waits_by_kep(f, now=now),
        changes=changes,
    )
