"""The development mailbox (/dev/mail/): what the SMTP stand-in received, readable in a browser."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage

import pytest
from django.core.management import call_command

from keplive.integrations.smtp.local import (
    INDEX_NAME,
    LocalSmtpServer,
    MailDrop,
    duplicate_message_ids,
    read_index,
)
from tests.notifications.conftest import free_port

pytestmark = pytest.mark.django_db


def _drop(tmp_path, *, to="maria@example.gr", subject="Το ραντεβού σας") -> str:
    message = EmailMessage()
    message["From"] = "KEPlive <no-reply@keplive.localhost>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Κείμενο του μηνύματος")
    message.add_alternative(
        "<p>Κείμενο <strong>HTML</strong><script>alert(1)</script></p>", subtype="html"
    )
    message.add_attachment(
        b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        maintype="text",
        subtype="calendar",
        filename="appointment.ics",
    )
    path = MailDrop(tmp_path).store(content=message.as_bytes(), recipients=[to])
    return path.name


@pytest.fixture
def mail_dir(tmp_path, settings):
    settings.KEPLIVE_MAIL_DIR = tmp_path
    settings.KEPLIVE_MAIL_VIEWER = True
    return tmp_path


def test_the_list_shows_each_message_newest_first_and_filters_by_recipient(client, mail_dir):
    _drop(mail_dir, to="maria@example.gr", subject="Πρώτο")
    _drop(mail_dir, to="giorgos@example.gr", subject="Δεύτερο")
    page = client.get("/dev/mail/").content.decode()
    assert page.index("Δεύτερο") < page.index("Πρώτο")
    filtered = client.get("/dev/mail/", {"to": "maria@"}).content.decode()
    assert "Πρώτο" in filtered
    assert "Δεύτερο" not in filtered
    assert 'value="maria@"' in filtered


def test_a_message_shows_text_sandboxed_html_and_its_attachment(client, mail_dir):
    name = _drop(mail_dir)
    page = client.get(f"/dev/mail/{name}/").content.decode()
    assert "Το ραντεβού σας" in page
    assert "Κείμενο του μηνύματος" in page
    assert "<iframe" in page
    assert "sandbox" in page
    assert "<script>alert(1)</script>" not in page  # escaped into srcdoc, run nowhere
    ics = client.get(f"/dev/mail/{name}/0/")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in ics.content
    assert 'filename="appointment.ics"' in ics["Content-Disposition"]


@pytest.mark.parametrize(
    "path",
    [
        "/dev/mail/..%2F..%2Fsettings.py/",
        "/dev/mail/index.txt/",
        "/dev/mail/20261122T010203000000Z-deadbeef.eml/",
        "/dev/mail/20261122T010203000000Z-deadbeef.eml/0/",
    ],
)
def test_anything_but_a_kept_message_is_not_found(client, mail_dir, path):
    assert client.get(path).status_code == 404


def test_a_missing_attachment_number_is_not_found(client, mail_dir):
    name = _drop(mail_dir)
    assert client.get(f"/dev/mail/{name}/7/").status_code == 404


def test_switched_off_the_mailbox_does_not_exist(client, mail_dir, settings):
    name = _drop(mail_dir)
    settings.KEPLIVE_MAIL_VIEWER = False
    assert client.get("/dev/mail/").status_code == 404
    assert client.get(f"/dev/mail/{name}/").status_code == 404


def test_production_refuses_the_mailbox(settings):
    from keplive.notifications.checks import production_email_is_real

    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_MAIL_VIEWER = True
    assert "keplive.notifications.E004" in {error.id for error in production_email_is_real()}
    settings.KEPLIVE_MAIL_VIEWER = False
    assert "keplive.notifications.E004" not in {error.id for error in production_email_is_real()}


def test_the_mailbox_pages_are_not_cached(client, mail_dir):
    assert "no-store" in client.get("/dev/mail/")["Cache-Control"]
    call_command("check")  # the URLconf with the mailbox mounted passes the system checks


def test_the_index_records_each_message_id_and_reads_lines_from_before_that_column(tmp_path):
    drop = MailDrop(tmp_path)
    for message_id in ("<a@keplive.test>", "<b@keplive.test>", "<a@keplive.test>"):
        message = EmailMessage()
        message["To"] = "maria@example.gr"
        message["Subject"] = "Ραντεβού"
        message["Message-ID"] = message_id
        message.set_content("Κείμενο")
        drop.store(content=message.as_bytes(), recipients=["maria@example.gr"])
    with (tmp_path / INDEX_NAME).open("a", encoding="utf-8") as index:
        index.write("2026-01-01T10:00:00+02:00 | old@example.gr | Παλιό | old.eml\n")
    entries = read_index(tmp_path)
    assert [entry.message_id for entry in entries] == [
        "<a@keplive.test>",
        "<b@keplive.test>",
        "<a@keplive.test>",
        "",
    ]
    assert (entries[-1].to, entries[-1].subject, entries[-1].filename) == (
        "old@example.gr",
        "Παλιό",
        "old.eml",
    )
    # A relay keeps a repeat; the index tells it by its Message-ID.
    assert duplicate_message_ids(tmp_path) == {"<a@keplive.test>": 2}


def test_a_slowed_stand_in_answers_each_message_late(tmp_path):
    port = free_port()
    with LocalSmtpServer(directory=tmp_path, port=port, delay=0.4):
        message = EmailMessage()
        message["From"] = "kep@example.gr"
        message["To"] = "maria@example.gr"
        message["Subject"] = "Αργά"
        message.set_content("Κείμενο")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            started = time.monotonic()
            smtp.send_message(message)
            waited = time.monotonic() - started
    assert waited >= 0.4
    assert [entry.subject for entry in read_index(tmp_path)] == ["Αργά"]
