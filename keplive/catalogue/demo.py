"""The whole demo: the directory (``keplive.directory.demo``) and the service catalogue.

It lives here because it needs both apps and the catalogue sits above the directory.
``load_demo`` runs in one transaction and is idempotent: every row is matched by its natural
key (codes, usernames, tax numbers), and a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from keplive.audit.services import record_event
from keplive.catalogue import demo_data as catalogue_data
from keplive.catalogue.models import Category, CategoryKind, Service
from keplive.directory import demo_data as directory_data
from keplive.directory.demo import (
    SEED,
    Changes,
    DirectoryLoadResult,
    Progress,
    load_demo_directory,
    sync_rows,
)
from keplive.directory.models import Employee, Kep, Municipality

INFORMATION = CategoryKind.INFORMATION
BUSINESS = CategoryKind.BUSINESS
DISABILITY = CategoryKind.DISABILITY
MUNICIPAL = CategoryKind.MUNICIPAL


@dataclass(frozen=True, slots=True)
class ServicePlan:
    code: str
    categories: tuple[int, ...]
    municipality_code: str | None
    title_el: str
    title_en: str
    description_el: str
    description_en: str
    documents_el: str
    documents_en: str
    remote_servable: bool
    alternative_el: str
    alternative_en: str
    is_sample: bool = False


def _plan(
    row: catalogue_data.ServiceRow,
    *,
    code: str,
    categories: tuple[int, ...],
    municipality_code: str | None = None,
    names: tuple[str, str] | None = None,
    is_sample: bool = False,
) -> ServicePlan:
    el, en = names or ("", "")
    return ServicePlan(
        code=code,
        categories=categories,
        municipality_code=municipality_code,
        title_el=row.title_el,
        title_en=row.title_en,
        description_el=row.description_el.format(el=el),
        description_en=row.description_en.format(en=en),
        documents_el="\n".join(row.documents_el),
        documents_en="\n".join(row.documents_en),
        remote_servable=not row.alternative_el,
        alternative_el=row.alternative_el,
        alternative_en=row.alternative_en,
        is_sample=is_sample,
    )


def plan_demo_catalogue() -> tuple[ServicePlan, ...]:
    """Every demo service. Municipal services: five per municipality, drawn with a fixed seed."""
    plans = [
        _plan(row, code=row.slug, categories=(INFORMATION, DISABILITY))
        for row in catalogue_data.PROCEDURES + catalogue_data.IN_PERSON_PROCEDURES
    ]
    plans += [
        _plan(row, code=f"business-{row.slug}", categories=(BUSINESS,))
        for row in catalogue_data.BUSINESS_CERTIFICATES
    ]
    plans += [
        # Ten of the 235 licensing procedures: the official list is not public.
        _plan(row, code=f"licensing-info-{row.slug}", categories=(BUSINESS,), is_sample=True)
        for row in catalogue_data.BUSINESS_LICENSING_INFO
    ]
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    pool = catalogue_data.MUNICIPAL_POOL
    for municipality in directory_data.MUNICIPALITIES:
        chosen = sorted(
            rng.sample(range(len(pool)), catalogue_data.MUNICIPAL_SERVICES_PER_MUNICIPALITY)
        )
        names = (
            f"Δήμου {municipality.genitive}",
            f"Municipality of {municipality.short_en}",
        )
        plans += [
            _plan(
                pool[i],
                code=f"{municipality.code}-{pool[i].slug}",
                categories=(MUNICIPAL,),
                municipality_code=municipality.code,
                names=names,
                is_sample=True,  # each municipality's own list is not public
            )
            for i in chosen
        ]
    return tuple(plans)


def load_demo_catalogue(
    *, plans: Sequence[ServicePlan] | None = None, progress: Progress | None = None
) -> dict[str, Changes]:
    """Write the demo services and their categories; idempotent."""
    plans = plans if plans is not None else plan_demo_catalogue()
    codes = [p.code for p in plans]
    municipality_ids = dict(
        Municipality.objects.filter(
            code__in={p.municipality_code for p in plans if p.municipality_code}
        ).values_list("code", "id")
    )
    rows: list[dict[str, Any]] = [
        {
            "code": p.code,
            "municipality_id": municipality_ids[p.municipality_code]
            if p.municipality_code
            else None,
            "title_el": p.title_el,
            "title_en": p.title_en,
            "description_el": p.description_el,
            "description_en": p.description_en,
            "documents_el": p.documents_el,
            "documents_en": p.documents_en,
            "remote_servable": p.remote_servable,
            "alternative_el": p.alternative_el,
            "alternative_en": p.alternative_en,
            "is_active": True,
            "is_sample": p.is_sample,
        }
        for p in plans
    ]
    changes = {
        "services": sync_rows(
            Service, key=("code",), rows=rows, existing=Service.objects.filter(code__in=codes)
        )
    }
    if progress:
        progress("services", changes["services"])
    service_ids = dict(Service.objects.filter(code__in=codes).values_list("code", "id"))
    through = Service.categories.through
    changes["service categories"] = sync_rows(
        through,
        key=("service_id", "category_id"),
        rows=[
            {"service_id": service_ids[p.code], "category_id": number}
            for p in plans
            for number in p.categories
        ],
        existing=through.objects.filter(service_id__in=service_ids.values()),
        delete_missing=True,
    )
    if progress:
        progress("service categories", changes["service categories"])
    return changes


@dataclass(frozen=True, slots=True)
class DemoLoadResult:
    directory: DirectoryLoadResult
    catalogue: dict[str, Changes]

    @property
    def changes(self) -> dict[str, Changes]:
        return {**self.directory.changes, **self.catalogue}

    @property
    def changed_anything(self) -> bool:
        return any(c.any for c in self.changes.values())


def load_demo(
    *, today: dt.date, with_demo_logins: bool = False, progress: Progress | None = None
) -> DemoLoadResult:
    """Load the demo directory and catalogue in one transaction. Idempotent.

    Raises ``keplive.directory.demo.DemoLoginsRefusedError`` when demo logins are asked for in
    production, before anything is written.
    """
    with transaction.atomic():
        directory = load_demo_directory(
            today=today, with_demo_logins=with_demo_logins, progress=progress
        )
        catalogue = load_demo_catalogue(progress=progress)
        result = DemoLoadResult(directory=directory, catalogue=catalogue)
        if result.changed_anything:
            record_event(
                action="demo.loaded",
                object_type="directory",
                details={
                    name: {"created": c.created, "updated": c.updated, "deleted": c.deleted}
                    for name, c in result.changes.items()
                    if c.any
                }
                | {"demo_logins": [login.username for login in directory.demo_logins]},
            )
    return result


def demo_totals() -> dict[str, int]:
    """What the database holds now, for the loader's report."""
    services = Service.objects.filter(is_active=True)
    totals = {
        "municipalities": Municipality.objects.count(),
        "KEPs": Kep.objects.count(),
        "KEP-EKE": Kep.objects.filter(is_kep_eke=True).count(),
        "employees": Employee.objects.count(),
        "services": services.count(),
    }
    for category in Category.objects.all():
        totals[f"services in category {category.number}"] = services.filter(
            categories=category
        ).count()
    totals["not servable remotely"] = services.filter(remote_servable=False).count()
    return totals
