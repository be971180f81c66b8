"""The support channel between KEP employees and the ministry's administrators (A6; 000 §E).

A thread belongs to one KEP: every employee of that KEP sees it, and every administrator. Each
message is plain text from one side (the KEP or the ministry). A ``ReadMarker`` per user and
thread says up to when that user has read it; a thread is unread for a user when the other side
wrote after it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keplive.directory.models import Kep

SUBJECT_MAX = 150
BODY_MAX = 5000


class ThreadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Side(models.TextChoices):
    KEP = "kep", _("KEP")
    MINISTRY = "ministry", _("Ministry")


class Thread(models.Model):
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    kep = models.ForeignKey(
        Kep, verbose_name=_("KEP"), on_delete=models.PROTECT, related_name="support_threads"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN
    )
    created_at = models.DateTimeField(_("opened at"))
    last_message_at = models.DateTimeField(_("last message at"))
    # When each side last wrote: what unread is computed from, without reading the messages.
    last_kep_message_at = models.DateTimeField(null=True, blank=True)
    last_ministry_message_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("support thread")
        verbose_name_plural = _("support threads")
        indexes = [
            models.Index(fields=["kep", "-last_message_at"]),
            models.Index(fields=["status", "-last_message_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    body = models.TextField(_("message"), max_length=BODY_MAX)
    created_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["thread", "created_at", "id"]
        verbose_name = _("support message")
        verbose_name_plural = _("support messages")

    def __str__(self) -> str:
        return f"#{self.thread_id}/{self.pk}"


class ReadMarker(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("read marker")
        verbose_name_plural = _("read markers")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="support_one_marker_per_user")
        ]

    def __str__(self) -> str:
        return f"#{self.thread_id} {self.user_id}"
