"""Does a booked appointment still fit what the directory and its category say now?

``misfits`` checks one appointment against its KEP's calendar (weekly hours, dated exceptions,
national and local holidays), its category's citizen window and its employee's availability
and absences, and returns every reason it no longer fits (empty: it fits). The rules are those
of the scheduling core (a call must lie wholly inside an opening, the window and the
employee's availability, and overlap no absence); the slot grid, minimum notice and horizon
are not applied to what is already booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from keplive.booking.schedule_inputs import ATHENS, EmployeeDirectory, KepDirectory
from keplive.booking.scheduling import Interval, TimeRange, overlaps
from keplive.worklist.models import Cause


@dataclass(frozen=True, slots=True)
class Misfit:
    cause: str
    detail: str


@dataclass(frozen=True, slots=True)
class Booked:
    """What the check needs of an appointment (no personal data)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    employee_id: int
    kep_active: bool
    window_start: dt.time
    window_end: dt.time


def _merged(ranges: Iterable[TimeRange]) -> list[tuple[dt.time, dt.time]]:
    merged: list[tuple[dt.time, dt.time]] = []
    for item in sorted(ranges, key=lambda r: r.start):
        if merged and item.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], item.end))
        else:
            merged.append((item.start, item.end))
    return merged


def covered(ranges: Iterable[TimeRange], start: dt.time, end: dt.time) -> bool:
    """Is [start, end) inside one (merged) range?"""
    return any(opens <= start and end <= closes for opens, closes in _merged(ranges))


def _hours(ranges: Iterable[TimeRange]) -> str:
    text = ", ".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in _merged(ranges))
    return text or _("closed")


def misfits(
    booked: Booked, *, directory: KepDirectory, employees: Mapping[int, EmployeeDirectory]
) -> list[Misfit]:
    """Every reason ``booked`` no longer fits, the KEP's first, then the category's, then the
    employee's."""
    found: list[Misfit] = []
    start, end = booked.starts_at.astimezone(ATHENS), booked.ends_at.astimezone(ATHENS)
    day = start.date()
    same_day = end.date() == day or (
        end.date() == day + dt.timedelta(days=1) and end.time() == dt.time.min
    )
    start_time, end_time = start.time(), (end.time() if end.date() == day else dt.time.max)
    when = f"{start:%H:%M}–{end:%H:%M}"
    calendar = directory.calendar
    if not booked.kep_active:
        found.append(Misfit(Cause.KEP_DEACTIVATED, _("The KEP takes no new bookings.")))
    if day in calendar.closed_dates:
        found.append(Misfit(Cause.CLOSURE_ADDED, _("The KEP is closed that day (holiday).")))
    elif day in calendar.exceptions:
        ranges = calendar.exceptions[day]
        if not same_day or not covered(ranges, start_time, end_time):
            found.append(
                Misfit(
                    Cause.CLOSURE_ADDED,
                    _("%(when)s is outside the hours of that date: %(hours)s.")
                    % {"when": when, "hours": _hours(ranges)},
                )
            )
    else:
        ranges = calendar.weekly_hours.get(day.weekday(), ())
        if not same_day or not covered(ranges, start_time, end_time):
            found.append(
                Misfit(
                    Cause.HOURS_CHANGED,
                    _("%(when)s is outside the KEP's hours on that weekday: %(hours)s.")
                    % {"when": when, "hours": _hours(ranges)},
                )
            )
    if not (booked.window_start <= start_time and end_time <= booked.window_end and same_day):
        found.append(
            Misfit(
                Cause.PARAMETERS_CHANGED,
                _("%(when)s is outside the category's citizen window %(start)s–%(end)s.")
                % {
                    "when": when,
                    "start": f"{booked.window_start:%H:%M}",
                    "end": f"{booked.window_end:%H:%M}",
                },
            )
        )
    employee = employees.get(booked.employee_id)
    if employee is None:
        found.append(Misfit(Cause.EMPLOYEE_UNAVAILABLE, _("The employee no longer serves calls.")))
    else:
        reason = employee_misfit(employee, booked.starts_at, booked.ends_at)
        if reason:
            found.append(Misfit(Cause.EMPLOYEE_UNAVAILABLE, reason))
    return found


def employee_misfit(
    employee: EmployeeDirectory, starts_at: dt.datetime, ends_at: dt.datetime
) -> str:
    """Why the employee cannot serve [starts_at, ends_at) by their availability and absences
    ("" when they can); their other appointments are not considered here."""
    start, end = starts_at.astimezone(ATHENS), ends_at.astimezone(ATHENS)
    ranges = employee.weekly.get(start.weekday(), ())
    end_time = end.time() if end.date() == start.date() else dt.time.max
    if not covered(ranges, start.time(), end_time):
        return _("The employee is not available at %(when)s that weekday.") % {
            "when": f"{start:%H:%M}–{end:%H:%M}"
        }
    call = Interval(start=starts_at, end=ends_at)
    if any(overlaps(call, absence) for absence in employee.absences):
        return _("The employee is absent then.")
    return ""
