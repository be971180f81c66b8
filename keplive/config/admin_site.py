"""The Django admin, for the ministry's technical staff: the same two-factor sign-in as the
administration (``keplive.accounts.staff_login``). A password alone opens nothing here; the
admin's own login page sends people to the administration's, which asks for the code."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class VerifiedAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_staff and user.is_verified())

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(target, login_url=reverse("administration:login"))
