"""The ministry edits the offer rules in the Django admin (behind the staff's two-factor
sign-in); requests, offers and freed times are shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from keplive.waitlist.models import FreedTime, Offer, OfferRules, WaitingRequest


@admin.register(OfferRules)
class OfferRulesAdmin(admin.ModelAdmin):
    list_display = ("offer_minutes", "max_offers_per_day", "quiet_from", "quiet_until")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not OfferRules.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WaitingRequest)
class WaitingRequestAdmin(ReadOnly):
    list_display = ("created_at", "status", "kep", "service", "scope", "part_of_day", "before")
    list_filter = ("status", "scope", "category")
    exclude = ("citizen", "email", "mobile_phone")


@admin.register(Offer)
class OfferAdmin(ReadOnly):
    list_display = ("created_at", "status", "kep", "starts_at", "expires_at", "days_earlier")
    list_filter = ("status",)
    exclude = ("citizen",)


@admin.register(FreedTime)
class FreedTimeAdmin(ReadOnly):
    list_display = ("created_at", "kep", "freed_from", "until", "processed_at", "offers_made")
