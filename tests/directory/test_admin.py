"""Administrators edit the directory in the Django admin: every page answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from keplive.directory.models import Absence, LocalHoliday, OpeningException
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee():
    employee = EmployeeFactory()
    OpeningException.objects.create(kep=employee.kep, date=dt.date(2026, 12, 24), reason="Κλειστό")
    LocalHoliday.objects.create(
        municipality=employee.kep.municipality, date=dt.date(2026, 10, 3), name="Πολιούχος"
    )
    Absence.objects.create(
        employee=employee,
        starts_at=dt.datetime(2026, 5, 4, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 5, 6, tzinfo=dt.UTC),
        reason="Κανονική άδεια",
    )
    return employee


@pytest.mark.parametrize("model", ["municipality", "kep", "employee", "localholiday"])
def test_the_directory_changelists_answer_for_a_superuser(admin_client, employee, model):
    response = admin_client.get(reverse(f"admin:directory_{model}_changelist"))

    assert response.status_code == 200


def test_the_kep_changelist_searches_and_filters(admin_client, employee):
    url = reverse("admin:directory_kep_changelist")

    found = admin_client.get(url, {"q": employee.kep.code, "is_kep_eke__exact": "0"})

    assert found.status_code == 200
    assert employee.kep.name_el in found.content.decode()


def test_the_kep_change_page_shows_its_hours_and_closures(admin_client, employee):
    response = admin_client.get(reverse("admin:directory_kep_change", args=[employee.kep.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "opening_hours-TOTAL_FORMS" in page
    assert "opening_exceptions-TOTAL_FORMS" in page


def test_the_employee_change_page_shows_availability_and_absences(admin_client, employee):
    response = admin_client.get(reverse("admin:directory_employee_change", args=[employee.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "availability-TOTAL_FORMS" in page
    assert "absences-TOTAL_FORMS" in page
    assert "Κανονική άδεια" in page


def test_the_municipality_change_page_lists_its_keps(admin_client, employee):
    municipality = employee.kep.municipality
    response = admin_client.get(
        reverse("admin:directory_municipality_change", args=[municipality.pk])
    )

    assert response.status_code == 200
    assert employee.kep.code in response.content.decode()
