"""Error pages inside the site's design and the visitor's language (issue 14, item 3; ADR 0019).

Django's own error pages are English, outside the layout and, for a refused form, lose what
was typed. Here:

- 400, 403 and 404 render ``errors/page.html`` (the site's layout) with the request, so the
  header, the language switch and the login status are those of any page; should that ever
  fail, the static page below is answered instead.
- 500 renders ``500.html``, a standalone template that needs no request, no database and no
  URL resolving: it cannot fail for the reasons the 500 happened.
- A CSRF failure (an expired form) on the booking details form shows the form again with what
  was typed and a fresh token; the data is only redisplayed, never processed. Any other form
  gets ``errors/page.html`` with a link back to the form (a fresh GET) and the home page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _page(
    request: HttpRequest, status: int, title: str, message: str, **extra: Any
) -> HttpResponse:
    context = {"status": status, "title": title, "message": message, **extra}
    try:
        return render(request, "errors/page.html", context, status=status)
    except Exception:  # the error page itself must not become a 500
        logger.exception("The %s error page could not be rendered in the layout", status)
        return static_error_response(status, title, message)


def static_error_response(status: int, title: str, message: str) -> HttpResponse:
    """The standalone error page (no request, no database): for 500 and for refusals made
    before the request reaches the views (a NUL character, say)."""
    body = render_to_string("500.html", {"title": title, "message": message})
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("The request could not be understood"),
        _(
            "The address or the form sent has something this site cannot read. Please go "
            "back and try again."
        ),
    )


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You do not have access to this page"),
        _(
            "This page is not available to you. If you think it should be, log in with the "
            "right account."
        ),
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "There is no page at this address. If you typed it, check it; if you followed a "
            "link, it may be out of date."
        ),
    )


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    try:
        return static_error_response(
            500,
            _("Something went wrong on our side"),
            _(
                "The page could not be shown. Nothing you did caused this; please try again "
                "in a few minutes."
            ),
        )
    except Exception:  # not even the template: plain words, still not Django's page
        return HttpResponse("500 · myKEPlive", status=500, content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent with a missing or stale token (open too long, say)."""
    logger.info("Form refused: CSRF check failed (%s)", reason)
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and request.method == "POST" and match.view_name == "portal:book_details":
        from keplive.portal.wizard import redisplay_expired_details

        redisplayed = redisplay_expired_details(request, match.kwargs["hold"])
        if redisplayed is not None:
            return redisplayed
    return _page(
        request,
        403,
        _("The form could not be sent"),
        _(
            "For your security, the form was refused: the page may have been open for too "
            "long, or your browser blocks cookies for this site. Nothing was saved. Open the "
            "form again and send it once more."
        ),
        retry_url=request.path if match is not None else "",
    )
