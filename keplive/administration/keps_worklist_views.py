"""The conflict worklist (issue 6 items 3 and 4): appointments a change stranded, each resolved
by reassigning it to another employee of the same KEP free at that time, or by moving it to a
free time at the same KEP (the citizen is told by the move). Administrators only. No citizen
data is shown: the appointment's time, KEP, service and category are enough to decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keplive.accounts.models import Role
from keplive.administration.access import role_required
from keplive.administration.keps_forms import MoveForm, ReassignForm
from keplive.audit.origin import request_origin
from keplive.worklist.models import ConflictItem
from keplive.worklist.selectors import (
    can_reassign,
    free_employees,
    move_days,
    move_times,
    open_item,
    open_items,
    resolved_items,
)
from keplive.worklist.services import WorklistError, resolve_by_moving, resolve_by_reassigning

CHANNEL = "administration"
administrator = role_required(Role.ADMINISTRATOR)


@administrator
@require_http_methods(["GET"])
def worklist(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "administration/worklist/list.html",
        {
            "items": list(open_items()),
            "resolved": list(resolved_items()),
            "now": timezone.now(),
        },
    )


def _item_or_404(pk: int) -> ConflictItem:
    item = open_item(pk)
    if item is None:
        raise Http404
    return item


def _item_page(
    request: HttpRequest,
    item: ConflictItem,
    *,
    reassign_form: ReassignForm | None = None,
    move_form: MoveForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    employees = free_employees(item=item, now=now) if can_reassign(item) else []
    default_reason = item.get_cause_display()
    days = move_days(item=item, now=now)
    wanted = parse_date(request.GET.get("day", "") or "") if request.method == "GET" else None
    if move_form is not None and move_form.data.get("day"):
        wanted = parse_date(move_form.data.get("day") or "")
    day = wanted if wanted in days else (days[0] if days else None)
    times = [
        slot
        for slot in (move_times(item=item, day=day, now=now) if day else [])
        if slot.start != item.appointment.starts_at
    ]
    context: dict[str, Any] = {
        "item": item,
        "appointment": item.appointment,
        "can_reassign": can_reassign(item),
        "employees": employees,
        "reassign_form": reassign_form
        or ReassignForm(employees=employees, initial={"reason": default_reason}),
        "move_form": move_form or MoveForm(initial={"reason": default_reason}),
        "days": days,
        "day": day,
        "times": times,
        "problem": problem,
    }
    return render(request, "administration/worklist/item.html", context, status=status)


@administrator
@require_http_methods(["GET"])
def worklist_item(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, _item_or_404(pk))


@administrator
@require_POST
def worklist_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(pk)
    now = timezone.now()
    employees = free_employees(item=item, now=now) if can_reassign(item) else []
    form = ReassignForm(request.POST, employees=employees)
    if not can_reassign(item):
        return _item_page(
            request,
            item,
            problem=_("Another employee cannot resolve this conflict: move it."),
            status=400,
        )
    if not form.is_valid():
        return _item_page(request, item, reassign_form=form, status=400)
    to_employee = next(e for e in employees if e.pk == form.cleaned_data["employee"])
    try:
        resolve_by_reassigning(
            item=item,
            to_employee=to_employee,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            origin=request_origin(request, channel=CHANNEL),
            now=now,
        )
    except WorklistError as error:
        return _item_page(request, item, reassign_form=form, problem=error.message, status=409)
    messages.success(
        request,
        _("The appointment of %(when)s was given to %(employee)s.")
        % {"when": _local(item.appointment.starts_at), "employee": to_employee},
    )
    return HttpResponseRedirect(reverse("administration:worklist"))


@administrator
@require_POST
def worklist_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, move_form=form, status=400)
    starts_at = form.cleaned_data["starts_at"]
    try:
        resolve_by_moving(
            item=item,
            starts_at=starts_at,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            origin=request_origin(request, channel=CHANNEL),
            now=timezone.now(),
        )
    except WorklistError as error:
        return _item_page(request, item, move_form=form, problem=error.message, status=409)
    messages.success(
        request,
        _("The appointment was moved to %(when)s; the citizen is told by email and SMS.")
        % {"when": _local(starts_at)},
    )
    return HttpResponseRedirect(reverse("administration:worklist"))


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "j E Y, H:i")
