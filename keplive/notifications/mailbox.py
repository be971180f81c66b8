"""The development mailbox: the mail the local SMTP stand-in received, readable in a browser.

``make run`` delivers every email to the stand-in (``keplive/integrations/smtp``), which keeps it
in ``KEPLIVE_MAIL_DIR``. These pages list and show those messages — the text, the HTML (in a
sandboxed frame) and the attachments such as the ICS file — so a newcomer can read what a
citizen receives without a mail client. On only while ``KEPLIVE_MAIL_VIEWER`` is set (by default
everywhere but production); a start-up check refuses it in production.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from keplive.integrations.smtp.local import read_index

# Only names the stand-in writes: "<UTC time>-<8 hex>.eml"; nothing else is ever opened.
_FILENAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.eml$")
PAGE_SIZE = 100


def _mail_dir() -> Path:
    if not settings.KEPLIVE_MAIL_VIEWER:
        raise Http404()
    return Path(settings.KEPLIVE_MAIL_DIR)


def _message(filename: str) -> EmailMessage:
    directory = _mail_dir()
    if not _FILENAME.match(filename):
        raise Http404()
    file = directory / filename
    if not file.is_file():
        raise Http404()
    message = message_from_bytes(file.read_bytes(), policy=policy.default)
    if not isinstance(message, EmailMessage):  # policy.default always builds EmailMessage
        raise Http404()
    return message


@never_cache
@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    to = request.GET.get("to", "").strip()[:254]
    entries = list(reversed(read_index(_mail_dir())))
    if to:
        entries = [entry for entry in entries if to.lower() in entry.to.lower()]
    return render(
        request,
        "notifications/mailbox.html",
        {"entries": entries[:PAGE_SIZE], "total": len(entries), "to": to},
    )


def _parts(message: EmailMessage) -> tuple[str, str, list[tuple[int, str, str]]]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    attachments = [
        (number, part.get_filename() or f"part-{number}", part.get_content_type())
        for number, part in enumerate(message.iter_attachments())
    ]
    text = str(text_part.get_content()) if text_part is not None else ""
    html = str(html_part.get_content()) if html_part is not None else ""
    return text, html, attachments


@never_cache
@require_GET
def message(request: HttpRequest, filename: str) -> HttpResponse:
    email = _message(filename)
    text, html, attachments = _parts(email)
    return render(
        request,
        "notifications/mail_message.html",
        {
            "filename": filename,
            "headers": [(name, str(email.get(name, ""))) for name in ("From", "To", "Date")],
            "subject": str(email.get("Subject", "")),
            "text": text,
            "html": html,
            "attachments": attachments,
        },
    )


@never_cache
@require_GET
def attachment(request: HttpRequest, filename: str, number: int) -> HttpResponse:
    parts = list(_message(filename).iter_attachments())
    if number >= len(parts):
        raise Http404()
    part = parts[number]
    response = HttpResponse(
        part.get_payload(decode=True) or b"", content_type=part.get_content_type()
    )
    name = re.sub(r"[^A-Za-z0-9._-]", "_", part.get_filename() or f"part-{number}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


app_name = "mailbox"
urlpatterns: list[URLPattern] = [
    path("", mailbox, name="list"),
    path("<str:filename>/", message, name="message"),
    path("<str:filename>/<int:number>/", attachment, name="attachment"),
]
