"""Staff see the outbox and send failed messages again; production refuses the stand-in."""

from __future__ import annotations

import datetime as dt
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from keplive.accounts.models import User
from keplive.audit.models import AuditEvent
from keplive.integrations.smtp.local import read_index
from keplive.notifications.checks import production_email_is_real
from keplive.notifications.models import OutboxMessage, Status
from keplive.notifications.services import deliver_due_messages, queue_email
from tests.notifications.conftest import free_port

CHANGELIST = "admin:notifications_outboxmessage_changelist"


def failed_message(key: str = "failed:1") -> OutboxMessage:
    message = queue_email(key=key, to="citizen@example.gr", subject="Ακύρωση", text="Κείμενο")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=8, next_attempt_at=None, last_error="SMTPDataError 554"
    )
    return message


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser(username="ops", password="pw-ops-123456")
    from tests.staff import login_staff

    return login_staff(client, user)


@pytest.mark.django_db
def test_staff_see_the_outbox_without_the_bodies(staff_client):
    message = failed_message()
    response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "Ακύρωση" in response.content.decode()
    detail = staff_client.get(
        reverse("admin:notifications_outboxmessage_change", args=[message.pk])
    )
    assert detail.status_code == 200
    assert "Κείμενο" not in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()


@pytest.mark.django_db
def test_people_without_staff_access_cannot_see_the_outbox(client):
    failed_message()
    assert client.get(reverse(CHANGELIST)).status_code == 302
    citizen = User.objects.create_user(username="citizen", password="pw-citizen-123456")
    client.force_login(citizen)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_retry_now_sends_a_failed_message_again_and_is_audited(staff_client, mail_standin):
    message = failed_message()
    sent = queue_email(key="sent:1", to="other@example.gr", subject="Άλλο", text="x")
    OutboxMessage.objects.filter(pk=sent.pk).update(status=Status.SENT)
    response = staff_client.post(
        reverse(CHANGELIST),
        {"action": "retry_now", "_selected_action": [message.pk, sent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Status.PENDING,
        0,
        "SMTPDataError 554",
    )
    event = AuditEvent.objects.get(action="outbox.retry")
    assert event.object_id == str(message.public_id)
    assert event.channel == "admin"
    assert event.actor.username == "ops"
    assert deliver_due_messages(now=timezone.now() + dt.timedelta(seconds=1), limit=10).sent == 1
    assert [entry.subject for entry in mail_standin.index()] == ["Ακύρωση"]


def test_production_refuses_the_stand_in_and_non_delivering_backends(settings):
    settings.ENVIRONMENT = "production"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 8025
    settings.DEFAULT_FROM_EMAIL = settings.DEVELOPMENT_FROM_EMAIL
    settings.KEPLIVE_MAIL_VIEWER = False  # its production default
    ids = {error.id for error in production_email_is_real()}
    assert ids == {
        "keplive.notifications.E001",
        "keplive.notifications.E002",
        "keplive.notifications.E003",
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.relay.gov.gr"
    settings.EMAIL_PORT = 587
    settings.DEFAULT_FROM_EMAIL = "myKEPlive <no-reply@keplive.gov.gr>"
    assert production_email_is_real() == []
    settings.KEPLIVE_MAIL_VIEWER = True
    assert [error.id for error in production_email_is_real()] == ["keplive.notifications.E004"]
    settings.KEPLIVE_MAIL_VIEWER = False
    settings.ENVIRONMENT = "development"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert production_email_is_real() == []


def test_the_checks_are_registered():
    call_command("check", "--tag", "security")  # passes in development


def test_the_command_runs_the_stand_in_until_stopped(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_mail_standin",
            "--port",
            str(port),
            "--directory",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # A Django start-up on a loaded 2-core CI machine can take well over 15 s; a process
        # that died is reported at once instead of waiting the full minute.
        deadline = time.monotonic() + 60
        while True:
            try:
                smtp = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except ConnectionRefusedError:
                assert process.poll() is None, "the stand-in exited before listening"
                assert time.monotonic() < deadline, "the stand-in did not start"
                time.sleep(0.1)
        mail = EmailMessage()
        mail["From"] = "kep@example.gr"
        mail["To"] = "citizen@example.gr"
        mail["Subject"] = "Υπενθύμιση ραντεβού"
        mail.set_content("Σε μία ώρα.")
        with smtp:
            smtp.send_message(mail)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "SMTP stand-in on 127.0.0.1" in output
    assert "citizen@example.gr" not in output  # addresses stay out of the console
    [entry] = read_index(tmp_path)
    assert (entry.to, entry.subject) == ("citizen@example.gr", "Υπενθύμιση ραντεβού")
    assert "Σε μία ώρα." in (tmp_path / entry.filename).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_staff_see_that_a_message_was_sent_again_after_an_interruption(staff_client):
    message = queue_email(
        key="interrupted:1", to="citizen@example.gr", subject="Ραντεβού", text="x"
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT, attempts=2, interruptions=1, sent_at=timezone.now()
    )
    page = staff_client.get(reverse(CHANGELIST)).content.decode()
    assert "Διακοπείσες αποστολές" in page
    assert 'class="field-interruptions">1<' in page


def test_production_warns_of_a_lease_shorter_than_a_slow_send(settings):
    from keplive.notifications.checks import lease_outlasts_a_send

    settings.ENVIRONMENT = "production"
    settings.EMAIL_TIMEOUT = 30
    settings.KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES = 5
    assert lease_outlasts_a_send() == []
    settings.KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES = 2
    [warning] = lease_outlasts_a_send()
    assert warning.id == "keplive.notifications.W005"
    settings.ENVIRONMENT = "development"
    assert lease_outlasts_a_send() == []
