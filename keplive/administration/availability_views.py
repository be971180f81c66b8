"""An employee's weekly availability and absences (issue 6 item 4, A2 and P3).

Administrators only. The employee is looked up within the KEP of the URL: an employee of
another KEP answers 404 exactly like a missing one. Views parse, call
``keplive.worklist.changes`` (the change, the appointments it strands listed in the conflict
worklist and the caches refreshed, in one transaction) and redirect to the employee's page with
a message saying how many appointments went to the worklist. A refused change re-renders the
form with the reasons and what was typed, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keplive.administration.availability_forms import AbsenceForm, availability_formset
from keplive.administration.keps_views import _kep_or_404, _origin, _say_outcome, administrator
from keplive.booking.models import Appointment, Status
from keplive.directory.admin_services import DirectoryChangeRefused, weekly_availability
from keplive.directory.models import Absence, Employee, Kep, Weekday
from keplive.worklist import changes
from keplive.worklist.selectors import open_items

# The services' field names, as the absence form calls them.
_ABSENCE_FIELDS = {"starts_at": "starts_date", "ends_at": "ends_date", "reason": "reason"}


def _employee_or_404(kep: Kep, employee_id: int) -> Employee:
    return get_object_or_404(
        Employee.objects.select_related("user", "kep"), pk=employee_id, kep=kep
    )


def _page(kep: Kep, employee: Employee) -> str:
    return reverse("administration:employee_availability", args=[kep.pk, employee.pk])


@administrator
@require_http_methods(["GET"])
def employee_availability(request: HttpRequest, kep_id: int, employee_id: int) -> HttpResponse:
    kep = _kep_or_404(kep_id)
    employee = _employee_or_404(kep, employee_id)
    now = timezone.now()
    week = weekly_availability(employee)
    return render(
        request,
        "administration/keps/employee.html",
        {
            "kep": kep,
            "employee": employee,
            "weekdays": [
                {"number": day, "label": label, "intervals": week[day]}
                for day, label in Weekday.choices
            ],
            "absences": employee.absences.filter(ends_at__gt=now).order_by("starts_at"),
            "future_appointments": Appointment.objects.filter(
                employee=employee, status=Status.BOOKED, starts_at__gt=now
            ).count(),
            "conflicts": open_items().filter(appointment__employee=employee).count(),
        },
    )


def _formset_problems(formset: Any) -> list[str]:
    return [
        str(error) for form in formset.forms for errors in form.errors.values() for error in errors
    ] + [str(error) for error in formset.non_form_errors()]


@administrator
@require_http_methods(["GET", "POST"])
def availability_day(
    request: HttpRequest, kep_id: int, employee_id: int, weekday: int
) -> HttpResponse:
    """One weekday's intervals of the employee, edited as a whole and saved in one transaction."""
    kep = _kep_or_404(kep_id)
    employee = _employee_or_404(kep, employee_id)
    if weekday not in Weekday.values:
        raise Http404
    formset = availability_formset(
        data=request.POST if request.method == "POST" else None,
        intervals=weekly_availability(employee)[weekday],
    )
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        intervals = [
            (
                form.cleaned_data["starts"],
                form.cleaned_data["ends"],
                form.cleaned_data.get("workstation") or "",
            )
            for form in formset.forms
            if form.cleaned_data.get("starts") and form.cleaned_data.get("ends")
        ]
        try:
            outcome = changes.set_weekday_availability(
                employee=employee,
                weekday=weekday,
                intervals=intervals,
                actor=request.user,
                origin=_origin(request),
                now=timezone.now(),
            )
        except DirectoryChangeRefused as refused:
            problems = refused.messages
        else:
            label = Weekday(weekday).label
            if outcome.changed:
                done = _("The availability on %(day)s was saved.") % {"day": label}
            else:
                done = _("The availability on %(day)s did not change.") % {"day": label}
            _say_outcome(request, outcome, done)
            return HttpResponseRedirect(_page(kep, employee))
    elif request.method == "POST":
        problems = _formset_problems(formset)
    return render(
        request,
        "administration/keps/employee_day.html",
        {
            "kep": kep,
            "employee": employee,
            "weekday": weekday,
            "weekday_label": Weekday(weekday).label,
            "formset": formset,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


@administrator
@require_http_methods(["GET", "POST"])
def absence_add(request: HttpRequest, kep_id: int, employee_id: int) -> HttpResponse:
    kep = _kep_or_404(kep_id)
    employee = _employee_or_404(kep, employee_id)
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = changes.add_absence(
                employee=employee,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                origin=_origin(request),
                now=timezone.now(),
            )
        except DirectoryChangeRefused as refused:
            for field, errors in refused.errors.items():
                for error in errors:
                    form.add_error(_ABSENCE_FIELDS.get(field), error)
        else:
            _say_outcome(request, outcome, _("The absence was added."))
            return HttpResponseRedirect(_page(kep, employee))
    return render(
        request,
        "administration/keps/absence_form.html",
        {"kep": kep, "employee": employee, "form": form},
        status=400 if form.errors else 200,
    )


@administrator
@require_POST
def absence_remove(
    request: HttpRequest, kep_id: int, employee_id: int, absence_id: int
) -> HttpResponse:
    kep = _kep_or_404(kep_id)
    employee = _employee_or_404(kep, employee_id)
    absence = get_object_or_404(Absence, pk=absence_id, employee=employee)
    outcome = changes.remove_absence(
        absence=absence, actor=request.user, origin=_origin(request), now=timezone.now()
    )
    _say_outcome(request, outcome, _("The absence was removed."))
    return HttpResponseRedirect(_page(kep, employee))
