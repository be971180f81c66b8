"""WebSocket routes of the calls app (mounted in ``keplive.config.asgi``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import path

from keplive.calls.consumers import CallConsumer

websocket_urlpatterns = [
    path("ws/calls/<str:reference>/", CallConsumer.as_asgi()),
]


def ws_path(reference: object, link: str = "") -> str:
    """The WebSocket path a call page connects to; ``link`` is the join or interpreter token."""
    query = f"?{urlencode({'link': link})}" if link else ""
    return f"/ws/calls/{reference}/{query}"
