"""Onboarding (A5): applying, duplicates, approval making everything bookable, rejection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.audit.selectors import audit_chain_report
from keplive.booking.eligibility import check_kep_serves, keps_serving
from keplive.catalogue.models import Category, Service
from keplive.catalogue.selectors import services_in
from keplive.directory.models import Kep, Municipality, OpeningHours
from keplive.directory.selectors import participating_municipalities
from keplive.directory.versioning import directory_version
from keplive.notifications.models import OutboxMessage
from keplive.onboarding import services
from keplive.onboarding.exceptions import (
    AlreadyParticipating,
    AlreadyReviewed,
    ApplicationPending,
    ReasonRequired,
)
from keplive.onboarding.models import ApplicationStatus, MunicipalityApplication
from tests.factories import KepFactory, MunicipalityFactory, ServiceFactory
from tests.onboarding.conftest import ORIGIN, application_input

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def submit(**changes: object) -> MunicipalityApplication:
    return services.submit_application(
        data=application_input(**changes), language="el", now=NOW, origin=ORIGIN
    )


def test_an_application_is_recorded_with_its_keps_and_services_and_confirmed_by_email():
    application = submit()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.municipality_name == "Δήμος Κω"
    assert [k.name for k in application.keps.all()] == ["ΚΕΠ Δήμου Κω"]
    assert [(s.title_el, s.remote_servable) for s in application.services.all()] == [
        ("Βεβαίωση μόνιμης κατοικίας", True),
        ("Άδεια παρεμπορίου", False),
    ]
    mail = OutboxMessage.objects.get(key=f"onboarding-received:{application.pk}")
    assert mail.recipient == "eleni@kos.example.gr"
    assert "Βεβαίωση μόνιμης κατοικίας" in mail.text_body
    event = AuditEvent.objects.get(action="onboarding.application_submitted")
    # The contact person's data stays out of the audit details.
    assert "Ελένη" not in str(event.details)
    assert "eleni@" not in str(event.details)


@pytest.mark.parametrize("typed", ["Δήμος Κω", "ΔΗΜΟΣ ΚΩ", "κω", "  Δήμος   Κώ "])
def test_a_second_application_while_one_is_pending_is_refused(typed):
    submit()
    with pytest.raises(ApplicationPending):
        submit(municipality_name=typed)
    assert MunicipalityApplication.objects.count() == 1


def test_the_database_refuses_two_pending_applications_of_one_municipality():
    first = submit()
    with pytest.raises(IntegrityError), transaction.atomic():
        MunicipalityApplication.objects.create(
            municipality_name="Δήμος Κω",
            municipality_name_en="Kos",
            name_key=first.name_key,
            region="",
            contact_name="x",
            contact_email="x@example.gr",
            contact_phone="2100000000",
            protocol_email="p@example.gr",
            submitted_at=NOW,
        )


def test_a_participating_municipality_cannot_apply():
    MunicipalityFactory(name_el="Δήμος Κω", is_participating=True)
    with pytest.raises(AlreadyParticipating):
        submit(municipality_name="Κω")
    assert not MunicipalityApplication.objects.exists()


def test_after_a_rejection_the_municipality_may_apply_again(administrator):
    first = submit()
    services.reject_application(
        application_id=first.pk,
        actor=administrator,
        reason="Λείπουν στοιχεία.",
        now=NOW,
        origin=ORIGIN,
    )
    assert submit().status == ApplicationStatus.SUBMITTED


def test_approval_makes_the_municipality_its_kep_and_its_services_bookable(administrator):
    application = submit()
    version = directory_version()
    result = services.approve_application(
        application_id=application.pk, actor=administrator, now=NOW, origin=ORIGIN
    )
    municipality = result.municipality
    assert municipality.is_participating
    assert municipality.joined_on == timezone.localdate(NOW)
    assert municipality.name_el == "Δήμος Κω"
    assert municipality.code == "ko"
    assert municipality in participating_municipalities()
    kep = Kep.objects.get(municipality=municipality)
    assert kep.protocol_email == "protocol@kos.example.gr"
    assert kep.is_active
    assert len(kep.code) == 4
    assert kep.code.isdigit()
    assert OpeningHours.objects.filter(kep=kep).count() == 5
    municipal = Category.objects.get(number=4)
    offered = services_in(category=municipal, municipality=municipality)
    assert {s.title_el for s in offered} == {"Βεβαίωση μόνιμης κατοικίας", "Άδεια παρεμπορίου"}
    bookable = next(s for s in offered if s.remote_servable)
    assert list(keps_serving(service=bookable, category=municipal)) == [kep]
    check_kep_serves(kep=kep, service=bookable, category=municipal)
    in_person = next(s for s in offered if not s.remote_servable)
    assert in_person.alternative_el == "Επισκεφθείτε το δημαρχείο."
    # The booking engine's directory cache is invalidated at once.
    assert directory_version() != version
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.reviewed_by == administrator
    assert application.municipality == municipality
    assert OutboxMessage.objects.filter(key=f"onboarding-approved:{application.pk}").exists()
    assert AuditEvent.objects.filter(
        action="onboarding.application_approved", actor=administrator
    ).exists()
    assert audit_chain_report().first_broken_id is None


def test_approval_updates_a_municipality_already_in_the_directory(administrator):
    municipality = MunicipalityFactory(name_el="Δήμος Κω", is_participating=False)
    existing_kep = KepFactory(municipality=municipality, name_el="ΚΕΠ Δήμου Κω")
    ServiceFactory(
        municipality=municipality,
        categories=[4],
        title_el="Βεβαίωση μόνιμης κατοικίας",
        is_active=False,
    )
    application = submit()
    result = services.approve_application(
        application_id=application.pk, actor=administrator, now=NOW, origin=ORIGIN
    )
    assert result.municipality.pk == municipality.pk
    assert (result.keps_created, result.keps_updated) == (0, 1)
    assert (result.services_created, result.services_updated) == (1, 1)
    municipality.refresh_from_db()
    assert municipality.is_participating
    existing_kep.refresh_from_db()
    assert existing_kep.address == "Ακτή Κουντουριώτη 1"
    assert Service.objects.filter(municipality=municipality, is_active=True).count() == 2


def test_a_decision_is_taken_once(administrator):
    application = submit()
    services.approve_application(
        application_id=application.pk, actor=administrator, now=NOW, origin=ORIGIN
    )
    with pytest.raises(AlreadyReviewed):
        services.approve_application(
            application_id=application.pk, actor=administrator, now=NOW, origin=ORIGIN
        )
    with pytest.raises(AlreadyReviewed):
        services.reject_application(
            application_id=application.pk, actor=administrator, reason="x", now=NOW, origin=ORIGIN
        )
    assert Municipality.objects.filter(name_el="Δήμος Κω").count() == 1


def test_approval_that_fails_changes_nothing(administrator, monkeypatch):
    application = submit()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("mail down")

    monkeypatch.setattr(services, "queue_application_email", broken)
    with pytest.raises(RuntimeError):
        services.approve_application(
            application_id=application.pk, actor=administrator, now=NOW, origin=ORIGIN
        )
    assert not Municipality.objects.filter(name_el="Δήμος Κω").exists()
    assert not Service.objects.filter(title_el="Βεβαίωση μόνιμης κατοικίας").exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_approval_is_refused_when_the_municipality_joined_meanwhile(administrator):
    application = submit()
    MunicipalityFactory(name_el="Δήμος Κω", is_participating=True)
    with pytest.raises(AlreadyParticipating):
        services.approve_application(
            application_id=application.pk, actor=administrator, now=NOW, origin=ORIGIN
        )


def test_rejection_needs_a_reason_and_emails_it(administrator):
    application = submit()
    with pytest.raises(ReasonRequired):
        services.reject_application(
            application_id=application.pk, actor=administrator, reason="   ", now=NOW, origin=ORIGIN
        )
    services.reject_application(
        application_id=application.pk,
        actor=administrator,
        reason="Δεν επισυνάφθηκε η απόφαση του δημοτικού συμβουλίου.",
        now=NOW,
        origin=ORIGIN,
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    mail = OutboxMessage.objects.get(key=f"onboarding-rejected:{application.pk}")
    assert "δημοτικού συμβουλίου" in mail.text_body
    assert not Municipality.objects.filter(name_el="Δήμος Κω").exists()


def test_new_kep_codes_follow_the_highest_one(administrator):
    KepFactory(code="0180")
    application = submit()
    services.approve_application(
        application_id=application.pk, actor=administrator, now=NOW, origin=ORIGIN
    )
    assert Kep.objects.filter(code="0181", name_el="ΚΕΠ Δήμου Κω").exists()
