"""The shapes of the JSON API (OpenAPI components)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    """Every error answer: a stable code and a message in the asker's language."""

    code: str = Field(examples=["slot_no_longer_free"])
    message: str
    alternatives: list[TimeOut] = []
    alternative: str = ""
    errors: list[FieldProblem] = []


class FieldProblem(Schema):
    field: str
    message: str


class CategoryOut(Schema):
    number: int
    slug: str
    title: str
    description: str
    call_minutes: int
    buffer_minutes: int
    min_notice_minutes: int
    horizon_days: int
    window_start: dt.time
    window_end: dt.time
    kep_eke_only: bool
    municipal: bool
    offers_interpreter: bool


class ServiceOut(Schema):
    code: str
    title: str
    description: str
    documents: list[str]
    categories: list[int]
    municipality: str | None = None
    remote_servable: bool
    alternative: str = Field("", description="What to do instead when not servable remotely.")


class MunicipalityOut(Schema):
    code: str
    name: str
    region: str
    participating: bool


class KepOut(Schema):
    code: str
    name: str
    municipality: str
    address: str
    postal_code: str
    city: str
    phone: str
    email: str
    kep_eke: bool


class TimeOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_date: dt.date
    local_time: str = Field(examples=["09:30"])


class FreeDaysOut(Schema):
    kep: str
    service: str
    category: int
    month: str = Field(examples=["2026-12"])
    days: list[dt.date]


class FreeTimesOut(Schema):
    kep: str
    service: str
    category: int
    date: dt.date
    times: list[TimeOut]


class EarliestOut(Schema):
    kep: KepOut
    time: TimeOut


class SlotRequest(Schema):
    kep: str = Field(description="KEP code")
    service: str = Field(description="Service code")
    category: int = Field(ge=1, le=4)
    starts_at: dt.datetime = Field(
        description="ISO 8601 with offset, e.g. 2026-12-01T09:30:00+02:00"
    )


class HoldOut(Schema):
    reference: UUID
    expires_at: dt.datetime
    kep: str
    service: str
    category: int
    time: TimeOut


class BookingRequest(Schema):
    """Either a hold to confirm, or a time to book directly."""

    hold: UUID | None = None
    kep: str | None = None
    service: str | None = None
    category: int | None = Field(None, ge=1, le=4)
    starts_at: dt.datetime | None = None


class RescheduleRequest(Schema):
    starts_at: dt.datetime


class BookingOut(Schema):
    reference: UUID
    status: str
    kep: KepOut
    service: str
    service_title: str
    category: int
    time: TimeOut
    sequence: int


Problem.model_rebuild()
