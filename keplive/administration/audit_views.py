"""The audit log pages (P7; issue 6 item 8): search, export, verify the signed checkpoints.

For administrators and auditors. Read-only: nothing here changes an event. Each search, export
and verification is itself recorded in the log (``keplive.audit.search``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from keplive.accounts.models import Role
from keplive.administration.access import role_required
from keplive.administration.dashboard_views import DATE_FORMATS, DateInput, csv_response
from keplive.audit.models import Outcome
from keplive.audit.origin import request_origin
from keplive.audit.search import (
    EXPORT_LIMIT,
    AuditQuery,
    event_row,
    export_audit_log,
    search_audit_log,
)
from keplive.audit.selectors import audit_chain_report
from keplive.audit.services import record_event

CHANNEL = "administration"
CHANNELS = ["web", "api", "workspace", "administration", "staff", "admin", "system"]


class AuditSearchForm(forms.Form):
    occurred_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 2026-03-15.")},
    )
    occurred_until = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 2026-03-15.")},
    )
    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=64,
        help_text=gettext_lazy(
            "For example appointment.booked; end with * for every action that starts so "
            "(appointment.*)."
        ),
    )
    actor = forms.CharField(
        label=gettext_lazy("Who (user name or user number)"), required=False, max_length=150
    )
    object_type = forms.CharField(label=gettext_lazy("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        choices=[("", gettext_lazy("Any outcome")), *Outcome.choices],
        error_messages={"invalid_choice": gettext_lazy("Choose an outcome from the list.")},
    )
    channel = forms.CharField(
        label=gettext_lazy("Channel"),
        required=False,
        max_length=16,
        help_text=gettext_lazy("For example web, api, workspace, administration, system."),
        widget=forms.TextInput(attrs={"list": "audit-channels"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("occurred_from"), data.get("occurred_until")
        if first and last and last < first:
            self.add_error("occurred_until", _("The last date is before the first date."))
        for name in ("action", "actor", "object_type", "object_id", "channel"):
            if name in data:
                data[name] = data[name].strip()
        return data

    def query(self) -> AuditQuery:
        data = self.cleaned_data
        first, last = data.get("occurred_from"), data.get("occurred_until")
        return AuditQuery(
            occurred_from=_local_midnight(first) if first else None,
            occurred_until=_local_midnight(last + dt.timedelta(days=1)) if last else None,
            action=data.get("action", ""),
            actor=data.get("actor", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            outcome=data.get("outcome", ""),
            channel=data.get("channel", ""),
        )


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _cursor(value: str | None) -> int | None:
    """A page cursor from the query string; anything but a positive number is ignored."""
    if value and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _filters_only(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    return query.urlencode()


@role_required(Role.ADMINISTRATOR, Role.AUDITOR)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "export_limit": EXPORT_LIMIT, "channels": CHANNELS}
    if form.is_valid():
        context["page"] = search_audit_log(
            query=form.query(),
            reader=request.user,
            origin=request_origin(request, channel=CHANNEL),
            now=timezone.now(),
            before=_cursor(request.GET.get("before")),
            after=_cursor(request.GET.get("after")),
        )
        context["filters"] = _filters_only(request)
    return render(request, "administration/audit/log.html", context)


@role_required(Role.ADMINISTRATOR, Role.AUDITOR)
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "administration/audit/log.html",
            {"form": form, "export_limit": EXPORT_LIMIT, "channels": CHANNELS},
            status=400,
        )
    now = timezone.now()
    events, _truncated = export_audit_log(
        query=form.query(),
        reader=request.user,
        origin=request_origin(request, channel=CHANNEL),
        now=now,
    )
    header = [
        _("Event"),
        _("When"),
        _("Who"),
        _("Role"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Outcome"),
        _("Channel"),
        _("From where"),
        _("Details"),
        _("Digest"),
    ]
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return csv_response(header, (event_row(event) for event in events), f"audit-{stamp}.csv")


@role_required(Role.ADMINISTRATOR, Role.AUDITOR)
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    report = audit_chain_report()
    record_event(
        action="audit_log.chain_verified",
        actor=request.user,
        origin=request_origin(request, channel=CHANNEL),
        object_type="audit_log",
        outcome=Outcome.SUCCESS,
        details={
            "checked": report.checked,
            "intact": report.intact,
            "first_broken_id": report.first_broken_id,
            "problems": len(report.problems),
            "checkpoints": report.checkpoints,
            "unsealed": report.unsealed,
        },
    )
    return render(
        request,
        "administration/audit/verify.html",
        {"report": report, "verified_at": timezone.now()},
    )
