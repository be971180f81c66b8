"""The alert app's writes, each taking ``now`` (the worker's clock, or a test's).

- ``send_employee_reminders`` — the employee's email before each appointment (E3).
- ``send_interpreter_digests`` — the daily interpreter digest, its addenda and withdrawals (E12).
- ``raise_waiting_alerts`` / ``resolve_waiting_alerts`` — nobody left waiting (A7).
- ``take_over_waiting_alert`` — an employee of the KEP takes a waiting citizen's call over.
"""

from __future__ import annotations

from keplive.alerts.interpreters import send_interpreter_digest, send_interpreter_digests
from keplive.alerts.reminders import send_employee_reminders
from keplive.alerts.waiting import (
    raise_waiting_alerts,
    resolve_waiting_alerts,
    take_over_waiting_alert,
)

__all__ = [
    "raise_waiting_alerts",
    "resolve_waiting_alerts",
    "send_employee_reminders",
    "send_interpreter_digest",
    "send_interpreter_digests",
    "take_over_waiting_alert",
]
