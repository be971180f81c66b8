"""The booking limit told before the citizen starts (issue 14, item 1): the home page and the
wizard's first steps say how many of KEPLIVE_MAX_ACTIVE_BOOKINGS upcoming appointments she
has; at the limit, the wizard shows why she cannot book and a link to "My appointments"
instead of letting her choose a time the booking service would then refuse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from keplive.accounts.models import User
from keplive.booking.selectors import upcoming_booking_count

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Allowance:
    used: int
    limit: int

    @property
    def at_limit(self) -> bool:
        return self.used >= self.limit


def allowance_for(request: HttpRequest) -> Allowance | None:
    """The logged-in citizen's upcoming appointments against the limit; None for anyone else."""
    user = request.user
    if not (isinstance(user, User) and user.is_citizen and hasattr(user, "citizen")):
        return None
    used = upcoming_booking_count(citizen=user.citizen, now=timezone.now())
    return Allowance(used=used, limit=settings.KEPLIVE_MAX_ACTIVE_BOOKINGS)


def within_booking_limit(view: View) -> View:
    """Steps 1 to 4 of the wizard: at the limit, the explanation instead of the step. Goes
    after ``citizen_required``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        allowance = allowance_for(request)
        if allowance is not None and allowance.at_limit:
            return render(
                request,
                "portal/wizard/at_limit.html",
                {
                    "allowance": allowance,
                    "step": 1,
                    "steps": 6,
                    "back_url": reverse("portal:home"),
                },
            )
        return view(request, *args, **kwargs)

    return wrapper
