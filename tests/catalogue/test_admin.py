"""Administrators tune category parameters and edit services in the Django admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keplive.catalogue.admin import ServiceForm
from keplive.catalogue.models import Category
from tests.factories import MunicipalityFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["category", "service"])
def test_the_catalogue_changelists_answer_for_a_superuser(admin_client, model):
    ServiceFactory()

    response = admin_client.get(reverse(f"admin:catalogue_{model}_changelist"))

    assert response.status_code == 200


def test_the_category_change_page_answers(admin_client):
    response = admin_client.get(reverse("admin:catalogue_category_change", args=[3]))

    assert response.status_code == 200
    assert "call_minutes" in response.content.decode()


def test_the_service_change_page_answers(admin_client):
    service = ServiceFactory()

    response = admin_client.get(reverse("admin:catalogue_service_change", args=[service.pk]))

    assert response.status_code == 200


def test_categories_are_fixed_but_their_parameters_are_editable_from_the_list(admin_client):
    url = reverse("admin:catalogue_category_changelist")
    categories = list(Category.objects.order_by("number"))
    data = {
        "form-TOTAL_FORMS": "4",
        "form-INITIAL_FORMS": "4",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, category in enumerate(categories):
        data |= {
            f"form-{i}-number": str(category.number),
            f"form-{i}-call_minutes": "45" if category.number == 3 else str(category.call_minutes),
            f"form-{i}-buffer_minutes": str(category.buffer_minutes),
            f"form-{i}-step_minutes": str(category.step_minutes),
            f"form-{i}-min_notice_minutes": str(category.min_notice_minutes),
            f"form-{i}-horizon_days": str(category.horizon_days),
            f"form-{i}-window_start": category.window_start.strftime("%H:%M"),
            f"form-{i}-window_end": category.window_end.strftime("%H:%M"),
        }

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Category.objects.get(number=3).call_minutes == 45
    assert admin_client.get(reverse("admin:catalogue_category_add")).status_code == 403


def _service_form(**changes):
    data = {
        "code": "test-service",
        "categories": [1, 3],
        "title_el": "Έκδοση πιστοποιητικού",
        "title_en": "Issue of a certificate",
        "remote_servable": True,
        "is_active": True,
    } | changes
    return ServiceForm(data=data)


def test_a_service_that_cannot_be_served_remotely_needs_an_alternative():
    form = _service_form(remote_servable=False)

    assert not form.is_valid()
    assert "alternative_el" in form.errors
    assert _service_form(remote_servable=False, alternative_el="Επισκεφθείτε το ΚΕΠ.").is_valid()


def test_a_municipal_service_needs_its_municipality_and_category_4_only():
    municipality = MunicipalityFactory()

    assert "municipality" in _service_form(categories=[4]).errors
    assert "categories" in _service_form(categories=[1, 4], municipality=municipality.pk).errors
    assert "municipality" in _service_form(municipality=municipality.pk).errors
    assert _service_form(categories=[4], municipality=municipality.pk).is_valid()
