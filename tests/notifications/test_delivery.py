"""Delivery through real SMTP: the local stand-in receives the mail, or refuses it, or is not
there at all."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading

import pytest
from django.utils import timezone

from keplive.integrations.smtp.local import duplicate_message_ids
from keplive.notifications.delivery import Mailer, Outcome
from keplive.notifications.models import OutboxMessage, Status
from keplive.notifications.services import (
    INTERRUPTED,
    Attachment,
    backoff_delay,
    claim_next,
    deliver_due_messages,
    queue_email,
    resume_expired_leases,
    still_mine,
)
from tests.notifications.conftest import free_port, point_email_at

pytestmark = pytest.mark.django_db

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def queue(key: str = "test:1", to: str = "citizen@example.gr", **overrides) -> OutboxMessage:
    arguments = {
        "key": key,
        "to": to,
        "subject": "Επερχόμενο ραντεβού στο ΚΕΠ Αμαρουσίου",
        "text": "Αγαπητή κυρία Παπαδοπούλου, το ραντεβού σας είναι την Τρίτη στις 10:30.",
        "html": "<p>Αγαπητή κυρία Παπαδοπούλου, το ραντεβού σας είναι την <b>Τρίτη</b>.</p>",
        "attachments": [Attachment("ραντεβού.ics", ICS, "text/calendar")],
    }
    return queue_email(**(arguments | overrides))


def deliver(now: dt.datetime | None = None):
    return deliver_due_messages(now=now or timezone.now(), limit=50)


def test_delivery_sends_subject_text_html_and_attachment_and_marks_sent(mail_standin, caplog):
    message = queue()
    caplog.set_level(logging.INFO)
    counts = deliver()
    assert counts.sent == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.next_attempt_at is None
    [received] = mail_standin.messages()
    # Django folds a long encoded subject onto the next line; the parser keeps the fold's space.
    assert received["Subject"].strip() == "Επερχόμενο ραντεβού στο ΚΕΠ Αμαρουσίου"
    assert received["To"] == "citizen@example.gr"
    assert received["From"] == "KEPlive <no-reply@keplive.test>"
    assert received["Message-ID"] == f"<{message.public_id}@keplive.test>"
    assert received["Content-Language"] == "el"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "κυρία Παπαδοπούλου, το ραντεβού σας είναι την Τρίτη στις 10:30." in text
    assert "την <b>Τρίτη</b>" in html
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "ραντεβού.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_payload(decode=True).replace(b"\r\n", b"\n") == ICS.replace(
        b"\r\n", b"\n"
    )
    [entry] = mail_standin.index()
    assert entry.to == "citizen@example.gr"
    assert entry.subject == "Επερχόμενο ραντεβού στο ΚΕΠ Αμαρουσίου"
    assert entry.filename == mail_standin.files()[0].name
    # The logs name the message by its id, never by its recipient or content.
    assert str(message.public_id) in caplog.text
    assert "citizen@example.gr" not in caplog.text
    assert "Αμαρουσίου" not in caplog.text


def test_a_text_only_email_in_english_arrives_without_alternative(mail_standin):
    queue(html="", attachments=(), subject="Your appointment", text="See you.", language="en")
    deliver()
    [received] = mail_standin.messages()
    assert received.get_content_type() == "text/plain"
    assert received.get_content().strip() == "See you."
    assert received["Content-Language"] == "en"


def test_a_sent_message_is_never_sent_again(mail_standin):
    queue()
    deliver()
    later = timezone.now() + dt.timedelta(days=1)
    assert deliver(later).sent == 0
    assert len(mail_standin.files()) == 1


def test_with_the_smtp_server_down_the_message_waits_with_backoff(smtp_down):
    message = queue()
    now = timezone.now()
    counts = deliver(now)
    assert counts.retrying == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert message.last_error == "ConnectionRefusedError"
    # One minute, ±20 %.
    assert now + dt.timedelta(seconds=47) < message.next_attempt_at < now + dt.timedelta(seconds=73)
    # Not due yet: a run now leaves it alone.
    assert deliver(now + dt.timedelta(seconds=30)).retrying == 0
    message.refresh_from_db()
    assert message.attempts == 1


def test_once_the_server_is_back_the_retry_delivers(mail_standin, settings):
    # The first attempt goes to a port where nothing listens, the retry to the stand-in.
    message = queue()
    running_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    deliver()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    settings.EMAIL_PORT = running_port
    deliver(message.next_attempt_at)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert len(mail_standin.files()) == 1


def test_backoff_doubles_from_one_minute_up_to_the_cap():
    for attempts, minutes in [(1, 1), (2, 2), (3, 4), (4, 8), (6, 32), (7, 60), (12, 60)]:
        delay = backoff_delay(attempts)
        assert dt.timedelta(minutes=minutes * 0.8) <= delay <= dt.timedelta(minutes=minutes * 1.2)


def test_a_refusing_server_is_retried_then_the_message_fails_after_max_attempts(
    mail_standin, settings
):
    settings.KEPLIVE_OUTBOX_MAX_ATTEMPTS = 3
    message = queue(to="nobody@refused.invalid")
    now = timezone.now()
    for attempt in (1, 2):
        deliver(now)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.PENDING, attempt)
        assert message.last_error == "SMTPRecipientsRefused 550"
        assert message.next_attempt_at > now
        now = message.next_attempt_at
    counts = deliver(now)
    assert counts.failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert message.next_attempt_at is None
    assert "refused.invalid" not in message.last_error
    assert deliver(now + dt.timedelta(days=1)).failed == 0
    assert mail_standin.files() == []


def test_one_refused_message_does_not_hold_back_the_others(mail_standin):
    queue(key="a", to="nobody@refused.invalid")
    queue(key="b")
    counts = deliver()
    assert (counts.sent, counts.retrying) == (1, 1)
    assert [entry.to for entry in mail_standin.index()] == ["citizen@example.gr"]


def test_a_message_whose_worker_died_mid_send_is_sent_again_after_its_lease(mail_standin):
    message = queue()
    # A worker claims it, hands it to the server, and dies before it can record "sent".
    claimed = claim_next(OutboxMessage, now=timezone.now())
    assert claimed is not None
    with Mailer() as mailer:
        assert mailer.send(claimed).outcome is Outcome.DELIVERED
    # Within the lease the worker may still be busy with it: leave it.
    counts = deliver(claimed.claimed_at + dt.timedelta(minutes=14))
    assert (counts.interrupted, counts.sent) == (0, 0)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENDING, 1)
    # The lease (15 minutes here) has run out: due again at once, sent again, counted.
    counts = deliver(claimed.claimed_at + dt.timedelta(minutes=16))
    assert (counts.interrupted, counts.sent) == (1, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.interruptions) == (Status.SENT, 2, 1)
    assert message.last_error == ""
    # Received twice, with one Message-ID: the receiver recognises the repeat.
    assert [received["Message-ID"] for received in mail_standin.messages()] == [
        f"<{message.public_id}@keplive.test>"
    ] * 2
    assert duplicate_message_ids(mail_standin.directory) == {
        f"<{message.public_id}@keplive.test>": 2
    }
    assert deliver(timezone.now() + dt.timedelta(days=1)).sent == 0


def test_a_message_interrupted_on_its_last_attempt_fails_for_a_person(mail_standin, settings):
    settings.KEPLIVE_OUTBOX_MAX_ATTEMPTS = 2
    message = queue()
    claimed = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=2, claimed_at=claimed
    )
    counts = deliver(claimed + dt.timedelta(minutes=16))
    assert (counts.interrupted, counts.sent) == (1, 0)
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, INTERRUPTED)
    assert (message.attempts, message.interruptions) == (2, 1)
    assert mail_standin.files() == []


def test_a_worker_that_outlived_its_lease_records_nothing_over_the_new_claim(mail_standin):
    message = queue()
    slow = claim_next(OutboxMessage, now=timezone.now())
    assert slow is not None
    # Its lease runs out while it is still sending; another run takes the message over.
    later = slow.claimed_at + dt.timedelta(minutes=16)
    assert resume_expired_leases(OutboxMessage, now=later, max_attempts=8) == 1
    taken_over = claim_next(OutboxMessage, now=later)
    assert taken_over is not None
    assert taken_over.claimed_at != slow.claimed_at
    # The slow worker's result no longer applies: only the new claim may record one.
    assert still_mine(OutboxMessage, slow).update(status=Status.FAILED) == 0
    assert still_mine(OutboxMessage, taken_over).count() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.interruptions) == (Status.SENDING, 2, 1)


@pytest.mark.postgres
def test_on_postgresql_a_lapsed_lease_is_sent_again_with_the_same_message_id(
    require_postgres, mail_standin
):
    test_a_message_whose_worker_died_mid_send_is_sent_again_after_its_lease(mail_standin)


@pytest.mark.postgres
def test_on_postgresql_a_worker_past_its_lease_records_nothing(require_postgres, mail_standin):
    test_a_worker_that_outlived_its_lease_records_nothing_over_the_new_claim(mail_standin)


class HangUpAfterData(threading.Thread):
    """An SMTP server that takes the message and hangs up without answering: the sender cannot
    know whether it was accepted."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = b""

    def run(self) -> None:
        client, _ = self.listener.accept()
        with client, client.makefile("rwb") as stream:
            stream.write(b"220 test ESMTP\r\n")
            stream.flush()
            while line := stream.readline():
                command = line[:4].upper()
                if command == b"DATA":
                    stream.write(b"354 go ahead\r\n")
                    stream.flush()
                    while (data := stream.readline()) not in (b".\r\n", b""):
                        self.received += data
                    break  # hang up without the 250
                reply = b"250-test\r\n250 8BITMIME\r\n" if command == b"EHLO" else b"250 OK\r\n"
                stream.write(reply)
                stream.flush()
        self.listener.close()


def test_a_connection_lost_after_the_message_was_offered_is_retried_with_the_same_id(
    settings, mail_standin
):
    standin_port = settings.EMAIL_PORT
    server = HangUpAfterData()
    server.start()
    point_email_at(settings, server.port)
    message = queue()
    now = timezone.now()
    counts = deliver(now)
    server.join(timeout=5)
    assert b"Subject:" in server.received
    assert counts.retrying == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.last_error == "SMTPServerDisconnected (outcome unknown)"
    assert message.next_attempt_at > now
    # The relay may have kept it; the next attempt goes out with the same Message-ID.
    point_email_at(settings, standin_port)
    assert deliver(message.next_attempt_at).sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    message_id = f"<{message.public_id}@keplive.test>"
    assert f"Message-ID: {message_id}".encode() in server.received
    assert [received["Message-ID"] for received in mail_standin.messages()] == [message_id]


def test_a_malformed_attachment_fails_at_once_without_contacting_the_server(mail_standin):
    message = queue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        attachments=[{"filename": "x.ics", "content_type": "text/calendar", "content": "%%%"}]
    )
    assert deliver().failed == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, "Error")
    assert mail_standin.files() == []
