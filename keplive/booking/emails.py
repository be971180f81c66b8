"""The emails a citizen receives about an appointment (C6, C7, C8), queued in the outbox.

Being written: see the helper's task. Interface used by ``booking.services``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from keplive.booking.models import Appointment
from keplive.notifications.models import OutboxMessage


class EmailKind(StrEnum):
    CONFIRMED = "confirmed"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    REMINDER = "reminder"


def queue_appointment_email(
    appointment: Appointment, kind: EmailKind, *, now: dt.datetime
) -> OutboxMessage:
    raise NotImplementedError
