"""The support channel for KEP employees (A6): the threads of their KEP, a new thread, a reply.

Another KEP's thread is "not found" (404), exactly like one that does not exist. Bodies are plain
text: the templates escape them and keep line breaks.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from keplive.audit.origin import request_origin
from keplive.directory.models import Employee
from keplive.support import selectors, services
from keplive.support.exceptions import InvalidMessage, SupportError
from keplive.support.models import BODY_MAX, SUBJECT_MAX, Side
from keplive.workspace.access import employee_required

CHANNEL = "workspace"


class ThreadForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        required=False,
        help_text=_("Do not write citizens' personal data in the subject."),
        widget=forms.TextInput(attrs={"maxlength": str(SUBJECT_MAX)}),
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        required=False,
        strip=False,
        help_text=_("Plain text, up to %(max)d characters.") % {"max": BODY_MAX},
        widget=forms.Textarea(attrs={"rows": "6", "maxlength": str(BODY_MAX)}),
    )


class ReplyForm(forms.Form):
    body = ThreadForm.base_fields["body"]


def _apply_errors(form: forms.Form, problem: SupportError) -> None:
    errors = problem.errors if isinstance(problem, InvalidMessage) else {"": problem.message}
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, str(message))


@employee_required
@require_http_methods(["GET", "POST"])
def threads(request: HttpRequest, employee: Employee) -> HttpResponse:
    form = ThreadForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                opened = services.open_thread(
                    employee=employee,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    now=timezone.now(),
                    origin=request_origin(request, channel=CHANNEL),
                )
            except SupportError as problem:
                _apply_errors(form, problem)
            else:
                return HttpResponseRedirect(reverse("workspace:support_thread", args=[opened.pk]))
        status = 400
    found = list(selectors.threads_for_kep(employee=employee))
    return render(
        request,
        "workspace/support/threads.html",
        {
            "employee": employee,
            "threads": found,
            "unread": sum(1 for t in found if getattr(t, "unread", False)),
            "form": form,
        },
        status=status,
    )


@employee_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, employee: Employee, pk: int) -> HttpResponse:
    found = selectors.thread_for_employee(employee=employee, thread_id=pk)
    if found is None:
        return render(request, "workspace/support/not_found.html", status=404)
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message = services.post_message(
                    thread=found,
                    author=employee.user,
                    side=Side.KEP,
                    body=form.cleaned_data["body"],
                    now=timezone.now(),
                    origin=request_origin(request, channel=CHANNEL),
                )
            except SupportError as problem:
                _apply_errors(form, problem)
            else:
                return HttpResponseRedirect(
                    reverse("workspace:support_thread", args=[pk]) + f"#message-{message.pk}"
                )
        status = 400
    else:
        services.mark_read(thread=found, user=employee.user, now=timezone.now())
    return render(
        request,
        "workspace/support/thread.html",
        {
            "employee": employee,
            "thread": found,
            "messages_of_thread": selectors.messages_of(thread=found),
            "form": form,
        },
        status=status,
    )
