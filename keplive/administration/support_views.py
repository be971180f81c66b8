"""The support channel for administrators (A6): every KEP's threads, unread first; reply; close."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keplive.accounts.models import Role
from keplive.administration.access import role_required
from keplive.audit.origin import request_origin
from keplive.support import selectors, services
from keplive.support.exceptions import InvalidMessage, SupportError
from keplive.support.models import BODY_MAX, Side, ThreadStatus

CHANNEL = "administration"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=BODY_MAX,
        required=False,
        strip=False,
        help_text=_("Plain text, up to %(max)d characters.") % {"max": BODY_MAX},
        widget=forms.Textarea(attrs={"rows": "6", "maxlength": str(BODY_MAX)}),
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def threads(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ThreadStatus.values:
        status = ""
    found = list(selectors.threads_for_ministry(user=request.user, status=status))
    return render(
        request,
        "administration/support/threads.html",
        {
            "threads": found,
            "unread": selectors.unread_count_for_ministry(user=request.user),
            "statuses": ThreadStatus.choices,
            "selected_status": status,
        },
    )


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.thread_for_ministry(thread_id=pk)
    if found is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message = services.post_message(
                    thread=found,
                    author=request.user,
                    side=Side.MINISTRY,
                    body=form.cleaned_data["body"],
                    now=timezone.now(),
                    origin=request_origin(request, channel=CHANNEL),
                )
            except SupportError as problem:
                errors = (
                    problem.errors if isinstance(problem, InvalidMessage) else {"": problem.message}
                )
                for name, text in errors.items():
                    form.add_error(name if name in form.fields else None, str(text))
            else:
                return HttpResponseRedirect(
                    reverse("administration:support_thread", args=[pk]) + f"#message-{message.pk}"
                )
        status = 400
    else:
        services.mark_read(thread=found, user=request.user, now=timezone.now())
    return render(
        request,
        "administration/support/thread.html",
        {"thread": found, "messages_of_thread": selectors.messages_of(thread=found), "form": form},
        status=status,
    )


@role_required(Role.ADMINISTRATOR)
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.thread_for_ministry(thread_id=pk)
    if found is None:
        raise Http404
    services.close_thread(
        thread=found,
        actor=request.user,
        now=timezone.now(),
        origin=request_origin(request, channel=CHANNEL),
    )
    return HttpResponseRedirect(reverse("administration:support_thread", args=[pk]))
