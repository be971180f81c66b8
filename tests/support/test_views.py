"""The support channel in the administration: every thread, unread first; reply; close."""

from __future__ import annotations

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.audit.services import Origin
from keplive.notifications.models import OutboxMessage
from keplive.support.models import Message, Side, ThreadStatus
from keplive.support.services import open_thread
from tests.factories import EmployeeFactory, UserFactory
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return UserFactory(role=Role.ADMINISTRATOR, email="admin@ministry.example.gr")


@pytest.fixture
def ministry(client, administrator):
    return login_staff(client, administrator)


@pytest.fixture
def thread():
    employee = EmployeeFactory(user__email="maria@kep.example.gr")
    return open_thread(
        employee=employee,
        subject="Πρόβλημα ήχου",
        body="Δεν ακούγεται ο πολίτης.",
        now=timezone.now(),
        origin=Origin(),
    )


def test_an_administrator_reads_answers_and_closes(ministry, thread):
    listing = ministry.get("/administration/support/")
    assert listing.status_code == 200
    assert listing.context["unread"] == 1
    assert b'data-unread="1"' in listing.content
    page = ministry.get(f"/administration/support/{thread.pk}/")
    assert page.status_code == 200
    assert "Δεν ακούγεται ο πολίτης." in page.content.decode()
    assert ministry.get("/administration/support/").context["unread"] == 0
    reply = ministry.post(
        f"/administration/support/{thread.pk}/", {"body": "Ελέγξτε το μικρόφωνο."}
    )
    assert reply.status_code == 302
    message = Message.objects.get(thread=thread, side=Side.MINISTRY)
    assert reply["Location"].endswith(f"#message-{message.pk}")
    assert OutboxMessage.objects.filter(
        recipient="maria@kep.example.gr", key__startswith=f"support-message:{message.pk}:"
    ).exists()
    closed = ministry.post(f"/administration/support/{thread.pk}/close/")
    assert closed.status_code == 302
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.CLOSED
    refused = ministry.post(f"/administration/support/{thread.pk}/", {"body": "Και κάτι ακόμα."})
    assert refused.status_code == 400
    assert b'id="error-summary"' in refused.content
    assert Message.objects.filter(thread=thread).count() == 2


def test_an_empty_reply_is_refused(ministry, thread):
    response = ministry.post(f"/administration/support/{thread.pk}/", {"body": "  "})
    assert response.status_code == 400
    assert b'id="id_body-error"' in response.content


def test_status_filter_and_missing_threads(ministry, thread):
    assert ministry.get("/administration/support/?status=closed").context["threads"] == []
    assert ministry.get("/administration/support/?status=bogus").status_code == 200
    assert ministry.get("/administration/support/999999/").status_code == 404
    assert ministry.post("/administration/support/999999/close/").status_code == 404


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SUPERVISOR])
def test_others_cannot_use_the_ministry_side(client, thread, role):
    user = UserFactory(role=role)
    if role == Role.SUPERVISOR:
        EmployeeFactory(user=user, kep=thread.kep)
    login_staff(client, user)
    assert client.get("/administration/support/").status_code == 403
    assert client.post(f"/administration/support/{thread.pk}/close/").status_code == 403
