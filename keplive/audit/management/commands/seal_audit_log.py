from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keplive.audit.sealing import WAIT_SECONDS
from keplive.audit.services import seal_audit_log


class Command(BaseCommand):
    help = (
        "Seal the audit events committed since the last checkpoint into signed Merkle "
        "checkpoints (the worker does this every minute)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=WAIT_SECONDS,
            help="Seconds to wait for transactions that may still commit earlier events.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seal_audit_log(wait_seconds=options["wait"])
        if result.busy:
            self.stdout.write("Another sealer is running; nothing done.")
            return
        if result.waiting_for:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.waiting_for} open transaction(s) may still commit earlier events; "
                    "nothing sealed. Run again later."
                )
            )
            return
        for checkpoint in result.checkpoints:
            self.stdout.write(
                f"Checkpoint {checkpoint.number}: {checkpoint.tree_size} events "
                f"({checkpoint.after_event_id + 1}–{checkpoint.through_event_id}), "
                f"hash {checkpoint.checkpoint_hash}"
            )
        if result.mismatched:
            self.stderr.write(
                self.style.ERROR(
                    "Events changed before sealing: " + ", ".join(map(str, result.mismatched[:20]))
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Sealed {result.sealed} events."))
