"""Background work of the audit app (Huey): sealing the log (ADR 0011)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from keplive.audit.services import seal_audit_log


@db_periodic_task(crontab(minute="*"))
def seal_audit_log_task() -> int:
    """Every minute: seal the events committed since the last checkpoint into a signed one."""
    return seal_audit_log().sealed
