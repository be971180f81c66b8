"""A newcomer's first look, in Chromium: the home page, the catalogue, the API docs."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, screenshot

pytestmark = pytest.mark.browser


def test_home_is_greek_accessible_and_lists_the_categories(page, server):
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "el"
    assert page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".card").count() == 4
    screenshot(page, "home-el")
    assert axe_violations(page) == []


def test_switching_to_english_by_keyboard(page, server):
    page.goto(server + "/")
    button = page.get_by_role("button", name="English")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Administrative information" in page.content()
    screenshot(page, "home-en")
    assert axe_violations(page) == []


def test_catalogue_search_finds_services_without_accents(page, server):
    page.goto(server + "/services/")
    page.get_by_label("Κατηγορία").select_option("1")
    page.get_by_label("Αναζήτηση").fill("πιστοποιητικο")
    with page.expect_navigation():
        page.get_by_role("button", name="Αναζήτηση").click()
    titles = page.locator(".service-title").all_inner_texts()
    assert titles
    assert all("ιστοποιητικ" in title for title in titles)
    assert page.get_by_label("Αναζήτηση").input_value() == "πιστοποιητικο"
    screenshot(page, "catalogue-search")
    assert axe_violations(page) == []


def test_home_fits_a_phone_screen(phone, server):
    phone.goto(server + "/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone, "home-phone")
    assert axe_violations(phone) == []


def test_api_docs_render_the_schema(page, server):
    page.goto(server + "/api/v1/docs")
    page.get_by_text("/api/v1/earliest", exact=True).first.wait_for(timeout=15_000)
    screenshot(page, "api-docs")


@pytest.mark.parametrize(("path", "name"), [("/manual/", "manual"), ("/privacy/", "privacy")])
def test_information_pages_are_accessible_and_linked_from_the_footer(page, server, path, name):
    page.goto(server + "/")
    with page.expect_navigation():
        page.locator("footer").locator(f'a[href="{path}"]').click()
    assert page.url == server + path
    assert page.get_by_role("heading", level=1).inner_text()
    # the table of contents leads to its sections
    toc = page.locator(".kl-toc a")
    assert toc.count() >= 6
    screenshot(page, f"{name}-el")
    assert axe_violations(page) == []


@pytest.mark.parametrize(("path", "name"), [("/manual/", "manual"), ("/privacy/", "privacy")])
def test_information_pages_fit_a_phone_screen(phone, server, path, name):
    phone.goto(server + path)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, f"{name}-phone")
    assert axe_violations(phone) == []


def test_catalogue_fits_a_phone_screen(phone, server):
    phone.goto(server + "/services/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "catalogue-phone")
    assert axe_violations(phone) == []


def test_skip_link_and_focus_are_visible_by_keyboard(page, server):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    skip = page.locator(".govgr--skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    # the next Tab stops inside the main content, and the focused element shows it
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {inMain: !!el.closest('main'), outline: style.outlineStyle,
                    shadow: style.boxShadow, background: style.backgroundColor};
        }"""
    )
    assert focused["inMain"]
    assert (
        focused["outline"] != "none"
        or focused["shadow"] != "none"
        or focused["background"] == "rgb(255, 221, 0)"
    )
