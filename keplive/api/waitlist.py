"""Waiting requests (issue 16): "tell me if an earlier time frees up" for one of my bookings,
or — before booking — "tell me when a time frees up" for a service at a KEP (ADR 0028) —
create, list, remove. The same services the pages use (``keplive.waitlist.services``); the
offer itself is answered through its signed link, as on the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from keplive.api.bookings import CitizenSession, _citizen
from keplive.api.lookups import category_by_number, kep_by_code, service_by_code
from keplive.api.problems import errors, problem
from keplive.audit.origin import request_origin
from keplive.booking.exceptions import AppointmentNotChangeable, AppointmentNotFound
from keplive.waitlist import services as waitlist
from keplive.waitlist.models import WaitingRequest
from keplive.waitlist.selectors import active_requests_for_citizen

router = Router(tags=["waiting requests"], auth=CitizenSession())


class WaitingRequestIn(Schema):
    # Either a booking (``reference``), or a service at a KEP before booking (all three of
    # ``service``, ``kep``, ``category``, with ``email``): one of the two, else 422.
    reference: UUID | None = Field(default=None, description="The booking to move earlier")
    service: str | None = Field(default=None, max_length=64, description="Service code")
    kep: str | None = Field(default=None, max_length=16, description="KEP code")
    category: int | None = Field(default=None, ge=1, le=4, description="Category number")
    email: str | None = Field(
        default=None, max_length=254, description="Where to send an offer (without a booking)"
    )
    mobile_phone: str | None = Field(
        default=None, max_length=32, description="For the offer's SMS (without a booking)"
    )
    scope: Literal["kep", "municipality", "any"] = Field(
        default="kep",
        description=(
            "Where a time may be: this KEP, any KEP of its municipality, or any KEP that serves "
            "the service in the category (category 4: not 'any'; category 2: KEP-EKEs only). "
            "Taking an offer at another KEP moves the booking there."
        ),
    )
    weekdays: list[int] = Field(
        default=[1, 2, 3, 4, 5], min_length=1, max_length=7, description="ISO weekdays, 1 = Monday"
    )
    part_of_day: Literal["any", "morning", "afternoon"] = "any"
    before: dt.date | None = Field(default=None, description="Only times before this day")


class WaitingRequestOut(Schema):
    id: UUID
    reference: UUID | None = Field(description="The booking; null when asked before booking")
    service: str = Field(description="Service code")
    kep: str = Field(description="KEP code")
    category: int
    scope: str
    weekdays: list[int]
    part_of_day: str
    before: dt.date | None
    status: str
    created_at: dt.datetime


def _out(request: WaitingRequest) -> WaitingRequestOut:
    return WaitingRequestOut(
        id=request.public_id,
        reference=request.appointment.reference if request.appointment else None,
        service=request.service.code,
        kep=request.kep.code,
        category=request.category.number,
        scope=request.scope,
        weekdays=[int(day) for day in request.weekdays],
        part_of_day=request.part_of_day,
        before=request.before,
        status=request.status,
        created_at=request.created_at,
    )


@router.post(
    "/waiting-requests",
    response={201: WaitingRequestOut, **errors(401, 403, 404, 409, 422)},
    summary="Ask to be told if an earlier time frees up (a booking, or a service before booking)",
)
def create_waiting_request(
    request: HttpRequest, payload: WaitingRequestIn
) -> Status[WaitingRequestOut] | HttpResponse:
    if any(not 1 <= day <= 7 for day in payload.weekdays):
        return problem(
            request, status=422, code="invalid_window", message=str(waitlist.InvalidWindow())
        )
    by_service = (payload.service, payload.kep, payload.category)
    if (payload.reference is None) == (None in by_service) or (
        payload.reference is None and not payload.email
    ):
        return problem(
            request,
            status=422,
            code="invalid_request",
            message=_(
                "Give either the reference of a booking, or a service, a KEP, a category and "
                "an email address."
            ),
        )
    weekdays = "".join(str(day) for day in payload.weekdays)
    try:
        if payload.reference is not None:
            created = waitlist.ask_to_be_told(
                citizen=_citizen(request),
                reference=payload.reference,
                now=timezone.now(),
                scope=payload.scope,
                weekdays=weekdays,
                part_of_day=payload.part_of_day,
                before=payload.before,
                origin=request_origin(request, channel="api"),
            )
        else:
            created = waitlist.ask_for_service(
                citizen=_citizen(request),
                kep=kep_by_code(str(payload.kep)),
                service=service_by_code(str(payload.service)),
                category=category_by_number(int(payload.category or 0)),
                now=timezone.now(),
                scope=payload.scope,
                weekdays=weekdays,
                part_of_day=payload.part_of_day,
                before=payload.before,
                email=payload.email or "",
                mobile_phone=payload.mobile_phone or "",
                language=(get_language() or "el")[:2],
                origin=request_origin(request, channel="api"),
            )
    except AppointmentNotFound as error:
        return problem(request, status=404, code=error.code, message=str(error))
    except (waitlist.AlreadyWaiting, AppointmentNotChangeable) as error:
        return problem(request, status=409, code=error.code, message=str(error))
    except (waitlist.InvalidWindow, waitlist.ScopeNotAllowed, waitlist.InvalidContact) as error:
        return problem(request, status=422, code=error.code, message=str(error))
    return Status(201, _out(created))


@router.get(
    "/waiting-requests",
    response={200: list[WaitingRequestOut], **errors(401)},
    summary="My waiting requests",
)
def list_waiting_requests(request: HttpRequest) -> list[WaitingRequestOut]:
    return [_out(r) for r in active_requests_for_citizen(citizen=_citizen(request))]


@router.delete(
    "/waiting-requests/{request_id}",
    response={204: None, **errors(401, 403, 404, 422)},
    summary="Stop waiting (an open offer is declined and goes to the next in line)",
)
def delete_waiting_request(request: HttpRequest, request_id: UUID) -> Status[None] | HttpResponse:
    try:
        waitlist.remove_request(
            citizen=_citizen(request),
            public_id=request_id,
            now=timezone.now(),
            origin=request_origin(request, channel="api"),
        )
    except waitlist.RequestNotFound as error:
        return problem(request, status=404, code=error.code, message=str(error))
    return Status(204, None)
