"""KEPs, their hours and the categories' parameters (issue 6 items 3 and 4; A2, A3, A4, P3).

Administrators only. Views parse, call ``keplive.worklist.changes`` (which makes the change,
lists the appointments it strands in the conflict worklist and refreshes the caches, in one
transaction) and redirect with a message that says how many appointments went to the
worklist. A refused change re-renders the form with the reasons and what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from keplive.accounts.models import Role
from keplive.administration.access import role_required
from keplive.administration.keps_forms import (
    CategoryParametersForm,
    ExceptionForm,
    HolidayForm,
    KepForm,
    KepSearchForm,
    interval_formset,
)
from keplive.audit.origin import request_origin
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from keplive.catalogue.parameters import PARAMETER_FIELDS, ParametersRefused
from keplive.directory.admin_services import KEP_FIELDS, DirectoryChangeRefused, weekly_hours
from keplive.directory.models import Kep, LocalHoliday, OpeningException, Weekday
from keplive.worklist import changes
from keplive.worklist.changes import ChangeOutcome
from keplive.worklist.selectors import open_items

CHANNEL = "administration"
administrator = role_required(Role.ADMINISTRATOR)


def _origin(request: HttpRequest) -> Any:
    return request_origin(request, channel=CHANNEL)


def _add_errors(form: Any, refused: DirectoryChangeRefused | ParametersRefused) -> None:
    for field, errors in refused.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _say_outcome(request: HttpRequest, outcome: ChangeOutcome, done: str) -> None:
    """The result of a change: what was done and how many appointments it stranded."""
    stranded = outcome.stranded
    if stranded:
        messages.warning(
            request,
            done
            + " "
            + ngettext(
                "%(count)d booked appointment no longer fits and went to the conflict "
                "worklist: it stays booked until you resolve it.",
                "%(count)d booked appointments no longer fit and went to the conflict "
                "worklist: they stay booked until you resolve them.",
                stranded,
            )
            % {"count": stranded},
        )
    else:
        extra = ""
        if outcome.scan.fits_again:
            extra = " " + ngettext(
                "%(count)d appointment of the worklist fits again; its item was closed.",
                "%(count)d appointments of the worklist fit again; their items were closed.",
                outcome.scan.fits_again,
            ) % {"count": outcome.scan.fits_again}
        messages.success(request, done + " " + _("No booked appointment was affected.") + extra)


def _kep_or_404(pk: int) -> Kep:
    return get_object_or_404(Kep.objects.select_related("municipality"), pk=pk)


# --- The list ---------------------------------------------------------------------------


@administrator
@require_http_methods(["GET"])
def kep_list(request: HttpRequest) -> HttpResponse:
    form = KepSearchForm(request.GET or None)
    keps = Kep.objects.select_related("municipality")
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            # SQLite folds the case of ASCII letters only: try the usual Greek casings too.
            matches = Q()
            for variant in {query, query.lower(), query.upper(), query.capitalize()}:
                matches |= (
                    Q(code__icontains=variant)
                    | Q(name_el__icontains=variant)
                    | Q(name_en__icontains=variant)
                    | Q(city__icontains=variant)
                )
            keps = keps.filter(matches)
        if form.cleaned_data["municipality"] is not None:
            keps = keps.filter(municipality=form.cleaned_data["municipality"])
        if form.cleaned_data["active"] in {"0", "1"}:
            keps = keps.filter(is_active=form.cleaned_data["active"] == "1")
    page = Paginator(keps.order_by("code"), 50).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "administration/keps/list.html",
        {
            "form": form,
            "page": page,
            "query_string": query_string.urlencode(),
            "open_conflicts": open_items().count(),
        },
    )


# --- One KEP ----------------------------------------------------------------------------


def _kep_context(kep: Kep, now: dt.datetime) -> dict[str, Any]:
    hours = weekly_hours(kep)
    today = timezone.localdate(now)
    return {
        "kep": kep,
        "weekdays": [
            {"number": day, "label": label, "intervals": hours[day]}
            for day, label in Weekday.choices
        ],
        "exceptions": kep.opening_exceptions.filter(date__gte=today).order_by("date", "opens"),
        "holidays": kep.municipality.local_holidays.filter(date__gte=today).order_by("date"),
        "future_appointments": Appointment.objects.filter(
            kep=kep, status=Status.BOOKED, starts_at__gt=now
        ).count(),
        "conflicts": open_items(kep_id=kep.pk).count(),
        "longest_call": changes.longest_call_minutes(kep),
        "employees": kep.employees.select_related("user").order_by(
            "-is_active", "user__last_name", "user__first_name", "pk"
        ),
    }


@administrator
@require_http_methods(["GET"])
def kep_detail(request: HttpRequest, pk: int) -> HttpResponse:
    kep = _kep_or_404(pk)
    return render(request, "administration/keps/detail.html", _kep_context(kep, timezone.now()))


def _kep_initial(kep: Kep) -> dict[str, Any]:
    return {name: getattr(kep, name) for name in KEP_FIELDS}


@administrator
@require_http_methods(["GET", "POST"])
def kep_add(request: HttpRequest) -> HttpResponse:
    form = KepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kep = changes.create_kep(
                values=form.cleaned_data,
                actor=request.user,
                origin=_origin(request),
                now=timezone.now(),
            )
        except DirectoryChangeRefused as refused:
            _add_errors(form, refused)
        else:
            messages.success(
                request,
                _("KEP %(code)s was added. Give its opening hours so that it offers times.")
                % {"code": kep.code},
            )
            return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))
    return render(request, "administration/keps/form.html", {"form": form, "kep": None})


@administrator
@require_http_methods(["GET", "POST"])
def kep_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kep = _kep_or_404(pk)
    form = KepForm(request.POST or None, initial=_kep_initial(kep))
    if request.method == "POST" and form.is_valid():
        try:
            outcome = changes.update_kep(
                kep=kep,
                values=form.cleaned_data,
                actor=request.user,
                origin=_origin(request),
                now=timezone.now(),
            )
        except DirectoryChangeRefused as refused:
            _add_errors(form, refused)
        else:
            _say_outcome(request, outcome, _("The KEP's details were saved."))
            return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))
    return render(request, "administration/keps/form.html", {"form": form, "kep": kep})


@administrator
@require_http_methods(["GET", "POST"])
def kep_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    """GET: what deactivating (or reactivating) would do; POST: do it."""
    kep = _kep_or_404(pk)
    now = timezone.now()
    if request.method == "POST":
        outcome = changes.set_kep_active(
            kep=kep, active=active, actor=request.user, origin=_origin(request), now=now
        )
        if active:
            done = _("KEP %(code)s is active again and offers times.") % {"code": kep.code}
        else:
            done = _("KEP %(code)s was deactivated: it is no longer offered for new bookings.") % {
                "code": kep.code
            }
        _say_outcome(request, outcome, done)
        return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))
    return render(
        request,
        "administration/keps/confirm_active.html",
        {"active": active, **_kep_context(kep, now)},
    )


@administrator
@require_http_methods(["GET", "POST"])
def kep_remove(request: HttpRequest, pk: int) -> HttpResponse:
    kep = _kep_or_404(pk)
    now = timezone.now()
    refusal = ""
    if request.method == "POST":
        code = kep.code
        try:
            changes.remove_kep(kep=kep, actor=request.user, origin=_origin(request), now=now)
        except DirectoryChangeRefused as refused:
            refusal = " ".join(refused.messages)
        else:
            messages.success(request, _("KEP %(code)s was removed.") % {"code": code})
            return HttpResponseRedirect(reverse("administration:keps"))
    context = _kep_context(kep, now)
    context["refusal"] = refusal
    context["appointments"] = Appointment.objects.filter(kep=kep).count()
    context["employees"] = kep.employees.count()
    return render(
        request,
        "administration/keps/confirm_remove.html",
        context,
        status=409 if refusal else 200,
    )


# --- Hours ------------------------------------------------------------------------------


@administrator
@require_http_methods(["GET", "POST"])
def kep_hours(request: HttpRequest, pk: int, weekday: int) -> HttpResponse:
    """One weekday's intervals, edited as a whole and saved in one transaction."""
    kep = _kep_or_404(pk)
    if weekday not in Weekday.values:
        raise Http404
    current = weekly_hours(kep)[weekday]
    formset = interval_formset(
        data=request.POST if request.method == "POST" else None, intervals=current
    )
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        intervals = [
            (form.cleaned_data["opens"], form.cleaned_data["closes"])
            for form in formset.forms
            if form.cleaned_data.get("opens") and form.cleaned_data.get("closes")
        ]
        try:
            outcome = changes.set_weekday_hours(
                kep=kep,
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
                done = _("The hours of %(day)s were saved.") % {"day": label}
            else:
                done = _("The hours of %(day)s did not change.") % {"day": label}
            _say_outcome(request, outcome, done)
            return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))
    elif request.method == "POST":
        problems = [
            str(error)
            for form in formset.forms
            for errors in form.errors.values()
            for error in errors
        ] + [str(error) for error in formset.non_form_errors()]
    return render(
        request,
        "administration/keps/hours.html",
        {
            "kep": kep,
            "weekday": weekday,
            "weekday_label": Weekday(weekday).label,
            "formset": formset,
            "problems": problems,
            "longest_call": changes.longest_call_minutes(kep),
        },
        status=400 if problems else 200,
    )


@administrator
@require_http_methods(["GET", "POST"])
def exception_add(request: HttpRequest, pk: int) -> HttpResponse:
    kep = _kep_or_404(pk)
    form = ExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        data = form.cleaned_data
        try:
            outcome = changes.add_opening_exception(
                kep=kep,
                date=data["date"],
                opens=None if data["closed"] else data["opens"],
                closes=None if data["closed"] else data["closes"],
                reason=data["reason"],
                actor=request.user,
                origin=_origin(request),
                now=now,
                today=timezone.localdate(now),
            )
        except DirectoryChangeRefused as refused:
            _add_errors(form, refused)
        else:
            _say_outcome(request, outcome, _("The exception was added."))
            return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))
    return render(
        request,
        "administration/keps/exception_form.html",
        {"kep": kep, "form": form},
        status=400 if form.errors else 200,
    )


@administrator
@require_POST
def exception_remove(request: HttpRequest, pk: int, exception_pk: int) -> HttpResponse:
    kep = _kep_or_404(pk)
    exception = get_object_or_404(OpeningException, pk=exception_pk, kep=kep)
    outcome = changes.remove_opening_exception(
        exception=exception, actor=request.user, origin=_origin(request), now=timezone.now()
    )
    _say_outcome(request, outcome, _("The exception was removed."))
    return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))


@administrator
@require_http_methods(["GET", "POST"])
def holiday_add(request: HttpRequest, pk: int) -> HttpResponse:
    kep = _kep_or_404(pk)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            outcome = changes.add_local_holiday(
                municipality=kep.municipality,
                date=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
                actor=request.user,
                origin=_origin(request),
                now=now,
                today=timezone.localdate(now),
            )
        except DirectoryChangeRefused as refused:
            _add_errors(form, refused)
        else:
            _say_outcome(
                request,
                outcome,
                _("The local holiday was added for every KEP of %(municipality)s.")
                % {"municipality": kep.municipality.name},
            )
            return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))
    return render(
        request,
        "administration/keps/holiday_form.html",
        {"kep": kep, "form": form},
        status=400 if form.errors else 200,
    )


@administrator
@require_POST
def holiday_remove(request: HttpRequest, pk: int, holiday_pk: int) -> HttpResponse:
    kep = _kep_or_404(pk)
    holiday = get_object_or_404(LocalHoliday, pk=holiday_pk, municipality_id=kep.municipality_id)
    outcome = changes.remove_local_holiday(
        holiday=holiday, actor=request.user, origin=_origin(request), now=timezone.now()
    )
    _say_outcome(request, outcome, _("The local holiday was removed."))
    return HttpResponseRedirect(reverse("administration:kep", args=[kep.pk]))


# --- Categories -------------------------------------------------------------------------


@administrator
@require_http_methods(["GET"])
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "administration/keps/categories.html",
        {"categories": Category.objects.order_by("number")},
    )


@administrator
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, number: int) -> HttpResponse:
    category = get_object_or_404(Category, number=number)
    initial = {name: getattr(category, name) for name in PARAMETER_FIELDS}
    initial |= {name: f"{initial[name]:%H:%M}" for name in ("window_start", "window_end")}
    form = CategoryParametersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = changes.update_category_parameters(
                category=category,
                values=form.cleaned_data,
                actor=request.user,
                origin=_origin(request),
                now=timezone.now(),
            )
        except ParametersRefused as refused:
            _add_errors(form, refused)
        else:
            if outcome.changed:
                done = _("The parameters of %(category)s were saved.") % {"category": category}
            else:
                done = _("Nothing changed.")
            _say_outcome(request, outcome, done)
            return HttpResponseRedirect(reverse("administration:categories"))
    return render(
        request,
        "administration/keps/category_form.html",
        {"category": category, "form": form},
        status=400 if form.errors else 200,
    )
