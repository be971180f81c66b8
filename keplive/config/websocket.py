"""Who may open a WebSocket: only pages of this site (issue 11 finding 7).

A browser sends the page's origin with every WebSocket handshake, and cookies go with it whatever
the page, so a page of another site could otherwise speak in a call with the visitor's session
(cross-site WebSocket hijacking). The origin must equal the site's public URL — scheme, host and
port — or one of ``CSRF_TRUSTED_ORIGINS``; anything else, or no origin at all, is refused at the
handshake (403). Settings are read per connection, so tests can change them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _origin_key(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, with the scheme's default port; None if malformed."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme]


def allowed_origins() -> set[tuple[str, str, int]]:
    candidates = [settings.KEPLIVE_PUBLIC_URL, *settings.CSRF_TRUSTED_ORIGINS]
    return {key for key in map(_origin_key, candidates) if key is not None}


def origin_allowed(origin: str | None) -> bool:
    if not origin:
        return False
    key = _origin_key(origin)
    return key is not None and key in allowed_origins()


class SameOriginValidator:
    """ASGI middleware: pass a WebSocket on only when its Origin is the site's own."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        origin = next(
            (
                value.decode("latin-1")
                for name, value in scope.get("headers", [])
                if name == b"origin"
            ),
            None,
        )
        if origin_allowed(origin):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
