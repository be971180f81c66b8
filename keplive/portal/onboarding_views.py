"""The public application form of a municipality that wants to join (A5; decision 003 Art. 5):
the municipality, its contact person, its KEPs and the municipal services it offers.

``/municipalities/join/`` → ``/municipalities/join/sent/``. Anyone may apply; the ministry
decides. A municipality that already participates, or has an application pending, is told so
beside its name and nothing is recorded. Blank rows of the KEP and service lists are ignored.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from keplive.audit.origin import request_origin
from keplive.onboarding import services
from keplive.onboarding.exceptions import OnboardingError

_PHONE = re.compile(r"^\+?[0-9]{10,14}$")
_POSTAL = re.compile(r"^[0-9]{5}$")
MAX_KEPS = 10
MAX_SERVICES = 10


def _text(
    label: Any, *, max_length: int, hint: Any = "", required: bool = True, **attrs: str
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"maxlength": str(max_length), **attrs}),
    )


def _email(label: Any, *, hint: Any = "", required: bool = True) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        help_text=hint,
        max_length=254,
        required=required,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": "254"}),
    )


def _clean_phone(value: str) -> str:
    phone = re.sub(r"[\s\-()]", "", value)
    if phone and not _PHONE.match(phone):
        raise forms.ValidationError(_("Enter a phone number of 10 digits, such as 2101234567."))
    return phone


class ApplicationForm(forms.Form):
    municipality_name = _text(
        _("Municipality"),
        max_length=100,
        hint=_("For example: Δήμος Κω."),
        autocomplete="organization",
    )
    municipality_name_en = _text(
        _("Municipality in English"), max_length=100, hint=_("For example: Municipality of Kos.")
    )
    region = _text(_("Region"), max_length=100, hint=_("For example: Νότιο Αιγαίο."))
    contact_name = _text(_("Contact person"), max_length=150, autocomplete="name")
    contact_email = _email(_("Contact email"), hint=_("The decision is sent here."))
    contact_phone = _text(_("Contact phone"), max_length=20, autocomplete="tel", type="tel")
    protocol_email = _email(
        _("Email of the municipality's protocol office"),
        hint=_("Where KEPs send the applications citizens file for municipal services."),
    )

    def clean_contact_phone(self) -> str:
        return _clean_phone(self.cleaned_data["contact_phone"])

    def clean_municipality_name(self) -> str:
        name = " ".join(self.cleaned_data["municipality_name"].split())
        try:
            services.check_not_duplicate(name)
        except OnboardingError as problem:
            raise forms.ValidationError(str(problem)) from None
        return name


class KepForm(forms.Form):
    name = _text(_("KEP name"), max_length=200, required=False)
    address = _text(_("Address"), max_length=200, required=False)
    postal_code = _text(_("Postal code"), max_length=6, required=False, inputmode="numeric")
    city = _text(_("City"), max_length=100, required=False)
    phone = _text(_("Phone"), max_length=20, required=False, type="tel")
    email = _email(_("KEP email"), required=False)

    def clean_postal_code(self) -> str:
        code = str(self.cleaned_data["postal_code"]).replace(" ", "")
        if code and not _POSTAL.match(code):
            raise forms.ValidationError(_("Enter a postal code of 5 digits."))
        return code

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(cleaned.get(name) for name in self.fields):
            for name in ("name", "address", "postal_code", "city", "email"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Fill this in, or leave the whole KEP blank."))
        return cleaned


class ServiceForm(forms.Form):
    title_el = _text(_("Service title"), max_length=250, required=False)
    title_en = _text(_("Service title in English (optional)"), max_length=250, required=False)
    in_person_only = forms.BooleanField(
        label=_("It cannot be served by video call"), required=False
    )
    alternative = forms.CharField(
        label=_("What citizens should do instead"),
        help_text=_("Only when the service cannot be served by video call."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": "2", "maxlength": "1000"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        typed = (
            cleaned.get("title_en") or cleaned.get("in_person_only") or cleaned.get("alternative")
        )
        if typed and not cleaned.get("title_el") and "title_el" not in self.errors:
            self.add_error("title_el", _("Give the service's title."))
        if cleaned.get("in_person_only") and not cleaned.get("alternative"):
            self.add_error(
                "alternative",
                _("Tell citizens what to do instead when a service cannot be served remotely."),
            )
        return cleaned


KepFormSet = forms.formset_factory(KepForm, extra=3, max_num=MAX_KEPS, absolute_max=MAX_KEPS)
ServiceFormSet = forms.formset_factory(
    ServiceForm, extra=5, max_num=MAX_SERVICES, absolute_max=MAX_SERVICES
)


def _filled(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and any(form.cleaned_data.values())
    ]


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = ApplicationForm()
        keps = KepFormSet(prefix="kep")
        offered = ServiceFormSet(prefix="service")
        return _render(request, form, keps, offered)
    form = ApplicationForm(request.POST)
    keps = KepFormSet(request.POST, prefix="kep")
    offered = ServiceFormSet(request.POST, prefix="service")
    valid = form.is_valid() & keps.is_valid() & offered.is_valid()
    services_given = (
        [row for row in _filled(offered) if row.get("title_el")] if offered.is_valid() else []
    )
    if offered.is_valid() and not services_given:
        form.add_error(None, _("List at least one service the municipality offers."))
        valid = False
    if not valid:
        return _render(request, form, keps, offered, status=400)
    data = services.ApplicationInput(
        **form.cleaned_data,
        keps=[services.KepInput(**row) for row in _filled(keps)],
        services=[
            services.ServiceInput(
                title_el=row["title_el"],
                title_en=row.get("title_en", ""),
                remote_servable=not row.get("in_person_only"),
                alternative=row.get("alternative", ""),
            )
            for row in services_given
        ],
    )
    try:
        services.submit_application(
            data=data,
            language=translation.get_language() or "el",
            now=timezone.now(),
            origin=request_origin(request, channel="web"),
        )
    except OnboardingError as problem:
        form.add_error("municipality_name", str(problem))
        return _render(request, form, keps, offered, status=409)
    return HttpResponseRedirect(reverse("portal:municipality_join_sent"))


def _render(
    request: HttpRequest,
    form: ApplicationForm,
    keps: forms.BaseFormSet[Any],
    offered: forms.BaseFormSet[Any],
    *,
    status: int = 200,
) -> HttpResponse:
    # Every error of the page in one summary, each linking to its field.
    errors = [
        (f"#{form[name].auto_id}", e)
        for name, es in form.errors.items()
        if name != "__all__"
        for e in es
    ]
    errors = [("", e) for e in form.non_field_errors()] + errors
    for formset in (keps, offered):
        if formset.is_bound:
            for row in formset.forms:
                for name, row_errors in row.errors.items():
                    errors += [(f"#{row[name].auto_id}", e) for e in row_errors]
            errors += [("", e) for e in formset.non_form_errors()]
    return render(
        request,
        "portal/onboarding/join.html",
        {"form": form, "keps": keps, "offered": offered, "errors": errors},
        status=status,
    )


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/onboarding/sent.html")


urlpatterns = [
    path("municipalities/join/", join, name="municipality_join"),
    path("municipalities/join/sent/", sent, name="municipality_join_sent"),
]
