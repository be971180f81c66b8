from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from keplive.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ("occurred_at", "action", "actor", "object_type", "object_id", "outcome")
    list_filter = ("action", "outcome", "channel")
    search_fields = ("object_id", "action")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
