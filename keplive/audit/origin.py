"""Where a request came from, for the audit log."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from keplive.audit.services import Origin


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, which the ASGI application has already set from a
    trusted proxy's X-Forwarded-For, or left as the connection's peer
    (``keplive.config.proxies``). Forwarding headers are never read here: one rule, one place,
    for the audit log and django-axes alike."""
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def request_origin(request: HttpRequest, *, channel: str) -> Origin:
    return Origin(ip_address=client_ip(request), channel=channel)
