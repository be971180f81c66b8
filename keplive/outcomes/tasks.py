"""Background work of the outcomes app (Huey). Tasks call services; they hold no logic."""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from keplive.outcomes.services import register_due_outcomes, register_with_ekep

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def register_outcomes_task() -> int:
    """Every minute: register with e-KEP the completed outcomes due (new ones, and retries
    after their backoff)."""
    registered = register_due_outcomes(now=timezone.now())
    if registered:
        logger.info("registered %d outcomes with e-KEP", registered)
    return registered


@db_task()
def register_outcome_soon_task(outcome_id: int) -> None:
    """Queued when a completed outcome commits, so it reaches e-KEP within seconds."""
    register_with_ekep(outcome_id=outcome_id, now=timezone.now())
