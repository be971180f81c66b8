"""Error answers of the API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from keplive.api.presenters import time_out
from keplive.api.schemas import Problem
from keplive.booking.declarations import InvalidDeclaration
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    BookingError,
    KepNotBookable,
    ServiceNotBookable,
    ServiceNotOffered,
    SlotNoLongerFree,
    TimeNotOffered,
    TooManyActiveBookings,
)
from keplive.booking.scheduling import Slot

STATUS_BY_ERROR: dict[type[BookingError], int] = {
    InvalidDeclaration: 422,
    SlotNoLongerFree: 409,
    TimeNotOffered: 422,
    ServiceNotBookable: 422,
    ServiceNotOffered: 422,
    KepNotBookable: 422,
    TooManyActiveBookings: 409,
    AppointmentNotFound: 404,
    AppointmentNotChangeable: 409,
}


def errors(*statuses: int) -> dict[int, type[Problem]]:
    """The error answers an operation documents: 400 always (a NUL character anywhere, a body
    that is not JSON), and those it names. Each is a ``Problem``, as ``problem`` writes it."""
    return dict.fromkeys(sorted({400, *statuses}), Problem)


def problem(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    alternatives: Sequence[Slot] = (),
    alternative: str = "",
    errors: Sequence[dict[str, Any]] = (),
) -> HttpResponse:
    body = {
        "code": code,
        "message": message,
        "alternatives": [time_out(slot).model_dump(mode="json") for slot in alternatives],
        "alternative": alternative,
        "errors": list(errors),
    }
    return JsonResponse(body, status=status)


def problem_for_booking_error(request: HttpRequest, error: BookingError) -> HttpResponse:
    status = next((code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)), 400)
    return problem(
        request,
        status=status,
        code=error.code,
        message=str(error),
        alternatives=getattr(error, "alternatives", ()),
        alternative=str(getattr(error, "alternative", "")),
        errors=[
            {"field": field, "message": str(message)}
            for field, message in getattr(error, "errors", {}).items()
        ],
    )


def not_found(request: HttpRequest, what: str) -> HttpResponse:
    messages = {
        "kep": _("No such KEP."),
        "service": _("No such service."),
        "category": _("No such category."),
        "municipality": _("No such municipality."),
    }
    return problem(request, status=404, code=f"{what}_not_found", message=messages[what])
