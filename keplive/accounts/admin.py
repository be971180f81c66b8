from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from keplive.accounts.models import Citizen, User


@admin.register(User)
class KepliveUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("KEPlive", {"fields": ("role",)}))  # type: ignore[misc]
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "created_at")
    search_fields = ("last_name",)
    readonly_fields = ("user", "tax_id", "first_name", "last_name", "father_name", "created_at")
