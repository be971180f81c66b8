"""Which KEP may serve which service in which category (C2, C11).

- A service must be active, offered in the category, and servable remotely.
- Category 2 (businesses) only at KEP-EKE.
- Category 4 (municipal) only at a KEP of the service's municipality.
- The KEP must be active and its municipality participating.
"""

from __future__ import annotations

from django.db.models import QuerySet

from keplive.booking.exceptions import KepNotBookable, ServiceNotBookable, ServiceNotOffered
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Kep
from keplive.directory.selectors import bookable_keps


def check_service_bookable(*, service: Service, category: Category) -> None:
    # .all() uses the categories prefetched with the service (catalogue.selectors does).
    offered_in = {offered.pk for offered in service.categories.all()}
    if not service.is_active or category.pk not in offered_in:
        raise ServiceNotOffered()
    if category.municipal != (service.municipality_id is not None):
        raise ServiceNotOffered()
    if not service.remote_servable:
        raise ServiceNotBookable(alternative=service.alternative)


def check_kep_serves(*, kep: Kep, service: Service, category: Category) -> None:
    """Raise unless ``kep`` may take a booking for ``service`` in ``category``."""
    check_service_bookable(service=service, category=category)
    if not kep.is_active or not kep.municipality.is_participating:
        raise KepNotBookable()
    if category.kep_eke_only and not kep.is_kep_eke:
        raise ServiceNotOffered()
    if category.municipal and kep.municipality_id != service.municipality_id:
        raise ServiceNotOffered()


def keps_serving(*, service: Service, category: Category) -> QuerySet[Kep]:
    """Every KEP that may take bookings for the service in the category."""
    check_service_bookable(service=service, category=category)
    keps = bookable_keps()
    if category.kep_eke_only:
        keps = keps.filter(is_kep_eke=True)
    if category.municipal and service.municipality is not None:
        keps = keps.filter(municipality=service.municipality)
    return keps
