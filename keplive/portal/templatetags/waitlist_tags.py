"""The waitlist's part of the citizen's appointment pages: one tag on the appointment's page
("tell me if an earlier time frees up", or the request with its remove button) and one in My
appointments (open offers, and every request waiting, each removable)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from keplive.waitlist.links import offer_token
from keplive.waitlist.selectors import (
    active_request_for_appointment,
    active_requests_for_citizen,
    open_offers_for_citizen,
)

register = template.Library()


@register.inclusion_tag("portal/waitlist/on_appointment.html")
def waitlist_on_appointment(access: Any) -> dict[str, Any]:
    if access.via_link or not access.changeable:
        return {"shown": False}
    request = active_request_for_appointment(citizen=access.citizen, appointment=access.appointment)
    return {
        "shown": True,
        "request": request,
        "ask_url": reverse("portal:waitlist_ask", args=[str(access.appointment.reference)]),
        "remove_url": (
            reverse("portal:waitlist_remove", args=[str(request.public_id)]) if request else ""
        ),
    }


@register.inclusion_tag("portal/waitlist/in_my_appointments.html", takes_context=True)
def waitlist_in_my_appointments(context: template.Context) -> dict[str, Any]:
    citizen = context["request"].user.citizen
    offers = [
        {"offer": offer, "url": reverse("portal:waitlist_offer", args=[offer_token(offer)])}
        for offer in open_offers_for_citizen(citizen=citizen, now=timezone.now())
    ]
    requests = [
        {
            "request": request,
            "remove_url": reverse("portal:waitlist_remove", args=[str(request.public_id)]),
        }
        for request in active_requests_for_citizen(citizen=citizen)
    ]
    return {"offers": offers, "requests": requests, "csrf_token": context.get("csrf_token")}
