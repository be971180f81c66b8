from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from keplive.audit.models import AuditCheckpoint, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log and its checkpoints are append-only: nothing is added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "action", "actor", "object_type", "object_id", "outcome")
    list_filter = ("action", "outcome", "channel")
    search_fields = ("object_id", "action")
    date_hierarchy = "occurred_at"


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("number", "after_event_id", "through_event_id", "tree_size", "sealed_at")
    date_hierarchy = "sealed_at"
