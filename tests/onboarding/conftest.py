from __future__ import annotations

import pytest

from keplive.accounts.models import Role
from keplive.audit.services import Origin
from keplive.onboarding.services import ApplicationInput, KepInput, ServiceInput
from tests.factories import UserFactory
from tests.staff import login_staff

ORIGIN = Origin(ip_address="192.0.2.1", channel="test")


def application_input(**changes: object) -> ApplicationInput:
    values: dict[str, object] = {
        "municipality_name": "Δήμος Κω",
        "municipality_name_en": "Municipality of Kos",
        "region": "Νότιο Αιγαίο",
        "contact_name": "Ελένη Γεωργίου",
        "contact_email": "eleni@kos.example.gr",
        "contact_phone": "2242012345",
        "protocol_email": "protocol@kos.example.gr",
        "keps": [
            KepInput(
                name="ΚΕΠ Δήμου Κω",
                address="Ακτή Κουντουριώτη 1",
                postal_code="85300",
                city="Κως",
                email="kep@kos.example.gr",
                phone="2242098765",
            )
        ],
        "services": [
            ServiceInput(
                title_el="Βεβαίωση μόνιμης κατοικίας", title_en="Certificate of residence"
            ),
            ServiceInput(
                title_el="Άδεια παρεμπορίου",
                remote_servable=False,
                alternative="Επισκεφθείτε το δημαρχείο.",
            ),
        ],
    }
    values.update(changes)
    return ApplicationInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def administrator():
    return UserFactory(role=Role.ADMINISTRATOR, email="admin@ministry.example.gr")


@pytest.fixture
def ministry_client(client, administrator):
    return login_staff(client, administrator)
