"""``/dev/codes/``: the current second-factor codes of the demo staff accounts, so that a
newcomer trying ``make run`` can sign in as an employee or administrator without setting up an
authenticator app. Only devices ``load_demo`` made (named "demo", with published keys), and only
while the development pages are on (``KEPLIVE_MAIL_VIEWER``, refused in production by a
start-up check)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp.plugins.otp_totp.models import TOTPDevice

from keplive.accounts.staff_login import DEMO_DEVICE_NAME, current_code


@never_cache
@require_GET
def codes(request: HttpRequest) -> HttpResponse:
    if not settings.KEPLIVE_MAIL_VIEWER:
        raise Http404()
    devices = (
        TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME, confirmed=True)
        .select_related("user")
        .order_by("user__username")
    )
    rows = [(device.user.get_username(), current_code(device)) for device in devices]
    return render(request, "accounts/dev_codes.html", {"rows": rows})


urlpatterns = [path("", codes, name="dev_codes")]
