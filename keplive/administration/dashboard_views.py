"""The administration's home page and dashboard (A1, A7; issue 6 item 2).

Administrators only: an auditor's home is the audit log, and the dashboard refuses auditors.
The figures come from ``administration.summary`` (the per-KEP-day summary for finished days,
the rest live: the same figures as ``administration.statistics``, ADR 0029); this module parses
the filter, renders the page (inline SVG charts with a data table each) and the CSV export of
each table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from keplive.accounts.models import Role
from keplive.administration import statistics, summary
from keplive.administration.access import role_required
from keplive.administration.templatetags.administration import percent, wait
from keplive.alerts.selectors import open_waiting_alerts
from keplive.catalogue.models import Category
from keplive.directory.models import Kep, Municipality
from keplive.waitlist.statistics import WaitlistRow, waitlist_by_kep_and_service

# The default period: the last 30 days and the next 14.
DEFAULT_PAST_DAYS = 29
DEFAULT_FUTURE_DAYS = 14
# Rows of a KEP table shown on the page; the CSV has all.
SHOWN_ROWS = 50
# Bars of a KEP chart.
CHART_BARS = 15

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=DEFAULT_PAST_DAYS), today + dt.timedelta(
        days=DEFAULT_FUTURE_DAYS
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> str | None:
        # A date shows as ISO (what <input type=date> needs); what was typed stays as typed.
        if isinstance(value, dt.date):
            return value.isoformat()
        return super().format_value(value)


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class KepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Enter the first date of the period."),
            "invalid": gettext_lazy("Enter a real date, for example 2026-03-15."),
        },
    )
    end = forms.DateField(
        label=gettext_lazy("Until"),
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Enter the last date of the period."),
            "invalid": gettext_lazy("Enter a real date, for example 2026-03-15."),
        },
    )
    municipality = MunicipalityChoiceField(
        label=gettext_lazy("Municipality"),
        queryset=Municipality.objects.order_by("name_el"),
        required=False,
        empty_label=gettext_lazy("All municipalities"),
        error_messages={"invalid_choice": gettext_lazy("Choose a municipality from the list.")},
    )
    kep = KepChoiceField(
        label=gettext_lazy("KEP"),
        queryset=Kep.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("All KEPs"),
        error_messages={"invalid_choice": gettext_lazy("Choose a KEP from the list.")},
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.order_by("number"),
        required=False,
        empty_label=gettext_lazy("All categories"),
        error_messages={"invalid_choice": gettext_lazy("Choose a category from the list.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The last date is before the first date."))
            elif (end - start).days + 1 > statistics.MAX_PERIOD_DAYS:
                self.add_error(
                    "end",
                    _("Choose a period of at most %(days)s days.")
                    % {"days": statistics.MAX_PERIOD_DAYS},
                )
        kep, municipality = data.get("kep"), data.get("municipality")
        if kep and municipality and kep.municipality_id != municipality.pk:
            self.add_error("kep", _("This KEP is not in the municipality chosen."))
        return data

    def dashboard_filter(self) -> statistics.DashboardFilter:
        data = self.cleaned_data
        return statistics.DashboardFilter(
            start=data["start"],
            end=data["end"],
            kep_id=data["kep"].pk if data.get("kep") else None,
            municipality_id=data["municipality"].pk if data.get("municipality") else None,
            category=data["category"].pk if data.get("category") else None,
        )


def _filter_form(request: HttpRequest, today: dt.date) -> DashboardFilterForm:
    start, end = default_period(today)
    data = {"start": start.isoformat(), "end": end.isoformat()} | {
        key: value for key, value in request.GET.items() if key in DashboardFilterForm.base_fields
    }
    return DashboardFilterForm(data)


@role_required(Role.ADMINISTRATOR, Role.AUDITOR)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Administrators: the overview of the last 30 days and the ways in; auditors: the log."""
    if request.user.role == Role.AUDITOR:  # type: ignore[union-attr]
        return HttpResponseRedirect(reverse("administration:audit"))
    now = timezone.now()
    today = timezone.localdate(now)
    f = statistics.DashboardFilter(start=today - dt.timedelta(days=DEFAULT_PAST_DAYS), end=today)
    data = summary.dashboard(f, now=now)
    by_day = data.by_day
    no_shows = statistics.no_show_totals(data.no_shows)
    return render(
        request,
        "administration/home.html",
        {
            "period": f,
            "appointments": sum(row.total for row in by_day),
            "cancelled": sum(row.cancelled for row in by_day),
            "no_shows": no_shows,
            "unserved": _unserved(now),
            "day_chart": _day_chart(by_day),
        },
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = _filter_form(request, timezone.localdate(now))
    context: dict[str, Any] = {"form": form, "now": now}
    if form.is_valid():
        data = summary.dashboard(form.dashboard_filter(), now=now)
        context |= {
            "data": data,
            "query": request.GET.urlencode(),
            "shown_rows": SHOWN_ROWS,
            "unserved": _unserved(now, data.filter),
            "charts": {
                "day": _day_chart(data.by_day),
                "kep": _bars(
                    (f"{row.code} {row.name}", row.total, str(row.total))
                    for row in data.by_kep[:CHART_BARS]
                ),
                "category": _bars(
                    (row.title, row.total, str(row.total)) for row in data.by_category
                ),
                "status": _bars(
                    (label, value, str(value)) for label, value in _status_rows(data.by_status)
                ),
                "utilisation": _bars(
                    [
                        (f"{row.code} {row.name}", row.utilisation or 0, percent(row.utilisation))
                        for row in sorted(
                            data.utilisation, key=lambda row: -(row.utilisation or 0)
                        )[:CHART_BARS]
                    ],
                    full=1.0,
                ),
                "wait": _bars(
                    (f"{row.code} {row.name}", row.wait.total_seconds(), wait(row.wait))
                    for row in data.waits[:CHART_BARS]
                    if row.wait is not None
                ),
            },
            "status_rows": _status_rows(data.by_status),
            "waitlist": _waitlist_rows(data.filter),
        }
    return render(request, "administration/dashboard/dashboard.html", context)


def _unserved(now: dt.datetime, f: statistics.DashboardFilter | None = None) -> list[Any]:
    """The citizens waiting now with no employee in the call (A7), within the filter's KEPs."""
    alerts = open_waiting_alerts(now=now, kep=f.kep_id if f else None)
    if f is not None and f.municipality_id is not None:
        alerts = [alert for alert in alerts if alert.kep.municipality_id == f.municipality_id]
    if f is not None and f.category is not None:
        alerts = [alert for alert in alerts if alert.appointment.category_id == f.category]
    return alerts


# --- Charts -----------------------------------------------------------------------------------


def _bars(rows: Iterable[tuple[str, float, str]], *, full: float = 0) -> list[dict[str, Any]]:
    """Bars of a horizontal bar chart: label, the value's share of the largest (or of ``full``
    when that is larger: a rate's bar is drawn against 100 %), the value shown."""
    rows = list(rows)
    largest = max((value for _label, value, _shown in rows), default=0)
    largest = max(largest, full) or 1
    return [
        {"label": label, "share": max(value, 0) / largest, "shown": shown}
        for label, value, shown in rows
    ]


def _day_chart(by_day: Sequence[statistics.DayCount]) -> list[dict[str, Any]]:
    largest = max((row.total for row in by_day), default=0) or 1
    step = max(1, -(-len(by_day) // 10))  # about ten date labels along the axis
    return [
        {
            "day": row.day,
            "booked": row.booked / largest,
            "cancelled": row.cancelled / largest,
            "total": row.total,
            "labelled": index % step == 0,
        }
        for index, row in enumerate(by_day)
    ]


def _status_rows(counts: statistics.StatusCounts) -> list[tuple[str, int]]:
    return [
        (_("Upcoming"), counts.upcoming),
        (_("Took place"), counts.took_place),
        (_("Citizen did not arrive"), counts.citizen_no_show),
        (_("No employee opened the call"), counts.no_employee),
        (_("Cancelled"), counts.cancelled),
    ]


# --- CSV --------------------------------------------------------------------------------------

Table = Callable[[statistics.DashboardFilter, dt.datetime], tuple[list[str], list[list[Any]]]]


def _csv_by_day(f: statistics.DashboardFilter, now: dt.datetime) -> tuple[list[str], list[Any]]:
    rows = summary.dashboard(f, now=now).by_day
    return [_("Date"), _("Booked"), _("Cancelled"), _("Total")], [
        [row.day.isoformat(), row.booked, row.cancelled, row.total] for row in rows
    ]


def _csv_by_kep(f: statistics.DashboardFilter, now: dt.datetime) -> tuple[list[str], list[Any]]:
    rows = summary.dashboard(f, now=now).by_kep
    return [_("KEP code"), _("KEP"), _("Booked"), _("Cancelled"), _("Total")], [
        [row.code, row.name, row.booked, row.cancelled, row.total] for row in rows
    ]


def _csv_by_category(
    f: statistics.DashboardFilter, now: dt.datetime
) -> tuple[list[str], list[Any]]:
    rows = summary.dashboard(f, now=now).by_category
    return [_("Category"), _("Booked"), _("Cancelled"), _("Total")], [
        [row.title, row.booked, row.cancelled, row.total] for row in rows
    ]


def _csv_by_status(f: statistics.DashboardFilter, now: dt.datetime) -> tuple[list[str], list[Any]]:
    counts = summary.dashboard(f, now=now).by_status
    return [_("Status"), _("Appointments")], [list(row) for row in _status_rows(counts)]


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _csv_utilisation(
    f: statistics.DashboardFilter, now: dt.datetime
) -> tuple[list[str], list[Any]]:
    rows = summary.dashboard(f, now=now).utilisation
    header = [_("KEP code"), _("KEP"), _("Booked minutes"), _("Offered minutes"), _("Utilisation")]
    return header, [
        [row.code, row.name, row.booked_minutes, row.offered_minutes, _ratio(row.utilisation)]
        for row in rows
    ]


def _csv_no_shows(f: statistics.DashboardFilter, now: dt.datetime) -> tuple[list[str], list[Any]]:
    rows = summary.dashboard(f, now=now).no_shows
    header = [
        _("KEP code"),
        _("KEP"),
        _("Past appointments"),
        _("Citizen no-shows"),
        _("Citizen no-show rate"),
        _("Employee no-shows"),
        _("Employee no-show rate"),
    ]
    return header, [
        [
            row.code,
            row.name,
            row.past,
            row.citizen_no_shows,
            _ratio(row.citizen_rate),
            row.employee_no_shows,
            _ratio(row.employee_rate),
        ]
        for row in rows
    ]


def _csv_waits(f: statistics.DashboardFilter, now: dt.datetime) -> tuple[list[str], list[Any]]:
    rows = statistics.waits_by_kep(f, now=now)
    header = [_("KEP code"), _("KEP"), _("Next free time"), _("Wait (hours)")]
    return header, [
        [
            row.code,
            row.name,
            timezone.localtime(row.next_free).isoformat(timespec="minutes")
            if row.next_free
            else (_("nothing free") if row.indexed else _("not computed yet")),
            f"{row.wait.total_seconds() / 3600:.1f}" if row.wait is not None else "",
        ]
        for row in rows
    ]


def _csv_changes(f: statistics.DashboardFilter, now: dt.datetime) -> tuple[list[str], list[Any]]:
    rows = summary.dashboard(f, now=now).changes
    header = [
        _("KEP code"),
        _("KEP"),
        _("Cancellations"),
        _("Of them by the KEP"),
        _("Moved by the citizen"),
        _("Moved by the KEP"),
        _("Given to another employee"),
    ]
    return header, [
        [
            row.code,
            row.name,
            row.cancellations,
            row.cancelled_by_kep,
            row.citizen_moves,
            row.kep_moves,
            row.reassignments,
        ]
        for row in rows
    ]


def _waitlist_rows(f: statistics.DashboardFilter) -> list[WaitlistRow]:
    start, end = f.bounds
    return waitlist_by_kep_and_service(
        start=start,
        end=end,
        kep_id=f.kep_id,
        municipality_id=f.municipality_id,
        category=f.category,
    )


def _csv_waitlist(f: statistics.DashboardFilter, now: dt.datetime) -> tuple[list[str], list[Any]]:
    header = [
        _("KEP code"),
        _("KEP"),
        _("Service"),
        _("Waiting now"),
        _("Offers made"),
        _("Taken"),
        _("Declined"),
        _("Expired"),
        _("Days earlier (total)"),
    ]
    return header, [
        [
            row.kep_code,
            row.kep_name,
            row.service_title,
            row.waiting,
            row.offers,
            row.taken,
            row.declined,
            row.expired,
            row.days_earlier,
        ]
        for row in _waitlist_rows(f)
    ]


TABLES: dict[str, Table] = {
    "by-day": _csv_by_day,
    "by-kep": _csv_by_kep,
    "by-category": _csv_by_category,
    "by-status": _csv_by_status,
    "utilisation": _csv_utilisation,
    "no-shows": _csv_no_shows,
    "waits": _csv_waits,
    "changes": _csv_changes,
    "waitlist": _csv_waitlist,
}


def csv_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(
    header: Sequence[str], rows: Iterable[Iterable[Any]], filename: str
) -> HttpResponse:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Greek correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(Role.ADMINISTRATOR)
@require_GET
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404
    now = timezone.now()
    form = _filter_form(request, timezone.localdate(now))
    if not form.is_valid():
        return render(
            request,
            "administration/dashboard/dashboard.html",
            {"form": form, "now": now},
            status=400,
        )
    f = form.dashboard_filter()
    header, rows = TABLES[table](f, now)
    return csv_response(header, rows, f"keplive-{table}-{f.start}-{f.end}.csv")
