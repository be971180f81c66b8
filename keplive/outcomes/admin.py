"""White application templates are edited by administrators in the Django admin (E13).
Outcomes hold personal data and are not listed here: they are read through the selectors."""

from __future__ import annotations

from django.contrib import admin

from keplive.outcomes.models import WhiteApplicationTemplate


@admin.register(WhiteApplicationTemplate)
class WhiteApplicationTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "municipality", "service", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = (
        "title",
        "municipality__name_el",
        "municipality__name_en",
        "service__title_el",
        "service__code",
    )
    autocomplete_fields = ("municipality", "service")
