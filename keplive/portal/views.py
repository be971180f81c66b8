"""Citizen pages. This first cut: the home page and the searchable service catalogue."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from keplive.accounts.models import User
from keplive.catalogue.models import Category, CategoryKind
from keplive.catalogue.selectors import categories, services_in
from keplive.directory.models import Municipality
from keplive.directory.selectors import participating_municipalities
from keplive.portal.allowance import allowance_for


def home(request: HttpRequest) -> HttpResponse:
    """The home page. A gov.gr deep link ``/?category=N`` goes on to category N: straight to
    the wizard for a logged-in citizen, through the TAXISnet login (which lands there) for
    anyone else. An unknown category shows the plain home page."""
    deep_link = _deep_link(request)
    if deep_link is not None:
        return deep_link
    all_categories = list(categories())
    first = all_categories[0] if all_categories else None
    return render(
        request,
        "portal/home.html",
        {
            "categories": all_categories,
            "window_start": f"{first.window_start:%H:%M}" if first else "08:00",
            "window_end": f"{first.window_end:%H:%M}" if first else "14:30",
            "allowance": allowance_for(request),
        },
    )


def _deep_link(request: HttpRequest) -> HttpResponse | None:
    raw = request.GET.get("category", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) < 4 and int(raw) in CategoryKind.values):
        return None
    user = request.user
    if isinstance(user, User) and user.is_citizen:
        return HttpResponseRedirect(reverse("portal:book_service", args=[int(raw)]))
    return HttpResponseRedirect(reverse("portal:login") + "?" + urlencode({"category": int(raw)}))


def services(request: HttpRequest) -> HttpResponse:
    """The catalogue, filtered by category, municipality and words; bad filters are explained,
    never a 500, and the search keeps what was typed."""
    error = ""
    query = request.GET.get("q", "")[:100]
    category: Category | None = None
    municipality: Municipality | None = None
    raw_category = request.GET.get("category", "")
    if raw_category:
        category = (
            Category.objects.filter(pk=int(raw_category)).first()
            if raw_category.isdigit()
            else None
        )
        if category is None:
            error = _("There is no such category; showing all services.")
    raw_municipality = request.GET.get("municipality", "")
    if raw_municipality:
        municipality = participating_municipalities().filter(code=raw_municipality[:64]).first()
        if municipality is None:
            error = _("There is no such municipality; showing all municipalities.")
    found = services_in(category=category, municipality=municipality, query=query)
    return render(
        request,
        "portal/services.html",
        {
            "categories": categories(),
            "municipalities": participating_municipalities(),
            "services": found,
            "samples": sum(service.is_sample for service in found),
            "selected_category": category.number if category else None,
            "selected_municipality": municipality.code if municipality else "",
            "query": query,
            "error": error,
        },
    )
