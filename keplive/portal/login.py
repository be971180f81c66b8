"""Citizen login through TAXISnet (GSIS OAuth2, authorization-code flow), and logout.

``/login/`` remembers where to land (a same-site ``next`` path, or a gov.gr deep link's
``category``) and a fresh ``state`` in the session, then sends the browser to GSIS.
``/login/callback/`` takes the ``state`` back out (single use), exchanges the code and reads
the userinfo server to server, and logs the citizen in. The access token lives only in local
variables of that request: it is never stored, logged or put in the session.
"""

from __future__ import annotations

import logging
import secrets
from hmac import compare_digest
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from keplive.accounts.backends import CITIZEN_SESSION_BACKEND
from keplive.accounts.models import User
from keplive.accounts.services import (
    CitizenAccountDisabled,
    log_in_citizen,
    record_citizen_logout,
    record_failed_citizen_login,
)
from keplive.audit.origin import request_origin
from keplive.catalogue.models import CategoryKind
from keplive.integrations.gsis import GsisError, GsisRefused, gsis_client

logger = logging.getLogger(__name__)

LOGIN_SESSION_KEY = "taxisnet_login"
NEXT_MAX_LENGTH = 1000
# Loads the citizen with the user (one query a request; ADR 0030).
_BACKEND = CITIZEN_SESSION_BACKEND


@never_cache
@require_GET
def start_login(request: HttpRequest) -> HttpResponse:
    landing = _landing(request)
    user = request.user
    if user.is_authenticated and getattr(user, "is_citizen", False):
        return HttpResponseRedirect(landing or reverse("portal:home"))
    state = secrets.token_urlsafe(32)
    request.session[LOGIN_SESSION_KEY] = {"state": state, "next": landing}
    authorize_url = gsis_client().authorize_url(redirect_uri=_callback_uri(request), state=state)
    return HttpResponseRedirect(authorize_url)


@never_cache
@require_GET
def login_callback(request: HttpRequest) -> HttpResponse:
    origin = request_origin(request, channel="web")
    started: Any = request.session.pop(LOGIN_SESSION_KEY, None)
    expected = started.get("state") if isinstance(started, dict) else None
    returned = request.GET.get("state", "")
    if not (
        isinstance(expected, str)
        and returned
        and compare_digest(expected.encode(), returned.encode())
    ):
        return _failed(request, reason="state_mismatch", status=400)
    landing = str(started.get("next") or "")
    error = request.GET.get("error", "")
    if error:
        refused = error == "access_denied"
        return _failed(
            request,
            reason="access_denied" if refused else "gsis_refused",
            status=403 if refused else 502,
            landing=landing,
        )
    code = request.GET.get("code", "")
    if not code:
        return _failed(request, reason="missing_code", status=400, landing=landing)
    client = gsis_client()
    try:
        access_token = client.exchange_code(code=code, redirect_uri=_callback_uri(request))
        userinfo = client.fetch_userinfo(access_token=access_token)
    except GsisError as exc:
        gsis_code = exc.error if isinstance(exc, GsisRefused) else ""
        return _failed(request, reason=exc.reason, status=502, landing=landing, gsis=gsis_code)
    try:
        user = log_in_citizen(userinfo=userinfo, origin=origin)
    except CitizenAccountDisabled:
        return _failed(request, reason=CitizenAccountDisabled.reason, status=403)
    auth_login(request, user, backend=_BACKEND)
    return HttpResponseRedirect(landing or reverse("portal:home"))


@never_cache
@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    """End the KEPlive session, then the TAXISnet one (GSIS sends the browser back home)."""
    user = request.user
    home = reverse("portal:home")
    if not (isinstance(user, User) and user.is_citizen):
        auth_logout(request)
        return HttpResponseRedirect(home)
    record_citizen_logout(user=user, origin=request_origin(request, channel="web"))
    auth_logout(request)
    return HttpResponseRedirect(
        gsis_client().logout_url(return_to=request.build_absolute_uri(home))
    )


def _message(reason: str) -> str:
    messages = {
        "state_mismatch": _(
            "This login attempt has expired or was already used, so you have not been logged "
            "in. Please start again."
        ),
        "missing_code": _("TAXISnet's reply was incomplete, so you have not been logged in."),
        "access_denied": _(
            "You did not allow myKEPlive to receive your details from TAXISnet, so you have not "
            "been logged in. To book an appointment, log in again and allow it."
        ),
        "invalid_tax_id": _(
            "TAXISnet sent a tax number (ΑΦΜ) that is not valid, so you have not been logged "
            "in. Please try again later; if this persists, contact a KEP."
        ),
        "account_disabled": _(
            "Your myKEPlive account has been deactivated, so you have not been logged in. "
            "Please contact a KEP."
        ),
    }
    return messages.get(
        reason,
        _(
            "TAXISnet did not answer as expected, so you have not been logged in. "
            "Please try again in a few minutes."
        ),
    )


def _failed(
    request: HttpRequest, *, reason: str, status: int, landing: str = "", gsis: str = ""
) -> HttpResponse:
    """Record the refused login (a reason code, no personal data) and explain it."""
    logger.warning("Citizen login failed: reason=%s gsis_error=%s", reason, gsis or "-")
    record_failed_citizen_login(reason=reason, origin=request_origin(request, channel="web"))
    retry_url = reverse("portal:login")
    if landing:
        retry_url += "?" + urlencode({"next": landing})
    return render(
        request,
        "portal/login_failed.html",
        {"message": _message(reason), "retry_url": retry_url, "reason": reason},
        status=status,
    )


def _callback_uri(request: HttpRequest) -> str:
    configured: str = settings.KEPLIVE_GSIS_REDIRECT_URI
    return configured or request.build_absolute_uri(reverse("portal:login_callback"))


def _landing(request: HttpRequest) -> str:
    """Where to go after login: a same-site path from ``next``, or the booking wizard's step
    for the category a gov.gr deep link names (``/book/<category>/``); "" for home."""
    next_path = request.GET.get("next", "")
    if _is_local_path(next_path):
        return next_path
    category = request.GET.get("category", "")
    if category.isascii() and category.isdigit() and int(category) in CategoryKind.values:
        return reverse("portal:book_service", args=[int(category)])
    return ""


def _is_local_path(url: str) -> bool:
    """A path on this site (no scheme, no host), outside the login machinery itself."""
    if not url.startswith("/") or url.startswith(("//", "/\\")) or len(url) > NEXT_MAX_LENGTH:
        return False
    if any(ch.isspace() or ord(ch) < 32 for ch in url) or "\\" in url:
        return False
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return False
    login_paths = (reverse("portal:login"), reverse("portal:logout"), "/oauth2server/")
    return not url.startswith(login_paths)
