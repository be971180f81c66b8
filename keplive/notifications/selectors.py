"""Reading the outbox."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from keplive.notifications.models import OutboxMessage, Status


def messages_caused_by(*, reference_type: str, reference_id: object) -> QuerySet[OutboxMessage]:
    """The messages an object caused, newest first (for example an appointment's emails)."""
    return OutboxMessage.objects.filter(
        reference_type=reference_type, reference_id=str(reference_id)
    )


def outbox_status_counts() -> dict[str, int]:
    """How many messages are in each status, every status present (for monitoring)."""
    counts = {status.value: 0 for status in Status}
    for row in OutboxMessage.objects.values("status").annotate(total=Count("id")).order_by():
        counts[row["status"]] = row["total"]
    return counts
