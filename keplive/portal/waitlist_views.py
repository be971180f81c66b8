"""Citizen pages of the waitlist (issue 16): ask to be told of an earlier time for one of my
appointments, or — from the times page, before booking — of a time for a service at a KEP
(ADR 0028); remove the request, and answer an offer through its signed one-tap link.

The pages only collect and present; every rule is in ``keplive.waitlist.services``, which the
API uses too. The offer page is a signed-link page like ``/manage/<token>/``: the link is the
credential for that one offer, never cached, no referrer. A GET only shows the offer (mail
scanners open links); the one tap is the button, a POST.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from keplive.accounts.models import User
from keplive.audit.origin import request_origin
from keplive.audit.services import record_event
from keplive.booking.declarations import can_take_sms, normalise_mobile_phone
from keplive.booking.eligibility import check_kep_serves
from keplive.booking.exceptions import BookingError
from keplive.booking.models import Status
from keplive.booking.schedule_inputs import local_date
from keplive.booking.selectors import appointment_for_citizen
from keplive.catalogue.models import Category, Service
from keplive.catalogue.selectors import categories
from keplive.directory.models import Kep
from keplive.directory.selectors import bookable_keps
from keplive.portal.appointments import _not_found, _private, citizen_required
from keplive.waitlist import services as waitlist
from keplive.waitlist.links import OfferLinkNotValid, offer_id_for_token
from keplive.waitlist.messages import kep_address
from keplive.waitlist.models import Offer, OfferStatus, PartOfDay, Scope
from keplive.waitlist.selectors import active_request_for_appointment, offer_by_public_id

WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
]


class WaitingRequestForm(forms.Form):
    # Only the places the appointment's category allows are shown (category 4: the
    # municipality's KEPs); any other is refused with the service's own message.
    scope = forms.ChoiceField(
        label=_("Where"),
        choices=Scope.choices,
        initial=Scope.KEP.value,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": waitlist.ScopeNotAllowed.default_message},
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Which days suit you"),
        choices=WEEKDAYS,
        initial=[value for value, _label in WEEKDAYS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day.")},
    )
    part_of_day = forms.ChoiceField(
        label=_("What time of day"),
        choices=PartOfDay.choices,
        initial=PartOfDay.ANY.value,
        widget=forms.RadioSelect,
    )
    before = forms.DateField(
        label=_("Only times before (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For example 20 December: times from that day on are not offered."),
    )

    def __init__(self, *args: Any, category: Category, kep: Kep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["scope"])
        field.choices = [(scope.value, scope.label) for scope in waitlist.allowed_scopes(category)]
        field.help_text = self.scope_hint(category=category, kep=kep)

    def scope_hint(self, *, category: Category, kep: Kep) -> str:
        hint = str(
            _(
                "This KEP is %(kep)s. If you take a time at another KEP, your appointment moves "
                "there, with the same reference."
            )
            % {"kep": kep.name}
        )
        if category.kep_eke_only:
            only_eke = _("Services to businesses are served at KEP-EKEs only.")
            hint = f"{hint} {only_eke}"
        return hint

    def clean_before(self) -> Any:
        before = self.cleaned_data.get("before")
        if before is not None and before <= local_date(timezone.now()):
            raise forms.ValidationError(_("Choose a date that is still to come."))
        return before


class ServiceWaitingRequestForm(WaitingRequestForm):
    """Asked before booking (ADR 0028): there is no declaration yet, so where to send the offer."""

    def scope_hint(self, *, category: Category, kep: Kep) -> str:
        hint = str(
            _("This KEP is %(kep)s. An offer may be at another KEP: it says which.")
            % {"kep": kep.name}
        )
        if category.kep_eke_only:
            only_eke = _("Services to businesses are served at KEP-EKEs only.")
            hint = f"{hint} {only_eke}"
        return hint

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.gr."),
        },
    )
    mobile_phone = forms.CharField(
        label=_("Mobile phone (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Like 6912345678: we also send the offer by SMS."),
    )

    def clean_mobile_phone(self) -> str:
        raw = str(self.cleaned_data.get("mobile_phone") or "").strip()
        if raw and not can_take_sms(normalise_mobile_phone(raw) or ""):
            raise forms.ValidationError(_("Enter a mobile number like 6912345678."))
        return raw


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_required
def ask_for_service(request: HttpRequest, category: int, service: int, kep: str) -> HttpResponse:
    """``/book/<category>/<service>/<kep>/earlier/``: from the times page, before booking —
    tell me when a time that suits me frees up for this service at this KEP (ADR 0028)."""
    citizen = request.user.citizen  # type: ignore[union-attr]
    chosen = categories().filter(number=category).first()
    chosen_service = (
        Service.objects.select_related("municipality")
        .prefetch_related("categories")
        .filter(pk=service, is_active=True, categories=chosen)
        .first()
        if chosen is not None
        else None
    )
    chosen_kep = bookable_keps().filter(code=kep[:16]).first()
    if chosen is None or chosen_service is None or chosen_kep is None:
        return _not_found(request)
    try:
        check_kep_serves(kep=chosen_kep, service=chosen_service, category=chosen)
    except BookingError:
        return _not_found(request)
    times_url = reverse("portal:book_calendar", args=[chosen.number, chosen_service.pk, kep])
    form = ServiceWaitingRequestForm(request.POST or None, category=chosen, kep=chosen_kep)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                waitlist.ask_for_service(
                    citizen=citizen,
                    kep=chosen_kep,
                    service=chosen_service,
                    category=chosen,
                    now=timezone.now(),
                    scope=form.cleaned_data["scope"],
                    weekdays="".join(form.cleaned_data["weekdays"]),
                    part_of_day=form.cleaned_data["part_of_day"],
                    before=form.cleaned_data["before"],
                    email=form.cleaned_data["email"],
                    mobile_phone=form.cleaned_data["mobile_phone"],
                    language=(get_language() or "el")[:2],
                    origin=request_origin(request, channel="web"),
                )
            except waitlist.AlreadyWaiting as error:
                form.add_error(None, str(error))
            except BookingError as error:
                form.add_error(None, str(error))
            else:
                return HttpResponseRedirect(reverse("portal:appointments") + "?done=waiting")
        status = 400
    return render(
        request,
        "portal/waitlist/ask_for_service.html",
        {
            "form": form,
            "service": chosen_service,
            "kep": chosen_kep,
            "times_url": times_url,
            "appointments_url": reverse("portal:appointments"),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@citizen_required
def ask(request: HttpRequest, reference: str) -> HttpResponse:
    """``/appointments/<reference>/earlier/``: tell me if an earlier time frees up."""
    citizen = request.user.citizen  # type: ignore[union-attr]
    origin = request_origin(request, channel="web")
    now = timezone.now()
    try:
        appointment = appointment_for_citizen(
            citizen=citizen, reference=uuid.UUID(reference), origin=origin
        )
    except (ValueError, BookingError):
        return _not_found(request)
    if appointment.status != Status.BOOKED or appointment.starts_at <= now:
        return _not_found(request)
    page = reverse("portal:appointment", args=[str(appointment.reference)])
    existing = active_request_for_appointment(citizen=citizen, appointment=appointment)
    if existing is not None:
        return HttpResponseRedirect(page)
    form = WaitingRequestForm(
        request.POST or None, category=appointment.category, kep=appointment.kep
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                waitlist.ask_to_be_told(
                    citizen=citizen,
                    reference=appointment.reference,
                    now=now,
                    scope=form.cleaned_data["scope"],
                    weekdays="".join(form.cleaned_data["weekdays"]),
                    part_of_day=form.cleaned_data["part_of_day"],
                    before=form.cleaned_data["before"],
                    origin=origin,
                )
            except waitlist.AlreadyWaiting:
                return HttpResponseRedirect(page)
            except BookingError as error:
                form.add_error(None, str(error))
            else:
                return HttpResponseRedirect(f"{page}?done=waiting")
        status = 400
    return render(
        request,
        "portal/waitlist/ask.html",
        {"form": form, "appointment": appointment, "page_url": page},
        status=status,
    )


@never_cache
@require_POST
@citizen_required
def remove(request: HttpRequest, public_id: str) -> HttpResponse:
    """``/appointments/waiting/<id>/remove/``: I no longer wait."""
    citizen = request.user.citizen  # type: ignore[union-attr]
    try:
        waitlist.remove_request(
            citizen=citizen,
            public_id=uuid.UUID(public_id),
            now=timezone.now(),
            origin=request_origin(request, channel="web"),
        )
    except (ValueError, waitlist.RequestNotFound):
        return _not_found(request)
    return HttpResponseRedirect(reverse("portal:appointments") + "?done=not_waiting")


def _offer_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"appointments_url": reverse("portal:appointments"), "book_url": "/book/"} | context
    return _private(render(request, template, context, status=status))


def _take_before_booking(request: HttpRequest, found: Offer, token: str) -> HttpResponse:
    """The offer of a request made before booking (ADR 0028): booking needs the citizen logged
    in — the offer's citizen, anyone else finds nothing — and goes on to the details step for
    the held time, the same form and confirmation every booking has."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("portal:login"))
    if not (
        isinstance(user, User)
        and user.is_citizen
        and getattr(user, "citizen", None) is not None
        and user.citizen.pk == found.citizen_id
    ):
        return _not_found(request)
    result = waitlist.take_offer(
        public_id=found.public_id,
        now=timezone.now(),
        origin=request_origin(request, channel="offer-link"),
    )
    if result.answer == waitlist.Answer.DETAILS:
        target = (
            "portal:book_done"
            if result.appointment.status == Status.BOOKED
            else "portal:book_details"
        )
        return HttpResponseRedirect(reverse(target, args=[result.appointment.reference]))
    return _offer_page(
        request,
        "portal/waitlist/answered.html",
        {"answer": str(result.answer), "offer": result.offer, "before_booking": True},
        status=409,
    )


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    """``/offers/<token>/``: the offer, and its one-tap answer. A tampered link, or an offer
    that is answered, expired or gone, is a clear page and changes nothing."""
    now = timezone.now()
    origin = request_origin(request, channel="offer-link")
    try:
        found = offer_by_public_id(offer_id_for_token(token))
    except OfferLinkNotValid:
        found = None
    if found is None:
        return _offer_page(request, "portal/waitlist/offer_not_valid.html", {}, status=410)
    before_booking = found.request.appointment_id is None
    if request.method == "POST":
        action = request.POST.get("answer", "")
        if action == "take" and before_booking:
            return _take_before_booking(request, found, token)
        if action == "take":
            result = waitlist.take_offer(public_id=found.public_id, now=now, origin=origin)
        elif action == "decline":
            result = waitlist.decline_offer(public_id=found.public_id, now=now, origin=origin)
        else:
            return _offer_page(
                request,
                "portal/waitlist/offer.html",
                _offer_context(found, token, before_booking),
                400,
            )
        return _offer_page(
            request,
            "portal/waitlist/answered.html",
            {
                "answer": str(result.answer),
                "offer": result.offer,
                "appointment": result.appointment,
                "before_booking": before_booking,
            },
            status=200 if result.answer in ("taken", "declined") else 409,
        )
    open_now = found.status == OfferStatus.PENDING and found.expires_at > now
    object_type, object_id = waitlist.audit_subject(found.request)
    record_event(
        action="waitlist.offer_viewed",
        origin=origin,
        object_type=object_type,
        object_id=object_id,
        details={"offer": str(found.public_id), "open": open_now},
    )
    if not open_now:
        return _offer_page(
            request,
            "portal/waitlist/answered.html",
            {"answer": "closed", "offer": found, "before_booking": before_booking},
            410,
        )
    return _offer_page(
        request, "portal/waitlist/offer.html", _offer_context(found, token, before_booking)
    )


def _offer_context(found: Offer, token: str, before_booking: bool) -> dict[str, Any]:
    """The offer, where it is, and — when it is at another KEP than the appointment's — which
    KEP it would move from (an offer asked before booking moves nothing: ADR 0028)."""
    appointment = found.request.appointment
    current = appointment.kep if appointment is not None else found.kep
    return {
        "offer": found,
        "token": token,
        "before_booking": before_booking,
        "kep_address": kep_address(found.kep),
        "other_kep": current if current.pk != found.kep_id else None,
    }


urlpatterns: list[URLPattern] = [
    path("appointments/<str:reference>/earlier/", ask, name="waitlist_ask"),
    path(
        "book/<int:category>/<int:service>/<str:kep>/earlier/",
        ask_for_service,
        name="waitlist_ask_service",
    ),
    path("appointments/waiting/<str:public_id>/remove/", remove, name="waitlist_remove"),
    path("offers/<str:token>/", offer, name="waitlist_offer"),
]
