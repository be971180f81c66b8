"""The waitlist's figures for the ministry's dashboard: per KEP and service, the requests
waiting now (at the KEP of their appointment), the offers made in a period (at the KEP whose
time was offered) and how they ended, and how many days earlier the
citizens who took one were served. Grouped in the database; no citizen in them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from keplive.catalogue.models import Service
from keplive.directory.models import Kep
from keplive.waitlist.models import Offer, OfferStatus, RequestStatus, WaitingRequest


@dataclass(frozen=True, slots=True)
class WaitlistRow:
    kep_code: str
    kep_name: str
    service_title: str
    waiting: int
    offers: int
    taken: int
    declined: int
    expired: int
    days_earlier: int  # summed over the offers taken that moved an appointment
    # Offers taken that moved an appointment (a request made before booking had none: ADR 0028).
    moved: int = 0

    @property
    def average_days_earlier(self) -> float | None:
        return self.days_earlier / self.moved if self.moved else None


def _narrow(
    rows: QuerySet,
    prefix: str,
    kep_id: int | None,
    municipality_id: int | None,
    category: int | None,
) -> QuerySet:
    """``prefix`` leads to the category (the request's); the KEP is the row's own: where the
    request waits, or where the offer's time was (another KEP of the request's scope)."""
    if kep_id is not None:
        rows = rows.filter(kep_id=kep_id)
    if municipality_id is not None:
        rows = rows.filter(kep__municipality_id=municipality_id)
    if category is not None:
        rows = rows.filter(**{f"{prefix}category_id": category})
    return rows


def waitlist_by_kep_and_service(
    *,
    start: dt.datetime,
    end: dt.datetime,
    kep_id: int | None = None,
    municipality_id: int | None = None,
    category: int | None = None,
) -> list[WaitlistRow]:
    """Offers made in [start, end); requests waiting now."""
    waiting = {
        (row["kep_id"], row["service_id"]): row["n"]
        for row in _narrow(
            WaitingRequest.objects.filter(status=RequestStatus.ACTIVE),
            "",
            kep_id,
            municipality_id,
            category,
        )
        .values("kep_id", "service_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    # An offer counts at the KEP whose time it offered: for a request waiting at "any KEP of
    # the municipality" that may be another KEP than the one it waits at.
    offers = {
        (row["kep_id"], row["request__service_id"]): row
        for row in _narrow(
            Offer.objects.filter(created_at__gte=start, created_at__lt=end),
            "request__",
            kep_id,
            municipality_id,
            category,
        )
        .values("kep_id", "request__service_id")
        .annotate(
            n=Count("pk"),
            taken=Count("pk", filter=Q(status=OfferStatus.TAKEN)),
            declined=Count("pk", filter=Q(status=OfferStatus.DECLINED)),
            expired=Count("pk", filter=Q(status=OfferStatus.EXPIRED)),
            moved=Count("pk", filter=Q(status=OfferStatus.TAKEN, previous_starts_at__isnull=False)),
            days=Sum("days_earlier", filter=Q(status=OfferStatus.TAKEN)),
        )
        .order_by()
    }
    keys = set(waiting) | set(offers)
    keps = Kep.objects.in_bulk({kep for kep, _service in keys})
    services = Service.objects.in_bulk({service for _kep, service in keys})
    rows = []
    for key in sorted(keys, key=lambda k: (keps[k[0]].code, services[k[1]].code)):
        made = offers.get(key, {})
        kep, service = keps[key[0]], services[key[1]]
        rows.append(
            WaitlistRow(
                kep_code=kep.code,
                kep_name=kep.name,
                service_title=service.title,
                waiting=waiting.get(key, 0),
                offers=made.get("n", 0),
                taken=made.get("taken", 0),
                declined=made.get("declined", 0),
                expired=made.get("expired", 0),
                days_earlier=made.get("days") or 0,
                moved=made.get("moved", 0),
            )
        )
    return rows
