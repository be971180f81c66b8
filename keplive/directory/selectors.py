"""Reading the directory: which KEPs exist, when they are open, who works there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import holidays
from django.db.models import QuerySet

from keplive.accounts.models import User
from keplive.directory.models import Employee, Kep, LocalHoliday, Municipality


@lru_cache(maxsize=64)
def national_holidays(year: int) -> frozenset[dt.date]:
    """Greek national holidays of a year (Orthodox Easter, Clean Monday, Whit Monday…)."""
    return frozenset(holidays.country_holidays("GR", years=year).keys())


def national_holiday_names(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("GR", years=year, language="el").items())


def closed_dates_for(
    *, municipality_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, frozenset[dt.date]]:
    """National holidays plus each municipality's local closures, for dates in [start, end]."""
    national = frozenset(
        day
        for year in range(start.year, end.year + 1)
        for day in national_holidays(year)
        if start <= day <= end
    )
    ids = list(municipality_ids)
    local: dict[int, set[dt.date]] = {mid: set() for mid in ids}
    for mid, day in LocalHoliday.objects.filter(
        municipality_id__in=ids, date__range=(start, end)
    ).values_list("municipality_id", "date"):
        local[mid].add(day)
    return {mid: national | frozenset(days) for mid, days in local.items()}


def bookable_keps() -> QuerySet[Kep]:
    """Active KEPs of participating municipalities."""
    return Kep.objects.filter(is_active=True, municipality__is_participating=True).select_related(
        "municipality"
    )


def participating_municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.filter(is_participating=True)


def active_employee(user: Any) -> Employee | None:
    """The employee a user account serves as, or None: not logged in, not KEP staff, the
    account or the employee record deactivated. The workspace pages and the call's
    signalling both admit staff through this one check."""
    if not (isinstance(user, User) and user.is_authenticated and user.is_active):
        return None
    if not user.is_kep_staff:
        return None
    return Employee.objects.select_related("kep", "user").filter(user=user, is_active=True).first()
