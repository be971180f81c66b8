"""The worker: the periodic task delivers, a commit that queued mail asks for delivery at once,
and two deliverers at the same moment never send one message twice."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone
from huey.api import PeriodicTask

from keplive.notifications.models import OutboxMessage, Status
from keplive.notifications.services import deliver_due_messages, queue_email
from keplive.notifications.tasks import deliver_outbox_soon_task, deliver_outbox_task


def fail_after_queueing(queue_it) -> None:
    """A change that queues mail, then fails and rolls back."""
    with transaction.atomic():
        queue_it()
        raise RuntimeError("the booking failed")


def queue(key: str, to: str = "citizen@example.gr") -> OutboxMessage:
    return queue_email(key=key, to=to, subject=f"Ραντεβού {key}", text="Καλημέρα σας.")


@pytest.mark.django_db
def test_the_periodic_task_runs_every_minute_and_delivers(mail_standin, huey_immediate):
    task = deliver_outbox_task.task_class()
    assert isinstance(task, PeriodicTask)
    assert task.validate_datetime(dt.datetime(2026, 3, 29, 3, 17))
    message = queue("periodic")
    deliver_outbox_task()  # immediate mode: runs now, through Huey
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [entry.subject for entry in mail_standin.index()] == ["Ραντεβού periodic"]


@pytest.mark.django_db
def test_a_commit_that_queued_mail_delivers_it_at_once_and_a_rollback_sends_nothing(
    mail_standin, huey_immediate, settings, django_capture_on_commit_callbacks
):
    # Commit callbacks are captured and run as a real commit would run them; this keeps the test
    # out of a transactional database, whose flush would disturb serialized-rollback tests.
    settings.KEPLIVE_OUTBOX_DELIVER_ON_COMMIT = True
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="booking failed"),
    ):
        fail_after_queueing(lambda: queue("rolled-back"))
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue("committed")
        assert mail_standin.files() == []  # nothing sent inside the transaction
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [entry.subject for entry in mail_standin.index()] == ["Ραντεβού committed"]


@pytest.mark.django_db
def test_the_on_commit_task_takes_no_arguments_and_keeps_no_result(mail_standin, huey_immediate):
    queue("soon")
    assert deliver_outbox_soon_task().get() is None
    assert len(mail_standin.files()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_deliverers_at_once_send_each_message_exactly_once(require_postgres, mail_standin):
    keys = [f"concurrent:{number}" for number in range(24)]
    for key in keys:
        queue(key)
    start = threading.Barrier(2)
    results = []
    errors = []

    def deliverer() -> None:
        try:
            start.wait(timeout=10)
            results.append(deliver_due_messages(now=timezone.now(), limit=100))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(result.sent for result in results) == len(keys)
    received = Counter(entry.subject for entry in mail_standin.index())
    assert received == Counter(f"Ραντεβού {key}" for key in keys)
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
