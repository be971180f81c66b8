"""The outbox: every message KEPlive sends is first a row here, written in the transaction of the
change that causes it, then delivered by the worker (see README.md)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One message to one recipient, with its delivery state.

    ``key`` makes queueing idempotent: the same key twice is the same message. ``last_error``
    holds the error class and SMTP code only, never the recipient or the content. A message
    being sent holds a lease from ``claimed_at`` for ``KEPLIVE_OUTBOX_SENDING_TIMEOUT_MINUTES``;
    when it runs out the message is due again (``interruptions`` counts it) and is sent again
    with the same Message-ID.
    ``attachments`` is a list of ``{"filename", "content_type", "content"}`` with the content in
    base64. ``reference_type``/``reference_id`` name what caused the message (for example
    ``booking.appointment`` and its id).
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, default="el")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    # Attempts whose worker died (or hung) mid-send: the lease ran out and the message was due
    # again. Kept after it is sent, so staff can see it may have arrived twice.
    interruptions = models.PositiveSmallIntegerField(_("interrupted sends"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    reference_type = models.CharField(_("caused by (type)"), max_length=64, blank=True)
    reference_id = models.CharField(_("caused by (id)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The worker's query: pending messages that are due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="outbox_pending_due_idx",
            ),
            # Finding messages whose lease ran out: left "sending" by a worker that died.
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="outbox_sending_idx",
            ),
            models.Index(fields=["reference_type", "reference_id"], name="outbox_reference_idx"),
            models.Index(fields=["status", "created_at"], name="outbox_status_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.public_id} ({self.status})"


class SmsMessage(models.Model):
    """One SMS to one phone, with its delivery state: the SMS outbox (docs/sms.md).

    Written in the transaction of the change that causes it and delivered by the worker through
    the configured gateway, retried with backoff while the gateway is unavailable, so none is
    lost. ``key`` makes queueing idempotent. ``last_error`` holds the adapter's short reason code,
    never the number or the text.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    recipient = models.CharField(_("phone number"), max_length=20)
    text = models.TextField(_("text"), max_length=480)
    language = models.CharField(_("language"), max_length=8, default="el")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    # Attempts whose worker died (or hung) mid-send: the lease ran out and the message was due
    # again. Kept after it is sent, so staff can see it may have arrived twice.
    interruptions = models.PositiveSmallIntegerField(_("interrupted sends"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    gateway_id = models.CharField(_("gateway's id"), max_length=100, blank=True)
    reference_type = models.CharField(_("caused by (type)"), max_length=64, blank=True)
    reference_id = models.CharField(_("caused by (id)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="sms_pending_due_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(status="sending"),
                name="sms_sending_idx",
            ),
            models.Index(fields=["reference_type", "reference_id"], name="sms_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"sms {self.public_id} ({self.status})"
