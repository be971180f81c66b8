"""Signed-in sessions end after their idle or absolute limit (``keplive.accounts.sessions``).

Every request of a signed-in user first checks the session's clocks. A session past its limit
is ended (audited, then flushed as a logout would) and the request goes on as an anonymous
visitor's: a staff page then sends the browser to its login page, which says why (in Greek
unless English was chosen); a citizen page sends the citizen to TAXISnet. An API request, or
a script asking for JSON only, is answered 401 with a ``session_expired`` problem instead.

Otherwise the request counts as activity, unless the page's own script made it in the
background (``X-KEPlive-Background: 1``: the workspace's poll and its calendar refresh): a
tab left open must still time out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from keplive.accounts import sessions
from keplive.audit.models import Outcome
from keplive.audit.origin import request_origin
from keplive.audit.services import record_event

BACKGROUND_HEADER = "X-KEPlive-Background"


def is_background(request: HttpRequest) -> bool:
    return request.headers.get(BACKGROUND_HEADER) == "1"


def wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/"):
        return True
    return request.accepts("application/json") and not request.accepts("text/html")


class SessionTimeout:
    """After ``AuthenticationMiddleware`` (it reads ``request.user``) and before
    ``OTPMiddleware`` (which then sees the anonymous visitor of an ended session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = timezone.now()
            reason = sessions.expiry_reason(request.session, user=user, now=now)
            if reason:
                ended = self._end(request, reason)
                if ended is not None:
                    return ended
            elif not is_background(request):
                sessions.record_activity(request.session, user=user, now=now)
        return self.get_response(request)

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse | None:
        user = request.user
        staff = sessions.is_staff_session(user)
        api = wants_json(request)
        record_event(
            action="session.expired",
            actor=user,
            origin=request_origin(request, channel="api" if api else ("staff" if staff else "web")),
            object_type="staff" if staff else "citizen",
            object_id=str(user.pk),
            outcome=Outcome.REFUSED,
            details={"reason": reason},
        )
        logout(request)
        if staff:
            # The new, anonymous session tells the login page why (once).
            request.session[sessions.ENDED] = reason
        if api:
            return JsonResponse(
                {
                    "code": "session_expired",
                    "message": _("Your session has ended. Log in again to continue."),
                    "alternatives": [],
                    "alternative": "",
                    "errors": [],
                },
                status=401,
            )
        return None
