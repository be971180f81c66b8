"""``manage.py load_demo``: the seeded directory and catalogue, idempotent and deterministic."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from keplive.accounts.models import Citizen, Role, User
from keplive.audit.models import AuditEvent
from keplive.catalogue.demo import load_demo
from keplive.catalogue.models import Service
from keplive.directory import demo_data, naming
from keplive.directory.demo import plan_demo_directory
from keplive.directory.models import (
    Absence,
    Availability,
    Employee,
    Kep,
    LocalHoliday,
    Municipality,
    OpeningException,
    OpeningHours,
)


def snapshot() -> dict[str, list]:
    """Everything a demo load writes, by natural key, without database ids."""
    return {
        "municipalities": sorted(Municipality.objects.values_list("code", "name_el", "joined_on")),
        "keps": sorted(Kep.objects.values_list("code", "municipality__code", "name_el", "phone")),
        "hours": sorted(
            OpeningHours.objects.values_list("kep__code", "weekday", "opens", "closes")
        ),
        "exceptions": sorted(OpeningException.objects.values_list("kep__code", "date", "reason")),
        "holidays": sorted(LocalHoliday.objects.values_list("municipality__code", "date")),
        "employees": sorted(
            Employee.objects.values_list("user__username", "user__last_name", "kep__code")
        ),
        "availability": sorted(
            Availability.objects.values_list("employee__user__username", "weekday", "ends")
        ),
        "absences": sorted(Absence.objects.values_list("employee__user__username", "starts_at")),
        "services": sorted(Service.objects.values_list("code", "title_el", "municipality__code")),
        "citizens": sorted(Citizen.objects.values_list("tax_id", "last_name")),
    }


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """One demo load shared by this module's read-only tests, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo(today=timezone.localdate())
        yield result, snapshot()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_seed_municipality_is_present_by_name_with_a_kep(loaded):
    names = set(Municipality.objects.values_list("name_el", flat=True))
    for _, seed_list in demo_data.SEED_LISTS:
        for raw in seed_list:
            canonical = naming.canonical_municipality_name(raw)
            assert naming.municipality_name_el(canonical) in names, raw
    assert Municipality.objects.count() == 112
    assert not Municipality.objects.filter(keps__isnull=True).exists()


@pytest.mark.django_db
def test_the_directory_has_the_launch_scale(loaded):
    assert 170 <= Kep.objects.count() <= 200
    assert Kep.objects.filter(is_kep_eke=True).count() == 9
    assert 800 <= Employee.objects.count() <= 950
    assert Employee.objects.filter(user__role=Role.SUPERVISOR).count() >= Kep.objects.count()
    assert not User.objects.filter(username__startswith="e0").exclude(password__startswith="!")


@pytest.mark.django_db
def test_categories_1_and_3_offer_the_same_52_remote_procedures(loaded):
    remote_1 = set(Service.objects.filter(categories=1, remote_servable=True).values_list("code"))
    remote_3 = set(Service.objects.filter(categories=3, remote_servable=True).values_list("code"))
    assert len(remote_1) == 52
    assert remote_1 == remote_3


@pytest.mark.django_db
def test_services_that_cannot_be_served_remotely_carry_an_alternative(loaded):
    not_remote = Service.objects.filter(remote_servable=False)
    assert not_remote.exists()
    assert not not_remote.filter(alternative_el="").exists()
    assert not not_remote.filter(alternative_en="").exists()


@pytest.mark.django_db
def test_each_participating_municipality_offers_five_municipal_services(loaded):
    for municipality in Municipality.objects.filter(is_participating=True):
        services = Service.objects.filter(municipality=municipality)
        assert services.count() == 5, municipality.code
        assert set(services.values_list("categories", flat=True)) == {4}
    assert Service.objects.filter(categories=2).count() >= 12


@pytest.mark.django_db
def test_a_second_load_changes_nothing(loaded):
    _, first = loaded
    events = AuditEvent.objects.count()

    second = load_demo(today=timezone.localdate())

    assert not second.changed_anything
    assert snapshot() == first
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_load_repairs_edited_demo_rows_back_to_the_plan(loaded):
    _, first = loaded
    Kep.objects.filter(code="0001").update(name_el="Αλλαγμένο")
    OpeningHours.objects.filter(kep__code="0002").delete()

    again = load_demo(today=timezone.localdate())

    assert again.changes["KEPs"].updated == 1
    assert again.changes["opening hours"].created >= 5
    assert snapshot() == first


@pytest.mark.django_db
def test_the_loaded_directory_matches_the_deterministic_plan(loaded):
    plan = plan_demo_directory(today=timezone.localdate())
    assert sorted(Kep.objects.values_list("code", "name_el", "address")) == sorted(
        (k.code, k.name_el, k.address) for k in plan.keps
    )
    assert set(Employee.objects.values_list("user__username", "user__first_name")) == {
        (e.username, e.first_name) for e in plan.employees
    }


@pytest.mark.django_db
def test_the_demo_citizens_have_valid_tax_numbers(loaded):
    citizens = list(Citizen.objects.select_related("user"))
    assert len(citizens) == 2
    for citizen in citizens:
        digits = [int(c) for c in citizen.tax_id]
        total = sum(d * 2 ** (8 - i) for i, d in enumerate(digits[:8]))
        assert total % 11 % 10 == digits[8]
        assert citizen.user.role == Role.CITIZEN
        assert not citizen.user.has_usable_password()
