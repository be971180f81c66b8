"""The answer when a request failed on the database itself, not on its input.

A deadlock, a serialisation failure, or a database that cannot be reached right now (restarting,
out of connections, the pool waited in vain) says "try again", not "the server is broken": such
a request answers 503 with ``Retry-After`` (a ``Problem`` under ``/api/``), never 500. The
commands are written so that none of these happens in normal operation (ADR 0012: the lock
order); this is the honest answer when one still does. Nothing is retried here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
# SQLSTATEs meaning "this attempt failed, the same request may succeed": serialisation failure,
# deadlock, lock not available, too many connections, the server shutting down or starting.
TRY_AGAIN = frozenset({"40001", "40P01", "55P03", "53300", "57P01", "57P02", "57P03"})


def database_says_try_again(error: BaseException | None) -> bool:
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate in TRY_AGAIN or sqlstate.startswith("08")  # class 08: connection
    if isinstance(error, InterfaceError):
        return True  # the connection was closed under the request
    # No SQLSTATE: psycopg could not reach the server (or the pool gave up waiting for a
    # connection); SQLite's busy timeout ran out.
    module = type(cause).__module__ if cause is not None else ""
    return module.startswith(("psycopg", "psycopg_pool")) or "database is locked" in str(error)


def try_again_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    cause = getattr(error, "__cause__", None)
    logger.warning(
        "database conflict or unavailable (%s %s): answered 503",
        type(cause or error).__name__,
        getattr(cause, "sqlstate", None) or "-",
    )
    message = _("The service is busy right now. Please try again in a moment.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "try_again",
                "message": message,
                "alternatives": [],
                "alternative": "",
                "errors": [],
            },
            status=503,
        )
    else:
        # The standalone error page (no database, no session): in the site's design and the
        # visitor's language, with a way on.
        try:
            body = render_to_string(
                "500.html", {"title": _("The service is busy right now"), "message": message}
            )
            response = HttpResponse(body, status=503)
        except Exception:  # never a 500 for want of a template
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseTryAgain:
    """A view that failed because the database said "try again" answers 503 (see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_says_try_again(exception):
            return try_again_response(request, exception)
        return None


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """``handler500``: Django calls it for an exception raised anywhere in the stack, also in a
    middleware before or after the view (the session read, the user, the second factor), where
    ``DatabaseTryAgain.process_exception`` cannot see it. On a busy day that is where a request
    first waits for a database connection; when the pool waited in vain the answer is still 503
    with Retry-After, not 500 (the exception being handled is in ``sys.exc_info()``)."""
    error = sys.exc_info()[1]
    if request is not None and error is not None and database_says_try_again(error):
        return try_again_response(request, error)
    from keplive.portal.errors import server_error as error_page

    return error_page(request)
