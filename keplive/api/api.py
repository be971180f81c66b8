"""The JSON API, ``/api/v1/``: the same services the pages use, for outside integrators.

Errors always answer ``Problem``: a stable ``code`` and a ``message`` in Greek, or English when
the request asks for it (``Accept-Language: en``). No user input produces a 500. Every operation
documents each status it can answer (``problems.errors``); ``tests/api/test_contract.py`` holds
the API to its OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from keplive.api.availability import router as availability_router
from keplive.api.bookings import router as bookings_router
from keplive.api.catalogue import router as catalogue_router
from keplive.api.lookups import LookupFailed
from keplive.api.problems import not_found, problem, problem_for_booking_error
from keplive.api.waitlist import router as waitlist_router
from keplive.booking.exceptions import BookingError

api = NinjaAPI(
    title="KEPlive API",
    version="1",
    description=(
        "Book a video-call appointment with a Greek Citizen Service Centre (KEP). Reading the "
        "catalogue, the directory and free times is open; holds and bookings need a citizen "
        "logged in through TAXISnet (session cookie and CSRF token). Messages are in Greek; "
        "send `Accept-Language: en` for English."
    ),
    urls_namespace="api-v1",
)
api.add_router("", catalogue_router)
api.add_router("", availability_router)
api.add_router("", bookings_router)
api.add_router("", waitlist_router)


def _field_name(location: Any) -> str:
    parts = [str(part) for part in location if part not in {"body", "query", "path", "payload"}]
    return ".".join(parts) or "request"


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        kind = str(error.get("type", ""))
        if kind == "missing":
            message = _("This value is required.")
        elif "datetime" in kind or "date" in kind or "time" in kind:
            message = _("Give a valid date and time (ISO 8601, e.g. 2026-12-01T09:30:00+02:00).")
        elif "uuid" in kind:
            message = _("This is not a valid reference.")
        elif kind == "string_pattern_mismatch" and _field_name(error.get("loc", ())) == "month":
            message = _("Give the month as YYYY-MM.")
        elif "int" in kind or "greater" in kind or "less" in kind:
            message = _("Give a whole number in the allowed range.")
        else:
            message = _("This value is not valid.")
        errors.append({"field": _field_name(error.get("loc", ())), "message": message})
    return problem(
        request,
        status=422,
        code="invalid_input",
        message=_("Some values are not valid."),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def not_logged_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        status=401,
        code="login_required",
        message=_("Log in with your TAXISnet credentials to continue."),
    )


@api.exception_handler(BookingError)
def booking_error(request: HttpRequest, exc: BookingError) -> HttpResponse:
    return problem_for_booking_error(request, exc)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja raises these itself: 400 for a body it cannot parse, 403 for a failed CSRF
    # check (SessionAuth); nothing in KEPlive raises HttpError.
    if exc.status_code == 400:
        message = _("The request body is not valid JSON.")
        return problem(request, status=400, code="invalid_input", message=message)
    if exc.status_code == 403:
        message = _(
            "The CSRF check failed: send the value of the csrftoken cookie in the "
            "X-CSRFToken header."
        )
        return problem(request, status=403, code="csrf_failed", message=message)
    return problem(request, status=exc.status_code, code="error", message=str(exc))


@api.exception_handler(Http404)
def http_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, status=404, code="not_found", message=_("Not found."))


@api.exception_handler(LookupFailed)
def lookup_failed(request: HttpRequest, exc: LookupFailed) -> HttpResponse:
    return not_found(request, exc.what)
