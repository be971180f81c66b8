"""The shapes of the JSON API (OpenAPI components)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import Field

# A wall-clock time in Greece (Europe/Athens). Not an OpenAPI `format: time`: that is RFC 3339's
# full-time, which needs an offset, and Greece's offset changes with summer time.
LocalTime = Annotated[
    str,
    Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        examples=["09:30"],
        description="Wall-clock time in Greece (Europe/Athens), HH:MM.",
    ),
]


class Problem(Schema):
    """Every error answer: a stable code and a message in the asker's language.

    400 `invalid_input`: the request could not be read (a NUL character, a body that is not
    JSON). 401 `login_required`. 403 `csrf_failed`: a logged-in citizen's change without the
    CSRF token. 404 `*_not_found`. 409: the time or the appointment changed meanwhile. 422
    `invalid_input` (with `errors`, one per field) or a booking rule's code.
    """

    code: str = Field(examples=["slot_no_longer_free"])
    message: str
    alternatives: list[TimeOut] = Field(
        [], description="The nearest free times, when the time asked for is gone."
    )
    alternative: str = Field("", description="What to do instead, when a service is not remote.")
    errors: list[FieldProblem] = Field([], description="One entry per value that is not valid.")


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
    window_start: LocalTime
    window_end: LocalTime
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
    local_time: LocalTime


class FreeDaysOut(Schema):
    kep: str
    service: str
    category: int
    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-12"])
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


class DeclarationIn(Schema):
    """What the citizen declares (C4, C5); the same rules as the booking form."""

    full_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    mobile_phone: str = Field(
        max_length=40,
        description="A mobile (preferred: it can take an SMS) like 6912345678, a Greek "
        "landline like 2101234567, or +4915112345678",
    )
    postal_address: str = Field(max_length=300)
    document_kind: str = Field(description="id_card, or passport (with a residence permit)")
    id_card_number: str = Field("", max_length=20)
    passport_number: str = Field("", max_length=20)
    residence_permit_number: str = Field("", max_length=30)
    subject: str = Field(max_length=1000)
    interpreter: str = Field("", description="'', sign_language or lip_reading (category 3)")
    delivery_method: str = Field(description="post, email, or pickup (municipal services)")
    special_requirements: str = Field(
        "", max_length=1000, description="Any category: more time, a helper, a screen reader…"
    )
    notes: str = Field("", max_length=2000)
    business_name: str = Field("", max_length=200, description="category 2")
    business_tax_id: str = Field("", max_length=11, description="category 2")
    consent: bool = Field(description="The citizen agrees to the processing described (C5).")


class BookingRequest(Schema):
    """Either a hold to confirm, or a time to book directly; with the citizen's declaration,
    which the confirmation email needs."""

    details: DeclarationIn | None = None
    hold: UUID | None = None
    kep: str | None = None
    service: str | None = None
    category: int | None = Field(None, ge=1, le=4)
    starts_at: dt.datetime | None = None


class RescheduleRequest(Schema):
    """A new time; optionally at another KEP and/or for another service of the booking's
    category (category 4: a KEP of the service's municipality). The reference stays."""

    starts_at: dt.datetime
    kep: str | None = Field(None, max_length=20, description="KEP code; omitted: the same KEP")
    service: str | None = Field(
        None, max_length=80, description="Service code; omitted: the same service"
    )


class BookingOut(Schema):
    reference: UUID
    code: str = Field(
        description="The reference people read and type, e.g. 7Q4M-2XZD (the UUID stays the "
        "identifier in URLs)"
    )
    status: str
    kep: KepOut
    service: str
    service_title: str
    category: int
    time: TimeOut
    sequence: int


Problem.model_rebuild()
