"""Citizen pages: my appointments, and the same actions through the signed manage link."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
