"""Editing the service catalogue (issue 6 item 6): administrators add and change services of any
category, and the services of each municipality (category 4).

The rules, checked here so any interface gets the same answers:
- a municipal service (category 4) belongs to a municipality and to category 4 only; only
  municipal services have a municipality;
- a service that cannot be served remotely says what to do instead (C11);
- no two services share a code, nor a Greek title within the same municipality (or among the
  services that belong to none), however accented or capitalised.
Every change is audited with the fields that changed; the catalogue is read live by the booking
wizard, so changes show at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keplive.audit.services import Origin, record_event
from keplive.catalogue.models import Category, CategoryKind, Service
from keplive.directory.models import Municipality
from keplive.onboarding.naming import slug_code, without_accents


class InvalidService(Exception):
    """The service was refused; ``errors`` maps each field to its message (``""``: the form)."""

    def __init__(self, errors: dict[str, Promise | str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True, slots=True)
class ServiceData:
    title_el: str
    title_en: str
    categories: frozenset[int]
    municipality: Municipality | None = None
    remote_servable: bool = True
    alternative_el: str = ""
    alternative_en: str = ""
    is_active: bool = True
    code: str = ""


def _title_key(title: str) -> str:
    return " ".join(without_accents(title).casefold().replace("ς", "σ").split())


def check_service(*, data: ServiceData, service: Service | None = None) -> None:
    """Raise ``InvalidService`` with every problem of ``data`` (for ``service`` when editing)."""
    errors: dict[str, Promise | str] = {}
    if not data.title_el.strip():
        errors["title_el"] = _("Give the service's title in Greek.")
    if not data.title_en.strip():
        errors["title_en"] = _("Give the service's title in English.")
    if not data.categories:
        errors["categories"] = _("Choose at least one category.")
    elif CategoryKind.MUNICIPAL in data.categories:
        if data.categories != {CategoryKind.MUNICIPAL}:
            errors["categories"] = _("A municipal service is offered in category 4 only.")
        if data.municipality is None:
            errors["municipality"] = _("A municipal service belongs to a municipality.")
    elif data.municipality is not None:
        errors["municipality"] = _("Only municipal services (category 4) have a municipality.")
    if not data.remote_servable and not data.alternative_el.strip():
        errors["alternative_el"] = _(
            "Tell citizens what to do instead when a service cannot be served remotely."
        )
    if "title_el" not in errors:
        others = Service.objects.filter(municipality=data.municipality)
        if service is not None:
            others = others.exclude(pk=service.pk)
        key = _title_key(data.title_el)
        if any(_title_key(title) == key for title in others.values_list("title_el", flat=True)):
            errors["title_el"] = (
                _("This municipality already has a service with this title.")
                if data.municipality is not None
                else _("A service with this title already exists.")
            )
    if data.code and service is None and Service.objects.filter(code=data.code).exists():
        errors["code"] = _("Another service already has this code.")
    if errors:
        raise InvalidService(errors)


def _new_code(data: ServiceData) -> str:
    prefix = f"{data.municipality.code}-" if data.municipality is not None else ""
    base = prefix + slug_code(data.title_en or data.title_el, max_length=60)
    taken = set(Service.objects.filter(code__startswith=base).values_list("code", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


_EDITABLE = (
    "title_el",
    "title_en",
    "municipality",
    "remote_servable",
    "alternative_el",
    "alternative_en",
    "is_active",
)


def save_service(
    *,
    data: ServiceData,
    service: Service | None = None,
    actor: Any,
    now: dt.datetime,
    origin: Origin,
) -> Service:
    """Add a service (``service`` None) or change one; audited as ``catalogue.service_added`` or
    ``catalogue.service_changed`` with the names of the fields that changed."""
    values: dict[str, Any] = {
        k: v.strip() if isinstance(v, str) else v for k, v in _as_dict(data).items()
    }
    if values["remote_servable"]:
        values |= {"alternative_el": "", "alternative_en": ""}
    data = ServiceData(**values)
    check_service(data=data, service=service)
    try:
        with transaction.atomic():
            adding = service is None
            if service is None:
                service = Service(code=data.code or _new_code(data))
                changed: list[str] = ["created"]
            else:
                service = Service.objects.select_for_update(no_key=True).get(pk=service.pk)
                changed = []
            for name in _EDITABLE:
                value = getattr(data, name)
                if getattr(service, name) != value:
                    setattr(service, name, value)
                    changed.append(name)
            service.save()
            before = set(service.categories.values_list("number", flat=True))
            if before != set(data.categories):
                service.categories.set(Category.objects.filter(number__in=data.categories))
                changed.append("categories")
            if changed:
                record_event(
                    action="catalogue.service_added" if adding else "catalogue.service_changed",
                    actor=actor,
                    origin=origin,
                    object_type="catalogue.service",
                    object_id=service.code,
                    details={
                        "fields": [c for c in changed if c != "created"],
                        "categories": sorted(data.categories),
                        "municipality": data.municipality.code if data.municipality else "",
                    },
                    occurred_at=now,
                )
    except IntegrityError:
        raise InvalidService({"code": _("Another service already has this code.")}) from None
    return service


def _as_dict(data: ServiceData) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(ServiceData)}


def services_for_administration(
    *, category: int | None = None, municipality: Municipality | None = None, query: str = ""
) -> Collection[Service]:
    """Every service (active or not) for the catalogue's list, filtered."""
    found = Service.objects.select_related("municipality").prefetch_related("categories")
    if category is not None:
        found = found.filter(categories__number=category)
    if municipality is not None:
        found = found.filter(municipality=municipality)
    found = found.order_by("municipality__name_el", "title_el").distinct()
    words = _title_key(query).split()
    if not words:
        return list(found)
    return [
        s
        for s in found
        if all(w in _title_key(f"{s.title_el} {s.title_en} {s.code}") for w in words)
    ]
