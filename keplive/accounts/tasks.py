"""Background work of the accounts app (Huey)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="17"))
def clear_expired_sessions_task() -> int:
    """Every night: delete expired sessions, and with them any details a citizen typed but never
    booked (ADR 0008)."""
    deleted, _by_model = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
