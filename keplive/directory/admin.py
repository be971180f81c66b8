"""Administrators edit the directory here for now (A3, A4, P3): KEPs, hours, employees."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from keplive.directory.models import (
    Absence,
    Availability,
    Employee,
    Kep,
    LocalHoliday,
    Municipality,
    OpeningException,
    OpeningHours,
)


class LocalHolidayInline(admin.TabularInline):
    model = LocalHoliday
    extra = 0


class KepInline(admin.TabularInline):
    model = Kep
    fields = ("code", "name_el", "city", "is_kep_eke", "is_active")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Municipality | None = None) -> bool:
        return False


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name_el", "code", "region", "is_participating", "joined_on", "kep_count")
    list_filter = ("is_participating", "region", "joined_on")
    search_fields = ("code", "name_el", "name_en")
    ordering = ("name_el",)
    inlines = (KepInline, LocalHolidayInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Municipality]:
        queryset: QuerySet[Municipality] = super().get_queryset(request)
        return queryset.annotate(kep_count=Count("keps"))

    @admin.display(description=_("KEPs"), ordering="kep_count")
    def kep_count(self, obj: Municipality) -> int:
        return getattr(obj, "kep_count", 0)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class OpeningExceptionInline(admin.TabularInline):
    model = OpeningException
    extra = 0


@admin.register(Kep)
class KepAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_el",
        "municipality",
        "city",
        "is_kep_eke",
        "is_active",
        "employee_count",
    )
    list_filter = ("is_active", "is_kep_eke", "municipality__region")
    search_fields = ("code", "name_el", "name_en", "city", "municipality__name_el")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    inlines = (OpeningHoursInline, OpeningExceptionInline)
    fieldsets = (
        (
            None,
            {"fields": ("code", "municipality", "name_el", "name_en", "is_kep_eke", "is_active")},
        ),
        (
            _("Contact"),
            {"fields": ("address", "postal_code", "city", "phone", "email", "protocol_email")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Kep]:
        queryset: QuerySet[Kep] = super().get_queryset(request)
        return queryset.annotate(employee_count=Count("employees"))

    @admin.display(description=_("employees"), ordering="employee_count")
    def employee_count(self, obj: Kep) -> int:
        return getattr(obj, "employee_count", 0)


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "username", "role", "kep", "is_active")
    list_filter = ("is_active", "user__role", "kep__is_kep_eke", "kep__municipality__region")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "kep__code",
        "kep__name_el",
    )
    list_select_related = ("user", "kep")
    raw_id_fields = ("user",)
    autocomplete_fields = ("kep",)
    inlines = (AvailabilityInline, AbsenceInline)

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, obj: Employee) -> str:
        return obj.user.get_username()

    @admin.display(description=_("role"), ordering="user__role")
    def role(self, obj: Employee) -> str:
        return obj.user.get_role_display()


@admin.register(LocalHoliday)
class LocalHolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "municipality")
    list_filter = ("municipality__region",)
    search_fields = ("name", "municipality__name_el")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    date_hierarchy = "date"
