"""Reading the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from keplive.audit.models import AuditEvent
from keplive.audit.services import GENESIS_DIGEST, chained_fields, compute_digest


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def audit_chain_report(*, batch_size: int = 2000) -> ChainReport:
    """Recompute every digest in order; report the first event whose chain does not hold."""
    previous = GENESIS_DIGEST
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        expected = compute_digest(previous_digest=previous, fields=chained_fields(event))
        if event.previous_digest != previous or event.digest != expected:
            return ChainReport(checked=checked, first_broken_id=event.pk)
        previous = event.digest
        checked += 1
    return ChainReport(checked=checked, first_broken_id=None)
