"""The booking wizard's month calendar and time labels: pure helpers, no database.

``month_grid`` lays a month out in weeks starting on Monday, marks the days with free times
and the chosen one, and links to the previous and next months only while they overlap the
booking horizon. ``time_label`` is the full date and time a time button is announced with
("Τρίτη 1 Δεκεμβρίου 2026, 10:30"), formatted in the active language.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _

ATHENS = ZoneInfo(settings.TIME_ZONE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class CalendarDay:
    date: dt.date
    free: bool
    selected: bool
    url: str  # "" unless the day has free times
    label: str  # the full date, e.g. "Τρίτη 1 Δεκεμβρίου 2026"
    reason: str = ""  # why there is no time: past, later, holiday, closed, full (or "")
    why: str = ""  # the reason in words: "Holiday: Χριστούγεννα", "KEP closed", "Fully booked"


@dataclass(frozen=True, slots=True)
class Weekday:
    abbr: str
    name: str


@dataclass(frozen=True, slots=True)
class MonthGrid:
    year: int
    month: int
    caption: str  # "Δεκέμβριος 2026"
    weekdays: list[Weekday]
    weeks: list[list[CalendarDay | None]]  # None pads the days outside the month
    previous_url: str  # "" when the previous month is before the booking horizon
    next_url: str  # "" when the next month is beyond it
    previous_label: str
    next_label: str

    @property
    def has_free_days(self) -> bool:
        return any(day is not None and day.free for week in self.weeks for day in week)


def parse_month(raw: str) -> tuple[int, int] | None:
    """``YYYY-MM`` as (year, month), or None for anything else."""
    match = _MONTH.match(raw or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and dt.MINYEAR < year < dt.MAXYEAR):
        return None
    return year, month


def parse_day(raw: str) -> dt.date | None:
    """``YYYY-MM-DD`` as a date, or None for anything else."""
    match = _DAY.match(raw or "")
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def day_label(day: dt.date) -> str:
    """The full date in the active language: "Τρίτη 1 Δεκεμβρίου 2026"."""
    return date_format(day, "l j E Y")


def why_closed(reason: str, name: str = "") -> str:
    """A day's reason for having no time, in words."""
    if reason == "holiday":
        return _("Holiday: %(name)s") % {"name": name} if name else _("Holiday")
    return {
        "closed": _("KEP closed"),
        "full": _("Fully booked"),
        "past": _("Can no longer be booked"),
        "later": _("Not open for booking yet"),
    }.get(reason, "")


def time_label(moment: dt.datetime) -> str:
    """A time's accessible name: "Τρίτη 1 Δεκεμβρίου 2026, 10:30" (Athens time)."""
    local = moment.astimezone(ATHENS)
    return f"{day_label(local.date())}, {local:%H:%M}"


def time_value(moment: dt.datetime) -> str:
    """A time as the ISO text the time buttons post (Athens offset, to the minute)."""
    return moment.astimezone(ATHENS).isoformat(timespec="minutes")


def month_grid(
    *,
    year: int,
    month: int,
    free_days: Collection[dt.date],
    selected: dt.date | None,
    first: dt.date,
    last: dt.date,
    day_url: Callable[[dt.date], str],
    month_url: Callable[[int, int], str],
    closed: Mapping[dt.date, Any] | None = None,
) -> MonthGrid:
    """The month as weeks from Monday; ``first``/``last`` bound the booking horizon;
    ``closed`` says why a day has no time (``booking.selectors.ClosedDay``: reason, name)."""
    closed = closed or {}
    free = set(free_days)
    weeks: list[list[CalendarDay | None]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row: list[CalendarDay | None] = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            is_free = day in free
            why = closed.get(day)
            row.append(
                CalendarDay(
                    date=day,
                    free=is_free,
                    selected=day == selected,
                    url=day_url(day) if is_free else "",
                    label=day_label(day),
                    reason="" if is_free or why is None else why.reason,
                    why="" if is_free or why is None else why_closed(why.reason, why.name),
                )
            )
        weeks.append(row)
    previous = shift_month(year, month, -1)
    following = shift_month(year, month, 1)
    return MonthGrid(
        year=year,
        month=month,
        caption=date_format(dt.date(year, month, 1), "F Y"),
        weekdays=[Weekday(abbr=str(WEEKDAYS_ABBR[i]), name=str(WEEKDAYS[i])) for i in range(7)],
        weeks=weeks,
        previous_url=month_url(*previous) if previous >= (first.year, first.month) else "",
        next_url=month_url(*following) if following <= (last.year, last.month) else "",
        previous_label=date_format(dt.date(*previous, 1), "F Y"),
        next_label=date_format(dt.date(*following, 1), "F Y"),
    )
