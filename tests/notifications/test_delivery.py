"""Delivery through real SMTP: the local stand-in receives the mail, or refuses it, or is not
there at all."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading

import pytest
from django.utils import timezone

from keplive.notifications.models import OutboxMessage, Status
from keplive.notifications.services import (
    INTERRUPTED,
    Attachment,
    backoff_delay,
    deliver_due_messages,
    queue_email,
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


def test_a_message_left_sending_by_a_dead_worker_fails_and_is_not_resent(mail_standin):
    message = queue()
    claimed = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=claimed
    )
    # Within the timeout the worker may still be busy with it: leave it.
    counts = deliver(claimed + dt.timedelta(minutes=10))
    assert counts.interrupted == 0
    message.refresh_from_db()
    assert message.status == Status.SENDING
    counts = deliver(claimed + dt.timedelta(minutes=16))
    assert counts.interrupted == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, INTERRUPTED)
    assert mail_standin.files() == []


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


def test_a_connection_lost_after_the_message_was_offered_fails_without_retry(settings):
    server = HangUpAfterData()
    server.start()
    point_email_at(settings, server.port)
    message = queue()
    counts = deliver()
    server.join(timeout=5)
    assert b"Subject:" in server.received
    assert counts.failed == 1
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error == "SMTPServerDisconnected (outcome unknown)"
    assert deliver(timezone.now() + dt.timedelta(days=1)).sent == 0


def test_a_malformed_attachment_fails_at_once_without_contacting_the_server(mail_standin):
    message = queue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        attachments=[{"filename": "x.ics", "content_type": "text/calendar", "content": "%%%"}]
    )
    assert deliver().failed == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, "Error")
    assert mail_standin.files() == []
