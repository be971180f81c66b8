"""Support channel commands (A6): open a thread, write in it, close it, mark it read.

Opening, writing and closing are audited (never the text: only ids, the KEP and lengths) and
queue a notification to the other side in the same transaction. The notification says only that
thread #N has a new message, with a link: never the text, so nothing a message may hold leaves
the platform by email.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from keplive.accounts.models import Role, User
from keplive.audit.services import Origin, record_event
from keplive.directory.models import Employee
from keplive.notifications.services import queue_email
from keplive.support.exceptions import InvalidMessage, ThreadClosed
from keplive.support.models import (
    BODY_MAX,
    SUBJECT_MAX,
    Message,
    ReadMarker,
    Side,
    Thread,
    ThreadStatus,
)


def clean_body(body: str) -> str:
    """The message as stored: line endings normalised, surrounding blank space removed."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InvalidMessage({"body": _("Write your message.")})
    if len(text) > BODY_MAX:
        raise InvalidMessage(
            {"body": _("A message can be up to %(max)d characters long.") % {"max": BODY_MAX}}
        )
    return text


def clean_subject(subject: str) -> str:
    text = " ".join(subject.split())
    if not text:
        raise InvalidMessage({"subject": _("Give the thread a subject.")})
    if len(text) > SUBJECT_MAX:
        raise InvalidMessage(
            {"subject": _("A subject can be up to %(max)d characters long.") % {"max": SUBJECT_MAX}}
        )
    return text


def open_thread(
    *, employee: Employee, subject: str, body: str, now: dt.datetime, origin: Origin
) -> Thread:
    """An employee opens a thread of their KEP with its first message."""
    errors: dict[str, Any] = {}
    for clean, value in ((clean_subject, subject), (clean_body, body)):
        try:
            clean(value)
        except InvalidMessage as problem:
            errors.update(problem.errors)
    if errors:
        raise InvalidMessage(errors)
    with transaction.atomic():
        thread = Thread.objects.create(
            subject=clean_subject(subject),
            kep=employee.kep,
            opened_by=employee.user,
            created_at=now,
            last_message_at=now,
        )
        record_event(
            action="support.thread_opened",
            actor=employee.user,
            origin=origin,
            object_type="support.thread",
            object_id=thread.pk,
            details={"kep": employee.kep.code},
            occurred_at=now,
        )
        _add_message(
            thread=thread, author=employee.user, side=Side.KEP, body=body, now=now, origin=origin
        )
    return thread


def post_message(
    *, thread: Thread, author: Any, side: str, body: str, now: dt.datetime, origin: Origin
) -> Message:
    """A reply in an open thread, from the KEP's side or the ministry's."""
    text = clean_body(body)
    with transaction.atomic():
        locked = Thread.objects.select_for_update(no_key=True).get(pk=thread.pk)
        if locked.status != ThreadStatus.OPEN:
            raise ThreadClosed()
        return _add_message(
            thread=locked, author=author, side=side, body=text, now=now, origin=origin
        )


def _add_message(
    *, thread: Thread, author: Any, side: str, body: str, now: dt.datetime, origin: Origin
) -> Message:
    message = Message.objects.create(
        thread=thread, author=author, side=side, body=clean_body(body), created_at=now
    )
    thread.last_message_at = now
    if side == Side.KEP:
        thread.last_kep_message_at = now
    else:
        thread.last_ministry_message_at = now
    thread.save(
        update_fields=["last_message_at", "last_kep_message_at", "last_ministry_message_at"]
    )
    _mark_read(thread=thread, user=author, now=now)
    record_event(
        action="support.message_posted",
        actor=author,
        origin=origin,
        object_type="support.thread",
        object_id=thread.pk,
        details={"message": message.pk, "side": side, "length": len(message.body)},
        occurred_at=now,
    )
    _notify(message)
    return message


def close_thread(*, thread: Thread, actor: Any, now: dt.datetime, origin: Origin) -> Thread:
    """An administrator closes a thread; closing twice changes nothing."""
    with transaction.atomic():
        locked = Thread.objects.select_for_update(no_key=True).get(pk=thread.pk)
        if locked.status == ThreadStatus.CLOSED:
            return locked
        locked.status = ThreadStatus.CLOSED
        locked.closed_at = now
        locked.closed_by = actor
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        record_event(
            action="support.thread_closed",
            actor=actor,
            origin=origin,
            object_type="support.thread",
            object_id=locked.pk,
            details={"kep": locked.kep.code},
            occurred_at=now,
        )
    return locked


def mark_read(*, thread: Thread, user: Any, now: dt.datetime) -> None:
    """``user`` has read ``thread`` up to ``now`` (bookkeeping; not audited)."""
    _mark_read(thread=thread, user=user, now=now)


def _mark_read(*, thread: Thread, user: Any, now: dt.datetime) -> None:
    marker, created = ReadMarker.objects.get_or_create(
        thread=thread, user=user, defaults={"read_at": now}
    )
    if not created and marker.read_at < now:
        ReadMarker.objects.filter(pk=marker.pk, read_at__lt=now).update(read_at=now)


def _recipients(message: Message) -> list[tuple[User, str]]:
    """Who is told of ``message``, with the link they open: the other side only."""
    thread = message.thread
    if message.side == Side.KEP:
        administrators = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).exclude(
            email=""
        )
        link = reverse("administration:support_thread", args=[thread.pk])
        return [(user, link) for user in administrators]
    # The KEP's side: whoever opened or wrote in the thread and still serves at that KEP.
    author_ids = set(
        Message.objects.filter(thread=thread, side=Side.KEP).values_list("author_id", flat=True)
    ) | {thread.opened_by_id}
    employees = (
        Employee.objects.filter(
            user_id__in=author_ids, kep_id=thread.kep_id, is_active=True, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user")
    )
    link = reverse("workspace:support_thread", args=[thread.pk])
    return [(employee.user, link) for employee in employees]


def _notify(message: Message) -> None:
    thread = message.thread
    for user, link in _recipients(message):
        with translation.override("el"):
            subject = _("myKEPlive support: new message in thread #%(number)s") % {
                "number": thread.pk
            }
            text = _(
                "There is a new message in support thread #%(number)s (%(kep)s).\n\n"
                "Read it and reply: %(link)s\n\nmyKEPlive"
            ) % {
                "number": thread.pk,
                "kep": thread.kep.name_el,
                "link": f"{settings.KEPLIVE_PUBLIC_URL}{link}",
            }
        queue_email(
            key=f"support-message:{message.pk}:{user.pk}",
            to=user.email,
            subject=subject,
            text=text + "\n",
            language="el",
            cause=message,
        )
