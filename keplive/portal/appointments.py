"""Citizen pages: my appointments, and the same actions through the signed manage link.

Each page about one appointment is written once, as a function of the request and an
``Access``: the appointment, the citizen it belongs to, where the request came from, and how
the pages link to each other. Two small resolvers build the ``Access``:

- ``/appointments/<reference>/…``: the citizen logged in through TAXISnet, and one of their own
  references (anything else is "not found", with no hint whether it exists);
- ``/manage/<token>/…``: no login; the signed link from the email is the credential for that one
  appointment while it is booked, unchanged and not started (ADR 0006). These pages are never
  cached and send no referrer, because the token is in the URL. After a change the page moves to
  the appointment's new link (the old one stopped working with the change).

``/call/<join token>/`` is the citizen's call page and ``/interpret/<interpreter token>/`` the
interpreter's (``calls/room.html``): signed-link pages like the manage link, valid until two
hours after the slot's end.

Personal data is read only through the audited ``*_for_citizen`` selectors, with the channel
``web``, ``manage-link`` or ``join-link``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from keplive.accounts.models import Citizen, User
from keplive.audit.origin import request_origin
from keplive.audit.services import Origin, record_event
from keplive.booking import services
from keplive.booking.citizen_selectors import appointment_details_for_citizen
from keplive.booking.declarations import InvalidDeclaration, mask_document_number
from keplive.booking.eligibility import check_service_bookable, keps_serving
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    BookingError,
    SlotNoLongerFree,
    TimeNotOffered,
)
from keplive.booking.links import (
    LinkNotValid,
    appointment_for_interpreter_token,
    appointment_for_join_token,
    appointment_for_manage_token,
    join_token,
    manage_token,
)
from keplive.booking.models import Appointment, AppointmentDetails, DocumentKind, Status
from keplive.booking.schedule_inputs import booking_horizon, local_date
from keplive.booking.scheduling import Slot
from keplive.booking.selectors import (
    appointment_for_citizen,
    appointments_for_citizen,
    free_days_in_month,
    free_slots_for,
)
from keplive.calls.routing import ws_path
from keplive.calls.services import LINK_OVERRUN
from keplive.catalogue.models import Service
from keplive.catalogue.selectors import services_in
from keplive.directory.models import Kep
from keplive.portal.calendar import (
    month_grid,
    month_key,
    parse_day,
    parse_month,
    time_label,
    time_value,
)
from keplive.portal.forms import DeclarationForm

# How many past and cancelled appointments "My appointments" lists, newest first.
PAST_SHOWN = 20

View = Callable[..., HttpResponse]


# --- Who may see what ------------------------------------------------------------------


def citizen_required(view: View) -> View:
    """Citizens logged in through TAXISnet only: anonymous visitors are sent to log in and
    brought back; staff are refused (their accounts hold no appointments)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:login"))
        if not (isinstance(user, User) and user.is_citizen and hasattr(user, "citizen")):
            return _render(request, "portal/appointments/citizens_only.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True, slots=True)
class Access:
    """One appointment as one request may act on it."""

    appointment: Appointment
    citizen: Citizen
    origin: Origin
    now: dt.datetime
    token: str = ""  # the manage token, when the request came through the signed link

    @property
    def via_link(self) -> bool:
        return bool(self.token)

    def url(self, action: str = "") -> str:
        """This appointment's page (or one of its actions) in the same variant."""
        if self.token:
            return _manage_url(self.token, action)
        return _appointment_url(self.appointment, action)

    @property
    def urls(self) -> dict[str, str]:
        """The page and each action offered, by name (``page``, ``cancel``, …)."""
        return {"page": self.url()} | {action: self.url(action) for action in ACTION_NAMES}

    def url_after_change(self, appointment: Appointment, done: str) -> str:
        """The appointment's page after a change: through the link, its new link."""
        if self.token:
            return f"{_manage_url(manage_token(appointment))}?done={done}"
        return f"{_appointment_url(appointment)}?done={done}"

    @property
    def state(self) -> str:
        return appointment_state(self.appointment, self.now)

    @property
    def changeable(self) -> bool:
        return self.state == "upcoming"


def _appointment_url(appointment: Appointment, action: str = "") -> str:
    name = f"portal:appointment_{action}" if action else "portal:appointment"
    return reverse(name, args=[str(appointment.reference)])


def _manage_url(token: str, action: str = "") -> str:
    name = f"portal:manage_{action}" if action else "portal:manage"
    return reverse(name, args=[token])


def appointment_state(appointment: Appointment, now: dt.datetime) -> str:
    """upcoming (can be changed) · started (its call may be on) · past · cancelled."""
    if appointment.status == Status.CANCELLED:
        return "cancelled"
    if appointment.starts_at > now:
        return "upcoming"
    if appointment.ends_at > now:
        return "started"
    return "past"


STATE_LABELS = {
    "upcoming": gettext_lazy("Booked"),
    "started": gettext_lazy("In progress"),
    "past": gettext_lazy("Past"),
    "cancelled": gettext_lazy("Cancelled"),
}

BOOK_URL = "/book/"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render one of these pages, with the links every one of them may offer."""
    base = {
        "book_url": BOOK_URL,
        "login_url": f"{reverse('portal:login')}?next={reverse('portal:appointments')}",
    }
    return render(request, template, base | (context or {}), status=status)


def _private(response: HttpResponse) -> HttpResponse:
    """A page whose URL is a credential: never stored, and its address never sent to another
    site as a referrer. ``same-origin``, not ``no-referrer``: under ``no-referrer`` Chromium
    sends ``Origin: null`` with the page's own forms, and the CSRF check refuses them."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    return response


def _by_reference(view: View) -> View:
    """``/appointments/<reference>/…``: one of the logged-in citizen's own appointments."""

    @never_cache
    @citizen_required
    @wraps(view)
    def wrapper(request: HttpRequest, reference: str) -> HttpResponse:
        citizen = request.user.citizen  # type: ignore[union-attr]
        origin = request_origin(request, channel="web")
        try:
            parsed = uuid.UUID(reference)
        except ValueError:
            return _not_found(request)
        try:
            appointment = appointment_for_citizen(citizen=citizen, reference=parsed, origin=origin)
        except AppointmentNotFound:
            return _not_found(request)
        if appointment.status not in (Status.BOOKED, Status.CANCELLED):
            return _not_found(request)  # a hold is not an appointment yet
        access = Access(appointment=appointment, citizen=citizen, origin=origin, now=timezone.now())
        return view(request, access)

    return wrapper


def _by_manage_link(view: View) -> View:
    """``/manage/<token>/…``: the appointment the signed link names, while the link is valid."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        now = timezone.now()
        origin = request_origin(request, channel="manage-link")
        try:
            named = appointment_for_manage_token(token, now=now)
        except LinkNotValid as error:
            return _private(_link_not_valid(request, error))
        citizen = named.citizen
        appointment = appointment_for_citizen(
            citizen=citizen, reference=named.reference, origin=origin
        )
        access = Access(
            appointment=appointment, citizen=citizen, origin=origin, now=now, token=token
        )
        return _private(view(request, access))

    return wrapper


def _not_found(request: HttpRequest) -> HttpResponse:
    return _render(request, "portal/appointments/not_found.html", status=404)


def _link_not_valid(request: HttpRequest, error: LinkNotValid) -> HttpResponse:
    return _render(
        request,
        "portal/appointments/link_not_valid.html",
        {"message": str(error), "appointments_url": reverse("portal:appointments")},
        status=410,
    )


def _not_changeable(request: HttpRequest, access: Access) -> HttpResponse:
    """Refuse a change of an appointment that was cancelled, has started or has passed."""
    access.appointment.refresh_from_db(fields=["status", "starts_at", "ends_at"])
    messages = {
        "cancelled": _("This appointment has been cancelled, so it can no longer be changed."),
        "started": _("This appointment has already started, so it can no longer be changed."),
        "past": _("This appointment has already taken place, so it can no longer be changed."),
    }
    return _render(
        request,
        "portal/appointments/not_changeable.html",
        {
            "access": access,
            "appointment": access.appointment,
            "message": messages.get(access.state, _("This appointment can no longer be changed.")),
        },
        status=409,
    )


# --- What the pages show ----------------------------------------------------------------


def _document(details: AppointmentDetails) -> dict[str, str]:
    if details.document_kind == DocumentKind.PASSPORT:
        return {
            "kind": details.get_document_kind_display(),
            "number": mask_document_number(details.passport_number),
            "permit": mask_document_number(details.residence_permit_number),
        }
    return {
        "kind": details.get_document_kind_display(),
        "number": mask_document_number(details.id_card_number),
    }


def _details_context(access: Access) -> dict[str, Any]:
    details = appointment_details_for_citizen(
        citizen=access.citizen, reference=access.appointment.reference, origin=access.origin
    )
    return {"details": details, "document": _document(details) if details else None}


def _appointment_context(access: Access) -> dict[str, Any]:
    appointment = access.appointment
    state = access.state
    return {
        "access": access,
        "appointment": appointment,
        "state": state,
        "state_label": STATE_LABELS[state],
        "urls": access.urls if state == "upcoming" else {"page": access.url()},
        "join_url": (
            reverse("portal:call", args=[join_token(appointment)])
            if state in ("upcoming", "started")
            else ""
        ),
    }


def _done_message(done: str, *, declared: bool) -> str:
    """The banner after a change (``?done=…``); the emails go to the declared address."""
    if done == "rescheduled":
        if declared:
            return _("Your appointment has been moved. We sent you an email with the new time.")
        return _("Your appointment has been moved.")
    if done == "details":
        return _("Your details have been saved. We sent you an email with them.")
    return ""


# --- My appointments ---------------------------------------------------------------------


def _row(appointment: Appointment, now: dt.datetime) -> dict[str, Any]:
    state = appointment_state(appointment, now)
    return {
        "appointment": appointment,
        "state": state,
        "label": STATE_LABELS[state],
        "url": _appointment_url(appointment),
        "reschedule_url": (
            _appointment_url(appointment, "reschedule") if "reschedule" in ACTION_NAMES else ""
        ),
        "cancel_url": _appointment_url(appointment, "cancel"),
        "join_url": (
            reverse("portal:call", args=[join_token(appointment)]) if state == "started" else ""
        ),
    }


@never_cache
@require_GET
@citizen_required
def appointment_list(request: HttpRequest) -> HttpResponse:
    citizen = request.user.citizen  # type: ignore[union-attr]
    now = timezone.now()
    appointments = list(
        appointments_for_citizen(
            citizen=citizen,
            origin=request_origin(request, channel="web"),
            include_past=True,
            now=now,
        )
    )
    rows = [_row(appointment, now) for appointment in appointments]
    upcoming = [row for row in rows if row["state"] in ("upcoming", "started")]
    earlier = [row for row in reversed(rows) if row["state"] in ("past", "cancelled")]
    return _render(
        request,
        "portal/appointments/list.html",
        {
            "upcoming": upcoming,
            "earlier": earlier[:PAST_SHOWN],
            "earlier_hidden": max(0, len(earlier) - PAST_SHOWN),
            "cancelled_banner": request.GET.get("done") == "cancelled",
        },
    )


# --- One appointment: the same views for both variants ------------------------------------


def appointment_page(request: HttpRequest, access: Access) -> HttpResponse:
    context = _appointment_context(access) | _details_context(access)
    context["done_message"] = _done_message(
        request.GET.get("done", ""), declared=context["details"] is not None
    )
    return _render(request, "portal/appointments/detail.html", context)


def cancel_page(request: HttpRequest, access: Access) -> HttpResponse:
    if not access.changeable:
        return _not_changeable(request, access)
    if request.method == "POST":
        try:
            services.cancel_appointment(
                reference=access.appointment.reference,
                citizen=access.citizen,
                now=access.now,
                origin=access.origin,
            )
        except (AppointmentNotChangeable, AppointmentNotFound):
            return _not_changeable(request, access)
        if access.via_link:
            return HttpResponseRedirect(reverse("portal:manage_cancelled"))
        return HttpResponseRedirect(f"{reverse('portal:appointments')}?done=cancelled")
    return _render(request, "portal/appointments/cancel.html", _appointment_context(access))


# --- Reschedule: another day or time, at the same KEP or another, for another service --------

# The longest search for a service the reschedule page reads (the wizard's limit).
QUERY_MAX_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Target:
    """Where and for what the citizen is choosing a new time: the appointment's own KEP and
    service, or another KEP and/or service of its category (``?kep=…&service=…``)."""

    kep: Kep
    service: Service
    query: str = ""

    def differs(self, appointment: Appointment) -> bool:
        return self.kep.pk != appointment.kep_id or self.service.pk != appointment.service_id

    def params(self, appointment: Appointment) -> dict[str, str]:
        """The query (and hidden fields) that carry the choice from page to page."""
        if not self.differs(appointment):
            return {}
        return {"kep": self.kep.code, "service": str(self.service.pk)}


def _service_choices(access: Access, query: str = "") -> list[Service]:
    """Services the appointment may move to: bookable in its category (category 4: of the same
    municipality), matching ``query``; its own service always first when it matches."""
    appointment = access.appointment
    category = appointment.category
    municipality = appointment.service.municipality if category.municipal else None
    found = services_in(category=category, municipality=municipality, query=query)
    chosen = []
    for service in found:
        if not category.municipal and service.municipality_id is not None:
            continue
        try:
            check_service_bookable(service=service, category=category)
        except BookingError:
            continue
        chosen.append(service)
    return chosen


def _kep_choices(access: Access, service: Service) -> list[Kep]:
    """KEPs that may serve ``service`` in the appointment's category, by municipality."""
    try:
        keps = keps_serving(service=service, category=access.appointment.category)
    except BookingError:
        return []
    return list(keps.select_related("municipality").order_by("municipality__name_el", "name_el"))


def _target(request: HttpRequest, access: Access) -> tuple[Target, list[str]]:
    """The KEP and service asked for (GET or POST), checked against what may be chosen; the
    appointment's own where nothing (or something not allowed) was asked."""
    source = request.POST if request.method == "POST" else request.GET
    appointment = access.appointment
    query = source.get("q", "")[:QUERY_MAX_LENGTH].strip()
    errors: list[str] = []
    service = appointment.service
    raw_service = source.get("service", "")[:20]
    if raw_service and raw_service != str(appointment.service_id):
        by_pk = {str(s.pk): s for s in _service_choices(access)}
        if raw_service in by_pk:
            service = by_pk[raw_service]
        else:
            errors.append(_("This service cannot be chosen for this appointment."))
    kep = appointment.kep
    raw_kep = source.get("kep", "")[:20]
    if (raw_kep and raw_kep != appointment.kep.code) or service.pk != appointment.service_id:
        by_code = {k.code: k for k in _kep_choices(access, service)}
        if (raw_kep or appointment.kep.code) in by_code:
            kep = by_code[raw_kep or appointment.kep.code]
        else:
            errors.append(_("This KEP does not serve this service in this category."))
            service = appointment.service
    return Target(kep=kep, service=service, query=query), errors


def _parse_starts_at(raw: str) -> dt.datetime | None:
    """A posted time (ISO 8601 with its offset), or None for anything else."""
    try:
        moment = dt.datetime.fromisoformat(raw.strip()[:40])
    except (ValueError, TypeError):
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment


def _time_option(slot: Slot) -> dict[str, str]:
    """A time button: the ISO value posted, the full date and time it is announced with, and
    the hour shown."""
    return {
        "value": time_value(slot.start),
        "label": time_label(slot.start),
        "time": time_value(slot.start)[11:16],
    }


def _default_month(access: Access, first: dt.date) -> tuple[int, int]:
    """The month the calendar opens on: the appointment's own, or the first bookable one."""
    day = max(local_date(access.appointment.starts_at), first)
    return day.year, day.month


def _free_times(access: Access, target: Target, day: dt.date) -> list[Slot]:
    """The free times of a day at the chosen KEP for the chosen service, the appointment's own
    time counted as free (it is given up by the move) but not offered when nothing else
    changes (it is the time already booked)."""
    appointment = access.appointment
    first, last = booking_horizon(category=appointment.category, now=access.now)
    if day < first:
        raise TimeNotOffered(reason="past", message=_("This date has already passed."))
    if day > last:
        raise TimeNotOffered(
            reason="beyond_horizon",
            message=_("Appointments can be booked up to %(days)d days ahead.")
            % {"days": appointment.category.horizon_days},
        )
    slots = free_slots_for(
        kep=target.kep,
        service=target.service,
        category=appointment.category,
        start=day,
        end=day,
        now=access.now,
        ignore_appointment_ids=[appointment.pk],
    )
    if target.differs(appointment):
        return slots
    return [slot for slot in slots if slot.start != appointment.starts_at]


def _reschedule_choice(
    request: HttpRequest,
    access: Access,
    *,
    status: int = 200,
    error: str = "",
    alternatives: list[Slot] | None = None,
    day: dt.date | None = None,
) -> HttpResponse:
    """The KEP and service (the appointment's own unless another is chosen), the month
    calendar and, for a chosen day, its times; with a message when something was wrong (a bad
    address, a time taken meanwhile) and the nearest free times then."""
    appointment = access.appointment
    target, target_errors = _target(request, access)
    first, last = booking_horizon(category=appointment.category, now=access.now)
    errors = [error] if error else []
    if target_errors:
        errors += target_errors
        status = max(status, 400)
    raw_month = request.GET.get("month")
    raw_day = request.GET.get("day")
    month: tuple[int, int] | None = None
    if day is None and raw_day is not None:
        day = parse_day(raw_day)
        if day is None:
            errors.append(_("This address does not name a day. Choose a day in the calendar."))
            status = max(status, 400)
    if raw_month is not None:
        month = parse_month(raw_month)
        if month is None:
            errors.append(_("This address does not name a month. Choose a day in the calendar."))
            status = max(status, 400)
    times: list[Slot] = []
    if day is not None:
        try:
            times = _free_times(access, target, day)
        except TimeNotOffered as problem:
            if not error:
                errors.append(str(problem))
                status = max(status, 400)
            day = None
        else:
            month = (day.year, day.month)
    if month is None:
        month = _default_month(access, first)

    def days_free(month: tuple[int, int]) -> list[dt.date]:
        return free_days_in_month(
            kep=target.kep,
            service=target.service,
            category=appointment.category,
            year=month[0],
            month=month[1],
            now=access.now,
            ignore_appointment_ids=[appointment.pk],
        )

    try:
        free_days = days_free(month)
    except TimeNotOffered as problem:
        errors.append(str(problem))
        status = max(status, 400)
        month = _default_month(access, first)
        free_days = days_free(month)
    base = access.url("reschedule")
    carried = target.params(appointment)
    prefix = f"{base}?{urlencode(carried)}&" if carried else f"{base}?"
    grid = month_grid(
        year=month[0],
        month=month[1],
        free_days=free_days,
        selected=day,
        first=first,
        last=last,
        day_url=lambda d: f"{prefix}day={d.isoformat()}#times",
        month_url=lambda y, m: f"{prefix}month={month_key(y, m)}#calendar",
    )
    services_found = _service_choices(access, target.query)
    search_empty = bool(target.query) and not services_found
    if search_empty:
        services_found = _service_choices(access)
    context = _appointment_context(access) | {
        "grid": grid,
        "day": day,
        "times": [_time_option(slot) for slot in times],
        "errors": errors,
        "alternatives": [_time_option(slot) for slot in alternatives or []],
        "action_url": base,
        "target": target,
        "moves_elsewhere": target.differs(appointment),
        "hidden": sorted(carried.items()),
        "service_choices": services_found,
        "service_search_empty": search_empty,
        "kep_choices": _kep_choices(access, target.service),
    }
    return _render(request, "portal/appointments/reschedule.html", context, status=status)


def _reschedule_confirmation(
    request: HttpRequest, access: Access, target: Target, starts_at: dt.datetime
) -> HttpResponse:
    """The move as it will be — from what is booked to the new time, KEP and service — with one
    button to confirm it; nothing changes until it is pressed."""
    appointment = access.appointment
    category = appointment.category
    context = _appointment_context(access) | {
        "target": target,
        "moves_elsewhere": target.differs(appointment),
        "new_time_label": time_label(starts_at),
        "new_ends_at": starts_at + dt.timedelta(minutes=category.call_minutes),
        "starts_at_value": request.POST.get("starts_at", "").strip()[:40],
        "hidden": sorted(target.params(appointment).items()),
        "action_url": access.url("reschedule"),
    }
    return _render(request, "portal/appointments/reschedule_confirm.html", context)


def reschedule_page(request: HttpRequest, access: Access) -> HttpResponse:
    if not access.changeable:
        return _not_changeable(request, access)
    if request.method != "POST":
        return _reschedule_choice(request, access)
    starts_at = _parse_starts_at(request.POST.get("starts_at", ""))
    if starts_at is None:
        return _reschedule_choice(
            request, access, status=400, error=_("Choose one of the times shown.")
        )
    target, target_errors = _target(request, access)
    if target_errors:
        return _reschedule_choice(request, access, status=400)
    if starts_at == access.appointment.starts_at and not target.differs(access.appointment):
        return HttpResponseRedirect(access.url())  # nothing to move
    if request.POST.get("confirm") != "yes":
        return _reschedule_confirmation(request, access, target, starts_at)
    try:
        appointment = services.reschedule_appointment(
            reference=access.appointment.reference,
            citizen=access.citizen,
            starts_at=starts_at,
            now=access.now,
            kep=target.kep,
            service=target.service,
            origin=access.origin,
        )
    except SlotNoLongerFree as taken:
        return _reschedule_choice(
            request,
            access,
            status=409,
            error=_(
                "Someone else has just booked this time. Choose one of the nearest free times "
                "below, or another day."
            ),
            alternatives=taken.alternatives,
            day=local_date(starts_at),
        )
    except TimeNotOffered as refused:
        return _reschedule_choice(
            request,
            access,
            status=400,
            error=str(refused),
            alternatives=refused.alternatives,
            day=local_date(starts_at),
        )
    except AppointmentNotChangeable:
        return _not_changeable(request, access)
    except AppointmentNotFound:
        return _not_found(request)
    except InvalidDeclaration:
        return _reschedule_choice(
            request,
            access,
            status=409,
            error=_(
                "What you declared does not suit this service (for example, how you receive "
                "the document). Change your details first, or choose another service."
            ),
        )
    except BookingError as problem:  # the service or KEP stopped taking appointments
        return _reschedule_choice(request, access, status=409, error=str(problem))
    return HttpResponseRedirect(access.url_after_change(appointment, "rescheduled"))


# --- Change what was declared ---------------------------------------------------------------

# Document numbers are never shown in full on a page (the manage link is a credential anyone
# holding the email has): the form leaves them empty, and an empty one keeps the stored number.
_DOCUMENT_NUMBERS = ("id_card_number", "passport_number", "residence_permit_number")


def _with_kept_numbers(data: Any, details: AppointmentDetails | None) -> Any:
    """The posted form with each document number left empty replaced by the stored one, when
    the document kind is unchanged."""
    if details is None or data.get("document_kind", "") != details.document_kind:
        return data
    data = data.copy()
    for name in _DOCUMENT_NUMBERS:
        if not str(data.get(name, "")).strip() and getattr(details, name):
            data[name] = getattr(details, name)
    return data


def _hint_kept_numbers(form: DeclarationForm, details: AppointmentDetails | None) -> None:
    """Say which number is kept (before the form is validated: bound fields copy the hint)."""
    if details is None:
        return
    for name in _DOCUMENT_NUMBERS:
        stored = getattr(details, name)
        if stored and name in form.fields:
            form.fields[name].help_text = _(
                "You gave %(masked)s. Leave it empty to keep it, or type a new number."
            ) % {"masked": mask_document_number(stored)}


def details_page(request: HttpRequest, access: Access) -> HttpResponse:
    if not access.changeable:
        return _not_changeable(request, access)
    appointment = access.appointment
    details = appointment_details_for_citizen(
        citizen=access.citizen, reference=appointment.reference, origin=access.origin
    )
    # Nothing declared yet (booked through the API): the consent is asked for now.
    options: dict[str, Any] = {
        "category": appointment.category,
        "service": appointment.service,
        "with_consent": details is None,
    }
    if request.method == "POST":
        typed = request.POST
        form = DeclarationForm(_with_kept_numbers(typed, details), **options)
        _hint_kept_numbers(form, details)
        if form.is_valid() and form.declaration is not None:
            try:
                changed = services.update_declaration(
                    reference=appointment.reference,
                    citizen=access.citizen,
                    declaration=form.declaration,
                    now=access.now,
                    origin=access.origin,
                )
            except InvalidDeclaration as invalid:
                for name, message in invalid.errors.items():
                    form.add_error(name if name in form.fields else None, str(message))
            except AppointmentNotChangeable:
                return _not_changeable(request, access)
            except AppointmentNotFound:
                return _not_found(request)
            else:
                return HttpResponseRedirect(access.url_after_change(changed, "details"))
        form.data = typed  # shown again as typed: a kept number is not echoed back
    else:
        initial = (
            DeclarationForm.initial_from(details)
            if details is not None
            else DeclarationForm.initial_for(access.citizen)
        )
        for name in _DOCUMENT_NUMBERS:
            initial.pop(name, None)
        form = DeclarationForm(initial=initial, **options)
        _hint_kept_numbers(form, details)
    context = _appointment_context(access) | {"form": form, "declared": details is not None}
    return _render(request, "portal/appointments/details.html", context)


@require_GET
def cancelled_through_link(request: HttpRequest) -> HttpResponse:
    """Where the manage link lands after cancelling (the link itself stopped working)."""
    return _private(_render(request, "portal/appointments/cancelled.html"))


# --- The call's page -----------------------------------------------------------------------


# How long after its slot's end a call's links still open the call: a call the employee has not
# ended yet may run late (only the employee ends a call, E5).


EARLY = dt.timedelta(minutes=15)


def _call_room(
    request: HttpRequest, *, role: str, appointment: Appointment, token: str
) -> HttpResponse:
    """The call page (``calls/room.html``) for a citizen or an interpreter who came through
    their signed link: the link is the WebSocket's credential too."""
    starts = timezone.localtime(appointment.starts_at)
    return _private(
        _render(
            request,
            "calls/room.html",
            {
                # More than EARLY before the start, the page says when the employee
                # will be there rather than that the citizen is waiting for them.
                "early": appointment.starts_at - timezone.now() > EARLY,
                "early_label": f"{date_format(starts, 'l j E')}, {starts:%H:%M}",
                "role": role,
                "ws_path": ws_path(str(appointment.reference), link=token),
                "appointment": appointment,
                "state": appointment_state(appointment, timezone.now()),
                "done_url": reverse("portal:home"),
                "documents": list(appointment.service.documents or []),
            },
        )
    )


@require_GET
def call_page(request: HttpRequest, token: str) -> HttpResponse:
    """``/call/<join token>/``: the citizen's side of the video call (docs/calls.md). The link
    opens the call until two hours after the slot's end; after that, or forged, it is 410."""
    now = timezone.now()
    try:
        named = appointment_for_join_token(token, now=now, overrun=LINK_OVERRUN)
    except LinkNotValid as error:
        return _private(_link_not_valid(request, error))
    appointment = appointment_for_citizen(
        citizen=named.citizen,
        reference=named.reference,
        origin=request_origin(request, channel="join-link"),
    )
    return _call_room(request, role="citizen", appointment=appointment, token=token)


@require_GET
def interpreter_page(request: HttpRequest, token: str) -> HttpResponse:
    """``/interpret/<interpreter token>/``: the interpreter's side of the call (E12), through
    their own link from the daily digest. It shows nothing of the citizen's declared data."""
    now = timezone.now()
    try:
        appointment = appointment_for_interpreter_token(token, now=now, overrun=LINK_OVERRUN)
    except LinkNotValid:
        return _private(_render(request, "workspace/interpreter_link_not_valid.html", status=410))
    record_event(
        action="call.page_opened",
        origin=request_origin(request, channel="interpreter-link"),
        object_type="appointment",
        object_id=appointment.reference,
        details={"role": "interpreter"},
    )
    return _call_room(request, role="interpreter", appointment=appointment, token=token)


# --- Routes ---------------------------------------------------------------------------------

# (action, view, methods): each is served for a reference and for a manage token.
ACTIONS: list[tuple[str, View, list[str]]] = [
    ("", appointment_page, ["GET"]),
    ("reschedule", reschedule_page, ["GET", "POST"]),
    ("details", details_page, ["GET", "POST"]),
    ("cancel", cancel_page, ["GET", "POST"]),
]
ACTION_NAMES = [action for action, _view, _methods in ACTIONS if action]


def _routes(prefix: str, name: str, resolve: Callable[[View], View]) -> list[URLPattern]:
    return [
        path(
            f"{prefix}{action}/" if action else prefix,
            require_http_methods(methods)(resolve(view)),
            name=f"{name}_{action}" if action else name,
        )
        for action, view, methods in ACTIONS
    ]


urlpatterns: list[URLPattern] = [
    path("appointments/", appointment_list, name="appointments"),
    *_routes("appointments/<str:reference>/", "appointment", _by_reference),
    path("manage/cancelled/", cancelled_through_link, name="manage_cancelled"),
    *_routes("manage/<str:token>/", "manage", _by_manage_link),
    path("call/<str:token>/", call_page, name="call"),
    path("interpret/<str:token>/", interpreter_page, name="interpret"),
]
