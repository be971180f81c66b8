"""Reading the support channel. An employee sees the threads of their own KEP only (another
KEP's thread is "not found", like one that does not exist); administrators see every thread.

A thread is *unread* for a user when the other side wrote after the user's read marker."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from keplive.directory.models import Employee
from keplive.support.models import Message, ReadMarker, Side, Thread, ThreadStatus

# Passed as keywords: the annotation is unknown to the type checker.
UNREAD = {"unread": True}


def _with_unread(threads: QuerySet[Thread], *, user: Any, side: str) -> QuerySet[Thread]:
    """Annotate ``unread`` for ``user`` reading from ``side``."""
    other_last = "last_ministry_message_at" if side == Side.KEP else "last_kep_message_at"
    marker = ReadMarker.objects.filter(thread=OuterRef("pk"), user=user).values("read_at")[:1]
    return threads.annotate(
        read_at=Subquery(marker, output_field=DateTimeField()),
    ).annotate(
        unread=Case(
            When(
                Q(**{f"{other_last}__isnull": False})
                & (Q(read_at__isnull=True) | Q(**{f"{other_last}__gt": F("read_at")})),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def threads_for_kep(*, employee: Employee) -> QuerySet[Thread]:
    """The threads of the employee's KEP, latest activity first, with ``unread``."""
    threads = Thread.objects.filter(kep_id=employee.kep_id).select_related("opened_by")
    return _with_unread(threads, user=employee.user, side=Side.KEP).order_by(
        "-last_message_at", "-id"
    )


def threads_for_ministry(*, user: Any, status: str = "") -> QuerySet[Thread]:
    """Every thread, unread first, then open before closed, then latest activity."""
    threads = Thread.objects.select_related("kep", "opened_by")
    if status in ThreadStatus.values:
        threads = threads.filter(status=status)
    return _with_unread(threads, user=user, side=Side.MINISTRY).order_by(
        F("unread").desc(), "-status", "-last_message_at", "-id"
    )


def unread_count_for_employee(*, employee: Employee) -> int:
    return threads_for_kep(employee=employee).filter(**UNREAD).count()


def unread_count_for_ministry(*, user: Any) -> int:
    return threads_for_ministry(user=user).filter(**UNREAD).count()


def thread_for_employee(*, employee: Employee, thread_id: int) -> Thread | None:
    """The thread if it belongs to the employee's KEP; None otherwise (as if it did not exist)."""
    return (
        Thread.objects.select_related("kep", "opened_by")
        .filter(pk=thread_id, kep_id=employee.kep_id)
        .first()
    )


def thread_for_ministry(*, thread_id: int) -> Thread | None:
    return (
        Thread.objects.select_related("kep", "opened_by", "closed_by").filter(pk=thread_id).first()
    )


def messages_of(*, thread: Thread) -> QuerySet[Message]:
    return (
        Message.objects.filter(thread=thread).select_related("author").order_by("created_at", "id")
    )
