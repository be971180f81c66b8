"""Fill the index of each KEP's earliest free time per category (``EarliestFreeTime``) before a
deployment takes traffic (ADR 0020).

The worker refreshes the index every ten minutes and each booking refreshes its own KEP, but a
new deployment, or a directory just imported, starts with no rows: without this step the first
citizen who asks "the earliest time anywhere" waits while every KEP is computed (seconds at
1,000 KEPs). `make run`, `make prod` and the install and upgrade steps of docs/OPERATIONS.md run
it after `migrate` (and `import_keps`).

    .venv/bin/python manage.py refresh_earliest
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from keplive.booking.earliest import refresh_earliest_free_times
from keplive.directory.selectors import bookable_keps


class Command(BaseCommand):
    help = "Compute every bookable KEP's earliest free time per category (a deployment step)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        written = refresh_earliest_free_times(keps=bookable_keps(), now=timezone.now())
        elapsed = time.perf_counter() - started
        self.stdout.write(f"earliest free times: {written} rows in {elapsed:.1f} s")
