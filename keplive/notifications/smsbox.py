"""The development SMS box: the SMS the local stand-in kept (``KEPLIVE_SMS_DIR``), readable in a
browser at ``/dev/sms/`` like the mailbox at ``/dev/mail/``. On only while
``KEPLIVE_SMS_VIEWER`` is set (by default everywhere but production); a start-up check refuses
it in production."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from keplive.integrations.sms.local import read_messages

PAGE_SIZE = 100


def _sms_dir() -> Path:
    if not settings.KEPLIVE_SMS_VIEWER:
        raise Http404()
    return Path(settings.KEPLIVE_SMS_DIR)


@never_cache
@require_GET
def smsbox(request: HttpRequest) -> HttpResponse:
    to = request.GET.get("to", "").strip()[:20]
    messages = read_messages(_sms_dir())
    if to:
        messages = [sms for sms in messages if to in sms.to]
    return render(
        request,
        "notifications/smsbox.html",
        {"messages": messages[:PAGE_SIZE], "total": len(messages), "to": to},
    )


app_name = "smsbox"
urlpatterns: list[URLPattern] = [path("", smsbox, name="list")]
