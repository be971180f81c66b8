from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

from keplive.accounts.models import Citizen, User
from keplive.audit.origin import request_origin
from keplive.audit.services import record_event


@admin.register(User)
class KepliveUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("KEPlive", {"fields": ("role",)}))  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    """Citizens' data is personal: read-only here, and every look is written to the audit log."""

    list_display = ("last_name", "first_name", "created_at")
    search_fields = ("last_name",)
    readonly_fields = ("user", "tax_id", "first_name", "last_name", "father_name", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # citizens arrive through TAXISnet only

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        record_event(
            action="citizens.listed",
            actor=request.user,
            origin=request_origin(request, channel="admin"),
            object_type="citizen",
            details={"search": bool(request.GET.get("q"))},
        )
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        record_event(
            action="citizen.viewed",
            actor=request.user,
            origin=request_origin(request, channel="admin"),
            object_type="citizen",
            object_id=object_id,
        )
        return super().change_view(request, object_id, form_url, extra_context)
