"""The service catalogue for administrators (issue 6 item 6): every service, filtered by
category and municipality; add and edit (titles, categories, municipality for category 4,
remote service and its alternative, active). The rules are in
``keplive.onboarding.catalogue``; their messages are shown beside the fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from keplive.accounts.models import Role
from keplive.administration.access import role_required
from keplive.audit.origin import request_origin
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Municipality
from keplive.onboarding.catalogue import (
    InvalidService,
    ServiceData,
    save_service,
    services_for_administration,
)

CHANNEL = "administration"
PER_PAGE = 50


class ServiceForm(forms.Form):
    title_el = forms.CharField(label=_("Title in Greek"), max_length=250)
    title_en = forms.CharField(label=_("Title in English"), max_length=250)
    categories = forms.TypedMultipleChoiceField(
        label=_("Categories"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Municipal services (category 4) belong to one municipality and to no other category."
        ),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality (category 4 only)"),
        queryset=Municipality.objects.order_by("name_el"),
        required=False,
        to_field_name="code",
    )
    remote_servable = forms.BooleanField(label=_("Can be served by video call"), required=False)
    alternative_el = forms.CharField(
        label=_("What to do instead, in Greek"),
        help_text=_("Shown to citizens when the service cannot be served by video call."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": "3"}),
    )
    alternative_en = forms.CharField(
        label=_("What to do instead, in English"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": "3"}),
    )
    is_active = forms.BooleanField(label=_("Active: citizens see it"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            (c.number, f"{c.number}. {c.title}") for c in Category.objects.order_by("number")
        ]
        self.fields["municipality"].empty_label = str(  # type: ignore[attr-defined]
            pgettext("municipality of a service", "— (a national service)")
        )

    def data_for_service(self) -> ServiceData:
        cleaned = self.cleaned_data
        return ServiceData(
            title_el=cleaned["title_el"],
            title_en=cleaned["title_en"],
            categories=frozenset(cleaned["categories"]),
            municipality=cleaned["municipality"],
            remote_servable=cleaned["remote_servable"],
            alternative_el=cleaned["alternative_el"],
            alternative_en=cleaned["alternative_en"],
            is_active=cleaned["is_active"],
        )


def _initial(service: Service) -> dict[str, Any]:
    return {
        "title_el": service.title_el,
        "title_en": service.title_en,
        "categories": [c.number for c in service.categories.all()],
        "municipality": service.municipality.code if service.municipality else None,
        "remote_servable": service.remote_servable,
        "alternative_el": service.alternative_el,
        "alternative_en": service.alternative_en,
        "is_active": service.is_active,
    }


@role_required(Role.ADMINISTRATOR)
@require_GET
def services(request: HttpRequest) -> HttpResponse:
    error: object = ""
    raw_category = request.GET.get("category", "")
    category = int(raw_category) if raw_category in {"1", "2", "3", "4"} else None
    if raw_category and category is None:
        error = _("There is no such category; showing all categories.")
    raw_municipality = request.GET.get("municipality", "")[:64]
    municipality = (
        Municipality.objects.filter(code=raw_municipality).first() if raw_municipality else None
    )
    if raw_municipality and municipality is None:
        error = _("There is no such municipality; showing all municipalities.")
    query = request.GET.get("q", "")[:100]
    found = services_for_administration(category=category, municipality=municipality, query=query)
    page = Paginator(list(found), PER_PAGE).get_page(request.GET.get("page"))
    filters = {
        k: v
        for k, v in (
            ("category", category or ""),
            ("municipality", municipality.code if municipality else ""),
            ("q", query),
        )
        if v
    }
    return render(
        request,
        "administration/catalogue/services.html",
        {
            "page": page,
            "count": page.paginator.count,
            "categories": Category.objects.order_by("number"),
            "municipalities": Municipality.objects.order_by("name_el"),
            "selected_category": category,
            "selected_municipality": municipality.code if municipality else "",
            "query": query,
            "error": error,
            "filters": urlencode(filters),
            "saved": request.GET.get("saved", "")[:80],
        },
    )


def _save(request: HttpRequest, form: ServiceForm, service: Service | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        saved = save_service(
            data=form.data_for_service(),
            service=service,
            actor=request.user,
            now=timezone.now(),
            origin=request_origin(request, channel=CHANNEL),
        )
    except InvalidService as problem:
        for name, message in problem.errors.items():
            form.add_error(name if name in form.fields else None, str(message))
        return None
    return HttpResponseRedirect(
        reverse("administration:services") + "?" + urlencode({"saved": saved.code})
    )


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def add_service(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ServiceForm(request.POST)
        done = _save(request, form, None)
        if done is not None:
            return done
        status = 400
    else:
        initial: dict[str, Any] = {"remote_servable": True, "is_active": True}
        if request.GET.get("municipality"):
            initial |= {"municipality": request.GET["municipality"][:64], "categories": [4]}
        form = ServiceForm(initial=initial)
        status = 200
    return render(
        request,
        "administration/catalogue/service_form.html",
        {"form": form, "service": None},
        status=status,
    )


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def edit_service(request: HttpRequest, pk: int) -> HttpResponse:
    service = (
        Service.objects.select_related("municipality")
        .prefetch_related("categories")
        .filter(pk=pk)
        .first()
    )
    if service is None:
        raise Http404
    if request.method == "POST":
        form = ServiceForm(request.POST)
        done = _save(request, form, service)
        if done is not None:
            return done
        status = 400
    else:
        form = ServiceForm(initial=_initial(service))
        status = 200
    return render(
        request,
        "administration/catalogue/service_form.html",
        {"form": form, "service": service},
        status=status,
    )
