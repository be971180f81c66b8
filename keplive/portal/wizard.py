"""Citizen pages: the booking wizard (category → service → KEP → day → time → details)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
