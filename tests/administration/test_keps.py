"""The administration's KEPs, hours, categories and conflict worklist pages (issue 6 items 3
and 4): administrators only; bad input re-renders with the reasons and changes nothing; a change
that strands booked appointments fills the worklist, which is resolved from its pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.booking import services
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from keplive.directory.models import Kep, OpeningException, OpeningHours
from keplive.worklist.models import ConflictItem, Resolution
from tests.conftest import ATHENS, working_day
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
    UserFactory,
)
from tests.staff import login_staff
from tests.worklist.conftest import declaration

DAY = working_day(3)
WEEKDAY = DAY.weekday()


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=ATHENS)


@pytest.fixture
def kep(db):
    return KepFactory()


@pytest.fixture
def employee(kep):
    return EmployeeFactory(kep=kep)


@pytest.fixture
def colleague(kep):
    return EmployeeFactory(kep=kep)


@pytest.fixture
def appointment(kep, employee) -> Appointment:
    return services.book_appointment(
        citizen=CitizenFactory(),
        kep=kep,
        service=ServiceFactory(),
        category=Category.objects.get(number=1),
        starts_at=at(11),
        now=timezone.now(),
        declaration=declaration(),
    )


@pytest.fixture
def admin_client(client, db):
    return login_staff(client, UserFactory(role=Role.ADMINISTRATOR))


def hours_of(kep: Kep) -> list[tuple[dt.time, dt.time]]:
    return sorted(
        OpeningHours.objects.filter(kep=kep, weekday=WEEKDAY).values_list("opens", "closes")
    )


def hours_post(*intervals: tuple[str, str]) -> dict[str, str]:
    data = {"i-TOTAL_FORMS": str(len(intervals)), "i-INITIAL_FORMS": "0"}
    for index, (opens, closes) in enumerate(intervals):
        data[f"i-{index}-opens"], data[f"i-{index}-closes"] = opens, closes
    return data


# --- Who may use these pages --------------------------------------------------------------

PAGES = [
    ("get", "/administration/keps/"),
    ("get", "/administration/keps/add/"),
    ("get", "/administration/keps/{kep}/"),
    ("get", "/administration/keps/{kep}/edit/"),
    ("post", "/administration/keps/{kep}/deactivate/"),
    ("post", "/administration/keps/{kep}/remove/"),
    ("post", "/administration/keps/{kep}/hours/0/"),
    ("post", "/administration/keps/{kep}/exceptions/add/"),
    ("get", "/administration/keps/{kep}/holidays/add/"),
    ("get", "/administration/categories/"),
    ("post", "/administration/categories/1/"),
    ("get", "/administration/worklist/"),
    ("get", "/administration/worklist/1/"),
    ("post", "/administration/worklist/1/move/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_the_administration_login(client, kep, method, path):
    response = getattr(client, method)(path.format(kep=kep.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/administration/login/")


@pytest.mark.parametrize(("method", "path"), PAGES)
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EMPLOYEE, Role.SUPERVISOR, Role.CITIZEN])
def test_everyone_but_administrators_is_refused(client, kep, method, path, role):
    user = UserFactory(role=role)
    if role in (Role.EMPLOYEE, Role.SUPERVISOR):
        EmployeeFactory(user=user, kep=kep)
    if role == Role.CITIZEN:
        client.force_login(user)
    else:
        login_staff(client, user)
    before = (Kep.objects.filter(is_active=True).count(), OpeningHours.objects.count())

    response = getattr(client, method)(path.format(kep=kep.pk))

    assert response.status_code == 403
    assert (Kep.objects.filter(is_active=True).count(), OpeningHours.objects.count()) == before


# --- KEPs ---------------------------------------------------------------------------------


def test_the_list_searches_and_filters(admin_client, kep):
    other = KepFactory(city="Πάτρα", is_active=False)

    everything = admin_client.get("/administration/keps/")
    found = admin_client.get("/administration/keps/", {"q": "πάτρα"})
    inactive = admin_client.get("/administration/keps/", {"active": "0"})
    by_municipality = admin_client.get(
        "/administration/keps/", {"municipality": kep.municipality_id}
    )

    assert everything.status_code == 200
    assert f'data-kep="{kep.code}"' in everything.text
    assert '<html lang="el"' in everything.text
    assert f'data-kep="{other.code}"' in found.text
    assert f'data-kep="{kep.code}"' not in found.text
    assert [k.code for k in inactive.context["page"].object_list] == [other.code]
    assert [k.code for k in by_municipality.context["page"].object_list] == [kep.code]


def test_a_bad_filter_never_breaks_the_list(admin_client):
    response = admin_client.get("/administration/keps/", {"municipality": "x", "page": "zz"})
    assert response.status_code == 200


def kep_post(owner, **changes: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    values = {
        "code": "7001",
        "municipality": owner.pk,
        "name_el": "ΚΕΠ Νέο",
        "name_en": "New KEP",
        "address": "Πανεπιστημίου 10",
        "postal_code": "106 71",
        "city": "Αθήνα",
        "phone": "2101234567",
        "email": "new@demo.keplive.gr",
        "protocol_email": "protocol@demo.keplive.gr",
    }
    return values | changes


def test_adding_a_kep(admin_client, db):
    municipality = MunicipalityFactory()

    response = admin_client.post("/administration/keps/add/", kep_post(municipality))

    kep = Kep.objects.get(code="7001")
    assert response.status_code == 302
    assert response["Location"] == f"/administration/keps/{kep.pk}/"
    assert kep.postal_code == "10671"
    assert kep.is_active
    assert kep.municipality == municipality


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "DUPLICATE"}, "code"),
        ({"postal_code": "1234"}, "postal_code"),
        ({"postal_code": "ΑΒΓΔΕ"}, "postal_code"),
        ({"email": "not-an-email"}, "email"),
        ({"protocol_email": ""}, "protocol_email"),
        ({"municipality": "999999"}, "municipality"),
        ({"code": "bad code!"}, "code"),
    ],
)
def test_a_bad_kep_is_refused_with_the_typed_values_kept(admin_client, kep, changes, field):
    if changes.get("code") == "DUPLICATE":
        changes = {"code": kep.code}
    count = Kep.objects.count()

    response = admin_client.post(
        "/administration/keps/add/", kep_post(MunicipalityFactory(), **changes)
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "ΚΕΠ Νέο" in response.text  # what was typed is kept
    assert 'id="error-summary"' in response.text
    assert Kep.objects.count() == count


def test_editing_a_kep(admin_client, kep):
    response = admin_client.post(
        f"/administration/keps/{kep.pk}/edit/",
        kep_post(kep.municipality, code=kep.code, city="Πειραιάς"),
    )
    kep.refresh_from_db()
    assert response.status_code == 302
    assert kep.city == "Πειραιάς"


def test_deactivating_sends_future_appointments_to_the_worklist(admin_client, kep, appointment):
    confirm = admin_client.get(f"/administration/keps/{kep.pk}/deactivate/")
    response = admin_client.post(f"/administration/keps/{kep.pk}/deactivate/", follow=True)

    assert confirm.status_code == 200
    assert response.status_code == 200
    assert 'id="result"' in response.text
    kep.refresh_from_db()
    assert not kep.is_active
    assert ConflictItem.objects.get().appointment == appointment
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED

    admin_client.post(f"/administration/keps/{kep.pk}/reactivate/")
    kep.refresh_from_db()
    assert kep.is_active
    assert ConflictItem.objects.get().resolution == Resolution.FITS_AGAIN


def test_removing_a_kep_with_future_appointments_is_refused(admin_client, kep, appointment):
    response = admin_client.post(f"/administration/keps/{kep.pk}/remove/")

    assert response.status_code == 409
    assert 'id="error-summary"' in response.text
    assert Kep.objects.filter(pk=kep.pk, is_active=True).exists()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED


def test_removing_a_new_kep(admin_client):
    kep = KepFactory()
    assert admin_client.get(f"/administration/keps/{kep.pk}/remove/").status_code == 200

    response = admin_client.post(f"/administration/keps/{kep.pk}/remove/")

    assert response.status_code == 302
    assert response["Location"] == "/administration/keps/"
    assert not Kep.objects.filter(code=kep.code).exists()


def test_another_keps_page_that_does_not_exist_is_404(admin_client):
    assert admin_client.get("/administration/keps/999999/").status_code == 404


# --- Hours --------------------------------------------------------------------------------


def test_the_hours_page_shows_the_day(admin_client, kep):
    response = admin_client.get(f"/administration/keps/{kep.pk}/hours/{WEEKDAY}/")
    assert response.status_code == 200
    assert 'value="07:30"' in response.text
    assert 'value="15:00"' in response.text


@pytest.mark.parametrize(
    "intervals",
    [
        (("08:00", "12:00"), ("11:00", "14:00")),  # overlapping
        (("14:00", "08:00"),),  # inverted
        (("08:00", "08:20"),),  # shorter than the longest call (40 minutes)
        (("25:00", "26:00"),),  # not a time
        (("08:00", ""),),  # half an interval
    ],
)
def test_bad_hours_are_refused_and_nothing_changes(admin_client, kep, appointment, intervals):
    before = hours_of(kep)

    response = admin_client.post(
        f"/administration/keps/{kep.pk}/hours/{WEEKDAY}/", hours_post(*intervals)
    )

    assert response.status_code == 400
    assert 'id="error-summary"' in response.text
    assert response.context["problems"]
    assert hours_of(kep) == before
    assert not ConflictItem.objects.exists()


def test_shorter_hours_strand_the_appointment_and_say_how_many(admin_client, kep, appointment):
    response = admin_client.post(
        f"/administration/keps/{kep.pk}/hours/{WEEKDAY}/",
        hours_post(("07:30", "10:00"), ("", ""), ("12:30", "15:00")),
        follow=True,
    )

    assert response.status_code == 200
    assert hours_of(kep) == [(dt.time(7, 30), dt.time(10, 0)), (dt.time(12, 30), dt.time(15, 0))]
    item = ConflictItem.objects.get()
    assert item.appointment == appointment
    [message] = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert "1" in message.message
    assert 'href="/administration/worklist/"' in response.text


def test_an_unknown_weekday_is_404(admin_client, kep):
    assert admin_client.get(f"/administration/keps/{kep.pk}/hours/7/").status_code == 404


def test_adding_and_removing_a_closed_day(admin_client, kep, appointment):
    response = admin_client.post(
        f"/administration/keps/{kep.pk}/exceptions/add/",
        {"date": DAY.isoformat(), "closed": "on", "reason": "Απεργία"},
    )
    assert response.status_code == 302
    assert ConflictItem.objects.filter(resolved_at__isnull=True).count() == 1

    exception = OpeningException.objects.get()
    admin_client.post(f"/administration/keps/{kep.pk}/exceptions/{exception.pk}/remove/")
    assert not OpeningException.objects.exists()
    assert not ConflictItem.objects.filter(resolved_at__isnull=True).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date": "", "closed": "on"},
        {"date": "31/02/2030", "closed": "on"},
        {"date": "2020-01-01", "closed": "on"},  # past
        {"date": "2030-01-02"},  # neither closed nor hours
        {"date": "2030-01-02", "closed": "on", "opens": "08:00", "closes": "10:00"},
        {"date": "2030-01-02", "opens": "10:00", "closes": "08:00"},
    ],
)
def test_a_bad_exception_is_refused(admin_client, kep, data):
    response = admin_client.post(f"/administration/keps/{kep.pk}/exceptions/add/", data)
    assert response.status_code == 400
    assert not OpeningException.objects.exists()


def test_a_local_holiday_and_a_duplicate(admin_client, kep):
    data = {"date": "2030-01-07", "name": "Πολιούχος"}
    first = admin_client.post(f"/administration/keps/{kep.pk}/holidays/add/", data)
    second = admin_client.post(f"/administration/keps/{kep.pk}/holidays/add/", data)
    assert first.status_code == 302
    assert second.status_code == 400
    assert kep.municipality.local_holidays.count() == 1


# --- Categories ---------------------------------------------------------------------------


def category_post(**changes: str) -> dict[str, str]:
    values = {
        "call_minutes": "20",
        "buffer_minutes": "10",
        "step_minutes": "30",
        "min_notice_minutes": "120",
        "horizon_days": "30",
        "window_start": "08:00",
        "window_end": "14:30",
    }
    return values | changes


def test_the_categories_page(admin_client):
    response = admin_client.get("/administration/categories/")
    assert response.status_code == 200
    assert 'data-category="4"' in response.text


def test_changing_a_category(admin_client):
    response = admin_client.post("/administration/categories/1/", category_post(horizon_days="45"))
    assert response.status_code == 302
    assert Category.objects.get(number=1).horizon_days == 45


@pytest.mark.parametrize(
    "changes",
    [
        {"call_minutes": "abc"},
        {"call_minutes": "0"},
        {"horizon_days": "1000"},
        {"window_start": "15:00"},
        {"window_end": "nope"},
        {"call_minutes": "200", "window_start": "08:00", "window_end": "10:00"},
    ],
)
def test_bad_parameters_are_refused(admin_client, changes):
    response = admin_client.post("/administration/categories/1/", category_post(**changes))
    assert response.status_code == 400
    category = Category.objects.get(number=1)
    assert (category.call_minutes, category.horizon_days) == (20, 30)


def test_an_unknown_category_is_404(admin_client):
    assert admin_client.get("/administration/categories/9/").status_code == 404


# --- The worklist -------------------------------------------------------------------------


@pytest.fixture
def stranded(admin_client, kep, appointment) -> ConflictItem:
    admin_client.post(
        f"/administration/keps/{kep.pk}/hours/{WEEKDAY}/", hours_post(("07:30", "10:00"))
    )
    return ConflictItem.objects.get()


def test_the_worklist_lists_open_items(admin_client, stranded):
    response = admin_client.get("/administration/worklist/")
    assert response.status_code == 200
    assert f'data-item="{stranded.pk}"' in response.text
    assert "maria@example.gr" not in response.text
    assert "Ερμού 10" not in response.text


def test_an_item_offers_free_times_and_moving_resolves_it(admin_client, stranded):
    page = admin_client.get(f"/administration/worklist/{stranded.pk}/")
    assert page.status_code == 200
    times = page.context["times"]
    assert times

    response = admin_client.post(
        f"/administration/worklist/{stranded.pk}/move/",
        {
            "starts_at": times[0].start.astimezone(ATHENS).isoformat(),
            "reason": "Αλλαγή ωραρίου",
            "day": page.context["day"].isoformat(),
        },
    )

    assert response.status_code == 302
    stranded.refresh_from_db()
    assert stranded.resolution == Resolution.MOVED
    assert Appointment.objects.get(pk=stranded.appointment_id).starts_at == times[0].start
    history = admin_client.get("/administration/worklist/")
    assert 'data-resolution="moved"' in history.text


@pytest.mark.parametrize(
    "data",
    [
        {"starts_at": "", "reason": "x"},
        {"starts_at": "yesterday", "reason": "x"},
        {"starts_at": "2020-01-01T09:00:00+02:00", "reason": "x"},
        {"starts_at": "2030-01-01T09:00:00+02:00", "reason": ""},
    ],
)
def test_a_bad_move_is_refused_and_changes_nothing(admin_client, stranded, data):
    before = Appointment.objects.get(pk=stranded.appointment_id).starts_at
    response = admin_client.post(f"/administration/worklist/{stranded.pk}/move/", data)
    assert response.status_code in (400, 409)
    stranded.refresh_from_db()
    assert stranded.is_open
    assert Appointment.objects.get(pk=stranded.appointment_id).starts_at == before


def test_reassigning_from_the_worklist(admin_client, kep, employee, colleague, appointment):
    from keplive.directory.models import Absence

    Absence.objects.create(employee=appointment.employee, starts_at=at(8), ends_at=at(13))
    other = colleague if appointment.employee == employee else employee
    from keplive.audit.services import SYSTEM
    from keplive.worklist.services import find_conflicts

    find_conflicts(now=timezone.now(), origin=SYSTEM, kep_ids=[kep.pk])
    item = ConflictItem.objects.get()
    page = admin_client.get(f"/administration/worklist/{item.pk}/")
    assert [e.pk for e in page.context["employees"]] == [other.pk]

    bad = admin_client.post(
        f"/administration/worklist/{item.pk}/reassign/", {"employee": "0", "reason": "Άδεια"}
    )
    response = admin_client.post(
        f"/administration/worklist/{item.pk}/reassign/", {"employee": other.pk, "reason": "Άδεια"}
    )

    assert bad.status_code == 400
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.resolution == Resolution.REASSIGNED
    assert Appointment.objects.get(pk=appointment.pk).employee == other


def test_a_resolved_or_missing_item_is_404(admin_client, stranded):
    assert admin_client.get("/administration/worklist/999999/").status_code == 404
