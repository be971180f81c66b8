"""Moving an appointment in an urgent case (E4) and the phone calls to citizens that follow.

- ``/workspace/appointments/<reference>/move/`` (``workspace:move``): a day, its free times at the
  KEP and the reason; ``booking.staff_changes.move_appointment`` does the move and tells the
  citizen (email with the ICS, SMS) and puts the phone call on the list.
- ``/workspace/tasks/`` (``workspace:tasks``): the KEP's open phone calls, each with the name and
  number to call (read through an audited selector) and a form for the outcome;
  ``POST /workspace/tasks/<id>/`` (``workspace:task``) records it.

Another KEP's appointment or task is "not found", exactly like one that does not exist. Bad
input re-renders the form with a clear message and what was typed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keplive.audit.origin import request_origin
from keplive.audit.services import Origin
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    BookingError,
    SlotNoLongerFree,
    TimeNotOffered,
)
from keplive.booking.models import Appointment, CitizenCallTask, Status
from keplive.booking.schedule_inputs import ATHENS, booking_horizon, local_date
from keplive.booking.scheduling import Slot
from keplive.booking.selectors import free_slots_for
from keplive.booking.staff_changes import (
    CallTaskAlreadyDone,
    CallTaskNotFound,
    MoveReason,
    PhoneOutcomeRequired,
    ReasonChoiceRequired,
    ReasonRequired,
    call_task_contact,
    move_appointment,
    move_contact,
    open_call_tasks,
    record_call_outcome,
)
from keplive.directory.models import Employee
from keplive.workspace.access import employee_required
from keplive.workspace.changes_forms import CallOutcomeForm, MoveForm

CHANNEL = "workspace"


def _origin(request: HttpRequest) -> Origin:
    return request_origin(request, channel=CHANNEL)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/not_found.html", status=404)


def _kep_appointment(employee: Employee, reference: str) -> Appointment | None:
    """An appointment of the employee's KEP, or None (another KEP's, unknown, malformed)."""
    try:
        key = uuid.UUID(reference)
    except ValueError:
        return None
    return (
        Appointment.objects.select_related("kep", "service", "category", "employee__user")
        .filter(reference=key, kep_id=employee.kep_id)
        .first()
    )


# --- Move ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeOption:
    value: str
    label: str
    checked: bool


def _options(slots: list[Slot], *, selected: str, with_day: bool) -> list[TimeOption]:
    options = []
    for slot in slots:
        local = slot.start.astimezone(ATHENS)
        value = local.isoformat()
        label = dateformat.format(local, "D j E, H:i" if with_day else "H:i")
        options.append(TimeOption(value=value, label=label, checked=value == selected))
    return options


def _parse_starts_at(raw: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment


def _free_times(appointment: Appointment, day: dt.date, now: dt.datetime) -> list[Slot]:
    """The day's free times at the appointment's KEP for its service, its own time not offered."""
    first, last = booking_horizon(category=appointment.category, now=now)
    if day < local_date(now):
        raise TimeNotOffered(reason="past", message=_("This date has already passed."))
    if day > last:
        raise TimeNotOffered(
            reason="beyond_horizon",
            message=_("Appointments can be booked up to %(days)d days ahead.")
            % {"days": appointment.category.horizon_days},
        )
    if day < first:
        return []
    slots = free_slots_for(
        kep=appointment.kep,
        service=appointment.service,
        category=appointment.category,
        start=day,
        end=day,
        now=now,
        ignore_appointment_ids=[appointment.pk],
    )
    return [slot for slot in slots if slot.start != appointment.starts_at]


def _default_day(appointment: Appointment, now: dt.datetime) -> dt.date:
    return max(local_date(appointment.starts_at), local_date(now))


def _render_move(
    request: HttpRequest,
    *,
    employee: Employee,
    appointment: Appointment,
    form: MoveForm,
    now: dt.datetime,
    day: dt.date | None,
    errors: list[tuple[str, str]],
    selected: str = "",
    alternatives: list[Slot] | None = None,
    status: int = 200,
) -> HttpResponse:
    times: list[Slot] = []
    if day is not None:
        try:
            times = _free_times(appointment, day, now)
        except TimeNotOffered as refused:
            form.add_error("day", str(refused))
            errors.append(("id_day", str(refused)))
            status = max(status, 400)
    contact = (
        move_contact(appointment=appointment, employee=employee, origin=_origin(request))
        if appointment.status == Status.BOOKED
        else None
    )
    return render(
        request,
        "workspace/changes/move.html",
        {
            "contact": contact,
            "employee": employee,
            "kep": employee.kep,
            "appointment": appointment,
            "form": form,
            "day": day,
            "times": _options(times, selected=selected, with_day=False),
            "alternatives": _options(alternatives or [], selected=selected, with_day=True),
            "errors": errors,
            "time_error": next((m for anchor, m in errors if anchor == "starts-at"), ""),
            "reason_error": next((m for anchor, m in errors if anchor == "id_reason"), ""),
            "phone_error": next((m for anchor, m in errors if anchor == "phone-outcome"), ""),
            "reason_code_error": next((m for anchor, m in errors if anchor == "reason-code"), ""),
            "changeable": appointment.status == Status.BOOKED,
        },
        status=status,
    )


@employee_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, employee: Employee, reference: str) -> HttpResponse:
    appointment = _kep_appointment(employee, reference)
    if appointment is None:
        return _not_found(request)
    now = timezone.now()
    if appointment.status != Status.BOOKED:
        return _render_move(
            request,
            employee=employee,
            appointment=appointment,
            form=MoveForm(),
            now=now,
            day=None,
            errors=[("", _("Only a booked appointment can be changed."))],
            status=409,
        )
    if request.method != "POST":
        raw_day = request.GET.get("day", "")
        form = MoveForm(initial={"day": _default_day(appointment, now)})
        day: dt.date | None = _default_day(appointment, now)
        errors: list[tuple[str, str]] = []
        if raw_day:
            form = MoveForm({"day": raw_day, "reason": ""})
            day = form.cleaned_data["day"] if form.is_valid() else None
            if day is None:
                errors = [("id_day", str(error)) for error in form.errors.get("day", [])]
        return _render_move(
            request,
            employee=employee,
            appointment=appointment,
            form=form,
            now=now,
            day=day,
            errors=errors,
            status=400 if errors else 200,
        )

    form = MoveForm(request.POST)
    selected = request.POST.get("starts_at", "")[:64]
    valid = form.is_valid()
    day = form.cleaned_data.get("day") if valid else None
    if request.POST.get("action") == "show" or not valid:
        errors = [
            (f"id_{name}", str(message))
            for name, messages in form.errors.items()
            for message in messages
        ]
        return _render_move(
            request,
            employee=employee,
            appointment=appointment,
            form=form,
            now=now,
            day=day,
            errors=errors,
            selected=selected,
            status=400 if errors else 200,
        )

    errors = []
    if not form.cleaned_data["phone_outcome"]:
        message = str(PhoneOutcomeRequired.default_message)
        form.add_error("phone_outcome", message)
        errors.append(("phone-outcome", message))
    starts_at = _parse_starts_at(selected)
    if starts_at is None:
        errors.append(("starts-at", _("Choose one of the free times.")))
    if not form.cleaned_data["reason_code"]:
        message = str(ReasonChoiceRequired.default_message)
        form.add_error("reason_code", message)
        errors.append(("reason-code", message))
    elif form.cleaned_data["reason_code"] == MoveReason.OTHER and not (
        form.cleaned_data["reason"].strip()
    ):
        message = str(ReasonRequired.default_message)
        form.add_error("reason", message)
        errors.append(("id_reason", message))
    if errors or starts_at is None:
        return _render_move(
            request,
            employee=employee,
            appointment=appointment,
            form=form,
            now=now,
            day=day,
            errors=errors,
            selected=selected,
            status=400,
        )
    try:
        moved = move_appointment(
            reference=appointment.reference,
            starts_at=starts_at,
            reason=form.cleaned_data["reason"],
            reason_code=form.cleaned_data["reason_code"],
            phone_outcome=form.cleaned_data["phone_outcome"],
            phone_note=form.cleaned_data["phone_note"],
            actor=employee.user,
            origin=_origin(request),
            now=now,
        )
    except (SlotNoLongerFree, TimeNotOffered) as refused:
        return _render_move(
            request,
            employee=employee,
            appointment=appointment,
            form=form,
            now=now,
            day=local_date(starts_at),
            errors=[("starts-at", str(refused))],
            alternatives=refused.alternatives,
            status=409 if isinstance(refused, SlotNoLongerFree) else 400,
        )
    except AppointmentNotFound:
        return _not_found(request)
    except (AppointmentNotChangeable, BookingError) as refused:
        return _render_move(
            request,
            employee=employee,
            appointment=appointment,
            form=form,
            now=now,
            day=day,
            errors=[("starts-at", str(refused))],
            selected=selected,
            status=409,
        )
    return HttpResponseRedirect(
        reverse("workspace:tasks")
        + "?"
        + urlencode({"moved": str(moved.reference), "phoned": form.cleaned_data["phone_outcome"]})
    )


# --- Phone calls to citizens ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskRow:
    task: CitizenCallTask
    full_name: str
    phone: str
    mine: bool
    overdue: bool
    form: CallOutcomeForm
    error: str


def _task_rows(
    request: HttpRequest,
    employee: Employee,
    *,
    now: dt.datetime,
    bound: dict[int, CallOutcomeForm] | None = None,
    task_errors: dict[int, str] | None = None,
) -> list[TaskRow]:
    rows = []
    origin = _origin(request)
    for task in open_call_tasks(kep_id=employee.kep_id):
        contact = call_task_contact(task=task, employee=employee, origin=origin)
        form = (bound or {}).get(task.pk) or CallOutcomeForm(prefix=f"task-{task.pk}")
        rows.append(
            TaskRow(
                task=task,
                full_name=contact.full_name,
                phone=contact.mobile_phone,
                mine=task.employee_id == employee.pk,
                overdue=task.due < now,
                form=form,
                error=(task_errors or {}).get(task.pk, ""),
            )
        )
    # The employee's own calls first, each group by when it is due.
    rows.sort(key=lambda row: (not row.mine, row.task.due, row.task.pk))
    return rows


def _render_tasks(
    request: HttpRequest,
    employee: Employee,
    *,
    status: int = 200,
    page_error: str = "",
    **rows_kwargs: Any,
) -> HttpResponse:
    now = timezone.now()
    moved = None
    raw_moved = request.GET.get("moved", "")
    if raw_moved:
        moved = _kep_appointment(employee, raw_moved)
    done = request.GET.get("done", "") == "1"
    phoned = request.GET.get("phoned", "")
    rows = _task_rows(request, employee, now=now, **rows_kwargs)
    return render(
        request,
        "workspace/changes/tasks.html",
        {
            "employee": employee,
            "kep": employee.kep,
            "rows": rows,
            "mine_count": sum(1 for row in rows if row.mine),
            "moved": moved,
            "reached": phoned == "reached",
            "phoned": phoned in ("no_answer", "left_message", "wrong_number"),
            "done": done,
            "errors": [(f"task-{row.task.pk}", row.error) for row in rows if row.error]
            + ([("", page_error)] if page_error else []),
        },
        status=status,
    )


@employee_required
@require_GET
def tasks(request: HttpRequest, employee: Employee) -> HttpResponse:
    return _render_tasks(request, employee)


@employee_required
@require_POST
def task(request: HttpRequest, employee: Employee, task_id: int) -> HttpResponse:
    exists = CitizenCallTask.objects.filter(pk=task_id, kep_id=employee.kep_id).exists()
    if not exists:
        return _not_found(request)
    form = CallOutcomeForm(request.POST, prefix=f"task-{task_id}")
    if not form.is_valid():
        message = " ".join(str(m) for messages in form.errors.values() for m in messages)
        return _render_tasks(
            request,
            employee,
            status=400,
            bound={task_id: form},
            task_errors={task_id: message},
        )
    try:
        record_call_outcome(
            task_id=task_id,
            employee=employee,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            origin=_origin(request),
            now=timezone.now(),
        )
    except CallTaskNotFound:
        return _not_found(request)
    except CallTaskAlreadyDone as refused:
        return _render_tasks(request, employee, status=409, page_error=str(refused))
    except BookingError as refused:
        return _render_tasks(
            request,
            employee,
            status=400,
            bound={task_id: form},
            task_errors={task_id: str(refused)},
        )
    return HttpResponseRedirect(reverse("workspace:tasks") + "?done=1")
