"""Signals the booking app sends to the apps above it (which it may not import).

``time_freed``: an employee's time at a KEP became free — a cancellation, a reschedule or move
(its old time), a released or expired hold. Sent *inside* the transaction that frees the time,
with ``kep``, ``freed_from`` (the earliest start freed) and ``now``, so a receiver can write
durable work (the waitlist's ``FreedTime`` row) that commits or rolls back with the change.
Receivers must not lock rows above the citizen in the lock order (ADR 0012), and must not fail:
an exception would undo the citizen's change.
"""

from __future__ import annotations

from django.dispatch import Signal

time_freed = Signal()
