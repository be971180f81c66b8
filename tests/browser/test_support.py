"""The support channel in Chromium (issue 6 item 7): demo.employee opens a thread, demo.admin
answers it, the employee sees the reply; each side is emailed a link, never the text."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import (
    axe_violations,
    screenshot,
    sign_in_staff,
    text_of,
    wait_for_mail,
)

pytestmark = pytest.mark.browser

MAIL_WAIT_SECONDS = 60
STAMP = time.strftime("%H%M%S")
SUBJECT = f"Η κάμερα δεν εντοπίζεται {STAMP}"
QUESTION = "Μετά την ενημέρωση του φυλλομετρητή η κάμερα δεν εντοπίζεται.\nΤι να κάνουμε;"
ANSWER = "Ελέγξτε τα δικαιώματα κάμερας του φυλλομετρητή <και> ξαναδοκιμάστε."


def _go(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


def test_an_employee_asks_the_ministry_answers_and_the_employee_reads_it(
    page, browser, server, mail_dir
):  # type: ignore[no-untyped-def]
    sign_in_staff(page, server, "demo.employee", next_path="/workspace/support/")
    assert page.url.endswith("/workspace/support/"), page.url
    # An empty message first: a clear error, the subject kept.
    page.fill("#id_subject", SUBJECT)
    _go(page, page.locator("main form[method=post] button[type=submit]").last)
    assert page.locator("#id_body-error").count() == 1
    assert page.locator("#id_subject").input_value() == SUBJECT
    assert axe_violations(page) == []
    page.fill("#id_body", QUESTION)
    _go(page, page.locator("main form[method=post] button[type=submit]").last)
    number = re.search(r"/workspace/support/(\d+)/", page.url)
    assert number, page.url
    thread = number.group(1)
    screenshot(page, "support-employee-thread")
    assert axe_violations(page) == []

    notice = wait_for_mail(
        mail_dir, to="demo.admin@", subject_contains=f"#{thread}", timeout=MAIL_WAIT_SECONDS
    )
    assert f"/administration/support/{thread}/" in text_of(notice)
    assert "φυλλομετρητή" not in text_of(notice)

    ministry = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    try:
        admin = ministry.new_page()
        admin.set_default_timeout(10_000)
        sign_in_staff(admin, server, "demo.admin", next_path="/administration/support/")
        row = admin.locator(f'tr[data-thread="{thread}"]')
        assert row.get_attribute("data-unread") == "1"
        assert int(admin.locator("#unread-count").get_attribute("data-unread") or 0) >= 1
        screenshot(admin, "support-admin-threads")
        assert axe_violations(admin) == []
        _go(admin, row.locator("a"))
        admin.fill("#id_body", ANSWER)
        _go(admin, admin.locator("main form[method=post] button[type=submit]").first)
        assert admin.locator("[data-side=ministry]").count() == 1
        screenshot(admin, "support-admin-answered")
        assert axe_violations(admin) == []
    finally:
        ministry.close()

    reply_notice = wait_for_mail(
        mail_dir, to="demo.employee@", subject_contains=f"#{thread}", timeout=MAIL_WAIT_SECONDS
    )
    assert f"/workspace/support/{thread}/" in text_of(reply_notice)

    page.goto(f"{server}/workspace/support/")
    assert page.locator(f'tr[data-thread="{thread}"]').get_attribute("data-unread") == "1"
    _go(page, page.locator(f'tr[data-thread="{thread}"] a'))
    answer = page.locator("[data-side=ministry] p")
    assert answer.inner_text().strip() == ANSWER  # shown as text, "<και>" included
    screenshot(page, "support-employee-reply")
    assert axe_violations(page) == []
    page.goto(f"{server}/workspace/support/")
    assert page.locator(f'tr[data-thread="{thread}"]').get_attribute("data-unread") is None
