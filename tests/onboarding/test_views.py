"""The public application form and the administrators' review pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent
from keplive.catalogue.models import Service
from keplive.directory.models import Municipality
from keplive.notifications.models import OutboxMessage
from keplive.onboarding import services
from keplive.onboarding.models import ApplicationStatus, MunicipalityApplication
from tests.factories import EmployeeFactory, MunicipalityFactory, UserFactory
from tests.onboarding.conftest import ORIGIN, application_input
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
JOIN = "/municipalities/join/"


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "municipality_name": "Δήμος Κω",
        "municipality_name_en": "Municipality of Kos",
        "region": "Νότιο Αιγαίο",
        "contact_name": "Ελένη Γεωργίου",
        "contact_email": "eleni@kos.example.gr",
        "contact_phone": "22420 12345",
        "protocol_email": "protocol@kos.example.gr",
        "kep-TOTAL_FORMS": "3",
        "kep-INITIAL_FORMS": "0",
        "kep-0-name": "ΚΕΠ Δήμου Κω",
        "kep-0-address": "Ακτή Κουντουριώτη 1",
        "kep-0-postal_code": "853 00",
        "kep-0-city": "Κως",
        "kep-0-email": "kep@kos.example.gr",
        "service-TOTAL_FORMS": "5",
        "service-INITIAL_FORMS": "0",
        "service-0-title_el": "Βεβαίωση μόνιμης κατοικίας",
        "service-1-title_el": "Άδεια παρεμπορίου",
        "service-1-in_person_only": "on",
        "service-1-alternative": "Επισκεφθείτε το δημαρχείο.",
    }
    data.update(changes)
    return data


def test_the_form_is_public(client):
    response = client.get(JOIN)
    assert response.status_code == 200
    assert b'name="service-0-title_el"' in response.content
    assert b'lang="el"' in response.content


def test_a_complete_application_is_recorded_and_confirmed(client):
    response = client.post(JOIN, form_data())
    assert response.status_code == 302
    assert response["Location"] == "/municipalities/join/sent/"
    application = MunicipalityApplication.objects.get()
    assert application.contact_phone == "2242012345"
    assert application.keps.get().postal_code == "85300"
    assert application.services.count() == 2
    assert OutboxMessage.objects.filter(recipient="eleni@kos.example.gr").count() == 1
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"municipality_name": ""}, "municipality_name"),
        ({"kep-0-postal_code": "ABCDE"}, "kep-0-postal_code"),
        ({"kep-0-email": ""}, "kep-0-email"),
        ({"service-1-alternative": ""}, "service-1-alternative"),
        ({"service-0-title_el": "", "service-0-title_en": "Only English"}, "service-0-title_el"),
    ],
)
def test_bad_input_re_renders_with_the_error_beside_the_field_and_keeps_what_was_typed(
    client, changes, field
):
    response = client.post(JOIN, form_data(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert "Ακτή Κουντουριώτη 1" in html  # what was typed stays
    assert not MunicipalityApplication.objects.exists()


def test_an_application_without_services_is_refused(client):
    response = client.post(
        JOIN,
        form_data(
            **{
                "service-0-title_el": "",
                "service-1-title_el": "",
                "service-1-in_person_only": "",
                "service-1-alternative": "",
            }
        ),
    )
    assert response.status_code == 400
    assert b'id="error-summary"' in response.content
    assert not MunicipalityApplication.objects.exists()


def test_a_duplicate_application_gets_a_clear_message_beside_the_name(client):
    assert client.post(JOIN, form_data()).status_code == 302
    response = client.post(JOIN, form_data(municipality_name="ΚΩ"))
    assert response.status_code == 400
    assert b'id="id_municipality_name-error"' in response.content
    assert MunicipalityApplication.objects.count() == 1


def test_a_participating_municipality_is_told_it_already_takes_part(client):
    MunicipalityFactory(name_el="Δήμος Κω")
    response = client.post(JOIN, form_data())
    assert response.status_code == 400
    assert response.context["form"].has_error("municipality_name")


def test_a_forged_formset_count_is_no_500(client):
    response = client.post(
        JOIN, form_data(**{"service-TOTAL_FORMS": "100000", "kep-TOTAL_FORMS": "x"})
    )
    assert response.status_code == 400


# --- Administrators ---------------------------------------------------------------------------


@pytest.fixture
def application():
    return services.submit_application(
        data=application_input(), language="el", now=timezone.now(), origin=ORIGIN
    )


def test_administrators_see_pending_applications_first(ministry_client, application, administrator):
    services.reject_application(
        application_id=application.pk,
        actor=administrator,
        reason="Όχι.",
        now=application.submitted_at,
        origin=ORIGIN,
    )
    pending = services.submit_application(
        data=application_input(municipality_name="Δήμος Λέρου", municipality_name_en="Leros"),
        language="el",
        now=application.submitted_at,
        origin=ORIGIN,
    )
    response = ministry_client.get("/administration/municipalities/")
    assert response.status_code == 200
    rows = [a.pk for a in response.context["applications"]]
    assert rows == [pending.pk, application.pk]
    filtered = ministry_client.get("/administration/municipalities/?status=rejected")
    assert [a.pk for a in filtered.context["applications"]] == [application.pk]
    assert ministry_client.get("/administration/municipalities/?status=nonsense").status_code == 200


def test_reading_an_application_is_audited(ministry_client, application, administrator):
    response = ministry_client.get(f"/administration/municipalities/{application.pk}/")
    assert response.status_code == 200
    assert b'data-status="submitted"' in response.content
    assert AuditEvent.objects.filter(
        action="onboarding.application_viewed", actor=administrator, object_id=str(application.pk)
    ).exists()
    assert ministry_client.get("/administration/municipalities/999999/").status_code == 404


def test_approving_from_the_page(ministry_client, application):
    response = ministry_client.post(f"/administration/municipalities/{application.pk}/approve/")
    assert response.status_code == 302
    page = ministry_client.get(response["Location"])
    assert b'data-status="approved"' in page.content
    municipality = Municipality.objects.get(name_el="Δήμος Κω")
    assert Service.objects.filter(municipality=municipality).count() == 2
    again = ministry_client.post(f"/administration/municipalities/{application.pk}/approve/")
    assert again.status_code == 409
    assert b'id="error-summary"' in again.content


def test_rejecting_without_a_reason_is_refused_and_with_one_is_done(ministry_client, application):
    response = ministry_client.post(
        f"/administration/municipalities/{application.pk}/reject/", {"reason": "  "}
    )
    assert response.status_code == 400
    assert b'id="id_reason-error"' in response.content
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    done = ministry_client.post(
        f"/administration/municipalities/{application.pk}/reject/", {"reason": "Ελλιπή στοιχεία."}
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.reason == "Ελλιπή στοιχεία."


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SUPERVISOR])
def test_other_staff_cannot_decide(client, application, role):
    user = UserFactory(role=role)
    if role == Role.SUPERVISOR:
        EmployeeFactory(user=user)
    login_staff(client, user)
    assert (
        client.post(f"/administration/municipalities/{application.pk}/approve/").status_code == 403
    )
    assert client.get("/administration/municipalities/").status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
