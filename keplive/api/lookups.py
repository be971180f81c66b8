"""Finding the objects a request names, or answering 404 with a clear message.

The KEP, the service (with its categories) and the category a free-times or booking request
names are read from the cache, keyed by the directory version (``directory/versioning.py``),
which every change to the directory or the catalogue bumps: three of a free-times request's
five queries were these lookups (docs/PERFORMANCE.md, issue 13). What is not found is not
cached: the 404 asks the database each time.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from keplive.catalogue.models import Category, Service
from keplive.catalogue.selectors import service_with_categories
from keplive.directory.models import Kep, Municipality
from keplive.directory.versioning import directory_version

T = TypeVar("T")
# As the KEPs' cached directory data: the worker's refresh keeps them warm (ADR 0005).
LOOKUP_SECONDS = 15 * 60


# Read-only callers (the free-times views) share this process's unpickled objects, under the
# same keys (so the same directory version), for a minute: unpickling a KEP and a service with
# its categories on every request was a tenth of a warm free-times request (ADR 0031). Callers
# that may change what they get (bookings) keep getting their own copy from the cache.
SHARED_SECONDS = 60.0
SHARED_AT_MOST = 4096
_shared: dict[str, tuple[float, object]] = {}


def _cached(kind: str, key: str, load: Callable[[], T], *, shared: bool = False) -> T:
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    cache_key = f"lookup:{kind}:{directory_version()}:{digest}"
    moment = time.monotonic()
    if shared and (remembered := _shared.get(cache_key)) and remembered[0] > moment:
        return remembered[1]  # type: ignore[return-value]
    found: T | None = cache.get(cache_key)
    if found is None:
        found = load()  # raises LookupFailed when there is none: nothing cached
        cache.set(cache_key, found, LOOKUP_SECONDS)
    if shared:
        if len(_shared) >= SHARED_AT_MOST:
            _shared.clear()
        _shared[cache_key] = (moment + SHARED_SECONDS, found)
    return found


class LookupFailed(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def kep_by_code(code: str, *, shared: bool = False) -> Kep:
    """The KEP; ``shared``: a read-only caller may get this process's shared instance."""

    def load() -> Kep:
        try:
            return Kep.objects.select_related("municipality").get(code=code)
        except Kep.DoesNotExist as exc:
            raise LookupFailed("kep") from exc

    return _cached("kep", code, load, shared=shared)


def service_by_code(code: str, *, shared: bool = False) -> Service:
    def load() -> Service:
        service = service_with_categories(code=code)
        if service is None:
            raise LookupFailed("service")
        return service

    return _cached("service", code, load, shared=shared)


def category_by_number(number: int, *, shared: bool = False) -> Category:
    def load() -> Category:
        try:
            return Category.objects.get(number=number)
        except Category.DoesNotExist as exc:
            raise LookupFailed("category") from exc

    return _cached("category", str(number), load, shared=shared)


def municipality_by_code(code: str) -> Municipality:
    try:
        return Municipality.objects.get(code=code)
    except Municipality.DoesNotExist as exc:
        raise LookupFailed("municipality") from exc
