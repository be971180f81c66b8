"""The development mailbox: the mail the local SMTP stand-in received, readable in a browser.

``make run`` delivers every email to the stand-in (``keplive/integrations/smtp``), which keeps it
in ``KEPLIVE_MAIL_DIR``. These pages list and show those messages — the text, the HTML (in a
sandboxed frame) and the attachments such as the ICS file — so a newcomer can read what a
citizen receives without a mail client. The HTML is served on its own (``<file>/html/``) under a
policy of its own: an email needs its inline styles (mail clients drop style sheets), which the
site's Content-Security-Policy refuses, so that response allows exactly the style attributes
the email has, by their hashes, and nothing else (ADR 0014). On only while
``KEPLIVE_MAIL_VIEWER`` is set (by default everywhere but production); a start-up check refuses
it in production.
"""

from __future__ import annotations

import base64
import hashlib
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
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


class _InlineStyles(HTMLParser):
    """The values of every ``style`` attribute and the text of every ``<style>`` element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: set[str] = set()
        self.elements: set[str] = set()
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.update(value for name, value in attrs if name == "style" and value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.elements.add(data)


def _hashes(values: set[str]) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()}'"
        for value in sorted(values)
    )


def email_policy(html: str) -> str:
    """A Content-Security-Policy for an email's HTML shown alone: no script, no fetch, images
    only inline, and exactly the email's own inline styles (by their SHA-256), in a sandbox,
    framed only by the mailbox page."""
    styles = _InlineStyles()
    styles.feed(html)
    styles.close()
    attributes = _hashes(styles.attributes)
    elements = _hashes(styles.elements)
    return "; ".join(
        [
            "default-src 'none'",
            "img-src data:",
            f"style-src-attr 'unsafe-hashes' {attributes}"
            if attributes
            else "style-src-attr 'none'",
            f"style-src-elem {elements}" if elements else "style-src-elem 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
            "sandbox",
        ]
    )


@never_cache
@require_GET
@xframe_options_sameorigin
def message_html(request: HttpRequest, filename: str) -> HttpResponse:
    """``<file>/html/``: the email's HTML part alone, for the mailbox page's sandboxed frame."""
    _text, html, _attachments = _parts(_message(filename))
    if not html:
        raise Http404()
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    # Set here, the site's policy (django-csp) leaves this one alone.
    response["Content-Security-Policy"] = email_policy(html)
    return response


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
    path("<str:filename>/html/", message_html, name="html"),
    path("<str:filename>/<int:number>/", attachment, name="attachment"),
]
