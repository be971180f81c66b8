"""Where a request came from, for the audit log."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from keplive.audit.services import Origin


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies forwarded."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.KEPLIVE_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def request_origin(request: HttpRequest, *, channel: str) -> Origin:
    return Origin(ip_address=client_ip(request), channel=channel)
