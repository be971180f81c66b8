"""Citizen pages answer, in Greek by default and English on request, and explain bad filters."""

from __future__ import annotations

import pytest

from tests.factories import MunicipalityFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_home_lists_the_four_categories_in_greek(client):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="el">' in text
    for title in (
        "Πληροφόρηση – Αίτηση",
        "Υπηρεσίες προς Επιχειρήσεις",
        "Εξυπηρέτηση Πολιτών με Αναπηρία",
        "Εξυπηρέτηση από το Δήμο σας",
    ):
        assert title in text


def test_switching_to_english_changes_the_page_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()
    assert "Administrative information – application" in response.content.decode()


def test_catalogue_filters_by_category_and_words(client):
    ServiceFactory(title_el="Έκδοση πιστοποιητικού οικογενειακής κατάστασης")
    ServiceFactory(title_el="Βεβαίωση ασφαλιστικής ενημερότητας", categories=[2])
    response = client.get("/services/", {"category": 1, "q": "οικογενειακης"})
    text = response.content.decode()
    assert "Έκδοση πιστοποιητικού οικογενειακής κατάστασης" in text
    assert "Βεβαίωση ασφαλιστικής ενημερότητας" not in text
    assert 'value="οικογενειακης"' in text  # what was typed stays in the box


def test_catalogue_shows_what_to_do_when_not_servable_remotely(client):
    ServiceFactory(title_el="Έκδοση διαβατηρίου", in_person_only=True)
    text = client.get("/services/").content.decode()
    assert "Επισκεφθείτε ένα ΚΕΠ με ραντεβού." in text


@pytest.mark.parametrize(
    "params",
    [
        {"category": "99"},
        {"category": "abc"},
        {"municipality": "atlantis"},
        {"q": "x" * 5000},
        {"category": "-1", "municipality": "", "q": "<script>"},
    ],
)
def test_bad_catalogue_filters_are_explained_not_500(client, params):
    MunicipalityFactory()
    response = client.get("/services/", params)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
