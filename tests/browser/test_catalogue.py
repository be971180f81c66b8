"""The catalogue as the manual describes it (issue 14, item 8), in Chromium: where the demo's list
stands in for an official one that is not public (category 2's 235 licensing procedures, each
municipality's own services) the page says so and marks each sample; the public catalogue and
the wizard's service step are searchable without JavaScript. axe-core finds nothing."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser


def _go(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


def test_the_catalogue_says_which_lists_are_samples_and_searches_without_javascript(
    browser, page, server
):
    # The public catalogue, category 2: the licensing procedures are marked as samples, the
    # twelve certificates are not.
    page.goto(f"{server}/services/?category=2")
    notice = page.locator(".kl-sample-notice")
    assert notice.count() == 1
    assert "235" in notice.inner_text()
    assert "δείγμα" in notice.inner_text()
    titles = page.locator(".kl-services h2")
    samples = page.locator(".kl-services h2 .kl-sample-tag")
    assert samples.count() == 10
    assert titles.count() - samples.count() == 12
    gemi = page.locator(".kl-services h2", has_text="ΓΕΜΗ").first
    assert gemi.locator(".kl-sample-tag").count() == 0
    screenshot(page, "catalogue-category-2")
    assert axe_violations(page) == []

    # Category 1: the 52 procedures are real names, nothing is called a sample.
    page.goto(f"{server}/services/?category=1")
    assert page.locator(".kl-sample-notice").count() == 0

    # Without JavaScript: the search is a plain GET form, on the catalogue and on the wizard's
    # service step (reached after the TAXISnet stand-in's login, also a plain form).
    context = browser.new_context(locale="el-GR", java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.set_default_timeout(10_000)
        plain.goto(f"{server}/services/?category=2")
        plain.locator("#id_q").fill("πιστοποιητικό")
        _go(plain, plain.locator("form[role=search] button[type=submit]"))
        assert "q=" in plain.url
        found = [t.strip() for t in plain.locator(".kl-services h2").all_inner_texts()]
        assert found
        assert all("ιστοποιητικ" in title for title in found), found
        assert len(found) < 22

        plain.goto(f"{server}/login/?category=2")
        _go(plain, plain.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ"))
        assert plain.url.endswith("/book/2/"), plain.url
        assert plain.locator(".kl-sample-notice").count() == 1
        plain.locator("#id_q").fill("τουριστικ")
        _go(plain, plain.locator("form[role=search] button[type=submit]"))
        steps = [t.strip() for t in plain.locator(".kl-services h2").all_inner_texts()]
        assert steps
        assert all("ουριστικ" in title for title in steps), steps
    finally:
        context.close()

    page.goto(f"{server}/login/?category=2")
    _go(page, page.get_by_role("button", name="ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ"))
    screenshot(page, "catalogue-wizard-category-2")
    assert axe_violations(page) == []
