"""The interpreter digest (E12): the next day's interpreter requests in one email to the
National Institute for the Deaf, once a day at the configured time; addenda and withdrawals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from keplive.alerts.interpreters import digest_due_at, send_interpreter_digests
from keplive.alerts.models import InterpreterDigest, InterpreterDigestEntry
from keplive.alerts.tasks import send_interpreter_digests_task
from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.ics import interpreter_url
from keplive.notifications.models import OutboxMessage
from tests.alerts.concurrency import fill_tuesday, run_twice_at_once
from tests.alerts.conftest import MONDAY, NOW, TUESDAY, at
from tests.conftest import athens

INSTITUTE = "dierminia@idrimakofon.gr"


def monday(hour: int, minute: int = 0) -> dt.datetime:
    return at(hour, minute, MONDAY)


def digests() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="interpreter-digest:"))


def addenda() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="interpreter-addendum:"))


def withdrawals() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="interpreter-withdrawal:"))


@pytest.mark.django_db
class TestDigest:
    def test_nothing_goes_before_the_time(self, kep, employee, book):
        book(kep, 10, interpreter="sign_language")
        assert send_interpreter_digests(now=monday(17, 59)).digest is None
        assert digests() == []

    def test_at_the_time_one_email_lists_tomorrows_requests_with_their_links(
        self, kep, other_kep, employee, other_employee, book, service
    ):
        signed = book(kep, 10, interpreter="sign_language")
        lips = book(other_kep, 11, interpreter="lip_reading")
        book(kep, 12)  # no interpreter
        book(kep, 10, day=dt.date(2026, 11, 25), interpreter="sign_language")  # the day after

        run = send_interpreter_digests(now=monday(18, 0))

        assert run.digest is not None
        assert run.digest.for_date == TUESDAY
        assert run.digest.count == 2
        assert run.digest.recipient == INSTITUTE
        (message,) = digests()
        assert message.recipient == INSTITUTE
        assert message.key == "interpreter-digest:2026-11-24"
        assert message.language == "el"
        assert "24" in message.subject
        assert "Νοεμβρίου" in message.subject
        for body in (message.text_body, message.html_body):
            assert interpreter_url(signed) in body
            assert interpreter_url(lips) in body
            assert "10:00" in body
            assert "11:00" in body
            assert "ΚΕΠ Αθηνών" in body
            assert "ΚΕΠ Πάτρας" in body
            assert "Διερμηνέας Ελληνικής Νοηματικής Γλώσσας" in body
            assert "Χειλεανάγνωση" in body
            assert service.title_el in body
            # No personal data of the citizens.
            assert "Μαρία" not in body
            assert "maria@example.gr" not in body
            assert "987654" not in body
            assert "6912345678" not in body
        assert body.index("10:00") < body.index("11:00")
        entries = InterpreterDigestEntry.objects.filter(digest=run.digest)
        assert {(e.appointment_id, e.interpreter, e.addendum) for e in entries} == {
            (signed.pk, "sign_language", False),
            (lips.pk, "lip_reading", False),
        }
        assert AuditEvent.objects.filter(action="alert.interpreter_digest_sent").count() == 1

    def test_it_goes_exactly_once_a_day(self, kep, employee, book):
        book(kep, 10, interpreter="sign_language")
        assert send_interpreter_digests(now=monday(18, 0)).digest is not None
        assert send_interpreter_digests(now=monday(18, 1)).digest is None
        assert send_interpreter_digests(now=monday(23, 59)).digest is None
        assert len(digests()) == 1
        assert InterpreterDigest.objects.count() == 1

    def test_with_no_requests_it_says_so(self, kep, employee, book):
        book(kep, 10)
        run = send_interpreter_digests(now=monday(18, 0))
        assert run.digest is not None
        assert run.digest.count == 0
        (message,) = digests()
        with translation.override("el"):
            expected = _("No video call of %(day)s asked for an interpreter.") % {
                "day": "Τρίτη 24 Νοεμβρίου 2026"
            }
        assert expected in message.text_body

    def test_a_worker_down_at_the_time_sends_it_when_it_comes_back_that_day(
        self, kep, employee, book
    ):
        book(kep, 10, interpreter="sign_language")
        assert send_interpreter_digests(now=monday(21, 30)).digest is not None

    def test_the_time_and_the_address_are_settings(self, kep, employee, book):
        book(kep, 10, interpreter="sign_language")
        with override_settings(
            KEPLIVE_INTERPRETER_DIGEST_TIME="16:30",
            KEPLIVE_INTERPRETER_DIGEST_TO="requests@deaf.example.gr",
        ):
            assert digest_due_at(TUESDAY) == monday(16, 30)
            assert send_interpreter_digests(now=monday(16, 29)).digest is None
            run = send_interpreter_digests(now=monday(16, 30))
        assert run.digest is not None
        assert [message.recipient for message in digests()] == ["requests@deaf.example.gr"]

    def test_the_time_is_greek_time_across_the_change_to_summer_time(self, db):
        # 29 March 2026: Greek clocks go from 03:00 to 04:00; 18:00 is 15:00 UTC after it.
        assert digest_due_at(dt.date(2026, 3, 30)) == athens(2026, 3, 29, 18)
        assert digest_due_at(dt.date(2026, 3, 30)).astimezone(dt.UTC).hour == 15
        assert digest_due_at(dt.date(2026, 3, 29)).astimezone(dt.UTC).hour == 16

    def test_a_cancelled_appointment_is_not_listed(self, kep, employee, book):
        appointment = book(kep, 10, interpreter="sign_language")
        services.cancel_appointment(
            reference=appointment.reference, citizen=appointment.citizen, now=NOW
        )
        assert send_interpreter_digests(now=monday(18, 0)).digest.count == 0  # type: ignore[union-attr]

    def test_the_periodic_task_sends_it(self, kep, employee, book):
        # The task runs at the real clock; a digest time of 00:00 has passed at any moment.
        with override_settings(KEPLIVE_INTERPRETER_DIGEST_TIME="00:00"):
            assert send_interpreter_digests_task.call_local() >= 1
            assert send_interpreter_digests_task.call_local() == 0
        assert len(digests()) == 1


@pytest.mark.django_db
class TestAddenda:
    def test_a_request_booked_after_the_digest_gets_one_addendum(self, kep, employee, book):
        book(kep, 10, interpreter="sign_language")
        send_interpreter_digests(now=monday(18, 0))
        late = book(kep, 12, interpreter="lip_reading", now=monday(18, 30))

        run = send_interpreter_digests(now=monday(18, 31))
        assert run.addenda == 1
        assert send_interpreter_digests(now=monday(18, 32)).addenda == 0
        (message,) = addenda()
        assert message.recipient == INSTITUTE
        # The link's signature carries the second it was made: compare what it names.
        assert interpreter_url(late).rsplit(":", 2)[0] in message.text_body
        assert "12:00" in message.text_body
        assert len(digests()) == 1
        entry = InterpreterDigestEntry.objects.get(appointment=late)
        assert entry.addendum
        assert entry.added_at == monday(18, 31)

    def test_a_request_booked_for_the_day_after_waits_for_its_own_digest(self, kep, employee, book):
        send_interpreter_digests(now=monday(18, 0))
        book(kep, 10, day=dt.date(2026, 11, 25), interpreter="sign_language", now=monday(19))
        assert send_interpreter_digests(now=monday(19, 1)).addenda == 0

    def test_a_request_moved_to_another_time_is_withdrawn_and_sent_anew(self, kep, employee, book):
        appointment = book(kep, 10, interpreter="sign_language")
        send_interpreter_digests(now=monday(18, 0))
        services.reschedule_appointment(
            reference=appointment.reference,
            citizen=appointment.citizen,
            starts_at=at(12),
            now=monday(18, 10),
        )
        run = send_interpreter_digests(now=monday(18, 11))
        assert (run.addenda, run.withdrawals) == (1, 1)
        assert "10:00" in withdrawals()[0].subject
        assert "12:00" in addenda()[0].text_body
        assert send_interpreter_digests(now=monday(18, 12)) == type(run)()

    def test_a_cancelled_request_is_withdrawn_once(self, kep, employee, book):
        appointment = book(kep, 10, interpreter="sign_language")
        send_interpreter_digests(now=monday(18, 0))
        services.cancel_appointment(
            reference=appointment.reference, citizen=appointment.citizen, now=monday(18, 5)
        )
        assert send_interpreter_digests(now=monday(18, 6)).withdrawals == 1
        assert send_interpreter_digests(now=monday(18, 7)).withdrawals == 0
        assert len(withdrawals()) == 1
        assert InterpreterDigestEntry.objects.get(appointment=appointment).withdrawn_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_one_digest_and_one_addendum_each(require_postgres, service):
    booked = fill_tuesday(service=service, count=6, interpreter="sign_language")
    with override_settings(KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False):
        runs = run_twice_at_once(lambda: send_interpreter_digests(now=monday(18, 0)))
        assert sum(run.digest is not None for run in runs) == 1  # type: ignore[attr-defined]
        assert len(digests()) == 1
        assert InterpreterDigestEntry.objects.count() == len(booked)
        # An addendum raced by two workers: one each still.
        InterpreterDigestEntry.objects.filter(appointment=booked[0]).delete()
        runs = run_twice_at_once(lambda: send_interpreter_digests(now=monday(18, 5)))
    assert sum(run.addenda for run in runs) == 1  # type: ignore[attr-defined]
    assert len(addenda()) == 1


@pytest.mark.django_db
def test_an_operator_sends_tomorrows_digest_early_and_still_once(kep, employee, book):
    from io import StringIO

    from django.core.management import call_command

    from keplive.alerts.interpreters import send_interpreter_digest

    book(kep, 10, interpreter="sign_language")
    # Monday 09:00, long before the digest time: the ordinary run sends nothing ...
    assert send_interpreter_digest(now=monday(9, 0)) is None
    # ... the early one does, once.
    digest = send_interpreter_digest(now=monday(9, 0), early=True)
    assert digest is not None
    assert (digest.for_date, digest.count) == (TUESDAY, 1)
    assert send_interpreter_digest(now=monday(9, 1), early=True) is None
    assert send_interpreter_digests(now=monday(18, 0)).digest is None
    assert len(digests()) == 1
    # The command does the same at the real clock: tomorrow's digest now, then never again.
    out = StringIO()
    call_command("send_interpreter_digest", stdout=out)
    assert "queued to dierminia@" in out.getvalue()
    real_tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert InterpreterDigest.objects.filter(for_date=real_tomorrow).count() == 1
    out = StringIO()
    call_command("send_interpreter_digest", stdout=out)
    assert "already been sent" in out.getvalue()
    assert InterpreterDigest.objects.filter(for_date=real_tomorrow).count() == 1
