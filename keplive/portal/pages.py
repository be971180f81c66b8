"""Citizen pages: information (the user manual, personal data protection).

Both are public and read-only: anyone may read them before logging in, and only GET (and HEAD)
is answered; anything else gets 405.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe


@require_safe
def manual(request: HttpRequest) -> HttpResponse:
    """The user manual (C10): how to book, what the emails hold, the day of the call."""
    return render(request, "portal/pages/manual.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    """Personal data protection (C5): who processes what, why, for how long, and your rights."""
    return render(request, "portal/pages/privacy.html")


urlpatterns: list[URLPattern] = [
    path("manual/", manual, name="manual"),
    path("privacy/", privacy, name="privacy"),
]
