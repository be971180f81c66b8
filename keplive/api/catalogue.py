"""Catalogue and directory: categories, services, municipalities, KEPs."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from keplive.api.lookups import (
    category_by_number,
    kep_by_code,
    municipality_by_code,
    service_by_code,
)
from keplive.api.presenters import kep_out, service_out
from keplive.api.problems import errors
from keplive.api.schemas import CategoryOut, KepOut, MunicipalityOut, ServiceOut
from keplive.booking.eligibility import keps_serving
from keplive.catalogue.selectors import categories, services_in
from keplive.directory.selectors import bookable_keps, participating_municipalities

router = Router(tags=["catalogue"])


@router.get(
    "/categories",
    response={200: list[CategoryOut], **errors()},
    summary="The four service categories",
)
def list_categories(request: HttpRequest) -> list[CategoryOut]:
    return [
        CategoryOut(
            number=c.number,
            slug=c.slug,
            title=c.title,
            description=c.description,
            call_minutes=c.call_minutes,
            buffer_minutes=c.buffer_minutes,
            min_notice_minutes=c.min_notice_minutes,
            horizon_days=c.horizon_days,
            window_start=f"{c.window_start:%H:%M}",
            window_end=f"{c.window_end:%H:%M}",
            kep_eke_only=c.kep_eke_only,
            municipal=c.municipal,
            offers_interpreter=c.offers_interpreter,
        )
        for c in categories()
    ]


class ServiceFilter(Schema):
    category: int | None = Field(None, ge=1, le=4)
    municipality: str | None = Field(None, max_length=64, description="Municipality code")
    q: str = Field("", max_length=100, description="Words to find in the title")


@router.get(
    "/services",
    response={200: list[ServiceOut], **errors(404, 422)},
    summary="Search the service catalogue",
)
def list_services(request: HttpRequest, filters: Query[ServiceFilter]) -> list[ServiceOut]:
    category = category_by_number(filters.category) if filters.category else None
    municipality = municipality_by_code(filters.municipality) if filters.municipality else None
    return [
        service_out(s)
        for s in services_in(category=category, municipality=municipality, query=filters.q)
    ]


@router.get("/services/{code}", response={200: ServiceOut, **errors(404)}, summary="One service")
def get_service(request: HttpRequest, code: str) -> ServiceOut:
    return service_out(service_by_code(code))


@router.get(
    "/municipalities",
    response={200: list[MunicipalityOut], **errors()},
    summary="Participating municipalities",
)
def list_municipalities(request: HttpRequest) -> list[MunicipalityOut]:
    return [
        MunicipalityOut(code=m.code, name=m.name, region=m.region, participating=m.is_participating)
        for m in participating_municipalities()
    ]


class KepFilter(Schema):
    municipality: str | None = Field(None, max_length=64)
    service: str | None = Field(None, max_length=80, description="Only KEPs that serve it…")
    category: int | None = Field(None, ge=1, le=4, description="…in this category")


@router.get(
    "/keps",
    response={200: list[KepOut], **errors(404, 422)},
    summary="KEPs taking appointments",
)
def list_keps(request: HttpRequest, filters: Query[KepFilter]) -> list[KepOut]:
    if filters.service and filters.category:
        keps = keps_serving(
            service=service_by_code(filters.service),
            category=category_by_number(filters.category),
        )
    else:
        keps = bookable_keps()
    if filters.municipality:
        keps = keps.filter(municipality=municipality_by_code(filters.municipality))
    return [kep_out(k) for k in keps]


@router.get("/keps/{code}", response={200: KepOut, **errors(404)}, summary="One KEP")
def get_kep(request: HttpRequest, code: str) -> KepOut:
    return kep_out(kep_by_code(code))
