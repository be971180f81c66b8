"""Waiting requests (issue 16): "tell me if an earlier time frees up" for one of my bookings —
create, list, remove. The same services the pages use (``keplive.waitlist.services``); the
offer itself is answered through its signed link, as on the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from keplive.api.bookings import CitizenSession, _citizen
from keplive.api.problems import errors, problem
from keplive.audit.origin import request_origin
from keplive.booking.exceptions import AppointmentNotChangeable, AppointmentNotFound
from keplive.waitlist import services as waitlist
from keplive.waitlist.models import WaitingRequest
from keplive.waitlist.selectors import active_requests_for_citizen

router = Router(tags=["waiting requests"], auth=CitizenSession())


class WaitingRequestIn(Schema):
    reference: UUID = Field(description="The booking to move earlier")
    scope: Literal["kep", "municipality", "any"] = Field(
        default="kep",
        description=(
            "Where an earlier time may be: this KEP, any KEP of its municipality, or any KEP "
            "that serves the service in the category (category 4: not 'any'; category 2: "
            "KEP-EKEs only). Taking an offer at another KEP moves the booking there."
        ),
    )
    weekdays: list[int] = Field(
        default=[1, 2, 3, 4, 5], min_length=1, max_length=7, description="ISO weekdays, 1 = Monday"
    )
    part_of_day: Literal["any", "morning", "afternoon"] = "any"
    before: dt.date | None = Field(default=None, description="Only times before this day")


class WaitingRequestOut(Schema):
    id: UUID
    reference: UUID = Field(description="The booking")
    scope: str
    weekdays: list[int]
    part_of_day: str
    before: dt.date | None
    status: str
    created_at: dt.datetime


def _out(request: WaitingRequest) -> WaitingRequestOut:
    return WaitingRequestOut(
        id=request.public_id,
        reference=request.appointment.reference,
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
    summary="Ask to be told if an earlier time frees up for one of my bookings",
)
def create_waiting_request(
    request: HttpRequest, payload: WaitingRequestIn
) -> Status[WaitingRequestOut] | HttpResponse:
    if any(not 1 <= day <= 7 for day in payload.weekdays):
        return problem(
            request, status=422, code="invalid_window", message=str(waitlist.InvalidWindow())
        )
    try:
        created = waitlist.ask_to_be_told(
            citizen=_citizen(request),
            reference=payload.reference,
            now=timezone.now(),
            scope=payload.scope,
            weekdays="".join(str(day) for day in payload.weekdays),
            part_of_day=payload.part_of_day,
            before=payload.before,
            origin=request_origin(request, channel="api"),
        )
    except AppointmentNotFound as error:
        return problem(request, status=404, code=error.code, message=str(error))
    except (waitlist.AlreadyWaiting, AppointmentNotChangeable) as error:
        return problem(request, status=409, code=error.code, message=str(error))
    except (waitlist.InvalidWindow, waitlist.ScopeNotAllowed) as error:
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
