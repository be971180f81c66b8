from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keplive.audit.selectors import audit_chain_report


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report whether it is intact."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_report()
        if not report.intact:
            raise CommandError(
                f"Audit chain broken at event {report.first_broken_id} "
                f"after {report.checked} intact events."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events."))
