"""Background work of the alerts app (Huey). Tasks call services; they hold no logic."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from keplive.alerts.services import (
    raise_waiting_alerts,
    send_employee_reminders,
    send_interpreter_digests,
)


@db_periodic_task(crontab(minute="*"))
def send_employee_reminders_task() -> int:
    """Every minute: the employee's email before each of their appointments (E3)."""
    return send_employee_reminders(now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def send_interpreter_digests_task() -> int:
    """Every minute: the next day's interpreter digest once its time has come, and addenda
    (E12). Cheap before the time: one query."""
    run = send_interpreter_digests(now=timezone.now())
    return int(run.digest is not None) + run.addenda + run.withdrawals


@db_periodic_task(crontab(minute="*"))
def raise_waiting_alerts_task() -> int:
    """Every minute: alert the supervisors and administrators of calls nobody opened (A7)."""
    return raise_waiting_alerts(now=timezone.now())
