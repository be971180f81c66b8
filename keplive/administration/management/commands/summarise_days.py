"""Summarise finished days for the dashboard (ADR 0029): dirty days, then days never summarised,
back to ``--since`` (default: a year). The worker does the same a few days a minute; run this
after ``migrate`` on a deployment, or to backfill further back.

    .venv/bin/python manage.py summarise_days [--since 2025-01-01]
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keplive.administration.summary import summarise_days


class Command(BaseCommand):
    help = "Summarise finished days for the national dashboard (a deployment step)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="first local date to summarise (YYYY-MM-DD)")
        parser.add_argument("--now", help="the moment to summarise at (ISO; tests, benches)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = dt.date.fromisoformat(options["since"]) if options["since"] else None
            now = dt.datetime.fromisoformat(options["now"]) if options["now"] else timezone.now()
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        total = 0
        while done := summarise_days(now=now, since=since):
            total += len(done)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"dashboard summary: {total} days in {elapsed:.1f} s")
