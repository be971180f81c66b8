"""Signing in and out of the administration. The pages themselves live in one module per part:
dashboard, audit log, KEPs and hours, onboarding, catalogue, support."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from keplive.accounts.staff_login import (
    refused_login,
    second_factor,
    session_ended_notice,
    with_next,
)
from keplive.administration.access import AdministrationLoginForm, is_ministry_staff
from keplive.audit.models import Outcome
from keplive.audit.origin import request_origin
from keplive.audit.services import record_event

CHANNEL = "administration"


class AdministrationLoginView(LoginView):
    template_name = "administration/login.html"
    authentication_form = AdministrationLoginForm

    def get_default_redirect_url(self) -> str:
        return reverse("administration:home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # Said once, after a session ended by its idle or absolute limit.
        return {
            **super().get_context_data(**kwargs),
            "session_ended": session_ended_notice(self.request),
        }

    def get_success_url(self) -> str:
        return with_next(reverse("administration:verify"), super().get_success_url())

    def form_invalid(self, form: AdministrationLoginForm) -> HttpResponse:  # type: ignore[override]
        record_event(
            action="administration.login_failed",
            origin=request_origin(self.request, channel=CHANNEL),
            object_type="staff",
            outcome=Outcome.REFUSED,
        )
        return refused_login(form, super().form_invalid(form))


def verify(request: HttpRequest) -> HttpResponse:
    return second_factor(
        request,
        login_url=reverse("administration:login"),
        default_next=reverse("administration:home"),
        allowed=is_ministry_staff,
        heading=_("Ministry administration"),
    )


@never_cache
@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event(
            action="staff.logged_out",
            actor=request.user,
            origin=request_origin(request, channel=CHANNEL),
            object_type="staff",
            object_id=str(request.user.pk),
        )
    auth_logout(request)
    return HttpResponseRedirect(reverse("administration:login"))
