"""Reading the waitlist. A request holds no personal data beyond whose it is (the window and
the scope the citizen chose); every reader filters by the citizen, so another citizen's request
is never found."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from keplive.accounts.models import Citizen
from keplive.booking.models import Appointment
from keplive.waitlist.models import Offer, OfferStatus, RequestStatus, WaitingRequest


def active_requests_for_citizen(*, citizen: Citizen) -> QuerySet[WaitingRequest]:
    return (
        WaitingRequest.objects.filter(citizen=citizen, status=RequestStatus.ACTIVE)
        .select_related("appointment", "kep", "service", "category")
        .order_by("created_at", "pk")
    )


def active_request_for_appointment(
    *, citizen: Citizen, appointment: Appointment
) -> WaitingRequest | None:
    return active_requests_for_citizen(citizen=citizen).filter(appointment=appointment).first()


def open_offers_for_citizen(*, citizen: Citizen, now: dt.datetime) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(citizen=citizen, status=OfferStatus.PENDING, expires_at__gt=now)
        .select_related("kep", "request__appointment", "request__service")
        .order_by("expires_at")
    )


def offer_by_public_id(public_id: str) -> Offer | None:
    try:
        return (
            Offer.objects.select_related(
                "kep",
                "request",
                "request__appointment",
                "request__appointment__kep",
                "request__service",
            )
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):
        return None
