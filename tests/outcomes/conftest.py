"""Fixtures of the outcome tests: a KEP with an employee, a citizen, appointments created
directly (any category, any time) with what the citizen declared, and their calls."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.calls.models import Call, CallState
from keplive.catalogue.models import Category
from keplive.outcomes.models import WhiteApplicationTemplate
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

NAME = "Μαρία Παπαδοπούλου"
ADDRESS = "Ερμού 10, 10563 Αθήνα"


@pytest.fixture(autouse=True)
def ekep_stand_in(settings, tmp_path):
    """The e-KEP stand-in writes into the test's own directory."""
    settings.KEPLIVE_EKEP = "local"
    settings.KEPLIVE_EKEP_LOCAL_FILE = tmp_path / "ekep.jsonl"
    settings.KEPLIVE_OUTBOX_DELIVER_ON_COMMIT = False
    return tmp_path / "ekep.jsonl"


@pytest.fixture
def kep(db):
    return KepFactory(name_el="ΚΕΠ Δήμου Αθηναίων", city="Αθήνα")


@pytest.fixture
def employee(kep):
    return EmployeeFactory(kep=kep, user__first_name="Ελένη", user__last_name="Δημητρίου")


@pytest.fixture
def other_employee(db):
    return EmployeeFactory(kep=KepFactory())


@pytest.fixture
def citizen(db):
    return CitizenFactory()


@pytest.fixture
def make_appointment(kep, employee, citizen):
    """An appointment booked at ``kep`` (or ``at_kep``) starting ``starts_in`` from now."""

    def make(
        *,
        category: int = 1,
        starts_in: dt.timedelta = dt.timedelta(hours=1),
        at_kep=None,
        details: bool = True,
        language: str = "el",
        delivery_method: str = "email",
        **declared: str,
    ) -> Appointment:
        service = ServiceFactory(categories=[category], title_el="Έκδοση πιστοποιητικού γέννησης")
        start = timezone.now().replace(microsecond=0) + starts_in
        the_kep = at_kep or kep
        # Each appointment has its own employee, so any number of them may overlap in time.
        staff = EmployeeFactory(kep=the_kep)
        appointment = Appointment.objects.create(
            status=Status.BOOKED,
            citizen=citizen,
            kep=the_kep,
            employee=staff,
            category=Category.objects.get(number=category),
            service=service,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            blocked_until=start + dt.timedelta(minutes=40),
        )
        if details:
            values = {
                "full_name": NAME,
                "email": "maria@example.gr",
                "mobile_phone": "+306912345678",
                "postal_address": ADDRESS,
                "document_kind": "id_card",
                "id_card_number": "ΑΒ123456",
                "subject": "Πιστοποιητικό γέννησης για την εγγραφή στο σχολείο",
                "delivery_method": delivery_method,
                "language": language,
            } | declared
            AppointmentDetails.objects.create(
                appointment=appointment, consent_at=timezone.now(), **values
            )
        return appointment

    return make


@pytest.fixture
def served():
    """Give an appointment a call that took place: admitted, identity confirmed, ended."""

    def serve(appointment: Appointment, *, state: str = CallState.ENDED, confirmed=True) -> Call:
        now = timezone.now()
        return Call.objects.create(
            appointment=appointment,
            state=state,
            opened_at=now,
            knocked_at=now,
            admitted_at=now,
            identity_confirmed=confirmed,
            ended_at=now if state == CallState.ENDED else None,
        )

    return serve


@pytest.fixture
def white_template(kep):
    return WhiteApplicationTemplate.objects.create(
        municipality=kep.municipality,
        title="Αίτηση προς τον Δήμο",
        body="Ο/Η {full_name}, κάτοικος {address}, αιτούμαι: {subject}\n"
        "Υπηρεσία: {service}. Ημερομηνία: {date}. {unknown}",
    )


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, extracted with pypdf, with lines joined by spaces."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
