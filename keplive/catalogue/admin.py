"""Administrators tune the categories' slot parameters (A2, P3, P5) and edit services here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from keplive.catalogue.models import Category, CategoryKind, Service


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The four categories are fixed by the decision; only their parameters change."""

    list_display = (
        "__str__",
        "call_minutes",
        "buffer_minutes",
        "step_minutes",
        "min_notice_minutes",
        "horizon_days",
        "window_start",
        "window_end",
    )
    list_editable = (
        "call_minutes",
        "buffer_minutes",
        "step_minutes",
        "min_notice_minutes",
        "horizon_days",
        "window_start",
        "window_end",
    )
    readonly_fields = ("number", "slug", "kep_eke_only", "municipal", "offers_interpreter")
    fieldsets = (
        (None, {"fields": ("number", "slug", "title_el", "title_en")}),
        (_("Description"), {"fields": ("description_el", "description_en")}),
        (
            _("Slot parameters"),
            {
                "fields": (
                    ("call_minutes", "buffer_minutes", "step_minutes"),
                    ("min_notice_minutes", "horizon_days"),
                    ("window_start", "window_end"),
                )
            },
        ),
        (_("Rules"), {"fields": ("kep_eke_only", "municipal", "offers_interpreter")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = (
            "code",
            "categories",
            "municipality",
            "is_active",
            "title_el",
            "description_el",
            "documents_el",
            "title_en",
            "description_en",
            "documents_en",
            "remote_servable",
            "alternative_el",
            "alternative_en",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        categories = {c.number for c in cleaned.get("categories") or ()}
        municipality = cleaned.get("municipality")
        if CategoryKind.MUNICIPAL in categories:
            if municipality is None:
                self.add_error("municipality", _("A municipal service belongs to a municipality."))
            if categories != {CategoryKind.MUNICIPAL}:
                self.add_error(
                    "categories", _("A municipal service is offered in category 4 only.")
                )
        elif municipality is not None:
            self.add_error(
                "municipality", _("Only municipal services (category 4) have a municipality.")
            )
        if cleaned.get("remote_servable") is False and not cleaned.get("alternative_el"):
            self.add_error(
                "alternative_el",
                _("Tell citizens what to do instead when a service cannot be served remotely."),
            )
        return cleaned


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceForm
    list_display = (
        "title_el",
        "code",
        "category_numbers",
        "municipality",
        "remote_servable",
        "is_active",
    )
    list_filter = ("categories", "remote_servable", "is_active", "municipality__region")
    search_fields = ("code", "title_el", "title_en", "municipality__name_el")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fieldsets = (
        (None, {"fields": ("code", "categories", "municipality", "is_active")}),
        (_("Greek"), {"fields": ("title_el", "description_el", "documents_el")}),
        (_("English"), {"fields": ("title_en", "description_en", "documents_en")}),
        (
            _("Remote service (C11)"),
            {"fields": ("remote_servable", "alternative_el", "alternative_en")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("categories"))
    def category_numbers(self, obj: Service) -> str:
        return ", ".join(str(c.number) for c in obj.categories.all())
