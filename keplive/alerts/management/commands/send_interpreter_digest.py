"""Send tomorrow's interpreter digest now instead of at ``KEPLIVE_INTERPRETER_DIGEST_TIME``:
for an operator (the Institute asks for it early) and for trying the demo. Still exactly once:
nothing is sent when tomorrow's digest has already gone.

    .venv/bin/python manage.py send_interpreter_digest
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from keplive.alerts.interpreters import send_interpreter_digest


class Command(BaseCommand):
    help = "Send tomorrow's interpreter digest now (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        digest = send_interpreter_digest(now=timezone.now(), early=True)
        if digest is None:
            self.stdout.write("Tomorrow's interpreter digest has already been sent.")
        else:
            self.stdout.write(
                f"Interpreter digest for {digest.for_date:%d/%m/%Y} queued to {digest.recipient}"
                f" with {digest.count} request(s)."
            )
