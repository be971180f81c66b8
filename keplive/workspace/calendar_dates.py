"""The calendar's dates: reading ``?day=YYYY-MM-DD`` and ``?week=YYYY-Www`` from an address, and
turning local (Europe/Athens) days into the aware instants the selectors take."""

from __future__ import annotations

import datetime as dt
import re

from keplive.booking.schedule_inputs import ATHENS

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_day(raw: str) -> dt.date | None:
    """``YYYY-MM-DD``, or None for anything else."""
    raw = raw.strip()
    if not _DAY.match(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def parse_week(raw: str) -> dt.date | None:
    """The Monday of the ISO week ``YYYY-Www`` (what ``<input type="week">`` sends; ``w`` may be
    lower case), or None for anything else — week 00, week 99, week 53 of a 52-week year."""
    match = _WEEK.match(raw.strip().upper())
    if match is None:
        return None
    try:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(day: dt.date) -> str:
    """The ISO week of a date as ``YYYY-Www``."""
    year, week, _weekday = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def local_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of a local day, as an aware instant (correct across DST)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ATHENS)


def local_span(first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of ``days`` local days from ``first``."""
    return local_start(first), local_start(first + dt.timedelta(days=days))
