"""The support channel in the workspace: an employee's KEP threads, a new thread, a reply."""

from __future__ import annotations

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.audit.services import Origin
from keplive.support.models import Message, Side, Thread
from keplive.support.services import open_thread, post_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def post_thread(client, subject="Βλάβη κάμερας", body="Η κάμερα δεν λειτουργεί."):  # type: ignore[no-untyped-def]
    return client.post("/workspace/support/", {"subject": subject, "body": body})


def test_an_employee_opens_a_thread_and_reads_it(employee_client, employee):
    response = post_thread(employee_client)
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/support/{thread.pk}/"
    assert thread.kep == employee.kep
    assert thread.opened_by == employee.user
    page = employee_client.get(response["Location"])
    assert page.status_code == 200
    assert "Η κάμερα δεν λειτουργεί." in page.content.decode()
    listing = employee_client.get("/workspace/support/")
    assert listing.status_code == 200
    assert f'data-thread="{thread.pk}"'.encode() in listing.content


def test_an_empty_message_re_renders_with_the_error_and_keeps_the_subject(employee_client):
    response = post_thread(employee_client, body="   ")
    assert response.status_code == 400
    assert b'id="id_body-error"' in response.content
    assert "Βλάβη κάμερας" in response.content.decode()
    assert not Thread.objects.exists()
    missing_subject = post_thread(employee_client, subject="")
    assert b'id="id_subject-error"' in missing_subject.content


def test_bodies_are_plain_text(employee_client):
    post_thread(employee_client, body='<script>alert("x")</script>\nδεύτερη γραμμή')
    page = employee_client.get(f"/workspace/support/{Thread.objects.get().pk}/")
    html = page.content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
    assert "<br>δεύτερη γραμμή" in html


def test_a_reply_is_added_and_a_too_long_one_refused(employee_client):
    post_thread(employee_client)
    thread = Thread.objects.get()
    response = employee_client.post(f"/workspace/support/{thread.pk}/", {"body": "Και κάτι ακόμα."})
    assert response.status_code == 302
    assert Message.objects.filter(thread=thread).count() == 2
    too_long = employee_client.post(f"/workspace/support/{thread.pk}/", {"body": "x" * 5001})
    assert too_long.status_code == 400
    assert b'id="id_body-error"' in too_long.content


def test_another_keps_thread_is_not_found(employee_client, other_employee):

    theirs = open_thread(
        employee=other_employee,
        subject="Δικό μας",
        body="Κείμενο.",
        now=timezone.now(),
        origin=Origin(),
    )
    assert employee_client.get(f"/workspace/support/{theirs.pk}/").status_code == 404
    assert (
        employee_client.post(f"/workspace/support/{theirs.pk}/", {"body": "Γεια"}).status_code
        == 404
    )
    assert employee_client.get("/workspace/support/999999/").status_code == 404
    assert Message.objects.filter(thread=theirs).count() == 1


def test_a_reply_from_the_ministry_shows_as_unread_until_read(employee_client, employee):

    post_thread(employee_client)
    thread = Thread.objects.get()
    admin = UserFactory(role=Role.ADMINISTRATOR)
    post_message(
        thread=thread,
        author=admin,
        side=Side.MINISTRY,
        body="Απάντηση.",
        now=timezone.now(),
        origin=Origin(),
    )
    listing = employee_client.get("/workspace/support/")
    assert b'data-unread="1"' in listing.content
    employee_client.get(f"/workspace/support/{thread.pk}/")
    assert b'data-unread="0"' in employee_client.get("/workspace/support/").content
