"""Security headers on every response: the Content-Security-Policy (django-csp, policy in
``settings.CONTENT_SECURITY_POLICY``) and the Permissions-Policy. Django's
``SecurityMiddleware`` adds HSTS, nosniff, the referrer and cross-origin-opener policies.
See docs/adr/0014-content-security-policy-and-session-limits.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's middleware, plus this site's own WebSocket origin in ``connect-src``.

    CSP Level 3 lets ``'self'`` match ``ws:``/``wss:`` of the page's own host, and Chromium and
    Firefox do so; older Safari did not, so the call's WebSocket origin (the host this request
    came to, already checked against ``ALLOWED_HOSTS``) is also named. A view that sets its own
    whole policy (``@csp(...)``) gets exactly that policy.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        scheme = "wss" if request.is_secure() else "ws"
        update: dict[str, Any] = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"{scheme}://{host}"]
        parts.update = update
        return parts


class PermissionsPolicy:
    """``Permissions-Policy`` from ``KEPLIVE_PERMISSIONS_POLICY``: camera and microphone for this
    site's own pages only (the call), geolocation and the rest for nobody."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy: str = settings.KEPLIVE_PERMISSIONS_POLICY
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
