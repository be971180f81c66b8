"""Staff see the outbox read-only, and can send failed messages again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from keplive.audit.origin import request_origin
from keplive.notifications.models import OutboxMessage, SmsMessage, Status
from keplive.notifications.services import retry_messages
from keplive.notifications.sms import retry_sms


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: the worker alone changes a message, except for "retry now". The bodies are
    not shown: they are the citizen's mail. "Interrupted sends" above zero means a worker died
    mid-send and the message was sent again automatically: it may have arrived twice, with the
    same Message-ID."""

    list_display = (
        "created_at",
        "status",
        "attempts",
        "interruptions",
        "next_attempt_at",
        "subject",
        "channel",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel", "language")
    search_fields = ("=public_id", "=key", "=reference_id")
    date_hierarchy = "created_at"
    fields = (
        "public_id",
        "key",
        "channel",
        "recipient",
        "subject",
        "language",
        "attachment_names",
        "status",
        "attempts",
        "interruptions",
        "next_attempt_at",
        "claimed_at",
        "last_error",
        "reference_type",
        "reference_id",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("attachments"))
    def attachment_names(self, obj: OutboxMessage) -> str:
        return ", ".join(attachment["filename"] for attachment in obj.attachments) or "—"

    @admin.action(description=_("Retry the selected failed messages now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        failed = queryset.filter(status=Status.FAILED)
        skipped = queryset.count() - failed.count()
        retried = retry_messages(
            messages=list(failed),
            actor=request.user,
            origin=request_origin(request, channel="admin"),
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was not failed and was left as it is.",
                    "%(count)d messages were not failed and were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    """The SMS outbox, read-only like the email outbox; the text is not shown."""

    list_display = (
        "created_at",
        "status",
        "attempts",
        "interruptions",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "language")
    search_fields = ("=public_id", "=key", "=reference_id")
    date_hierarchy = "created_at"
    fields = (
        "public_id",
        "key",
        "recipient",
        "language",
        "status",
        "attempts",
        "interruptions",
        "next_attempt_at",
        "claimed_at",
        "last_error",
        "gateway_id",
        "reference_type",
        "reference_id",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry the selected failed SMS now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[SmsMessage]) -> None:
        retried = retry_sms(
            messages=list(queryset.filter(status=Status.FAILED)),
            actor=request.user,
            origin=request_origin(request, channel="admin"),
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d SMS will be sent again.", "%(count)d SMS will be sent again.", retried
            )
            % {"count": retried},
            messages.SUCCESS,
        )
