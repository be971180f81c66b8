"""Free times: free days of a month, free times of a day, the earliest free time anywhere."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from keplive.api.lookups import (
    category_by_number,
    kep_by_code,
    municipality_by_code,
    service_by_code,
)
from keplive.api.presenters import kep_out, time_fields, time_out
from keplive.api.problems import errors
from keplive.api.schemas import EarliestOut, FreeDaysOut, FreeTimesOut
from keplive.booking.eligibility import keps_serving
from keplive.booking.exceptions import TimeNotOffered
from keplive.booking.selectors import earliest_free_slots, free_days_in_month, free_times_on

router = Router(tags=["availability"])
# Whole string, ASCII digits: \d matches any script's digits, and $ matches before a newline.
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
ERRORS = errors(404, 422)
JSON = "application/json; charset=utf-8"


class ServiceChoice(Schema):
    service: str = Field(..., max_length=80, description="Service code")
    category: int = Field(..., ge=1, le=4)


class MonthQuery(ServiceChoice):
    month: str = Field(
        ..., description="YYYY-MM", pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-12"]
    )


class DayQuery(ServiceChoice):
    date: dt.date = Field(..., description="YYYY-MM-DD")


class EarliestQuery(ServiceChoice):
    municipality: str | None = Field(None, max_length=64)
    limit: int = Field(5, ge=1, le=20)


def _parse_month(text: str) -> tuple[int, int]:
    match = MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise TimeNotOffered(reason="invalid", message=_("Give the month as YYYY-MM."))
    return int(match.group(1)), int(match.group(2))


@router.get(
    "/keps/{code}/free-days",
    response={200: FreeDaysOut, **ERRORS},
    summary="Days of a month with free times",
)
def free_days(request: HttpRequest, code: str, query: Query[MonthQuery]) -> HttpResponse:
    kep, service, category = (  # read only: this process's shared instances
        kep_by_code(code, shared=True),
        service_by_code(query.service, shared=True),
        category_by_number(query.category, shared=True),
    )
    year, month = _parse_month(query.month)
    days = free_days_in_month(
        kep=kep, service=service, category=category, year=year, month=month, now=timezone.now()
    )
    return _json(
        {
            "kep": kep.code,
            "service": service.code,
            "category": category.number,
            "month": query.month,
            "days": days,
        }
    )


@router.get(
    "/keps/{code}/free-times",
    response={200: FreeTimesOut, **ERRORS},
    summary="Free times of one day",
)
def free_times(request: HttpRequest, code: str, query: Query[DayQuery]) -> HttpResponse:
    kep, service, category = (  # read only: this process's shared instances
        kep_by_code(code, shared=True),
        service_by_code(query.service, shared=True),
        category_by_number(query.category, shared=True),
    )
    slots = free_times_on(
        kep=kep, service=service, category=category, day=query.date, now=timezone.now()
    )
    return _json(
        {
            "kep": kep.code,
            "service": service.code,
            "category": category.number,
            "date": query.date,
            "times": [time_fields(slot) for slot in slots],
        }
    )


def _json(body: dict[str, Any]) -> HttpResponse:
    """The answer as ninja renders ``FreeDaysOut``/``FreeTimesOut`` (same encoder, same media
    type), without building and validating a pydantic model of it twice: the values are ours,
    and tests/api/test_free_times_shared.py holds the bytes to the schema's own rendering."""
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), content_type=JSON)


@router.get(
    "/earliest",
    response={200: list[EarliestOut], **ERRORS},
    summary="The KEPs with the earliest free time for a service",
)
def earliest(request: HttpRequest, query: Query[EarliestQuery]) -> list[EarliestOut]:
    service, category = service_by_code(query.service), category_by_number(query.category)
    keps = keps_serving(service=service, category=category)
    if query.municipality:
        keps = keps.filter(municipality=municipality_by_code(query.municipality))
    found = earliest_free_slots(
        service=service, category=category, now=timezone.now(), limit=query.limit, keps=keps
    )
    return [EarliestOut(kep=kep_out(item.kep), time=time_out(item.slot)) for item in found]
