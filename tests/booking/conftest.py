from __future__ import annotations

import datetime as dt

import pytest

from keplive.catalogue.models import Category
from tests.conftest import athens
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

# A Monday morning in a week without holidays; times below are on the following days.
NOW = athens(2026, 11, 23, 6, 0)
TUESDAY = dt.date(2026, 11, 24)


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def kep(db):
    return KepFactory()


@pytest.fixture
def employee(kep):
    return EmployeeFactory(kep=kep)


@pytest.fixture
def service(db):
    return ServiceFactory()


@pytest.fixture
def information(db) -> Category:
    return Category.objects.get(number=1)


@pytest.fixture
def disability(db) -> Category:
    return Category.objects.get(number=3)


@pytest.fixture
def citizen(db):
    return CitizenFactory()


@pytest.fixture
def other_citizen(db):
    return CitizenFactory()
