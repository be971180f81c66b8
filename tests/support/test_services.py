"""The support channel (A6): threads, replies, notifications to the other side, unread."""

from __future__ import annotations

import datetime as dt

import pytest

from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent
from keplive.audit.services import Origin
from keplive.notifications.models import OutboxMessage
from keplive.support import selectors, services
from keplive.support.exceptions import InvalidMessage, ThreadClosed
from keplive.support.models import BODY_MAX, Side
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
ORIGIN = Origin(channel="test")
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def employee():
    return EmployeeFactory(user__email="maria@kep.example.gr")


@pytest.fixture
def administrators():
    return [
        UserFactory(role=Role.ADMINISTRATOR, email="a1@ministry.example.gr"),
        UserFactory(role=Role.ADMINISTRATOR, email="a2@ministry.example.gr"),
        UserFactory(role=Role.ADMINISTRATOR, email=""),
        UserFactory(role=Role.ADMINISTRATOR, email="gone@ministry.example.gr", is_active=False),
        UserFactory(role=Role.AUDITOR, email="auditor@ministry.example.gr"),
    ]


def open_thread(employee, body="Δεν εμφανίζεται ο έλεγχος ταυτότητας.", now=T0):
    return services.open_thread(
        employee=employee, subject="Πρόβλημα με ΚΕ.Δ.", body=body, now=now, origin=ORIGIN
    )


def test_a_new_thread_notifies_the_active_administrators_without_its_text(employee, administrators):
    thread = open_thread(employee)
    assert thread.kep == employee.kep
    mails = OutboxMessage.objects.filter(key__startswith="support-message:")
    assert sorted(m.recipient for m in mails) == [
        "a1@ministry.example.gr",
        "a2@ministry.example.gr",
    ]
    for mail in mails:
        assert f"#{thread.pk}" in mail.subject
        assert f"/administration/support/{thread.pk}/" in mail.text_body
        assert "ταυτότητας" not in mail.text_body
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["support.thread_opened", "support.message_posted"]
    assert "ταυτότητας" not in str(AuditEvent.objects.last().details)


def test_a_reply_from_the_ministry_notifies_the_kep_side_of_the_thread(employee, administrators):
    colleague = EmployeeFactory(kep=employee.kep, user__email="nikos@kep.example.gr")
    bystander = EmployeeFactory(kep=employee.kep, user__email="other@kep.example.gr")
    thread = open_thread(employee)
    services.post_message(
        thread=thread,
        author=colleague.user,
        side=Side.KEP,
        body="Και σε μένα.",
        now=minutes(1),
        origin=ORIGIN,
    )
    OutboxMessage.objects.all().delete()
    services.post_message(
        thread=thread,
        author=administrators[0],
        side=Side.MINISTRY,
        body="Το εξετάζουμε.",
        now=minutes(2),
        origin=ORIGIN,
    )
    recipients = sorted(OutboxMessage.objects.values_list("recipient", flat=True))
    assert recipients == ["maria@kep.example.gr", "nikos@kep.example.gr"]
    assert bystander.user.email not in recipients
    mail = OutboxMessage.objects.get(recipient="maria@kep.example.gr")
    assert f"/workspace/support/{thread.pk}/" in mail.text_body


def test_unread_follows_the_other_sides_messages_and_the_read_marker(employee, administrators):
    admin = administrators[0]
    thread = open_thread(employee)
    assert selectors.unread_count_for_ministry(user=admin) == 1
    assert selectors.unread_count_for_employee(employee=employee) == 0  # own message
    services.mark_read(thread=thread, user=admin, now=minutes(1))
    assert selectors.unread_count_for_ministry(user=admin) == 0
    # Another administrator has not read it yet.
    assert selectors.unread_count_for_ministry(user=administrators[1]) == 1
    services.post_message(
        thread=thread,
        author=admin,
        side=Side.MINISTRY,
        body="Απάντηση.",
        now=minutes(2),
        origin=ORIGIN,
    )
    assert selectors.unread_count_for_employee(employee=employee) == 1
    assert selectors.unread_count_for_ministry(user=admin) == 0
    # A colleague at the same KEP sees it unread too; replying marks it read for the author.
    colleague = EmployeeFactory(kep=employee.kep)
    assert selectors.unread_count_for_employee(employee=colleague) == 1
    services.post_message(
        thread=thread,
        author=employee.user,
        side=Side.KEP,
        body="Ευχαριστώ.",
        now=minutes(3),
        origin=ORIGIN,
    )
    assert selectors.unread_count_for_employee(employee=employee) == 0
    assert selectors.unread_count_for_ministry(user=admin) == 1


def test_unread_threads_come_first_for_administrators(employee, administrators):
    admin = administrators[0]
    older = open_thread(employee, now=T0)
    newer = open_thread(employee, now=minutes(5))
    services.mark_read(thread=newer, user=admin, now=minutes(6))
    assert [t.pk for t in selectors.threads_for_ministry(user=admin)] == [older.pk, newer.pk]


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * (BODY_MAX + 1)])
def test_an_empty_or_too_long_message_is_refused(employee, body):
    with pytest.raises(InvalidMessage) as refused:
        open_thread(employee, body=body)
    assert "body" in refused.value.errors
    assert not AuditEvent.objects.exists()


def test_a_closed_thread_takes_no_replies(employee, administrators):
    admin = administrators[0]
    thread = open_thread(employee)
    services.close_thread(thread=thread, actor=admin, now=minutes(1), origin=ORIGIN)
    services.close_thread(thread=thread, actor=admin, now=minutes(2), origin=ORIGIN)
    assert AuditEvent.objects.filter(action="support.thread_closed").count() == 1
    with pytest.raises(ThreadClosed):
        services.post_message(
            thread=thread,
            author=employee.user,
            side=Side.KEP,
            body="Ακόμα;",
            now=minutes(3),
            origin=ORIGIN,
        )


def test_an_employee_cannot_reach_another_keps_thread(employee):
    thread = open_thread(employee)
    stranger = EmployeeFactory()
    assert selectors.thread_for_employee(employee=stranger, thread_id=thread.pk) is None
    assert selectors.thread_for_employee(employee=employee, thread_id=thread.pk) == thread
    assert list(selectors.threads_for_kep(employee=stranger)) == []
