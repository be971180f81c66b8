from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from keplive.audit.selectors import audit_chain_report


def _anchor(value: str) -> tuple[int, str]:
    number, _, digest = value.partition(":")
    if not number.isdigit() or len(digest) != 64:
        raise ValueError(value)
    return int(number), digest.lower()


class Command(BaseCommand):
    help = (
        "Verify the audit log: every event against its signed Merkle checkpoint, every "
        "checkpoint's hash, signature and place in the chain; report events not sealed yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            type=_anchor,
            metavar="NUMBER:HASH",
            help="A checkpoint known from outside the database (e.g. the worker's log) that "
            "must be in the chain unchanged.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The problems are described in English here, like the rest of the output.
        with translation.override("en"):
            self._verify(expected=options["expect"])

    def _verify(self, *, expected: tuple[int, str] | None) -> None:
        report = audit_chain_report(expected=expected)
        if report.latest is not None:
            latest = report.latest
            self.stdout.write(
                f"Latest checkpoint {latest.number}: {latest.log_size} events sealed, "
                f"hash {latest.checkpoint_hash}, sealed {latest.sealed_at.isoformat()}"
            )
        if report.unsealed:
            oldest = report.oldest_unsealed_at.isoformat() if report.oldest_unsealed_at else "?"
            self.stdout.write(
                f"{report.unsealed} events not sealed yet (oldest recorded {oldest})."
            )
        if not report.intact:
            for problem in report.problems:
                self.stderr.write(problem.describe())
            raise CommandError(
                f"Audit log broken from event {report.first_broken_id}: "
                f"{len(report.problems)} problem(s); {report.checked} sealed events intact."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.checked} events in {report.checkpoints} "
                "checkpoints verified."
            )
        )
