"""Queueing: written in the caller's transaction, idempotent by key, nothing sent inline."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from keplive.accounts.models import User
from keplive.notifications.models import OutboxMessage, Status
from keplive.notifications.selectors import messages_caused_by, outbox_status_counts
from keplive.notifications.services import Attachment, queue_email

pytestmark = pytest.mark.django_db


def fail_after_queueing(queue_it) -> None:
    """A change that queues mail, then fails and rolls back."""
    with transaction.atomic():
        queue_it()
        raise RuntimeError("the booking failed")


def queue(key: str = "test:1", **overrides) -> OutboxMessage:
    arguments = {
        "key": key,
        "to": "citizen@example.gr",
        "subject": "Επιβεβαίωση ραντεβού",
        "text": "Το ραντεβού σας κλείστηκε.",
    }
    return queue_email(**(arguments | overrides))


def test_a_queued_email_waits_pending_and_due_now_with_nothing_sent(mail_standin):
    message = queue(
        html="<p>Το ραντεβού σας κλείστηκε.</p>",
        attachments=[Attachment("rantevou.ics", b"BEGIN:VCALENDAR", "text/calendar")],
        language="en",
    )
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.attempts == 0
    assert message.next_attempt_at is not None
    assert message.sent_at is None
    assert message.language == "en"
    assert message.attachments == [
        {
            "filename": "rantevou.ics",
            "content_type": "text/calendar",
            "content": base64.b64encode(b"BEGIN:VCALENDAR").decode(),
        }
    ]
    assert mail_standin.files() == []


def test_an_email_queued_in_a_transaction_that_rolls_back_is_not_queued():
    with pytest.raises(RuntimeError, match="booking failed"):
        fail_after_queueing(lambda: queue())
    assert not OutboxMessage.objects.exists()


def test_queueing_the_same_key_twice_returns_the_existing_message():
    first = queue(key="booking-confirmation:7:0")
    second = queue(key="booking-confirmation:7:0", subject="Another subject")
    assert second.pk == first.pk
    assert second.subject == "Επιβεβαίωση ραντεβού"
    assert OutboxMessage.objects.count() == 1
    third = queue(key="booking-confirmation:7:1")
    assert third.pk != first.pk


def test_the_cause_is_recorded_as_type_and_id():
    user = User.objects.create_user(username="cause")
    message = queue(cause=user)
    assert (message.reference_type, message.reference_id) == ("accounts.user", str(user.pk))
    assert list(messages_caused_by(reference_type="accounts.user", reference_id=user.pk)) == [
        message
    ]


def test_an_invalid_address_or_a_multi_line_subject_is_refused():
    with pytest.raises(ValidationError):
        queue(to="not-an-address")
    with pytest.raises(ValueError, match="single line"):
        queue(subject="Θέμα\nBcc: someone@example.com")
    assert not OutboxMessage.objects.exists()


def test_status_counts_name_every_status():
    queue()
    assert outbox_status_counts() == {"pending": 1, "sending": 0, "sent": 0, "failed": 0}
