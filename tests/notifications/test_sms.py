"""The SMS outbox and its gateways: the local stand-in (files) and the HTTP gateway adapter, run
against a real HTTP server on 127.0.0.1. A gateway failure is retried with backoff and nothing is
lost; no phone number or text reaches the logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from keplive.integrations.sms import SmsGatewayUnavailable, SmsRejected, gateway
from keplive.integrations.sms.live import HttpSmsGateway
from keplive.integrations.sms.local import (
    REJECTED_SUFFIX,
    UNAVAILABLE_SUFFIX,
    LocalSmsGateway,
    read_messages,
)
from keplive.notifications import smsbox
from keplive.notifications.models import SmsMessage, Status
from keplive.notifications.services import claim_next
from keplive.notifications.sms import InvalidPhoneNumber, deliver_due_sms, queue_sms, retry_sms

pytestmark = pytest.mark.django_db

PHONE = "+306912345678"
TEXT = "KEPlive: Το ραντεβού σας μεταφέρθηκε στις 25/11/2026 11:00."


@pytest.fixture(autouse=True)
def sms_settings(settings, tmp_path) -> Path:
    settings.KEPLIVE_SMS_BACKEND = "local"
    settings.KEPLIVE_SMS_DIR = tmp_path / "sms"
    settings.KEPLIVE_SMS_DELIVER_ON_COMMIT = False
    settings.KEPLIVE_SMS_MAX_ATTEMPTS = 3
    settings.KEPLIVE_SMS_VIEWER = True
    return tmp_path / "sms"


def later(minutes: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


# --- A scriptable gateway on the loopback interface ------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"id": "gw-1"}'
    delay: float = 0.0


@dataclass
class FakeGateway:
    url: str = ""
    replies: list[Reply] = field(default_factory=list)
    seen: list[tuple[dict[str, str], Any]] = field(default_factory=list)


@contextmanager
def fake_gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            fake.seen.append((dict(self.headers), json.loads(body)))
            reply = fake.replies.pop(0) if fake.replies else Reply()
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_gateway(settings) -> Iterator[FakeGateway]:
    with fake_gateway() as fake:
        settings.KEPLIVE_SMS_BACKEND = "http"
        settings.KEPLIVE_SMS_GATEWAY_URL = fake.url
        settings.KEPLIVE_SMS_GATEWAY_API_KEY = "test-key"
        settings.KEPLIVE_SMS_GATEWAY_TIMEOUT_SECONDS = 1
        yield fake


# --- Queueing ---------------------------------------------------------------------------------


def test_queueing_is_idempotent_by_key():
    first = queue_sms(key="k:1", to=PHONE, text=TEXT)
    again = queue_sms(key="k:1", to=PHONE, text="something else")
    assert first.pk == again.pk
    assert SmsMessage.objects.get().text == TEXT
    assert first.status == Status.PENDING


@pytest.mark.parametrize("number", ["6912345678", "+30 691", "", "+30abcdefghi"])
def test_a_number_not_in_international_form_is_refused(number):
    with pytest.raises(InvalidPhoneNumber):
        queue_sms(key="k", to=number, text=TEXT)
    assert not SmsMessage.objects.exists()


def test_an_sms_queued_in_a_rolled_back_change_never_exists():
    def change_that_fails() -> None:
        with transaction.atomic():
            queue_sms(key="k", to=PHONE, text=TEXT)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not SmsMessage.objects.exists()


def test_after_commit_the_worker_is_asked_to_send(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.KEPLIVE_SMS_DELIVER_ON_COMMIT = True
    asked = []
    monkeypatch.setattr("keplive.notifications.sms._deliver_soon", lambda: asked.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        queue_sms(key="k", to=PHONE, text=TEXT)
    assert asked == [1]


# --- The local stand-in ---------------------------------------------------------------------


def test_the_local_standin_keeps_each_sms_as_a_file(sms_settings):
    message = queue_sms(key="k", to=PHONE, text=TEXT)
    counts = deliver_due_sms(now=later(1), limit=10)
    assert counts.as_dict() == {"sent": 1, "retrying": 0, "failed": 0, "interrupted": 0}
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    stored = read_messages(sms_settings)
    assert [(sms.to, sms.text, sms.message_id) for sms in stored] == [
        (PHONE, TEXT, str(message.public_id))
    ]
    assert message.gateway_id == stored[0].filename.removesuffix(".json")


def test_the_configured_gateway_is_the_standin_by_default(sms_settings):
    assert isinstance(gateway(), LocalSmsGateway)


def test_the_development_sms_box_lists_what_was_sent(sms_settings, settings):
    queue_sms(key="k", to=PHONE, text=TEXT)
    deliver_due_sms(now=later(1), limit=10)
    response = smsbox.smsbox(RequestFactory().get("/dev/sms/"))
    assert response.status_code == 200
    assert TEXT in response.content.decode()
    filtered = smsbox.smsbox(RequestFactory().get("/dev/sms/", {"to": "+3021"}))
    assert TEXT not in filtered.content.decode()
    settings.KEPLIVE_SMS_VIEWER = False
    with pytest.raises(Http404):
        smsbox.smsbox(RequestFactory().get("/dev/sms/"))


# --- Failures: retried with backoff, nothing lost --------------------------------------------


def test_an_unavailable_gateway_is_retried_with_backoff_and_nothing_is_lost(sms_settings, settings):
    number = "+30691" + UNAVAILABLE_SUFFIX
    message = queue_sms(key="k", to=number, text=TEXT)
    now = later(1)
    assert deliver_due_sms(now=now, limit=10).retrying == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert message.last_error == "standin_unavailable"
    assert message.next_attempt_at > now
    # Not due yet: nothing happens.
    assert deliver_due_sms(now=now, limit=10).as_dict() == {
        "sent": 0,
        "retrying": 0,
        "failed": 0,
        "interrupted": 0,
    }
    # The gateway is back (here: the number is reachable again) and the retry is due.
    SmsMessage.objects.filter(pk=message.pk).update(recipient=PHONE)
    assert deliver_due_sms(now=later(10), limit=10).sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert len(read_messages(sms_settings)) == 1


def test_after_the_last_attempt_the_sms_waits_failed_for_a_person(settings):
    message = queue_sms(key="k", to="+30691" + UNAVAILABLE_SUFFIX, text=TEXT)
    for minutes in (1, 100, 1000):
        deliver_due_sms(now=later(minutes), limit=10)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert retry_sms(messages=[message]) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)


def test_a_rejected_sms_fails_at_once():
    message = queue_sms(key="k", to="+30691" + REJECTED_SUFFIX, text=TEXT)
    assert deliver_due_sms(now=later(1), limit=10).failed == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, "standin_rejected")


def test_an_sms_whose_worker_died_after_the_gateway_took_it_is_sent_once(sms_settings):
    message = queue_sms(key="k", to=PHONE, text=TEXT)
    # A worker claims it, the gateway takes it, and the worker dies before recording "sent".
    claimed = claim_next(SmsMessage, now=timezone.now())
    assert claimed is not None
    first = gateway().send(to=PHONE, text=TEXT, message_id=str(claimed.public_id))
    # Within the lease nothing happens; after it the SMS is due again, with the same key.
    assert deliver_due_sms(now=claimed.claimed_at + dt.timedelta(minutes=14), limit=10).sent == 0
    counts = deliver_due_sms(now=claimed.claimed_at + dt.timedelta(minutes=16), limit=10)
    assert (counts.interrupted, counts.sent) == (1, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.interruptions) == (Status.SENT, 2, 1)
    # The stand-in, like a gateway honouring the idempotency key, sent it once.
    assert message.gateway_id == first.gateway_id
    assert [sms.message_id for sms in read_messages(sms_settings)] == [str(message.public_id)]


def test_the_standin_sends_a_repeated_message_id_once(sms_settings):
    standin = LocalSmsGateway(directory=sms_settings)
    first = standin.send(to=PHONE, text=TEXT, message_id="m-1")
    again = standin.send(to=PHONE, text=TEXT, message_id="m-1")
    other = standin.send(to=PHONE, text=TEXT, message_id="m-2")
    assert again == first
    assert other != first
    assert sorted(sms.message_id for sms in read_messages(sms_settings)) == ["m-1", "m-2"]


def test_no_number_or_text_reaches_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    numbers = [PHONE, "+30691" + UNAVAILABLE_SUFFIX, "+30691" + REJECTED_SUFFIX]
    for key, number in zip("abc", numbers, strict=True):
        queue_sms(key=key, to=number, text=TEXT)
    deliver_due_sms(now=later(1), limit=10)
    logged = caplog.text
    assert "sms outbox" in logged
    # The whole number, with or without the country code, and not just a prefix: "691" alone
    # turns up by chance in the message ids (UUIDs) the log is allowed to carry.
    for number in numbers:
        assert number.removeprefix("+30") not in logged
    assert "ραντεβού" not in logged


# --- The HTTP gateway adapter ---------------------------------------------------------------


def test_the_http_gateway_posts_json_with_the_key_and_an_idempotency_key(http_gateway):
    adapter = gateway()
    assert isinstance(adapter, HttpSmsGateway)
    receipt = adapter.send(to=PHONE, text=TEXT, message_id="m-1")
    assert receipt.gateway_id == "gw-1"
    headers, body = http_gateway.seen[0]
    assert headers["Authorization"] == "Bearer test-key"
    assert headers["Idempotency-Key"] == "m-1"
    assert body == {"to": PHONE, "text": TEXT, "sender": "myKEPlive", "message_id": "m-1"}
    assert "test-key" not in repr(adapter)


@pytest.mark.parametrize(
    ("reply", "error", "reason"),
    [
        (Reply(status=503, body=b"{}"), SmsGatewayUnavailable, "http_503"),
        (Reply(status=429, body=b"{}"), SmsGatewayUnavailable, "http_429"),
        (Reply(status=401, body=b"{}"), SmsGatewayUnavailable, "http_401"),
        (Reply(status=302, body=b""), SmsGatewayUnavailable, "http_302"),
        (Reply(status=400, body=b'{"error": "invalid number"}'), SmsRejected, "http_400"),
        (Reply(status=422, body=b"{}"), SmsRejected, "http_422"),
        (Reply(delay=2.0), SmsGatewayUnavailable, "timeout"),
    ],
)
def test_the_http_gateways_errors_are_mapped(http_gateway, reply, error, reason):
    http_gateway.replies.append(reply)
    with pytest.raises(error) as raised:
        gateway().send(to=PHONE, text=TEXT, message_id="m-1")
    assert raised.value.reason == reason
    assert PHONE not in str(raised.value)


def test_an_unreachable_gateway_is_unavailable(settings):
    with fake_gateway() as fake:
        url = fake.url
    settings.KEPLIVE_SMS_BACKEND = "http"
    settings.KEPLIVE_SMS_GATEWAY_URL = url
    settings.KEPLIVE_SMS_GATEWAY_API_KEY = "k"
    with pytest.raises(SmsGatewayUnavailable) as raised:
        gateway().send(to=PHONE, text=TEXT, message_id="m")
    assert raised.value.reason.startswith("unreachable_")


def test_a_reply_without_an_id_is_still_a_sent_sms(http_gateway):
    http_gateway.replies.append(Reply(status=202, body=b"accepted"))
    assert gateway().send(to=PHONE, text=TEXT, message_id="m").gateway_id == ""


def test_through_the_outbox_a_gateway_failure_is_retried_with_the_same_idempotency_key(
    http_gateway,
):
    http_gateway.replies.extend([Reply(status=503, body=b"{}"), Reply(status=200)])
    message = queue_sms(key="k", to=PHONE, text=TEXT)
    assert deliver_due_sms(now=later(1), limit=10).retrying == 1
    assert deliver_due_sms(now=later(30), limit=10).sent == 1
    message.refresh_from_db()
    assert (message.status, message.gateway_id) == (Status.SENT, "gw-1")
    keys = [headers["Idempotency-Key"] for headers, _body in http_gateway.seen]
    assert keys == [str(message.public_id)] * 2


def test_the_worker_task_delivers(sms_settings):
    from keplive.notifications.tasks import deliver_sms_task

    queue_sms(key="k", to=PHONE, text=TEXT)
    SmsMessage.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert deliver_sms_task.call_local() == {
        "sent": 1,
        "retrying": 0,
        "failed": 0,
        "interrupted": 0,
    }


def test_production_refuses_the_standin_and_the_viewer(settings):
    settings.ENVIRONMENT = "production"
    settings.KEPLIVE_SMS_BACKEND = "local"
    settings.KEPLIVE_SMS_VIEWER = True
    from keplive.notifications.checks import production_sms_is_real

    ids = {error.id for error in production_sms_is_real()}
    assert {"keplive.notifications.E011", "keplive.notifications.E013"} <= ids
    settings.KEPLIVE_SMS_BACKEND = "http"
    settings.KEPLIVE_SMS_VIEWER = False
    settings.KEPLIVE_SMS_GATEWAY_URL = "http://insecure"
    settings.KEPLIVE_SMS_GATEWAY_API_KEY = ""
    assert {error.id for error in production_sms_is_real()} == {"keplive.notifications.E012"}
    settings.KEPLIVE_SMS_GATEWAY_URL = "https://sms.example.gr/send"
    settings.KEPLIVE_SMS_GATEWAY_API_KEY = "key"
    assert production_sms_is_real() == []


def test_no_migration_is_missing():
    call_command("makemigrations", "notifications", "booking", "--check", "--dry-run")
