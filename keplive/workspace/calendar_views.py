"""The employee's calendar (E2) and the in-page reminder's data (E3).

- ``/workspace/`` (``views.today``, rendered here): one local day, ``?day=YYYY-MM-DD``;
- ``/workspace/week/``: one ISO week, ``?week=YYYY-Www``;
  both with ``?scope=mine`` (the employee's own appointments, the default) or ``scope=kep``
  (the whole KEP). A bad date shows a message and today / this week, never an error page.
  Asked with the header ``X-KEPlive-Fragment: calendar``, they answer only the calendar's
  region, which the page swaps in when the version it polls changes;
- ``/workspace/appointments/<reference>/``: one appointment's details (audited);
- ``/workspace/upcoming.json``: the employee's own appointments of the next hour (references
  and start times only) and, given the page's ``day``/``week`` and ``scope``, the calendar's
  version. Answers 304 to a matching ``If-None-Match``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from keplive.audit.origin import request_origin
from keplive.booking import codes
from keplive.booking.declarations import mask_document_number
from keplive.booking.employee_selectors import (
    appointment_for_employee,
    calendar_for_employee,
    declared_details,
    upcoming_for_employee,
)
from keplive.booking.exceptions import AppointmentNotFound
from keplive.booking.history import appointment_history
from keplive.booking.links import interpreter_token
from keplive.booking.models import Appointment, AppointmentDetails, DocumentKind, Status
from keplive.calls.models import Call
from keplive.directory.models import Employee
from keplive.workspace.access import employee_required
from keplive.workspace.calendar_data import (
    KEP,
    MINE,
    SCOPES,
    CalendarDay,
    calendar_version,
    day_grid,
    rows_for,
    state_label,
)
from keplive.workspace.calendar_dates import (
    local_span,
    monday_of,
    parse_day,
    parse_week,
    week_label,
)

CHANNEL = "workspace"
FRAGMENT_HEADER = "X-KEPlive-Fragment"
# The in-page reminder comes this many minutes before each of one's own appointments (E3);
# the poll looks one hour ahead.
REMINDER_MINUTES = 15
UPCOMING_WINDOW = dt.timedelta(hours=1)


def _scope(request: HttpRequest) -> str:
    scope = request.GET.get("scope", MINE)
    return scope if scope in SCOPES else MINE


def _is_fragment(request: HttpRequest) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "calendar"


def _query(**params: str) -> str:
    return "?" + urlencode(params)


def _scope_links(url: str, period: dict[str, str], scope: str) -> list[dict[str, Any]]:
    return [
        {
            "scope": value,
            "label": label,
            "url": url + _query(**period, scope=value),
            "current": value == scope,
        }
        for value, label in ((MINE, _("My appointments")), (KEP, _("The whole KEP")))
    ]


def _poll_url(period: dict[str, str], scope: str) -> str:
    return reverse("workspace:upcoming") + _query(**period, scope=scope)


def _respond(
    request: HttpRequest, *, page: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    response = render(request, fragment if _is_fragment(request) else page, context)
    patch_vary_headers(response, [FRAGMENT_HEADER])
    return response


# --- The day -------------------------------------------------------------------------------


def render_day(request: HttpRequest, employee: Employee) -> HttpResponse:
    """The day view (``views.today``): the appointments of one local day, in time order."""
    current = timezone.localdate()
    day, error = current, ""
    raw = request.GET.get("day")
    if raw is not None:
        parsed = parse_day(raw)
        if parsed is None:
            error = _(
                "This address does not name a day. Use the form YYYY-MM-DD, e.g. %(day)s."
            ) % {"day": current.isoformat()}
        else:
            day = parsed
    scope = _scope(request)
    mine = scope == MINE
    start, end = local_span(day, 1)
    appointments = calendar_for_employee(
        employee=employee, start=start, end=end, mine=mine, origin=_origin(request)
    )
    period = {"day": day.isoformat()}
    here = reverse("workspace:today")
    rows = rows_for(appointments, employee=employee)
    # The grid's columns: the employee, and in the KEP's view every colleague with an
    # appointment that day (a column per employee; not every employee of the KEP, so that a
    # large KEP's day still fits the screen).
    columns = [employee]
    if not mine:
        seen = {employee.pk}
        for appointment in appointments:
            if appointment.employee_id not in seen:
                seen.add(appointment.employee_id)
                columns.append(appointment.employee)
    return _respond(
        request,
        page="workspace/today.html",
        fragment="workspace/calendar/_day.html",
        context={
            "employee": employee,
            "kep": employee.kep,
            "day": day,
            "is_today": day == current,
            "scope": scope,
            "mine": mine,
            "previous_url": here
            + _query(day=(day - dt.timedelta(days=1)).isoformat(), scope=scope),
            "next_url": here + _query(day=(day + dt.timedelta(days=1)).isoformat(), scope=scope),
            "today_url": here + _query(scope=scope),
            "switch_url": reverse("workspace:week") + _query(week=week_label(day), scope=scope),
            "scope_links": _scope_links(here, period, scope),
            "rows": rows,
            "grid": day_grid(rows, employee=employee, columns=columns),
            "version": calendar_version(employee=employee, start=start, end=end, mine=mine),
            "poll_url": _poll_url(period, scope),
            "error": error,
        },
    )


# --- The week ------------------------------------------------------------------------------


@employee_required
@require_GET
def week(request: HttpRequest, employee: Employee) -> HttpResponse:
    """``/workspace/week/?week=YYYY-Www``: the appointments of one ISO week, day by day (a grid
    on large screens, a list on phones). Saturday and Sunday appear when they have any."""
    current = timezone.localdate()
    monday, error = monday_of(current), ""
    raw = request.GET.get("week")
    if raw is not None:
        parsed = parse_week(raw)
        if parsed is None:
            error = _(
                "This address does not name a week. Use the form YYYY-Www, e.g. %(week)s."
            ) % {"week": week_label(current)}
        else:
            monday = parsed
    scope = _scope(request)
    mine = scope == MINE
    start, end = local_span(monday, 7)
    appointments = calendar_for_employee(
        employee=employee, start=start, end=end, mine=mine, origin=_origin(request)
    )
    rows = rows_for(appointments, employee=employee)
    by_day: dict[dt.date, list[dict[str, Any]]] = {}
    for row in rows:
        by_day.setdefault(timezone.localdate(row["appointment"].starts_at), []).append(row)
    days = [
        CalendarDay(day=day, rows=by_day.get(day, []))
        for day in (monday + dt.timedelta(days=offset) for offset in range(7))
        if day.weekday() < 5 or by_day.get(day)
    ]
    label = week_label(monday)
    period = {"week": label}
    here = reverse("workspace:week")
    return _respond(
        request,
        page="workspace/calendar/week.html",
        fragment="workspace/calendar/_week.html",
        context={
            "employee": employee,
            "kep": employee.kep,
            "week": label,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "is_this_week": monday == monday_of(current),
            "today": current,
            "days": days,
            "count": len(rows),
            "scope": scope,
            "mine": mine,
            "previous_url": here
            + _query(week=week_label(monday - dt.timedelta(days=7)), scope=scope),
            "next_url": here + _query(week=week_label(monday + dt.timedelta(days=7)), scope=scope),
            "this_week_url": here + _query(scope=scope),
            "day_url": reverse("workspace:today"),
            "switch_url": reverse("workspace:today")
            + _query(day=str(current if monday == monday_of(current) else monday), scope=scope),
            "scope_links": _scope_links(here, period, scope),
            "version": calendar_version(employee=employee, start=start, end=end, mine=mine),
            "poll_url": _poll_url(period, scope),
            "error": error,
        },
    )


# --- One appointment -----------------------------------------------------------------------

# Links to what other parts of the workspace do with an appointment, shown when they exist:
# (URL name, label, shown for municipal services only).
ACTIONS: list[tuple[str, Any, bool]] = [
    ("workspace:move", gettext_lazy("Move to another date"), False),
    ("workspace:outcome_record", gettext_lazy("Record the outcome"), False),
    ("workspace:outcome_not_servable", gettext_lazy("Cannot be served remotely"), False),
    ("workspace:outcome_white_application", gettext_lazy("White application"), True),
]


def _actions(appointment: Appointment) -> list[dict[str, str]]:
    if appointment.status != Status.BOOKED:
        return []
    municipal = appointment.service.municipality_id is not None
    actions = []
    for name, label, municipal_only in ACTIONS:
        if municipal_only and not municipal:
            continue
        try:
            url = reverse(name, args=[str(appointment.reference)])
        except NoReverseMatch:
            continue
        actions.append({"name": name.split(":")[1], "url": url, "label": str(label)})
    return actions


def _document_numbers(details: AppointmentDetails) -> list[tuple[str, str]]:
    if details.document_kind == DocumentKind.PASSPORT:
        numbers = [
            (_("Passport number"), details.passport_number),
            (_("Residence permit number"), details.residence_permit_number),
        ]
    else:
        numbers = [(_("Identity card number"), details.id_card_number)]
    return [(label, mask_document_number(number)) for label, number in numbers if number]


@employee_required
@require_GET
def appointment(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    """``/workspace/appointments/<reference>/``: everything about one appointment of the KEP —
    what the citizen declared (document number masked), service, category, requirements,
    delivery, history — and what can be done with it. Reading it is audited."""
    try:
        found = appointment_for_employee(
            employee=employee, reference=reference, origin=_origin(request)
        )
    except AppointmentNotFound:
        return render(request, "workspace/not_found.html", status=404)
    details = declared_details(found)
    interpreter_url = ""
    if details is not None and details.interpreter and found.status == Status.BOOKED:
        interpreter_url = request.build_absolute_uri(
            reverse("portal:interpret", args=[interpreter_token(found)])
        )
    states = rows_for([found], employee=employee)[0]
    local_day = timezone.localdate(found.starts_at)
    return render(
        request,
        "workspace/calendar/appointment.html",
        {
            "employee": employee,
            "kep": employee.kep,
            "appointment": found,
            "row": states,
            "details": details,
            "document_numbers": _document_numbers(details) if details else [],
            "interpreter_url": interpreter_url,
            "is_booked": found.status == Status.BOOKED,
            "status_label": found.get_status_display(),
            "call_state_label": state_label(states["call_state"]),
            "history": appointment_history(appointment=found),
            "actions": _actions(found),
            "day_url": reverse("workspace:today") + _query(day=local_day.isoformat()),
        },
    )


@employee_required
@require_GET
def find(request: HttpRequest, employee: Employee) -> HttpResponse:
    """``/workspace/find/?code=7Q4M-2XZD``: the appointment a citizen reads out on the phone.
    The code is read loosely (lower case, no dash, O for 0, I or L for 1); a mistyped one is
    told apart from one that does not exist at the KEP, and neither says anything of others'."""
    typed = request.GET.get("code", "")[:40]
    error = ""
    status = 200
    if typed:
        try:
            code = codes.normalise(typed)
        except codes.InvalidCode as invalid:
            error = str(invalid.message)
        else:
            try:
                found = appointment_for_employee(
                    employee=employee, reference=code, origin=_origin(request)
                )
            except AppointmentNotFound:
                status = 404
                error = _("There is no appointment with the code %(code)s at your KEP.") % {
                    "code": codes.display(code)
                }
            else:
                return redirect("workspace:appointment", reference=str(found.reference))
    return render(
        request,
        "workspace/calendar/find.html",
        {"employee": employee, "kep": employee.kep, "typed": typed, "error": error},
        status=status,
    )


# --- The poll ------------------------------------------------------------------------------


@employee_required
@require_GET
def upcoming(request: HttpRequest, employee: Employee) -> HttpResponse:
    """``/workspace/upcoming.json``: no personal data — references and start times of the
    employee's own appointments of the next hour, and the version of the calendar view the page
    shows (``day`` or ``week``, and ``scope``). ``If-None-Match`` with the last ETag → 304."""
    now = timezone.now()
    coming = upcoming_for_employee(employee=employee, now=now, within=UPCOMING_WINDOW)
    # A call the employee has already opened (served early, or open and waiting) needs no
    # reminder any more.
    opened = set(
        Call.objects.filter(
            appointment__reference__in=[item.reference for item in coming],
            opened_at__isnull=False,
        ).values_list("appointment__reference", flat=True)
    )
    body: dict[str, Any] = {
        "remind_minutes": REMINDER_MINUTES,
        "upcoming": [
            {
                "reference": str(item.reference),
                "starts_at": item.starts_at.astimezone(dt.UTC).isoformat(),
                "url": reverse("workspace:appointment", args=[str(item.reference)]),
            }
            for item in coming
            if item.reference not in opened
        ],
        "version": None,
    }
    try:
        span = _polled_span(request)
    except ValueError:
        return JsonResponse({"error": _("Unknown day or week.")}, status=400)
    if span is not None:
        start, end = span
        body["version"] = calendar_version(
            employee=employee, start=start, end=end, mine=_scope(request) == MINE
        )
    content = json.dumps(body, separators=(",", ":"), sort_keys=True)
    etag = '"' + hashlib.sha256(content.encode()).hexdigest()[:20] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    return response


def _polled_span(request: HttpRequest) -> tuple[dt.datetime, dt.datetime] | None:
    """The span of the view the page shows, None when it names none; ValueError when bad."""
    if "day" in request.GET:
        day = parse_day(request.GET["day"])
        if day is None:
            raise ValueError("day")
        return local_span(day, 1)
    if "week" in request.GET:
        monday = parse_week(request.GET["week"])
        if monday is None:
            raise ValueError("week")
        return local_span(monday, 7)
    return None


# --- Shared --------------------------------------------------------------------------------


def _origin(request: HttpRequest) -> Any:
    return request_origin(request, channel=CHANNEL)
