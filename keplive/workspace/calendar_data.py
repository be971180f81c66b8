"""What the calendar pages show of each appointment, and the calendar's version.

The rows are built from appointments read through the audited
``keplive.booking.employee_selectors``. The version is a short digest of what a calendar view
shows (times, services, assignments, declared requirements, call states): the page polls it
(``/workspace/upcoming.json``) and reloads its table only when it changes. The digest is
computed from ids and timestamps alone, so polling reads no personal data and is not audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from keplive.booking.employee_selectors import declared_details
from keplive.booking.models import Appointment, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.calls.models import Call, CallState
from keplive.directory.models import Employee

MINE = "mine"
KEP = "kep"
SCOPES = (MINE, KEP)


def call_states(appointments: list[Appointment]) -> dict[int, str]:
    """The state of each appointment's call; one not yet opened is ``scheduled``."""
    found = dict(
        Call.objects.filter(appointment_id__in=[a.pk for a in appointments]).values_list(
            "appointment_id", "state"
        )
    )
    return {a.pk: found.get(a.pk, CallState.SCHEDULED) for a in appointments}


def state_label(state: str) -> str:
    try:
        return str(CallState(state).label)
    except ValueError:
        return state


def citizen_name(appointment: Appointment) -> str:
    """The name the citizen declared, or the one TAXISnet gave when nothing was declared."""
    details = declared_details(appointment)
    if details is not None and details.full_name:
        return details.full_name
    citizen = appointment.citizen
    return f"{citizen.first_name} {citizen.last_name}".strip()


def interpreter_label(appointment: Appointment) -> str:
    """The interpreter asked for (E12), or "" for none."""
    details = declared_details(appointment)
    if details is None or not details.interpreter:
        return ""
    return str(details.get_interpreter_display())


def rows_for(appointments: list[Appointment], *, employee: Employee) -> list[dict[str, Any]]:
    """One row per appointment, in the order given, with everything a calendar view shows."""
    states = call_states(appointments)
    rows = []
    for appointment in appointments:
        reference = str(appointment.reference)
        interpreter = interpreter_label(appointment)
        name = citizen_name(appointment)
        rows.append(
            {
                "appointment": appointment,
                "reference": reference,
                "citizen_name": name,
                "initials": initials(name),
                "employee_name": str(appointment.employee),
                "mine": appointment.employee_id == employee.pk,
                "call_state": states[appointment.pk],
                "call_state_label": state_label(states[appointment.pk]),
                "interpreter": bool(interpreter),
                "interpreter_label": interpreter,
                "details_url": reverse("workspace:appointment", args=[reference]),
                "call_url": reverse("workspace:call", args=[reference]),
            }
        )
    return rows


@dataclass(frozen=True)
class CalendarDay:
    """One local day of the week view with its rows."""

    day: dt.date
    rows: list[dict[str, Any]]


def calendar_version(
    *, employee: Employee, start: dt.datetime, end: dt.datetime, mine: bool
) -> str:
    """A digest of what the calendar shows for ``[start, end)``: changes whenever an appointment
    is booked, moved, reassigned, cancelled, its declaration changes, or its call changes
    state."""
    queryset = Appointment.objects.filter(
        kep_id=employee.kep_id, status=Status.BOOKED, starts_at__gte=start, starts_at__lt=end
    )
    if mine:
        queryset = queryset.filter(employee=employee)
    state = Call.objects.filter(appointment=OuterRef("pk")).values("state")[:1]
    rows = (
        queryset.annotate(call_state=Subquery(state))
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "starts_at",
            "ends_at",
            "employee_id",
            "service_id",
            "category_id",
            "updated_at",
            "details__updated_at",
            "call_state",
        )
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def initials(name: str) -> str:
    """ "Νίκος Αντωνίου" → "Ν.Α.": what a calendar block shows of the citizen."""
    return "".join(f"{part[0]}." for part in name.split() if part[:1].isalpha()).upper()


# --- The day as a time grid (issue 15, item 12) ------------------------------------------------

# The grid spans at least the citizens' window (08:00–14:30, rounded to 15:00) and stretches to
# any appointment outside it. Rows are ``step`` minutes: the largest of 30, 15, 10, 5 that every
# start and end falls on, so that each appointment is one block spanning whole rows.
GRID_FIRST = dt.time(8, 0)
GRID_LAST = dt.time(15, 0)
STEPS = (30, 15, 10, 5)


@dataclass(frozen=True)
class GridColumn:
    employee_id: int
    label: str
    mine: bool


@dataclass(frozen=True)
class GridCell:
    """One cell of a row: an appointment's block starting there (``row`` and ``rowspan``), or
    an empty slot (``row`` None). Rows a block covers have no cell for its column."""

    row: dict[str, Any] | None = None
    rowspan: int = 1


@dataclass(frozen=True)
class GridRow:
    time: str
    on_the_hour: bool
    on_the_half_hour: bool
    cells: list[GridCell]


@dataclass(frozen=True)
class DayGrid:
    step: int
    columns: list[GridColumn]
    rows: list[GridRow]


def _minutes(moment: dt.datetime) -> int:
    local = moment.astimezone(ATHENS)
    return local.hour * 60 + local.minute


def day_grid(rows: list[dict[str, Any]], *, employee: Employee, columns: list[Employee]) -> DayGrid:
    """The rows of one day (``rows_for``) laid out as a time grid: one column per employee of
    ``columns`` (the employee's own first), one row per ``step`` minutes."""
    spans = [
        (row, _minutes(row["appointment"].starts_at), _minutes(row["appointment"].ends_at))
        for row in rows
    ]
    # An appointment running past midnight (not offered to citizens) ends at the grid's end.
    spans = [(row, start, end if end > start else 24 * 60) for row, start, end in spans]
    first = GRID_FIRST.hour * 60 + GRID_FIRST.minute
    last = GRID_LAST.hour * 60 + GRID_LAST.minute
    if spans:
        first = min(first, min(start for _row, start, _end in spans) // 60 * 60)
        last = max(last, -(-max(end for _row, _start, end in spans) // 60) * 60)
    step = next(
        (
            candidate
            for candidate in STEPS
            if all(start % candidate == 0 and end % candidate == 0 for _row, start, end in spans)
        ),
        STEPS[-1],  # times off the 5-minute grid: blocks are rounded outwards
    )
    ordered = sorted(columns, key=lambda person: (person.pk != employee.pk, str(person)))
    index = {person.pk: number for number, person in enumerate(ordered)}
    count = (last - first) // step
    starts: dict[tuple[int, int], tuple[dict[str, Any], int]] = {}
    covered: set[tuple[int, int]] = set()
    for row, start, end in sorted(spans, key=lambda span: span[1]):
        column = index.get(row["appointment"].employee_id)
        if column is None:
            continue
        top = (start - first) // step
        bottom = max(top + 1, -(-(end - first) // step))
        if any((line, column) in covered for line in range(top, bottom)):
            # Overlapping blocks (not possible for one employee's booked times): the later one
            # starts below the earlier.
            top = max(line for line in range(top, bottom) if (line, column) in covered) + 1
            bottom = max(bottom, top + 1)
        bottom = min(bottom, count)
        if top >= count:
            continue
        starts[(top, column)] = (row, bottom - top)
        covered.update((line, column) for line in range(top, bottom))
    grid_rows = []
    for line in range(count):
        minutes = first + line * step
        cells = []
        for column in range(len(ordered)):
            if (line, column) in starts:
                row, span = starts[(line, column)]
                cells.append(GridCell(row=row, rowspan=span))
            elif (line, column) not in covered:
                cells.append(GridCell())
        grid_rows.append(
            GridRow(
                time=f"{minutes // 60:02d}:{minutes % 60:02d}",
                on_the_hour=minutes % 60 == 0,
                on_the_half_hour=minutes % 30 == 0,
                cells=cells,
            )
        )
    return DayGrid(
        step=step,
        columns=[
            GridColumn(employee_id=person.pk, label=str(person), mine=person.pk == employee.pk)
            for person in ordered
        ],
        rows=grid_rows,
    )
