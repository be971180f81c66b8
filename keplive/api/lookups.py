"""Finding the objects a request names, or answering 404 with a clear message."""

from __future__ import annotations

from keplive.catalogue.models import Category, Service
from keplive.catalogue.selectors import service_with_categories
from keplive.directory.models import Kep, Municipality


class LookupFailed(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def kep_by_code(code: str) -> Kep:
    try:
        return Kep.objects.select_related("municipality").get(code=code)
    except Kep.DoesNotExist as exc:
        raise LookupFailed("kep") from exc


def service_by_code(code: str) -> Service:
    service = service_with_categories(code=code)
    if service is None:
        raise LookupFailed("service")
    return service


def category_by_number(number: int) -> Category:
    try:
        return Category.objects.get(number=number)
    except Category.DoesNotExist as exc:
        raise LookupFailed("category") from exc


def municipality_by_code(code: str) -> Municipality:
    try:
        return Municipality.objects.get(code=code)
    except Municipality.DoesNotExist as exc:
        raise LookupFailed("municipality") from exc
