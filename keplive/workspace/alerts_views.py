"""The KEP's alerts and interpreter digests.

- ``/workspace/alerts/``: the KEP's open "nobody has opened the call" alerts (A7), for every
  employee of the KEP, each with a "take over" button, and what happened to the last day's;
- ``POST /workspace/alerts/<id>/take-over/``: the employee takes the appointment over (it is
  reassigned to them) and is sent to its call page. Another KEP's alert is 404, like a missing
  one; a resolved one, or a reassignment refused, shows the list again with the reason;
- ``/workspace/interpreters/``: the next interpreter list (E12; seed 002) with this KEP's
  requests on it, a form to add a request to it, and the lists sent, with this KEP's rows only;
- ``POST /workspace/interpreters/add/``: the employee adds an interpreter request to one of the
  KEP's appointments still ahead (``booking.staff_changes.add_interpreter_request``); it goes
  with the next list, or in an addendum when that day's list has gone already.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from keplive.alerts.exceptions import WaitingAlertNotFound, WaitingAlertResolved
from keplive.alerts.selectors import (
    interpreter_digests_for_kep,
    interpreter_request_candidates,
    next_interpreter_digest,
    open_waiting_alerts,
    recent_waiting_alerts,
)
from keplive.alerts.services import take_over_waiting_alert
from keplive.audit.origin import request_origin
from keplive.booking.exceptions import AppointmentNotFound, BookingError
from keplive.booking.models import Interpreter
from keplive.booking.staff_changes import add_interpreter_request
from keplive.directory.models import Employee
from keplive.workspace.access import employee_required, is_supervisor

CHANNEL = "workspace"
RECENT = dt.timedelta(hours=24)
# How far ahead of the next list the employee may add interpreter requests.
ADD_AHEAD = dt.timedelta(days=14)


def _alerts_page(
    request: HttpRequest, employee: Employee, *, error: str = "", status: int = 200
) -> HttpResponse:
    now = timezone.now()
    alerts = open_waiting_alerts(now=now, kep=employee.kep_id)
    rows = [
        {
            "alert": alert,
            "appointment": alert.appointment,
            "mine": alert.appointment.employee_id == employee.pk,
            "assigned": str(alert.employee),
            "minutes": max(int((now - alert.starts_at).total_seconds() // 60), 0),
            "take_over_url": reverse("workspace:alert_take_over", args=[alert.pk]),
        }
        for alert in alerts
    ]
    return render(
        request,
        "workspace/alerts/list.html",
        {
            "employee": employee,
            "kep": employee.kep,
            "supervisor": is_supervisor(employee),
            "rows": rows,
            "recent": recent_waiting_alerts(kep=employee.kep_id, since=now - RECENT),
            "error": error,
        },
        status=status,
    )


@employee_required
@require_GET
def alerts(request: HttpRequest, employee: Employee) -> HttpResponse:
    return _alerts_page(request, employee)


@employee_required
@require_POST
def take_over(request: HttpRequest, employee: Employee, alert_id: int) -> HttpResponse:
    try:
        appointment = take_over_waiting_alert(
            alert_id=alert_id,
            employee=employee,
            actor=request.user,
            origin=request_origin(request, channel=CHANNEL),
            now=timezone.now(),
        )
    except WaitingAlertNotFound:
        return render(request, "workspace/alerts/not_found.html", status=404)
    except (WaitingAlertResolved, BookingError) as refused:
        return _alerts_page(request, employee, error=str(refused.message), status=409)
    return HttpResponseRedirect(reverse("workspace:call", args=[str(appointment.reference)]))


def _interpreters_page(
    request: HttpRequest,
    employee: Employee,
    *,
    error: str = "",
    selected: str = "",
    kind: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    digests = interpreter_digests_for_kep(
        employee=employee, origin=request_origin(request, channel=CHANNEL)
    )
    upcoming = next_interpreter_digest(now=now, kep=employee.kep_id)
    added = request.GET.get("added", "")[:64] if status == 200 else ""
    return render(
        request,
        "workspace/alerts/interpreters.html",
        {
            "employee": employee,
            "kep": employee.kep,
            "digests": digests,
            "next": upcoming,
            "candidates": interpreter_request_candidates(
                now=now, kep=employee.kep_id, until=upcoming.for_date + ADD_AHEAD
            ),
            "kinds": [choice for choice in Interpreter.choices if choice[0]],
            "added": added,
            "error": error,
            "selected": selected,
            "kind": kind,
        },
        status=status,
    )


@employee_required
@require_GET
def interpreter_digests(request: HttpRequest, employee: Employee) -> HttpResponse:
    return _interpreters_page(request, employee)


@employee_required
@require_POST
def interpreter_request_add(request: HttpRequest, employee: Employee) -> HttpResponse:
    reference = request.POST.get("appointment", "")[:64]
    kind = request.POST.get("interpreter", "")[:32]
    if not reference:
        return _interpreters_page(
            request,
            employee,
            error=_("Choose the appointment."),
            kind=kind,
            status=400,
        )
    try:
        appointment = add_interpreter_request(
            reference=reference,
            interpreter=kind,
            employee=employee,
            origin=request_origin(request, channel=CHANNEL),
            now=timezone.now(),
        )
    except AppointmentNotFound:
        return _interpreters_page(
            request, employee, error=_("No such appointment at your KEP."), status=404
        )
    except BookingError as refused:
        return _interpreters_page(
            request,
            employee,
            error=str(refused.message),
            selected=reference,
            kind=kind,
            status=400 if refused.code == "interpreter_request_refused" else 409,
        )
    return HttpResponseRedirect(
        reverse("workspace:interpreter_digests") + f"?added={appointment.reference}#next-digest"
    )
