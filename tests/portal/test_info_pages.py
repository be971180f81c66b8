"""The user manual (C10) and the data-protection page (C5): public, read-only, linked from
every page's footer, in Greek by default and English on request."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "/manual/": [
        "Before you start",
        "Booking step by step",
        "The emails we send you",
        "Changing or cancelling",
        "The day of the call",
        "After the call",
        "Accessibility help",
        "Contact",
    ],
    "/privacy/": [
        "Who is responsible",
        "What data we use and why",
        "Legal basis",
        "How long we keep it",
        "Your rights",
        "Cookies",
    ],
}


@pytest.fixture
def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.mark.parametrize("url", PAGES)
def test_page_answers_in_greek_by_default(client, url):
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="el">' in text
    assert text.count("<h1") == 1


@pytest.mark.parametrize(("url", "headings"), PAGES.items())
def test_page_has_its_sections_with_a_table_of_contents(english, url, headings):
    text = english.get(url).content.decode()
    for heading in headings:
        assert heading in text
    assert 'class="kl-toc"' in text
    # every table-of-contents entry points at a heading on the page
    for anchor in re.findall(r'<a class="govgr-link" href="#([\w-]+)"', text):
        assert f'id="{anchor}"' in text


def test_manual_covers_the_categories_emails_and_the_call(english):
    text = english.get("/manual/").content.decode()
    for words in (
        "KEP-EKE",
        "Greek Sign Language",
        "lip-reading",
        "municipality",
        "manage",
        ".ics",
        "about an hour before",
        "camera and microphone",
        "lobby",
        "identity document",
        "sound only",
        "by post",
    ):
        assert words in text, words


def test_privacy_says_the_call_is_never_recorded_and_names_the_authority(english):
    text = english.get("/privacy/").content.decode()
    assert "nothing of it is recorded or stored" in text
    assert "Hellenic Data Protection Authority" in text
    assert "TAXISnet" in text
    for right in ("access", "rectification", "erasure"):
        assert right in text


@pytest.mark.parametrize("page", ["/", "/services/", "/manual/", "/privacy/"])
def test_footer_links_to_the_manual_and_privacy(client, page):
    text = client.get(page).content.decode()
    footer = text[text.index('<footer class="govgr-footer"') :]
    assert 'href="/manual/"' in footer
    assert 'href="/privacy/"' in footer
    assert 'href="/services/"' in footer


def test_home_links_to_the_manual_and_privacy_and_the_wizard(client):
    text = client.get("/").content.decode()
    main = text[text.index("<main") : text.index("</main>")]
    assert 'href="/manual/"' in main
    assert 'href="/privacy/"' in main
    for number in (1, 2, 3, 4):
        assert f'href="/book/{number}/"' in main


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_pages_refuse_changes(client, url, method):
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize("url", PAGES)
def test_head_is_allowed(client, url):
    assert client.head(url).status_code == 200
