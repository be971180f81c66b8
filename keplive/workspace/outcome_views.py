"""The outcome pages of the workspace: record what came of an appointment (E9, E11), tell the
citizen that it cannot be served remotely (E14), download the successful-submission form, send
the white application to the municipality (E13), and the day's postal deliveries for ELTA.

An employee reaches only appointments of their own KEP: another KEP's appointment is "not
found" (404), exactly like one that does not exist. Reads go through the audited selectors of
``keplive.outcomes``; refusals of its services come back to the form, with what was typed kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from keplive.audit.origin import request_origin
from keplive.audit.services import Origin
from keplive.booking.models import DeliveryMethod
from keplive.calls.models import CallState
from keplive.directory.models import Employee
from keplive.outcomes import documents, services
from keplive.outcomes.exceptions import AppointmentNotFound, OutcomeAlreadyRecorded, OutcomeError
from keplive.outcomes.models import Result
from keplive.outcomes.selectors import (
    AppointmentForOutcome,
    appointment_for_outcome,
    postal_deliveries,
    white_application_template_for,
)
from keplive.workspace.access import employee_required
from keplive.workspace.calendar_dates import parse_day
from keplive.workspace.outcome_forms import (
    NotServableForm,
    OutcomeForm,
    WhiteApplicationForm,
    add_refusal,
)

CHANNEL = "workspace"
TEMPLATES = "workspace/outcome"


def _origin(request: HttpRequest) -> Origin:
    return request_origin(request, channel=CHANNEL)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/not_found.html", status=404)


def _found(
    request: HttpRequest, employee: Employee, reference: str
) -> AppointmentForOutcome | None:
    try:
        return appointment_for_outcome(
            employee=employee, reference=reference, origin=_origin(request)
        )
    except AppointmentNotFound:
        return None


def _context(found: AppointmentForOutcome, employee: Employee) -> dict[str, Any]:
    appointment = found.appointment
    reference = str(appointment.reference)
    call_state = found.call.state if found.call else CallState.SCHEDULED
    outcome = found.outcome
    delivery = documents.delivery_text(outcome) if outcome and outcome.delivery_method else None
    return {
        "employee": employee,
        "kep": employee.kep,
        "found": found,
        "appointment": appointment,
        "details": found.details,
        "outcome": outcome,
        "delivery": delivery,
        "call_state_label": CallState(call_state).label,
        "call_took_place": services.call_took_place(found.call),
        "is_municipal": appointment.category_id == services.MUNICIPAL_CATEGORY,
        "urls": {
            "record": reverse("workspace:outcome_record", args=[reference]),
            "not_servable": reverse("workspace:outcome_not_servable", args=[reference]),
            "form_pdf": reverse("workspace:outcome_form_pdf", args=[reference]),
            "white_application": reverse("workspace:outcome_white_application", args=[reference]),
            "white_application_pdf": reverse(
                "workspace:outcome_white_application_pdf", args=[reference]
            ),
            "call": reverse("workspace:call", args=[reference]),
            "today": reverse("workspace:today"),
        },
    }


def _outcome_initial(found: AppointmentForOutcome) -> dict[str, str]:
    details = found.details
    initial = {"result": Result.COMPLETED.value if services.call_took_place(found.call) else ""}
    if details is not None:
        initial |= {
            "delivery_method": details.delivery_method,
            "delivery_email": details.email,
            "delivery_address": details.postal_address,
        }
    call = found.call
    if call is not None and call.delivery_confirmed_at is not None:
        # Circular 002: what the employee confirmed with the citizen before ending the call.
        initial |= {
            "delivery_method": call.delivery_method,
            "delivery_email": call.delivery_email,
            "delivery_address": call.delivery_address,
        }
    return initial


def _confirmed_in_call(found: AppointmentForOutcome) -> dict[str, Any] | None:
    """The delivery confirmed with the citizen during the call, as the outcome form shows it."""
    call = found.call
    if call is None or call.delivery_confirmed_at is None:
        return None
    return {
        "method": DeliveryMethod(call.delivery_method).label,
        "to": call.delivery_email or call.delivery_address,
        "at": call.delivery_confirmed_at,
    }


@employee_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``/workspace/appointments/<reference>/outcome/``: the outcome, or the form to record it."""
    found = _found(request, employee, reference)
    if found is None:
        return _not_found(request)
    status = 200
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_outcome(
                    employee=employee,
                    reference=found.appointment.reference,
                    result=data["result"],
                    delivery=services.Delivery(
                        method=data["delivery_method"] or "",
                        email=data["delivery_email"],
                        address=data["delivery_address"],
                    ),
                    note=data["note"],
                    now=timezone.now(),
                    origin=_origin(request),
                )
            except OutcomeAlreadyRecorded as refused:
                add_refusal(form, refused)
                status = 409
            except OutcomeError as refused:
                add_refusal(form, refused)
                status = 400
            else:
                return HttpResponseRedirect(
                    reverse("workspace:outcome_record", args=[str(found.appointment.reference)])
                    + "?done=1"
                )
        else:
            status = 400
        found = _found(request, employee, reference) or found
    else:
        form = OutcomeForm(initial=_outcome_initial(found))
    context = _context(found, employee) | {
        "form": form,
        "done": request.GET.get("done") == "1",
        "delivery_methods": DeliveryMethod,
        "delivery_confirmed_in_call": _confirmed_in_call(found),
    }
    return render(request, f"{TEMPLATES}/record.html", context, status=status)


@employee_required
@require_http_methods(["GET", "POST"])
def not_servable(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``/workspace/appointments/<reference>/not-servable/``: E14, before or during the call."""
    found = _found(request, employee, reference)
    if found is None:
        return _not_found(request)
    status = 200
    form = NotServableForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.mark_not_servable(
                    employee=employee,
                    reference=found.appointment.reference,
                    alternative=form.cleaned_data["alternative"],
                    note=form.cleaned_data["note"],
                    now=timezone.now(),
                    origin=_origin(request),
                )
            except OutcomeAlreadyRecorded as refused:
                add_refusal(form, refused)
                status = 409
            except OutcomeError as refused:
                add_refusal(form, refused)
                status = 400
            else:
                return HttpResponseRedirect(
                    reverse("workspace:outcome_record", args=[str(found.appointment.reference)])
                    + "?done=1"
                )
        else:
            status = 400
    context = _context(found, employee) | {"form": form}
    return render(request, f"{TEMPLATES}/not_servable.html", context, status=status)


def _pdf(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@employee_required
@require_GET
def form_pdf(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``/workspace/appointments/<reference>/form.pdf``: the successful-submission form."""
    found = _found(request, employee, reference)
    if found is None or found.outcome is None or not found.outcome.is_completed:
        return _not_found(request)
    outcome = found.outcome
    outcome.appointment = found.appointment
    language = (translation.get_language() or "el")[:2]
    pdf = documents.submission_form(outcome, found.details, language=language)
    return _pdf(pdf, f"{outcome.protocol_number}.pdf")


def _white_context(
    request: HttpRequest,
    employee: Employee,
    found: AppointmentForOutcome,
    form: WhiteApplicationForm,
) -> dict[str, Any]:
    template = white_application_template_for(found.appointment)
    preview = ""
    if template is not None:
        text = form.data.get("request_text") if form.is_bound else form.initial.get("request_text")
        values = documents.white_application_values(
            found.appointment, found.details, request_text=str(text or ""), now=timezone.now()
        )
        preview = documents.white_application_text(template, values)
    return _context(found, employee) | {"form": form, "template": template, "preview": preview}


def _white_initial(found: AppointmentForOutcome) -> dict[str, str]:
    return {"request_text": found.details.subject if found.details else ""}


@employee_required
@require_http_methods(["GET", "POST"])
def white_application(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``/workspace/appointments/<reference>/white-application/``: preview the municipality's
    white application filled with the citizen's data, edit the request, send it (E13)."""
    found = _found(request, employee, reference)
    if found is None:
        return _not_found(request)
    status = 200
    sent = request.GET.get("sent") == "1"
    if request.method == "POST":
        form = WhiteApplicationForm(request.POST)
        if form.is_valid() and request.POST.get("action") == "send":
            try:
                services.send_white_application(
                    employee=employee,
                    reference=found.appointment.reference,
                    request_text=form.cleaned_data["request_text"],
                    now=timezone.now(),
                    origin=_origin(request),
                )
            except OutcomeError as refused:
                add_refusal(form, refused)
                status = 409 if refused.field == "" else 400
            else:
                return HttpResponseRedirect(
                    reverse(
                        "workspace:outcome_white_application",
                        args=[str(found.appointment.reference)],
                    )
                    + "?sent=1"
                )
        elif not form.is_valid():
            status = 400
        found = _found(request, employee, reference) or found
    else:
        form = WhiteApplicationForm(initial=_white_initial(found))
    context = _white_context(request, employee, found, form) | {"sent": sent}
    return render(request, f"{TEMPLATES}/white_application.html", context, status=status)


@employee_required
@require_http_methods(["GET", "POST"])
def white_application_pdf(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``…/white-application.pdf``: the filled application as a PDF, for preview (GET: the
    declared request; POST: the request as edited in the form)."""
    found = _found(request, employee, reference)
    if found is None:
        return _not_found(request)
    template = white_application_template_for(found.appointment)
    if template is None or found.appointment.category_id != services.MUNICIPAL_CATEGORY:
        return _not_found(request)
    if request.method == "POST":
        form = WhiteApplicationForm(request.POST)
        if not form.is_valid():
            context = _white_context(request, employee, found, form) | {"sent": False}
            return render(request, f"{TEMPLATES}/white_application.html", context, status=400)
        text = form.cleaned_data["request_text"]
    else:
        text = _white_initial(found)["request_text"]
    values = documents.white_application_values(
        found.appointment, found.details, request_text=text, now=timezone.now()
    )
    pdf = documents.white_application(template, values, employee_name=str(employee))
    return _pdf(pdf, f"white-application-{str(found.appointment.reference)[:8]}.pdf", inline=True)


def _day(request: HttpRequest) -> tuple[dt.date, str]:
    current = timezone.localdate()
    raw = request.GET.get("day")
    if raw is None:
        return current, ""
    parsed = parse_day(raw)
    if parsed is None:
        return current, _(
            "This address does not name a day. Use the form YYYY-MM-DD, e.g. %(day)s."
        ) % {"day": current.isoformat()}
    return parsed, ""


@employee_required
@require_GET
def postal(request: HttpRequest, employee: Employee) -> HttpResponse:
    """``/workspace/postal/?day=YYYY-MM-DD``: the KEP's completed outcomes of the day with
    delivery by post, for ELTA."""
    day, error = _day(request)
    rows = postal_deliveries(employee=employee, day=day, origin=_origin(request))
    return render(
        request,
        f"{TEMPLATES}/postal.html",
        {
            "employee": employee,
            "kep": employee.kep,
            "day": day,
            "rows": rows,
            "error": error,
            "csv_url": reverse("workspace:outcome_postal_csv") + f"?day={day.isoformat()}",
        },
        status=400 if error else 200,
    )


@employee_required
@require_GET
def postal_csv(request: HttpRequest, employee: Employee) -> HttpResponse:
    """``/workspace/postal.csv?day=YYYY-MM-DD``: the same list for ELTA, as CSV in UTF-8 with a
    byte-order mark (Excel) and ``;`` between fields (Excel in a Greek locale)."""
    day, error = _day(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    rows = postal_deliveries(employee=employee, day=day, origin=_origin(request))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [_("Protocol number"), _("Name"), _("Address"), _("Postal code"), _("City"), _("Service")]
    )
    for row in rows:
        writer.writerow(
            [
                _safe(value)
                for value in (
                    row.protocol_number,
                    row.full_name,
                    row.address,
                    row.postal_code,
                    row.city,
                    row.service,
                )
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="elta-{employee.kep.code}-{day.isoformat()}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _safe(value: str) -> str:
    """A cell Excel will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
