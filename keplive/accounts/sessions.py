"""How long a signed-in session lasts (issue 11, finding 8; OWASP ASVS 4.0.3 V3.3).

Staff (KEP employees and supervisors, the ministry's administrators and auditors, the Django
admin's users) are signed out after ``KEPLIVE_STAFF_IDLE_MINUTES`` (30) without activity and
``KEPLIVE_STAFF_ABSOLUTE_HOURS`` (12) after they signed in, whatever they do; citizens after
``KEPLIVE_CITIZEN_IDLE_MINUTES`` (15) without activity and ``KEPLIVE_CITIZEN_ABSOLUTE_HOURS``
(12). See docs/adr/0014-content-security-policy-and-session-limits.md.

The session itself carries the two instants (seconds since the epoch): when its user signed in
and when it was last active. ``record_login`` stamps both and sets the session's own expiry to
the absolute limit, so the session store itself forgets it then (the cookie expires too);
``record_activity`` moves the last activity forward, at most once a minute (a session write
per minute, not per request); ``expiry_reason`` / ``session_expired`` decide. Requests the pages
make in the background (the workspace's poll) are not activity: an idle tab must time out.

``keplive.config.session_timeout`` applies this to every HTTP request; the call's WebSocket
consumer calls ``session_expired`` (and may call ``record_activity``) with the same session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from keplive.accounts.models import Role

LOGIN_AT = "keplive_login_at"
SEEN_AT = "keplive_seen_at"
# Why the previous session of this browser ended ("idle" or "absolute"): the staff login pages
# say so once.
ENDED = "keplive_session_ended"
# Activity is recorded to the minute: the idle limit is then exact to within a minute (never
# longer than configured), for one session write a minute at most.
ACTIVITY_RESOLUTION = dt.timedelta(seconds=60)

Reason = Literal["", "idle", "absolute"]


@dataclass(frozen=True)
class Limits:
    idle: dt.timedelta
    absolute: dt.timedelta


def is_staff_session(user: Any) -> bool:
    """Everyone but a citizen counts as staff, including a citizen-role account that the Django
    admin lets in (``is_staff``)."""
    return bool(getattr(user, "role", Role.CITIZEN) != Role.CITIZEN or user.is_staff)


def limits_for(user: Any) -> Limits:
    if is_staff_session(user):
        return Limits(
            idle=dt.timedelta(minutes=settings.KEPLIVE_STAFF_IDLE_MINUTES),
            absolute=dt.timedelta(hours=settings.KEPLIVE_STAFF_ABSOLUTE_HOURS),
        )
    return Limits(
        idle=dt.timedelta(minutes=settings.KEPLIVE_CITIZEN_IDLE_MINUTES),
        absolute=dt.timedelta(hours=settings.KEPLIVE_CITIZEN_ABSOLUTE_HOURS),
    )


def _instant(session: SessionBase, key: str) -> dt.datetime | None:
    value = session.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _stamp(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def record_login(session: SessionBase, *, user: Any, now: dt.datetime) -> None:
    """A user has just signed in on ``session``: the clocks start, and the session store keeps
    the session no longer than the absolute limit."""
    session[LOGIN_AT] = session[SEEN_AT] = _stamp(now)
    session.pop(ENDED, None)
    session.set_expiry(now + limits_for(user).absolute)


def expiry_reason(session: SessionBase, *, user: Any, now: dt.datetime) -> Reason:
    """ "absolute" once the absolute limit has passed since sign-in, "idle" once the idle limit
    has passed since the last activity, "" while the session of ``user`` is still good (and for
    no user at all). A session without the stamps (signed in before they existed) is good: the
    next request stamps it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    limits = limits_for(user)
    login_at = _instant(session, LOGIN_AT)
    if login_at is not None and now - login_at >= limits.absolute:
        return "absolute"
    seen_at = _instant(session, SEEN_AT)
    if seen_at is not None and now - seen_at >= limits.idle:
        return "idle"
    return ""


def session_expired(session: SessionBase, user: Any, now: dt.datetime) -> bool:
    """Whether ``session`` of ``user`` has outlived its idle or absolute limit at ``now``. For
    the WebSocket consumer: refuse (or close) the connection when true."""
    return expiry_reason(session, user=user, now=now) != ""


def record_activity(session: SessionBase, *, user: Any, now: dt.datetime) -> bool:
    """The user did something at ``now``: the idle clock restarts (to the minute). Returns
    whether the session changed (a caller outside the request cycle then saves it)."""
    changed = False
    if _instant(session, LOGIN_AT) is None:
        # Signed in before the stamps existed: the clocks start now.
        record_login(session, user=user, now=now)
        return True
    seen_at = _instant(session, SEEN_AT)
    if seen_at is None or now - seen_at >= ACTIVITY_RESOLUTION:
        session[SEEN_AT] = _stamp(now)
        changed = True
    return changed


def on_user_logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """``user_logged_in`` receiver (connected in ``AccountsConfig.ready``)."""
    session = getattr(request, "session", None)
    if session is not None and user is not None:
        record_login(session, user=user, now=timezone.now())
