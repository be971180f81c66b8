"""No token, personal datum or secret in any log line (issue 11 finding 6), proved on the real
stack: a citizen books in Chromium and opens a forged link, then a whole call runs (knock, admit,
chat, end); afterwards every line the web server (uvicorn at INFO), the worker and the SMTP
stand-in wrote is searched for every secret the journey used — the signed links of every email
sent, the session cookies, the staff password, and the citizens' names, tax numbers, email
addresses, phone numbers and document numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import read_mail, release_booking, wait_for_mail
from tests.browser.test_booking import TYPED, _fill_details, _log_in, _press
from tests.browser.test_call import create_appointment, knock_and_admit, open_chat

pytestmark = pytest.mark.browser

LINK = re.compile(r"/(?:manage|call|interpret)/([^/\s\"'<>]+)/")
CONFIRM = "Επιβεβαίωση του ραντεβού"


def test_no_token_or_personal_datum_in_any_log_line(page, server, stack, open_page, mail_dir):
    # A citizen books (TAXISnet stand-in → wizard → confirmation email with its links).
    _log_in(page, server, 1)
    _press(page, page.locator(".kl-services a").first)
    _press(page, page.locator(".kl-earliest a").first)
    _press(page, page.locator(".kl-time").first)
    _fill_details(page)
    _press(page, page.get_by_role("button", name=CONFIRM))
    assert "/book/done/" in page.url
    booked = page.url.rstrip("/").rsplit("/", 1)[-1]
    try:
        _scan_after_the_journey(page, server, stack, open_page, mail_dir)
    finally:
        # ΜΑΡΙΑ books in other tests of the session too: give her booking back (the limit is 3).
        release_booking(stack, booked)


def _scan_after_the_journey(page, server, stack, open_page, mail_dir) -> None:  # type: ignore[no-untyped-def]
    wait_for_mail(mail_dir, to=TYPED["id_email"], what="the confirmation")
    # A forged and a mangled link: 4xx responses, which django.request logs with their path.
    page.goto(f"{server}/manage/forged-secret-token-123/")
    page.goto(f"{server}/call/forged-secret-token-456/?link=another-secret-789")

    # A whole call, employee and citizen (WebSocket handshakes carry ?link=<token>).
    data = create_appointment(stack)
    employee, citizen = knock_and_admit(server, open_page, data)
    open_chat(citizen)  # on a phone the chat is folded away until "Chat"
    citizen.fill("#call-chat-input", "Το μήνυμα της συνομιλίας μένει ιδιωτικό.")
    citizen.locator("#call-chat-send").click()
    employee.locator("#call-chat-list", has_text="μένει ιδιωτικό").wait_for()
    employee.locator("#call-end").click()
    employee.locator("#call-end-yes").click()
    citizen.locator("#call-over").wait_for(state="visible")

    secrets = {
        "forged-secret-token-123",
        "forged-secret-token-456",
        "another-secret-789",
        data["join"],
        data["interpreter"],
        "keplive-demo",  # the demo staff password
        "Το μήνυμα της συνομιλίας",  # chat is never logged (P6)
        "123456783",  # ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ's tax number (GSIS stand-in)
        "ΠΑΠΑΔΟΠΟΥΛΟΥ",
        "Καραγιάννη",
        "eleni@example.gr",
        "6912345678",
        "ΑΒ123456",
        *TYPED.values(),
    }
    for message in read_mail(mail_dir):  # every signed link the worker sent so far
        texts = [
            str(part.get_content())
            for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html")
        ]
        secrets.update(token for text in texts for token in LINK.findall(text) if len(token) > 16)
    for context in (page.context, employee.context, citizen.context):
        secrets.update(cookie["value"] for cookie in context.cookies() if len(cookie["value"]) > 16)

    logs = sorted(Path(str(stack["var"]), "logs").glob("*.log"))
    assert {log.name for log in logs} >= {"web.log", "worker.log", "mail.log"}
    lines = [line for log in logs for line in log.read_text("utf-8", "replace").splitlines()]
    assert any("WebSocket" in line for line in lines)  # uvicorn's INFO lines are there to search
    found = sorted(
        {(secret, line) for line in lines for secret in secrets if secret and secret in line}
    )
    assert found == []
