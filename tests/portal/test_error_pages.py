"""Issue 14, item 3: error pages in the site's layout and the visitor's language, with a way
back, as production answers them (DEBUG off); the browser tests cover what `make run` shows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.utils import translation

from keplive.config import urls
from keplive.portal import errors


def _in_the_layout(text: str, lang: str) -> None:
    assert f'<html lang="{lang}">' in text
    assert 'class="govgr-header"' in text
    assert 'class="govgr-footer"' in text
    assert 'href="/"' in text
    assert "Django" not in text


def test_the_handlers_are_the_site_s():
    assert urls.handler400 == "keplive.portal.errors.bad_request"
    assert urls.handler403 == "keplive.portal.errors.permission_denied"
    assert urls.handler404 is urls.not_found  # JSON under /api/, the site's page elsewhere
    # 503 when the database said "try again" (a pool wait in a middleware, say), else the
    # site's own 500 page (tests/config/test_overload.py).
    assert urls.handler500 == "keplive.config.errors.server_error"


def test_the_500_handler_outside_a_database_failure_is_the_site_s_page(rf):
    from keplive.config.errors import server_error

    try:
        raise ValueError("a bug, not the database")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Κάτι πήγε στραβά από την πλευρά μας" in response.content.decode()
    assert "Retry-After" not in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "title"), [("el", "Η σελίδα δεν βρέθηκε"), ("en", "Page not found")]
)
def test_404_is_in_the_layout_and_the_chosen_language(client, lang, title):
    if lang == "en":
        client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    _in_the_layout(text, lang)
    assert f'<h1 class="govgr-heading-xl">{title}</h1>' in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("handler", "exception", "status", "title"),
    [
        (errors.bad_request, SuspiciousOperation(), 400, "Το αίτημα δεν ήταν δυνατό να διαβαστεί"),
        (errors.permission_denied, PermissionDenied(), 403, "Δεν έχετε πρόσβαση σε αυτή τη σελίδα"),
    ],
)
def test_400_and_403_are_in_the_layout_in_greek(handler, exception, status, title):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    with translation.override("el"):
        response = handler(request, exception)
    assert response.status_code == status
    text = response.content.decode()
    _in_the_layout(text, "el")
    assert title in text


@pytest.mark.parametrize(
    ("lang", "title"), [("el", "Κάτι πήγε στραβά από την πλευρά μας"), ("en", "Something went")]
)
def test_500_is_static_needs_no_database_and_speaks_the_language(lang, title):
    # No django_db mark: any query here would fail the test, so the page cannot need one.
    with translation.override(lang):
        response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    _in_the_layout(text, lang)
    assert title in text


@pytest.mark.django_db
def test_an_expired_form_is_refused_in_the_layout_with_the_form_to_reopen():
    strict = Client(enforce_csrf_checks=True)
    strict.cookies["django_language"] = "en"
    response = strict.post("/i18n/setlang/", {"language": "el", "next": "/"})
    assert response.status_code == 403
    text = response.content.decode()
    _in_the_layout(text, "en")
    assert "The form could not be sent" in text
    assert 'href="/i18n/setlang/"' in text


@pytest.mark.django_db
def test_the_api_keeps_its_json_404(client):
    response = client.get("/api/v1/no/such/operation/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/")
    assert response.json()["code"] == "not_found"
