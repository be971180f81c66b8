"""The service catalogue in the administration (issue 6 item 6)."""

from __future__ import annotations

import pytest

from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent
from keplive.catalogue.models import Category, Service
from keplive.catalogue.selectors import services_in
from tests.factories import EmployeeFactory, MunicipalityFactory, ServiceFactory, UserFactory
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
LIST = "/administration/services/"
NEW = "/administration/services/new/"


@pytest.fixture
def administrator():
    return UserFactory(role=Role.ADMINISTRATOR)


@pytest.fixture
def ministry(client, administrator):
    return login_staff(client, administrator)


def service_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title_el": "Βεβαίωση οφειλής",
        "title_en": "Certificate of debt",
        "categories": ["1", "3"],
        "municipality": "",
        "remote_servable": "on",
        "is_active": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_filters_by_category_and_municipality(ministry):
    municipality = MunicipalityFactory()
    municipal = ServiceFactory(categories=[4], municipality=municipality, title_el="Δημοτική")
    general = ServiceFactory(title_el="Γενική")
    everything = ministry.get(LIST)
    assert everything.status_code == 200
    assert {s.pk for s in everything.context["page"].object_list} >= {municipal.pk, general.pk}
    by_category = ministry.get(LIST, {"category": "4"})
    assert [s.pk for s in by_category.context["page"].object_list] == [municipal.pk]
    by_municipality = ministry.get(LIST, {"municipality": municipality.code})
    assert [s.pk for s in by_municipality.context["page"].object_list] == [municipal.pk]
    by_words = ministry.get(LIST, {"q": "γενικη"})
    assert [s.pk for s in by_words.context["page"].object_list] == [general.pk]
    for bad in ({"category": "9"}, {"municipality": "nowhere"}, {"page": "x"}):
        response = ministry.get(LIST, bad)
        assert response.status_code == 200
    assert ministry.get(LIST, {"category": "9"}).context["error"]


def test_an_administrator_adds_a_municipal_service_and_citizens_see_it(ministry, administrator):
    municipality = MunicipalityFactory(code="kos")
    response = ministry.post(
        NEW,
        service_form(
            title_el="Άδεια κοπής δέντρου",
            title_en="Tree felling permit",
            categories=["4"],
            municipality="kos",
        ),
    )
    assert response.status_code == 302
    service = Service.objects.get(title_el="Άδεια κοπής δέντρου")
    assert service.code == "kos-tree-felling-permit"
    assert service.municipality == municipality
    assert response["Location"] == f"{LIST}?saved={service.code}"
    municipal = Category.objects.get(number=4)
    assert service in services_in(category=municipal, municipality=municipality)
    event = AuditEvent.objects.get(action="catalogue.service_added")
    assert event.actor == administrator
    assert event.object_id == service.code


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"categories": ["4"]}, "municipality"),
        ({"categories": ["1", "4"], "municipality": "kos"}, "categories"),
        ({"categories": ["1"], "municipality": "kos"}, "municipality"),
        ({"categories": None}, "categories"),
        ({"remote_servable": None}, "alternative_el"),
        ({"title_el": "   "}, "title_el"),
        ({"municipality": "nowhere", "categories": ["4"]}, "municipality"),
        ({"categories": ["7"]}, "categories"),
    ],
)
def test_invalid_services_are_refused_beside_the_field(ministry, changes, field):
    MunicipalityFactory(code="kos")
    response = ministry.post(NEW, service_form(**changes))
    assert response.status_code == 400
    assert response.context["form"].has_error(field)
    assert f'id="id_{field}-error"'.encode() in response.content or field == "categories"
    assert not Service.objects.filter(title_en="Certificate of debt").exists()


def test_duplicates_are_refused(ministry):
    municipality = MunicipalityFactory(code="kos")
    ServiceFactory(title_el="Βεβαίωση Οφειλής")
    ServiceFactory(categories=[4], municipality=municipality, title_el="Άδεια κοπής δέντρου")
    same_title = ministry.post(NEW, service_form(title_el="βεβαιωση οφειλης"))
    assert same_title.status_code == 400
    assert same_title.context["form"].has_error("title_el")
    same_municipal = ministry.post(
        NEW, service_form(title_el="Άδεια Κοπής Δέντρου", categories=["4"], municipality="kos")
    )
    assert same_municipal.context["form"].has_error("title_el")
    # The same title in another municipality is another service.
    MunicipalityFactory(code="leros")
    other = ministry.post(
        NEW, service_form(title_el="Άδεια κοπής δέντρου", categories=["4"], municipality="leros")
    )
    assert other.status_code == 302


def test_editing_a_service_keeps_its_code_and_is_audited(ministry):
    service = ServiceFactory(title_el="Παλιός τίτλος")
    page = ministry.get(f"/administration/services/{service.pk}/")
    assert page.status_code == 200
    assert "Παλιός τίτλος" in page.content.decode()
    response = ministry.post(
        f"/administration/services/{service.pk}/",
        service_form(
            title_el="Νέος τίτλος",
            remote_servable=None,
            alternative_el="Επισκεφθείτε ένα ΚΕΠ.",
            is_active=None,
        ),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.title_el == "Νέος τίτλος"
    assert not service.remote_servable
    assert not service.is_active
    assert service.alternative_el == "Επισκεφθείτε ένα ΚΕΠ."
    event = AuditEvent.objects.get(action="catalogue.service_changed")
    assert set(event.details["fields"]) >= {"title_el", "remote_servable", "is_active"}
    assert ministry.get("/administration/services/999999/").status_code == 404


def test_editing_may_keep_its_own_title(ministry):
    service = ServiceFactory(title_el="Βεβαίωση", title_en="Certificate")
    response = ministry.post(
        f"/administration/services/{service.pk}/",
        service_form(title_el="Βεβαίωση", title_en="Certificate (new)"),
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EMPLOYEE])
def test_other_roles_cannot_edit_the_catalogue(client, role):
    user = UserFactory(role=role)
    if role == Role.EMPLOYEE:
        EmployeeFactory(user=user)
    login_staff(client, user)
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, service_form()).status_code == 403
    assert not Service.objects.filter(title_el="Βεβαίωση οφειλής").exists()
