"""``manage.py import_services FILE.csv [--dry-run]``: import the service catalogue, all rows or
none (the real lists of each category and municipality, in place of the demo's samples)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keplive.catalogue.importing import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ServiceImportError,
    import_services_from_csv,
)


class Command(BaseCommand):
    help = (
        "Create or update services from a UTF-8 CSV file with a header row. "
        f"Columns: {', '.join(REQUIRED_COLUMNS)}, optional {', '.join(OPTIONAL_COLUMNS)}. "
        "categories: '1;3', '2' or '4' (municipal: with municipality_code); documents "
        "separated by '|'. If any row is invalid, nothing is written and every bad line is "
        "listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, but write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_services_from_csv(file=options["file"], dry_run=options["dry_run"])
        except ServiceImportError as exc:
            count = len(exc.problems)
            lines = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(
                f"Nothing imported: {count} problem{'s' if count != 1 else ''} in "
                f"{options['file']}:\n{lines}"
            ) from exc
        self.stdout.write(f"validated {result.rows} rows")
        prefix = "dry run, nothing written — would have imported" if result.dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged services"
            )
        )
