"""The worker's heartbeat (ADR 0018): /readyz turns red when it stops."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task

from keplive.config.health import beat


@periodic_task(crontab(minute="*"))
def worker_heartbeat_task() -> None:
    """Every minute, while the worker runs its queue: "alive" with the time."""
    beat()


@HUEY.on_startup()
def heartbeat_on_start() -> None:
    """At once when the worker starts, not at the next minute."""
    beat()
