"""``manage.py load_demo``: the demo directory and service catalogue, idempotently."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keplive.catalogue.demo import demo_totals, load_demo
from keplive.directory import demo_data
from keplive.directory.demo import Changes, DemoLoginsRefusedError
from keplive.directory.models import Kep


class Command(BaseCommand):
    help = (
        "Load the demo directory (the seed municipalities, their KEPs, employees) and the "
        "service catalogue. Safe to run again: a second run changes nothing. Demo logins with "
        "a published password are created when DEBUG is on or --with-demo-logins is given, "
        "and never in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        logins = parser.add_mutually_exclusive_group()
        logins.add_argument(
            "--with-demo-logins",
            action="store_true",
            help="Create the demo logins even when DEBUG is off (refused in production).",
        )
        logins.add_argument(
            "--without-demo-logins",
            action="store_true",
            help="Do not create the demo logins, even when DEBUG is on.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with_logins = options["with_demo_logins"] or (
            settings.DEBUG and not options["without_demo_logins"]
        )
        started = time.monotonic()
        self.stdout.write("Loading the demo directory and catalogue…")
        try:
            result = load_demo(
                today=timezone.localdate(), with_demo_logins=with_logins, progress=self._progress
            )
        except DemoLoginsRefusedError as exc:
            raise CommandError(f"{exc} Run without --with-demo-logins.") from exc
        elapsed = time.monotonic() - started

        totals = demo_totals()
        self.stdout.write(
            ", ".join(
                f"{name}: {totals[name]}"
                for name in ("municipalities", "KEPs", "KEP-EKE", "employees", "services")
            )
        )
        self.stdout.write(
            "services by category: "
            + ", ".join(
                f"{number}: {totals[f'services in category {number}']}" for number in (1, 2, 3, 4)
            )
            + f" (not servable remotely: {totals['not servable remotely']})"
        )
        if not result.changed_anything:
            self.stdout.write("Nothing to change: the demo data was already loaded.")
        self.stdout.write(self.style.SUCCESS(f"Demo loaded in {elapsed:.1f} s."))

        if result.directory.demo_logins:
            home = Kep.objects.get(code=result.directory.home_kep_code)
            self.stdout.write(f'Demo logins (password "{demo_data.DEMO_PASSWORD}"):')
            for login in result.directory.demo_logins:
                where = (
                    f"{home.code} {home.name_el}" if login.where.startswith("KEP") else login.where
                )
                self.stdout.write(f"  {login.username:<16} {login.role:<14} {where}")
        else:
            self.stdout.write("No demo logins (DEBUG is off; pass --with-demo-logins to add them).")

    def _progress(self, name: str, changes: Changes) -> None:
        self.stdout.write(
            f"  {name}: {changes.created} created, {changes.updated} updated"
            + (f", {changes.deleted} removed" if changes.deleted else "")
        )
