"""The waitlist's hook into booking: every freed time is recorded for the worker, in the
transaction that freed it (``booking.signals.time_freed``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from keplive.booking.signals import time_freed
from keplive.directory.models import Kep
from keplive.waitlist.services import note_freed_time


@receiver(time_freed, dispatch_uid="keplive.waitlist.note_freed_time")
def _on_time_freed(
    sender: Any, *, kep: Kep, freed_from: dt.datetime, now: dt.datetime, **kwargs: Any
) -> None:
    note_freed_time(kep=kep, freed_from=freed_from, now=now)
