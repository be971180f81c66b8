"""The Content-Security-Policy in a real browser (ADR 0014): Chromium enforces it, the main
pages of every audience break none of it (the shared fixture fails any test with a violation),
Swagger UI still renders the API, and the development mailbox still shows an email's own inline
styles under the frame's own policy."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import csp_violations, run_in_server, sign_in_staff

pytestmark = pytest.mark.browser


def test_the_browser_enforces_the_policy_and_the_watch_sees_violations(page, server):
    response = page.goto(server + "/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true;";
            document.body.append(script);
            document.body.setAttribute("style", "outline: 5px solid red");
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected === undefined")
    assert page.evaluate("getComputedStyle(document.body).outlineWidth") != "5px"
    seen = list(csp_violations)
    csp_violations.clear()  # provoked on purpose: not a failure of this test
    assert any("script-src" in line for line in seen), seen
    assert any("style-src" in line for line in seen), seen


PUBLIC_PAGES = [
    "/",
    "/services/",
    "/manual/",
    "/privacy/",
    "/municipalities/join/",
    "/workspace/login/",
    "/administration/login/",
    "/dev/codes/",
    "/dev/mail/",
    "/dev/sms/",
]


def test_public_pages_break_nothing_of_the_policy(page, server):
    for path in PUBLIC_PAGES:
        response = page.goto(server + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")


def test_swagger_ui_renders_the_api_under_the_policy(page, server):
    page.goto(server + "/api/v1/docs")
    page.get_by_text("/api/v1/earliest", exact=True).first.wait_for(timeout=15_000)
    page.get_by_text("/api/v1/earliest", exact=True).first.click()
    page.get_by_role("button", name="Try it out").first.wait_for()


def test_staff_pages_and_the_django_admin_break_nothing_of_the_policy(browser, server):
    context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in_staff(page, server, "demo.employee")
        for path in (
            "/workspace/",
            "/workspace/week/",
            "/workspace/?scope=kep",
            "/workspace/tasks/",
        ):
            assert page.goto(server + path).status == 200, path
        # The live calendar's poll runs under the policy too.
        page.evaluate("window.keplive.workspace.poll()")
    finally:
        context.close()
    context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in_staff(page, server, "demo.admin")
        for path in (
            "/administration/",
            "/administration/dashboard/",
            "/administration/audit/",
            "/administration/keps/",
            "/admin/",
            "/admin/directory/kep/",
            "/admin/directory/kep/add/",
            "/admin/accounts/user/",
        ):
            assert page.goto(server + path).status == 200, path
            page.wait_for_load_state("load")
    finally:
        context.close()


EMAIL = """
import json
from django.template.loader import render_to_string
html = render_to_string("outcomes/emails/not_servable.html", {
    "language": "el", "kep_name": "ΚΕΠ Δοκιμής", "kep_address": "Οδός 1",
    "kep_email": "kep@example.gr", "reference": "ABC", "subject": "Δοκιμή",
})
print(json.dumps(html))
"""


def test_the_mailbox_shows_an_email_with_its_inline_styles(page, server, stack):
    html = run_in_server(stack, EMAIL)
    assert 'style="' in html
    mail = stack["mail"]
    mail.mkdir(parents=True, exist_ok=True)
    name = "20991231T235959000000Z-c5b0c5b0.eml"
    (mail / name).write_bytes(
        (
            "Subject: CSP\r\nFrom: no-reply@keplive.localhost\r\nTo: x@example.gr\r\n"
            'MIME-Version: 1.0\r\nContent-Type: text/html; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + html
        ).encode()
    )
    page.goto(f"{server}/dev/mail/{name}/")
    frame = page.frame_locator("iframe.kl-mail-frame")
    frame.locator("h1").wait_for()
    # The email's own style attributes applied (body padding 1rem, the h1's size 1.5rem).
    padding = frame.locator("body").evaluate("(body) => getComputedStyle(body).paddingTop")
    size = frame.locator("h1").evaluate("(h1) => getComputedStyle(h1).fontSize")
    assert (padding, size) == ("16px", "24px"), json.dumps([padding, size])
