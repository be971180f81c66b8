"""Municipality onboarding for administrators (A5): the applications, and the decision on each.

Approve makes the municipality, its KEPs and its services bookable; reject needs a reason; the
applicant is emailed either way (``keplive.onboarding.services``). A decision taken twice (two
administrators, a double click) is refused with a message, never a 500.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from keplive.accounts.models import Role
from keplive.administration.access import role_required
from keplive.audit.origin import request_origin
from keplive.onboarding import selectors, services
from keplive.onboarding.exceptions import OnboardingError, ReasonRequired
from keplive.onboarding.models import ApplicationStatus

CHANNEL = "administration"


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        help_text=_("The applicant receives it by email."),
        max_length=services.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": "4", "maxlength": str(services.REASON_MAX)}),
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def applications(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ApplicationStatus.values:
        status = ""
    return render(
        request,
        "administration/onboarding/applications.html",
        {
            "applications": selectors.applications(status=status),
            "statuses": ApplicationStatus.choices,
            "selected_status": status,
            "pending": selectors.pending_count(),
        },
    )


def _render_application(
    request: HttpRequest,
    pk: int,
    *,
    form: RejectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    application = selectors.application_for_review(
        application_id=pk, actor=request.user, origin=request_origin(request, channel=CHANNEL)
    )
    if application is None:
        raise Http404
    return render(
        request,
        "administration/onboarding/application.html",
        {
            "application": application,
            "form": form or RejectForm(),
            "error": error,
            "decided": request.GET.get("decided", ""),
        },
        status=status,
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def application(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_application(request, pk)


@role_required(Role.ADMINISTRATOR)
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.approve_application(
            application_id=pk,
            actor=request.user,
            now=timezone.now(),
            origin=request_origin(request, channel=CHANNEL),
        )
    except OnboardingError as problem:
        if problem.code == "application_not_found":
            raise Http404 from None
        return _render_application(request, pk, error=str(problem), status=409)
    return HttpResponseRedirect(reverse("administration:application", args=[pk]) + "?decided=1")


@role_required(Role.ADMINISTRATOR)
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if form.is_valid():
        try:
            services.reject_application(
                application_id=pk,
                actor=request.user,
                reason=reason,
                now=timezone.now(),
                origin=request_origin(request, channel=CHANNEL),
            )
        except ReasonRequired as problem:
            form.add_error("reason", str(problem))
        except OnboardingError as problem:
            if problem.code == "application_not_found":
                raise Http404 from None
            return _render_application(request, pk, error=str(problem), status=409)
        else:
            return HttpResponseRedirect(
                reverse("administration:application", args=[pk]) + "?decided=1"
            )
    return _render_application(request, pk, form=form, status=400)
