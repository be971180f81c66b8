"""``manage.py import_keps FILE.csv [--dry-run]``: import a KEP directory, all rows or none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keplive.directory.importing import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    KepImportError,
    import_keps_from_csv,
)


class Command(BaseCommand):
    help = (
        "Create or update municipalities and KEPs from a UTF-8 CSV file with a header row. "
        f"Columns: {', '.join(REQUIRED_COLUMNS)}, optional {', '.join(OPTIONAL_COLUMNS)} "
        "(e.g. 'Mon-Fri 07:30-15:00; Tue,Thu 17:00-20:00'). If any row is invalid, nothing "
        "is written and every bad line is listed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, but write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = import_keps_from_csv(file=options["file"], dry_run=options["dry_run"])
        except KepImportError as exc:
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
                f"{result.unchanged} unchanged KEPs; municipalities: "
                f"{result.municipalities_created} created, {result.municipalities_updated} updated"
            )
        )
