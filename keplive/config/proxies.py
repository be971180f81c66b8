"""One truth for the client's address (issue 11 finding 2, ADR 0016).

The address a request comes from is decided once, here, for pages, the API, WebSockets, django-axes
and the audit log alike: the peer of the TCP connection, unless that peer is one of
``KEPLIVE_TRUSTED_PROXIES`` (the production nginx), in which case the last address that proxy
appended to ``X-Forwarded-For`` (and its ``X-Forwarded-Proto``). Forwarding headers from anyone
else are ignored, so a client cannot choose its own address and dodge the lockout.

The server must not apply forwarding headers itself: ``manage.py serve`` starts uvicorn with
``proxy_headers=False`` (uvicorn trusts loopback by default), and this middleware — uvicorn's own,
configured from the settings — does the work inside the application.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def with_trusted_proxies(application: Any) -> Any:
    """``application`` behind the forwarding-header rule of the settings."""
    trusted = list(settings.KEPLIVE_TRUSTED_PROXIES)
    if not trusted:
        return application
    return ProxyHeadersMiddleware(application, trusted_hosts=",".join(trusted))
