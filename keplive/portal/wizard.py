"""Citizen pages: the booking wizard (category → service → KEP → day and time → details).

Six steps, each a page under ``/book/``:

1. ``book/``: the four categories, explained;
2. ``book/<category>/``: the service (category 4 first asks for the municipality); a service
   that cannot be served by video call is shown with what to do instead (C11), not bookable;
3. ``book/<category>/<service>/``: the KEP (category 4: the municipality's KEPs; category 2:
   KEP-EKE only; otherwise a search, with the earliest free times across KEPs one click away);
4. ``book/<category>/<service>/<kep>/``: the month calendar and the times of a day; choosing a
   time holds it (``hold_slot``);
5. ``book/details/<hold>/``: what the citizen declares; confirming books (``confirm_hold``);
6. ``book/done/<reference>/``: the confirmation.

What was typed on the details page is kept in the session (one entry: a citizen holds one time
at a time), so a time that is gone, an alternative chosen, or a "change" link loses nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from keplive.accounts.models import Citizen, User
from keplive.audit.origin import request_origin
from keplive.booking import services
from keplive.booking.declarations import InvalidDeclaration
from keplive.booking.eligibility import check_kep_serves, check_service_bookable, keps_serving
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    BookingError,
    SlotNoLongerFree,
    TimeNotOffered,
    TooManyActiveBookings,
)
from keplive.booking.models import Appointment, Status
from keplive.booking.schedule_inputs import booking_horizon, local_date
from keplive.booking.scheduling import Slot
from keplive.booking.selectors import (
    appointment_for_citizen,
    closed_days_in_month,
    earliest_free_slots,
    first_free_times,
    free_days_in_month,
    free_times_on,
)
from keplive.catalogue.models import Category, Service
from keplive.catalogue.selectors import categories, normalise_for_search, services_in
from keplive.directory.models import Kep, Municipality
from keplive.directory.ordering import alphabetical
from keplive.directory.selectors import bookable_keps, participating_municipalities
from keplive.portal.allowance import allowance_for, within_booking_limit
from keplive.portal.appointments import citizen_required
from keplive.portal.calendar import (
    day_label,
    month_grid,
    month_key,
    parse_day,
    parse_month,
    shift_month,
    time_label,
    time_value,
    why_closed,
)
from keplive.portal.forms import DeclarationForm
from keplive.waitlist.services import offer_hold_confirmed

STEPS = 6
TYPED_SESSION_KEY = "booking_wizard_typed"
KEPS_LISTED = 50
EARLIEST_LISTED = 5
QUERY_MAX_LENGTH = 100

View = Callable[..., HttpResponse]


# --- Shared pieces ---------------------------------------------------------------------------


def _citizen(request: HttpRequest) -> Citizen:
    return request.user.citizen  # type: ignore[union-attr]


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    step: int,
    back_url: str = "",
    status: int = 200,
) -> HttpResponse:
    base = {"step": step, "steps": STEPS, "back_url": back_url}
    return render(request, f"portal/wizard/{template}", base | context, status=status)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/wizard/not_found.html", {"book_url": reverse("portal:book")}, status=404
    )


def _category(number: int) -> Category | None:
    return categories().filter(number=number).first()


def _service(category: Category, number: int) -> Service | None:
    return (
        Service.objects.select_related("municipality")
        .prefetch_related("categories")
        .filter(pk=number, is_active=True, categories=category)
        .first()
    )


def _kep(code: str) -> Kep | None:
    return bookable_keps().filter(code=code[:16]).first()


def _slot_choice(slot: Slot) -> dict[str, str]:
    """A time as a button: posted value, visible time, full accessible name."""
    return {
        "value": time_value(slot.start),
        "time": f"{timezone.localtime(slot.start):%H:%M}",
        "label": time_label(slot.start),
    }


def _calendar_url(category: Category, service: Service, kep: Kep, **params: str) -> str:
    url = reverse("portal:book_calendar", args=[category.number, service.pk, kep.code])
    return f"{url}?{urlencode(params)}" if params else url


def _day_url(category: Category, service: Service, kep: Kep, day: dt.date) -> str:
    return _calendar_url(
        category, service, kep, month=month_key(day.year, day.month), day=day.isoformat()
    )


# --- Step 1: the category ------------------------------------------------------------------


@never_cache
@require_GET
@citizen_required
@within_booking_limit
def choose_category(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "category.html",
        {"categories": categories(), "allowance": allowance_for(request)},
        step=1,
        back_url=reverse("portal:home"),
    )


# --- Step 2: the service -------------------------------------------------------------------


@never_cache
@require_GET
@citizen_required
@within_booking_limit
def choose_service(request: HttpRequest, category: int) -> HttpResponse:
    chosen = _category(category)
    if chosen is None:
        return _not_found(request)
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH]
    municipality: Municipality | None = None
    error = ""
    municipalities = participating_municipalities()
    if chosen.municipal:
        raw = request.GET.get("municipality", "")
        if raw:
            municipality = municipalities.filter(code=raw[:64]).first()
            if municipality is None:
                error = _("There is no such municipality. Please choose one from the list.")
        elif "municipality" in request.GET:
            error = _("Choose the municipality whose service you need.")
    found: list[Service] = []
    if not chosen.municipal or municipality is not None:
        found = services_in(category=chosen, municipality=municipality, query=query)
        if not chosen.municipal:
            found = [service for service in found if service.municipality_id is None]
    rows = []
    for service in alphabetical(found, name=lambda service: service.title):
        bookable = True
        try:
            check_service_bookable(service=service, category=chosen)
        except BookingError:
            bookable = False
        rows.append(
            {
                "service": service,
                "bookable": bookable,
                "url": reverse("portal:book_kep", args=[chosen.number, service.pk])
                if bookable
                else "",
            }
        )
    return _page(
        request,
        "service.html",
        {
            "category": chosen,
            "municipalities": (
                alphabetical(municipalities, name=lambda item: item.name)
                if chosen.municipal
                else []
            ),
            "municipality": municipality,
            "asks_municipality": chosen.municipal and municipality is None,
            "rows": rows,
            "samples": sum(service.is_sample for service in found),
            "query": query,
            "error": error,
        },
        step=2,
        back_url=reverse("portal:book"),
    )


# --- Step 3: the KEP -------------------------------------------------------------------------


def _service_url(category: Category, service: Service) -> str:
    url = reverse("portal:book_service", args=[category.number])
    if category.municipal and service.municipality is not None:
        url += "?" + urlencode({"municipality": service.municipality.code})
    return url


def _matches(kep: Kep, words: list[str]) -> bool:
    text = normalise_for_search(
        f"{kep.name_el} {kep.name_en} {kep.city} {kep.municipality.name_el} "
        f"{kep.municipality.name_en} {kep.code}"
    )
    return all(word in text for word in words)


@never_cache
@require_GET
@citizen_required
@within_booking_limit
def choose_kep(request: HttpRequest, category: int, service: int) -> HttpResponse:
    chosen = _category(category)
    chosen_service = _service(chosen, service) if chosen is not None else None
    if chosen is None or chosen_service is None:
        return _not_found(request)
    back_url = _service_url(chosen, chosen_service)
    try:
        keps = keps_serving(service=chosen_service, category=chosen)
    except BookingError as error:
        return _page(
            request,
            "not_bookable.html",
            {
                "category": chosen,
                "service": chosen_service,
                "message": str(error),
                "alternative": getattr(error, "alternative", ""),
            },
            step=3,
            back_url=back_url,
            status=409,
        )
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH]
    searchable = not (chosen.municipal or chosen.kep_eke_only)
    listed = alphabetical(keps, name=lambda kep: kep.name)
    if searchable and query:
        words = normalise_for_search(query).split()
        listed = [kep for kep in listed if _matches(kep, words)]
    shown = listed[:KEPS_LISTED]
    firsts = first_free_times(keps=shown, category=chosen, now=timezone.now())
    first = {
        kep_id: time_label(moment) if moment is not None else None
        for kep_id, moment in firsts.items()
    }
    earliest = []
    if searchable:
        for item in earliest_free_slots(
            service=chosen_service, category=chosen, now=timezone.now(), limit=EARLIEST_LISTED
        ):
            local = timezone.localtime(item.slot.start)
            earliest.append(
                {
                    "kep": item.kep,
                    "label": time_label(item.slot.start),
                    "day": day_label(local.date()),
                    "time": f"{local:%H:%M}",
                    "url": _day_url(chosen, chosen_service, item.kep, local.date()),
                }
            )
    return _page(
        request,
        "kep.html",
        {
            "category": chosen,
            "service": chosen_service,
            "keps": [
                {
                    "kep": kep,
                    "url": _calendar_url(chosen, chosen_service, kep),
                    "first_free": first.get(kep.pk, False),
                }
                for kep in shown
            ],
            "more": max(0, len(listed) - KEPS_LISTED),
            "searchable": searchable,
            "query": query,
            "earliest": earliest,
        },
        step=3,
        back_url=back_url,
    )


# --- Step 4: the day and the time -----------------------------------------------------------


def _first_free_month(
    *, kep: Kep, service: Service, category: Category, now: dt.datetime
) -> tuple[int, int]:
    """The month of the first day with free times (the current month if there is none)."""
    first, last = booking_horizon(category=category, now=now)
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        days = free_days_in_month(
            kep=kep, service=service, category=category, year=year, month=month, now=now
        )
        if days:
            return year, month
        year, month = shift_month(year, month, 1)
    return first.year, first.month


def _parse_time(raw: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(raw[:40])
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_required
@within_booking_limit
def choose_time(request: HttpRequest, category: int, service: int, kep: str) -> HttpResponse:
    chosen = _category(category)
    chosen_service = _service(chosen, service) if chosen is not None else None
    chosen_kep = _kep(kep)
    if chosen is None or chosen_service is None or chosen_kep is None:
        return _not_found(request)
    try:
        check_kep_serves(kep=chosen_kep, service=chosen_service, category=chosen)
    except BookingError:
        return _not_found(request)
    now = timezone.now()
    message = ""
    alternatives: list[Slot] = []
    status = 200
    if request.method == "POST":
        raw = request.POST.get("starts_at", "")
        starts_at = _parse_time(raw)
        if starts_at is None:
            message = _("The chosen time could not be read. Please choose one of the times shown.")
            status = 400
        else:
            try:
                hold = services.hold_slot(
                    citizen=_citizen(request),
                    kep=chosen_kep,
                    service=chosen_service,
                    category=chosen,
                    starts_at=starts_at,
                    now=now,
                    origin=request_origin(request, channel="web"),
                )
            except SlotNoLongerFree as error:
                message, alternatives, status = str(error), error.alternatives, 409
            except TimeNotOffered as error:
                message, alternatives, status = str(error), error.alternatives, 400
            except TooManyActiveBookings as error:
                message, status = str(error), 409
            except BookingError as error:
                message, status = str(error), 409
            else:
                return HttpResponseRedirect(reverse("portal:book_details", args=[hold.reference]))

    first, last = booking_horizon(category=chosen, now=now)
    selected = parse_day(request.GET.get("day", ""))
    if selected is not None and not first <= selected <= last:
        selected = None
    month = parse_month(request.GET.get("month", ""))
    if month is not None and not (first.year, first.month) <= month <= (last.year, last.month):
        month = None
    if month is None:
        if selected is not None:
            month = (selected.year, selected.month)
        else:
            month = _first_free_month(
                kep=chosen_kep, service=chosen_service, category=chosen, now=now
            )
    year, month_number = month
    free = free_days_in_month(
        kep=chosen_kep,
        service=chosen_service,
        category=chosen,
        year=year,
        month=month_number,
        now=now,
    )
    closed = closed_days_in_month(
        kep=chosen_kep, category=chosen, year=year, month=month_number, free=free, now=now
    )
    grid = month_grid(
        year=year,
        month=month_number,
        closed=closed,
        free_days=free,
        selected=selected,
        first=first,
        last=last,
        day_url=lambda day: _day_url(chosen, chosen_service, chosen_kep, day),
        month_url=lambda y, m: _calendar_url(
            chosen, chosen_service, chosen_kep, month=month_key(y, m)
        ),
    )
    times: list[dict[str, str]] = []
    if selected is not None:
        times = [
            _slot_choice(slot)
            for slot in free_times_on(
                kep=chosen_kep, service=chosen_service, category=chosen, day=selected, now=now
            )
        ]
    form_url = request.get_full_path()
    return _page(
        request,
        "calendar.html",
        {
            "category": chosen,
            "service": chosen_service,
            "kep": chosen_kep,
            "grid": grid,
            "selected": selected,
            "selected_label": day_label(selected) if selected is not None else "",
            "selected_why": (
                why_closed(closed[selected].reason, closed[selected].name)
                if selected is not None and selected in closed
                else ""
            ),
            "holidays": sorted(
                (day, item.name) for day, item in closed.items() if item.reason == "holiday"
            ),
            "times": times,
            "form_url": form_url,
            "message": message,
            "alternatives": [_slot_choice(slot) for slot in alternatives],
            "call_minutes": chosen.call_minutes,
            "earlier_url": reverse(
                "portal:waitlist_ask_service",
                args=[chosen.number, chosen_service.pk, chosen_kep.code],
            ),
        },
        step=4,
        back_url=reverse("portal:book_kep", args=[chosen.number, chosen_service.pk]),
        status=status,
    )


# --- Step 5: the details --------------------------------------------------------------------


def _own_appointment(request: HttpRequest, reference: uuid.UUID) -> Appointment | None:
    try:
        return appointment_for_citizen(
            citizen=_citizen(request),
            reference=reference,
            origin=request_origin(request, channel="web"),
        )
    except AppointmentNotFound:
        return None


def _typed(request: HttpRequest) -> dict[str, Any]:
    stored = request.session.get(TYPED_SESSION_KEY)
    return stored if isinstance(stored, dict) else {}


def _keep_typed(request: HttpRequest, data: QueryDict) -> None:
    kept: dict[str, Any] = {}
    for name, values in data.lists():
        if name in ("csrfmiddlewaretoken", "alternative"):
            continue
        kept[name] = values[0] if len(values) == 1 else values
    request.session[TYPED_SESSION_KEY] = kept


def _as_data(typed: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in typed.items():
        if isinstance(value, list):
            data.setlist(name, [str(item) for item in value])
        else:
            data[name] = str(value)
    return data


def _declaration_form(**kwargs: Any) -> DeclarationForm:
    return DeclarationForm(**kwargs)


def _initial(citizen: Citizen) -> dict[str, Any]:
    return dict(DeclarationForm.initial_for(citizen))


def _hold_minutes_left(hold: Appointment, now: dt.datetime) -> int:
    if hold.hold_expires_at is None:
        return 0
    return max(0, int((hold.hold_expires_at - now).total_seconds() // 60))


def _details_context(hold: Appointment, now: dt.datetime) -> dict[str, Any]:
    category, service, kep = hold.category, hold.service, hold.kep
    local = timezone.localtime(hold.starts_at)
    return {
        "hold": hold,
        "form_url": reverse("portal:book_details", args=[hold.reference]),
        "time_label": time_label(hold.starts_at),
        "held": hold.status == Status.HELD and hold.hold_expires_at is not None,
        "held_until": timezone.localtime(hold.hold_expires_at) if hold.hold_expires_at else None,
        "minutes_left": _hold_minutes_left(hold, now),
        "change_time_url": _day_url(category, service, kep, local.date()),
        "change_kep_url": reverse("portal:book_kep", args=[category.number, service.pk]),
        "change_service_url": _service_url(category, service),
    }


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_required
def details(request: HttpRequest, hold: uuid.UUID) -> HttpResponse:
    appointment = _own_appointment(request, hold)
    if appointment is None or appointment.status == Status.CANCELLED:
        return _not_found(request)
    if appointment.status == Status.BOOKED:
        return HttpResponseRedirect(reverse("portal:book_done", args=[appointment.reference]))
    citizen, now = _citizen(request), timezone.now()
    category, service = appointment.category, appointment.service
    message = ""
    alternatives: list[Slot] = []
    status = 200
    if request.method == "POST":
        _keep_typed(request, request.POST)
        if "alternative" in request.POST:
            return _take_alternative(request, appointment, now)
        form = _declaration_form(
            data=request.POST, category=category, service=service, initial=_initial(citizen)
        )
        if form.is_valid():
            try:
                with transaction.atomic():
                    booked = services.confirm_hold(
                        hold_reference=appointment.reference,
                        citizen=citizen,
                        now=now,
                        declaration=form.declaration,
                        origin=request_origin(request, channel="web"),
                    )
                    # A time the waitlist offered (ADR 0028): its request is fulfilled with it.
                    offer_hold_confirmed(hold=booked, now=now)
            except InvalidDeclaration as error:
                for name, problem in error.errors.items():
                    form.add_error(name if name in form.fields else None, str(problem))
                status = 200
            except (SlotNoLongerFree, TimeNotOffered) as error:
                message, alternatives, status = str(error), error.alternatives, 409
            except (TooManyActiveBookings, AppointmentNotChangeable, BookingError) as error:
                message, status = str(error), 409
            else:
                request.session.pop(TYPED_SESSION_KEY, None)
                return HttpResponseRedirect(reverse("portal:book_done", args=[booked.reference]))
    else:
        typed = _typed(request)
        if typed:
            form = _declaration_form(
                data=None,
                category=category,
                service=service,
                initial=_initial(citizen) | {k: v for k, v in typed.items() if v not in ("", [])},
            )
        else:
            form = _declaration_form(
                data=None, category=category, service=service, initial=_initial(citizen)
            )
    context = _details_context(appointment, now) | {
        "form": form,
        "message": message,
        "alternatives": [_slot_choice(slot) for slot in alternatives],
    }
    return _page(
        request,
        "details.html",
        context,
        step=5,
        back_url=context["change_time_url"],
        status=status,
    )


def redisplay_expired_details(request: HttpRequest, hold: uuid.UUID) -> HttpResponse | None:
    """The details form sent with an expired CSRF token (keplive.portal.errors): the same page
    again, with what was typed and a fresh token, and a message to send it once more. What was
    posted is only shown back, never validated, kept or acted on. None when the page is not
    the logged-in citizen's own hold (the generic page is shown then)."""
    user = request.user
    if not (isinstance(user, User) and user.is_citizen and hasattr(user, "citizen")):
        return None
    appointment = _own_appointment(request, hold)
    if appointment is None or appointment.status not in (Status.HELD, Status.RELEASED):
        return None
    typed = {
        name: (values[0] if len(values) == 1 else values)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "alternative")
    }
    now = timezone.now()
    form = _declaration_form(
        data=None,
        category=appointment.category,
        service=appointment.service,
        initial=_initial(_citizen(request)) | typed,
    )
    context = _details_context(appointment, now) | {
        "form": form,
        "message": _(
            "For your security, the form had expired and was not sent: nothing was saved. "
            "Check your details below and press the button again."
        ),
        "alternatives": [],
    }
    return _page(
        request,
        "details.html",
        context,
        step=5,
        back_url=context["change_time_url"],
        status=403,
    )


def _take_alternative(
    request: HttpRequest, previous: Appointment, now: dt.datetime
) -> HttpResponse:
    """Hold the alternative chosen on the details page; what was typed is carried over."""
    starts_at = _parse_time(request.POST.get("alternative", ""))
    if starts_at is None:
        return _details_problem(
            request,
            previous,
            now,
            _("The chosen time could not be read. Please choose one of the times shown."),
            status=400,
        )
    try:
        hold = services.hold_slot(
            citizen=_citizen(request),
            kep=previous.kep,
            service=previous.service,
            category=previous.category,
            starts_at=starts_at,
            now=now,
            origin=request_origin(request, channel="web"),
        )
    except (SlotNoLongerFree, TimeNotOffered) as error:
        return _details_problem(
            request, previous, now, str(error), status=409, alternatives=error.alternatives
        )
    except BookingError as error:
        return _details_problem(request, previous, now, str(error), status=409)
    return HttpResponseRedirect(reverse("portal:book_details", args=[hold.reference]))


def _details_problem(
    request: HttpRequest,
    appointment: Appointment,
    now: dt.datetime,
    message: str,
    *,
    status: int,
    alternatives: list[Slot] | None = None,
) -> HttpResponse:
    form = _declaration_form(
        data=None,
        category=appointment.category,
        service=appointment.service,
        initial=_initial(_citizen(request)) | _typed(request),
    )
    context = _details_context(appointment, now) | {
        "form": form,
        "message": message,
        "alternatives": [_slot_choice(slot) for slot in alternatives or []],
    }
    return _page(
        request,
        "details.html",
        context,
        step=5,
        back_url=context["change_time_url"],
        status=status,
    )


# --- Step 6: the confirmation ---------------------------------------------------------------


@never_cache
@require_GET
@citizen_required
def done(request: HttpRequest, reference: uuid.UUID) -> HttpResponse:
    appointment = _own_appointment(request, reference)
    if appointment is None or appointment.status != Status.BOOKED:
        return _not_found(request)
    return _page(
        request,
        "done.html",
        {
            "appointment": appointment,
            "time_label": time_label(appointment.starts_at),
            "appointment_url": reverse("portal:appointment", args=[str(appointment.reference)]),
            "reschedule_url": reverse(
                "portal:appointment_reschedule", args=[str(appointment.reference)]
            ),
            "cancel_url": reverse("portal:appointment_cancel", args=[str(appointment.reference)]),
            "book_url": reverse("portal:book"),
            "day": local_date(appointment.starts_at),
        },
        step=6,
        back_url=reverse("portal:appointments"),
    )


urlpatterns: list[URLPattern] = [
    path("book/", choose_category, name="book"),
    path("book/details/<uuid:hold>/", details, name="book_details"),
    path("book/done/<uuid:reference>/", done, name="book_done"),
    path("book/<int:category>/", choose_service, name="book_service"),
    path("book/<int:category>/<int:service>/", choose_kep, name="book_kep"),
    path("book/<int:category>/<int:service>/<str:kep>/", choose_time, name="book_calendar"),
]
