"""Holds and bookings: only for a citizen logged in through TAXISnet, only their own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.security import SessionAuth

from keplive.accounts.models import Citizen
from keplive.api.lookups import category_by_number, kep_by_code, service_by_code
from keplive.api.presenters import booking_out, hold_out
from keplive.api.problems import errors
from keplive.api.schemas import (
    BookingOut,
    BookingRequest,
    DeclarationIn,
    HoldOut,
    RescheduleRequest,
    SlotRequest,
)
from keplive.audit.origin import request_origin
from keplive.booking import services
from keplive.booking.declarations import Declaration, InvalidDeclaration
from keplive.booking.exceptions import TimeNotOffered
from keplive.booking.selectors import appointment_for_citizen, appointments_for_citizen


def _logged_in_citizen(request: HttpRequest) -> Citizen | None:
    user = request.user
    if user.is_authenticated and hasattr(user, "citizen"):
        return user.citizen
    return None


class CitizenSession(SessionAuth):
    """A logged-in citizen (the identity comes from the TAXISnet login, never from the body).

    Changes also need the CSRF token (403). Who is not a logged-in citizen hears 401 first:
    the CSRF token guards a session, and there is none to guard.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if _logged_in_citizen(request) is None:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _logged_in_citizen(request)


router = Router(tags=["bookings"], auth=CitizenSession())

# OpenAPI links: where the reference an answer gives goes next (integrators, and the stateful
# phase of the contract test, follow them).
REFERENCE = "$response.body#/reference"


def _follow_reference(*operations: str) -> dict[str, dict[str, Any]]:
    return {
        "".join(word.title() for word in operation.split("_")): {
            "operationId": f"keplive_api_bookings_{operation}",
            "parameters": {"path.reference": REFERENCE},
        }
        for operation in operations
    }


HOLD_LINKS = {
    **_follow_reference("delete_hold"),
    "BookTheHold": {
        "operationId": "keplive_api_bookings_create_booking",
        "requestBody": {"hold": REFERENCE},
        "description": "Book the held time: the hold's reference as `hold`.",
    },
}
BOOKING_LINKS = _follow_reference("get_booking", "reschedule_booking", "cancel_booking")


def _links(status: int, links: dict[str, Any]) -> dict[str, Any]:
    return {"responses": {status: {"links": links}}}


def _citizen(request: HttpRequest) -> Citizen:
    citizen = request.auth  # type: ignore[attr-defined]
    if not isinstance(citizen, Citizen):  # the router's auth guarantees it; keep mypy honest
        raise TypeError("citizen session expected")
    return citizen


@router.post(
    "/holds",
    response={201: HoldOut, **errors(401, 403, 404, 409, 422)},
    summary="Hold a free time for a few minutes",
    openapi_extra=_links(201, HOLD_LINKS),
)
def create_hold(request: HttpRequest, payload: SlotRequest) -> Status[HoldOut]:
    hold = services.hold_slot(
        citizen=_citizen(request),
        kep=kep_by_code(payload.kep),
        service=service_by_code(payload.service),
        category=category_by_number(payload.category),
        starts_at=payload.starts_at,
        now=timezone.now(),
        origin=request_origin(request, channel="api"),
    )
    return Status(201, hold_out(hold))


@router.delete(
    "/holds/{reference}",
    response={204: None, **errors(401, 403, 404, 422)},
    summary="Release a hold",
)
def delete_hold(request: HttpRequest, reference: UUID) -> Status[None]:
    citizen = _citizen(request)
    services.release_hold(hold_reference=reference, citizen=citizen, now=timezone.now())
    return Status(204, None)


def _declaration(details: DeclarationIn | None) -> Declaration | None:
    if details is None:
        return None
    if not details.consent:
        raise InvalidDeclaration(
            {"consent": _("The booking needs your consent to the processing described.")}
        )
    values = details.model_dump(exclude={"consent"})
    return Declaration(**values, language=(get_language() or "el")[:2])


@router.post(
    "/bookings",
    response={201: BookingOut, **errors(401, 403, 404, 409, 422)},
    summary="Book: confirm a hold, or book a time directly",
    openapi_extra=_links(201, BOOKING_LINKS),
)
def create_booking(request: HttpRequest, payload: BookingRequest) -> Status[BookingOut]:
    citizen, now = _citizen(request), timezone.now()
    origin = request_origin(request, channel="api")
    declaration = _declaration(payload.details)
    if payload.hold is not None:
        appointment = services.confirm_hold(
            hold_reference=payload.hold,
            citizen=citizen,
            now=now,
            declaration=declaration,
            origin=origin,
        )
    elif payload.kep and payload.service and payload.category and payload.starts_at:
        appointment = services.book_appointment(
            citizen=citizen,
            kep=kep_by_code(payload.kep),
            service=service_by_code(payload.service),
            category=category_by_number(payload.category),
            starts_at=payload.starts_at,
            now=now,
            declaration=declaration,
            origin=origin,
        )
    else:
        raise TimeNotOffered(
            reason="invalid",
            message=_("Give either a hold, or a KEP, service, category and time."),
        )
    return Status(201, booking_out(appointment))


@router.get(
    "/bookings",
    response={200: list[BookingOut], **errors(401)},
    summary="My upcoming appointments",
)
def list_bookings(request: HttpRequest) -> list[BookingOut]:
    appointments = appointments_for_citizen(
        citizen=_citizen(request),
        origin=request_origin(request, channel="api"),
        now=timezone.now(),
    )
    return [booking_out(a) for a in appointments]


@router.get(
    "/bookings/{reference}",
    response={200: BookingOut, **errors(401, 404, 422)},
    summary="One of my appointments",
    openapi_extra=_links(200, BOOKING_LINKS),
)
def get_booking(request: HttpRequest, reference: UUID) -> BookingOut:
    appointment = appointment_for_citizen(
        citizen=_citizen(request),
        reference=reference,
        origin=request_origin(request, channel="api"),
    )
    return booking_out(appointment)


@router.post(
    "/bookings/{reference}/reschedule",
    response={200: BookingOut, **errors(401, 403, 404, 409, 422)},
    summary="Move my appointment to another free time, KEP or service of its category",
    openapi_extra=_links(200, BOOKING_LINKS),
)
def reschedule_booking(
    request: HttpRequest, reference: UUID, payload: RescheduleRequest
) -> BookingOut:
    appointment = services.reschedule_appointment(
        reference=reference,
        citizen=_citizen(request),
        starts_at=payload.starts_at,
        now=timezone.now(),
        kep=kep_by_code(payload.kep) if payload.kep is not None else None,
        service=service_by_code(payload.service) if payload.service is not None else None,
        origin=request_origin(request, channel="api"),
    )
    return booking_out(appointment)


@router.post(
    "/bookings/{reference}/cancel",
    response={200: BookingOut, **errors(401, 403, 404, 409, 422)},
    summary="Cancel my appointment",
)
def cancel_booking(request: HttpRequest, reference: UUID) -> BookingOut:
    appointment = services.cancel_appointment(
        reference=reference,
        citizen=_citizen(request),
        now=timezone.now(),
        origin=request_origin(request, channel="api"),
    )
    return booking_out(appointment)
