"""Test data builders. Each factory makes a valid object; traits name the interesting variants."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from keplive.accounts.models import Citizen, Role, User
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Availability, Employee, Kep, Municipality, OpeningHours

WEEKDAYS = range(5)


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"municipality-{n}")
    name_el = factory.Sequence(lambda n: f"Δήμος Δοκιμής {n}")
    name_en = factory.Sequence(lambda n: f"Test Municipality {n}")
    region = "Αττική"


class KepFactory(DjangoModelFactory):
    """A KEP open Monday to Friday 07:30–15:00."""

    class Meta:
        model = Kep
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"{9000 + n:04d}")
    municipality = factory.SubFactory(MunicipalityFactory)
    name_el = factory.Sequence(lambda n: f"ΚΕΠ Δοκιμής {n}")
    name_en = factory.Sequence(lambda n: f"Test KEP {n}")
    address = "Αθηνάς 63"
    postal_code = "10552"
    city = "Αθήνα"
    email = factory.Sequence(lambda n: f"kep{n}@demo.keplive.gr")
    protocol_email = factory.Sequence(lambda n: f"protocol{n}@demo.keplive.gr")

    class Params:
        kep_eke = factory.Trait(is_kep_eke=True)

    @factory.post_generation
    def hours(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        OpeningHours.objects.bulk_create(
            OpeningHours(kep=self, weekday=day, opens=dt.time(7, 30), closes=dt.time(15, 0))
            for day in WEEKDAYS
        )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Μαρία"
    last_name = "Παπαδοπούλου"
    role = Role.CITIZEN
    password = factory.LazyFunction(lambda: make_password(None))


class EmployeeFactory(DjangoModelFactory):
    """An employee available Monday to Friday 08:00–14:30."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.EMPLOYEE)
    kep = factory.SubFactory(KepFactory)

    @factory.post_generation
    def availability(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        Availability.objects.bulk_create(
            Availability(
                employee=self,
                weekday=day,
                starts=dt.time(8, 0),
                ends=dt.time(14, 30),
                workstation="Θέση 1",
            )
            for day in WEEKDAYS
        )


def valid_tax_id(seed: int) -> str:
    """A Greek tax number (ΑΦΜ) with a correct check digit."""
    body = f"{100000000 + seed * 7919:09d}"[-9:-1]
    total = sum(int(d) * 2 ** (8 - i) for i, d in enumerate(body))
    return body + str(total % 11 % 10)


class CitizenFactory(DjangoModelFactory):
    class Meta:
        model = Citizen

    user = factory.SubFactory(UserFactory, role=Role.CITIZEN)
    tax_id = factory.Sequence(valid_tax_id)
    first_name = "Γιώργος"
    last_name = "Νικολάου"


class ServiceFactory(DjangoModelFactory):
    """A procedure of categories 1 and 3 (pass ``categories=[...]`` for others)."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"service-{n}")
    title_el = factory.Sequence(lambda n: f"Έκδοση πιστοποιητικού {n}")
    title_en = factory.Sequence(lambda n: f"Issue of certificate {n}")
    remote_servable = True

    class Params:
        in_person_only = factory.Trait(
            remote_servable=False,
            alternative_el="Επισκεφθείτε ένα ΚΕΠ με ραντεβού.",
            alternative_en="Visit a KEP by appointment.",
        )

    @factory.post_generation
    def categories(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        numbers = extracted if extracted is not None else [1, 3]
        self.categories.set(Category.objects.filter(number__in=numbers))  # type: ignore[misc]
