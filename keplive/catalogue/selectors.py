"""Reading the service catalogue."""

from __future__ import annotations

import unicodedata

from django.db.models import QuerySet

from keplive.catalogue.models import Category, Service
from keplive.directory.models import Municipality


def normalise_for_search(text: str) -> str:
    """Lower-case and strip accents, so "πιστοποιητικο" finds "Πιστοποιητικό"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ς", "σ")


def service_with_categories(*, code: str) -> Service | None:
    """A service by code, with its categories loaded (the booking checks read them)."""
    return (
        Service.objects.select_related("municipality")
        .prefetch_related("categories")
        .filter(code=code)
        .first()
    )


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def services_in(
    *, category: Category | None = None, municipality: Municipality | None = None, query: str = ""
) -> list[Service]:
    """Active services, optionally of one category and one municipality, matching ``query`` in
    either language (accent- and case-insensitive). Services that cannot be served remotely are
    listed too, so the citizen learns what to do instead (C11)."""
    services = (
        Service.objects.filter(is_active=True)
        .select_related("municipality")
        .prefetch_related("categories")
    )
    if category is not None:
        services = services.filter(categories=category)
    if municipality is not None:
        services = services.filter(municipality=municipality)
    found = list(services)
    words = normalise_for_search(query).split()
    if words:
        found = [
            service
            for service in found
            if all(
                word in normalise_for_search(f"{service.title_el} {service.title_en}")
                for word in words
            )
        ]
    return found
