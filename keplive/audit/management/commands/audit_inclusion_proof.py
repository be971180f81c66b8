from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keplive.audit.selectors import inclusion_proof


class Command(BaseCommand):
    help = (
        "Print, as JSON, the proof that one audit event is in its signed checkpoint: the "
        "checkpoint's statement and signature, the event's leaf index and the audit path."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        proof = inclusion_proof(event_id=options["event_id"])
        if proof is None:
            raise CommandError("No such event in any checkpoint (not sealed yet, or missing).")
        self.stdout.write(proof.as_json())
