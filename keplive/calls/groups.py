"""The channel-layer group of a call, and telling its connections that the call changed.

Every change of a call's state reaches every connection of the call as a fresh snapshot
(docs/calls.md). The WebSocket consumer announces the changes made through it; a change made
elsewhere (the police-registry check is an HTTP POST) is announced with ``announce_change``.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def group_name(call_id: int) -> str:
    return f"call.{call_id}"


def announce_change(call_id: int) -> None:
    """After the current transaction commits: every connection of the call gets a snapshot."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group_name(call_id), {"type": "call.changed"})

    transaction.on_commit(send)
