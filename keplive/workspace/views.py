"""The KEP employee's workspace: log in and out, the day's appointments of one's own KEP, and
the call page of one of them with its police-registry check.

An employee sees only their own KEP: an appointment of another KEP is "not found", exactly as
one that does not exist. Personal data is read through the audited ``keplive.calls`` selectors
with the channel ``workspace``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from keplive.accounts.staff_login import (
    refused_login,
    second_factor,
    session_ended_notice,
    with_next,
)
from keplive.audit.models import Outcome
from keplive.audit.origin import request_origin
from keplive.audit.services import Origin, record_event
from keplive.calls import selectors
from keplive.calls.exceptions import CallError, CallNotFound
from keplive.calls.routing import ws_path
from keplive.calls.services import check_identity_with_registry
from keplive.directory.models import Employee
from keplive.integrations.police.base import RegistryUnavailable
from keplive.workspace.access import EmployeeLoginForm, employee_required, is_kep_staff
from keplive.workspace.calendar_views import render_day

CHANNEL = "workspace"


def _origin(request: HttpRequest) -> Origin:
    return request_origin(request, channel=CHANNEL)


# --- Log in and out ------------------------------------------------------------------------


class EmployeeLoginView(LoginView):
    """``/workspace/login/``: user name and password issued to the KEP (issue 5 adds the second
    factor and the lockout). Django's view: CSRF, no caching, a same-site ``next`` only."""

    template_name = "workspace/login.html"
    authentication_form = EmployeeLoginForm

    def get_default_redirect_url(self) -> str:
        return reverse("workspace:today")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Said once, after a session ended by its idle or absolute limit.
        return {
            **super().get_context_data(**kwargs),
            "session_ended": session_ended_notice(self.request),
        }

    def get_success_url(self) -> str:
        # The password is only the first step: the code page follows, then the page asked for.
        return with_next(reverse("workspace:verify"), super().get_success_url())

    def form_valid(self, form: EmployeeLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        record_event(
            action="employee.password_accepted",
            actor=form.get_user(),
            origin=_origin(self.request),
            object_type="employee",
            object_id=getattr(getattr(form.get_user(), "employee", None), "pk", ""),
        )
        return response

    def form_invalid(self, form: EmployeeLoginForm) -> HttpResponse:  # type: ignore[override]
        # Neither the user name nor the password is recorded: only that a login was refused.
        record_event(
            action="employee.login_failed",
            origin=_origin(self.request),
            object_type="employee",
            outcome=Outcome.REFUSED,
        )
        return refused_login(form, super().form_invalid(form))


def verify(request: HttpRequest) -> HttpResponse:
    """``/workspace/verify/``: the second step of the login, a code from the authenticator app."""
    return second_factor(
        request,
        login_url=reverse("workspace:login"),
        default_next=reverse("workspace:today"),
        allowed=is_kep_staff,
        heading=_("KEP workspace"),
    )


@never_cache
@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        record_event(
            action="employee.logged_out",
            actor=user,
            origin=_origin(request),
            object_type="employee",
            object_id=getattr(getattr(user, "employee", None), "pk", ""),
        )
    auth_logout(request)
    return HttpResponseRedirect(reverse("workspace:login"))


# --- The day's appointments ----------------------------------------------------------------


@employee_required
@require_GET
def today(request: HttpRequest, employee: Employee) -> HttpResponse:
    """``/workspace/`` the day view of the calendar: the appointments of one local day
    (``?day=YYYY-MM-DD``, today by default) — the employee's own (``?scope=mine``, the default)
    or the whole KEP's (``?scope=kep``) — in time order, each with its citizen, call state,
    requirements, details and the button to join the call (``calendar_views``)."""
    return render_day(request, employee)


# --- One call ------------------------------------------------------------------------------


def _reference(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/not_found.html", status=404)


@employee_required
@require_GET
def call(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``/workspace/calls/<reference>/`` the employee's side of the call (docs/calls.md)."""
    parsed = _reference(reference)
    if parsed is None:
        return _not_found(request)
    try:
        found = selectors.call_for_employee(
            employee=employee, reference=str(parsed), origin=_origin(request)
        )
    except CallNotFound:
        return _not_found(request)
    appointment = found.appointment
    return render(
        request,
        "calls/room.html",
        {
            "role": "employee",
            "ws_path": ws_path(str(appointment.reference)),
            "appointment": appointment,
            "registry_check_url": reverse("workspace:registry_check", args=[str(parsed)]),
            # After the call: record its outcome (E9, E11).
            "done_url": reverse("workspace:outcome_record", args=[str(parsed)]),
            "documents": list(appointment.service.documents or []),
        },
    )


@employee_required
@require_POST
def registry_check(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``POST /workspace/calls/<reference>/registry-check/``: check the declared document with
    the police registry. Only the outcome is kept; it reaches the page in the next snapshot."""
    parsed = _reference(reference)
    if parsed is None:
        return _json_not_found()
    origin = _origin(request)
    try:
        found = selectors.call_for_employee(employee=employee, reference=str(parsed), origin=origin)
        checked = check_identity_with_registry(
            call=found, employee=employee, now=timezone.now(), origin=origin
        )
    except CallNotFound:
        return _json_not_found()
    except RegistryUnavailable as unavailable:
        return JsonResponse({"ok": False, "message": unavailable.message}, status=503)
    except CallError as refused:
        return JsonResponse({"ok": False, "message": str(refused)}, status=409)
    return JsonResponse({"ok": True, "verified": checked.registry_verified})


def _json_not_found() -> JsonResponse:
    return JsonResponse({"ok": False, "message": str(CallNotFound.default_message)}, status=404)
