"""An employee's weekly availability and absences in the administration (issue 6 item 4, A2
and P3): administrators only; bad input is refused as a whole and changes nothing; a change
that strands a booked appointment of the employee lists it in the conflict worklist (cause:
employee unavailable), and undoing it closes the item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent
from keplive.audit.services import Origin
from keplive.booking import services
from keplive.booking.models import Appointment, EarliestFreeTime, Status
from keplive.catalogue.models import Category
from keplive.directory import admin_services
from keplive.directory.admin_services import DirectoryChangeRefused
from keplive.directory.models import Absence, Availability
from keplive.directory.versioning import directory_version
from keplive.worklist import changes
from keplive.worklist.models import Cause, ConflictItem, Resolution
from tests.conftest import ATHENS, working_day
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    ServiceFactory,
    UserFactory,
)
from tests.staff import login_staff
from tests.worklist.conftest import declaration

DAY = working_day(3)
WEEKDAY = DAY.weekday()
ORIGIN = Origin(ip_address="127.0.0.1", channel="administration")


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ATHENS)


@pytest.fixture
def kep(db):
    return KepFactory()


@pytest.fixture
def employee(kep):
    return EmployeeFactory(kep=kep)


@pytest.fixture
def appointment(kep, employee) -> Appointment:
    """11:00–11:20 on DAY, with the KEP's only employee."""
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
def admin_user(db):
    return UserFactory(role=Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(client, admin_user):
    return login_staff(client, admin_user)


def page_of(employee) -> str:  # type: ignore[no-untyped-def]
    return f"/administration/keps/{employee.kep_id}/employees/{employee.pk}/"


def day_of(employee, weekday: int = WEEKDAY) -> list[tuple[dt.time, dt.time, str]]:  # type: ignore[no-untyped-def]
    return sorted(
        Availability.objects.filter(employee=employee, weekday=weekday).values_list(
            "starts", "ends", "workstation"
        )
    )


def availability_post(*intervals: tuple[str, ...]) -> dict[str, str]:
    data = {"a-TOTAL_FORMS": str(len(intervals)), "a-INITIAL_FORMS": "0"}
    for index, interval in enumerate(intervals):
        starts, ends, *station = interval
        data[f"a-{index}-starts"], data[f"a-{index}-ends"] = starts, ends
        data[f"a-{index}-workstation"] = station[0] if station else ""
    return data


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


# --- The services ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "intervals",
    [
        [(t("08:00"), t("12:00"), ""), (t("11:00"), t("14:00"), "")],  # overlapping
        [(t("08:00"), t("14:00"), ""), (t("09:00"), t("10:00"), "")],  # one inside another
        [(t("14:00"), t("08:00"), "")],  # inverted
        [(t("08:00"), t("08:00"), "")],  # empty
        [(t("08:00"), t("10:00"), "x" * 51)],  # workstation too long
        [(t("08:00"), t("10:00"), ""), (t("12:00"), t("11:00"), "")],  # one good, one bad
    ],
)
def test_bad_availability_is_refused_as_a_whole(employee, admin_user, intervals):
    before = day_of(employee)
    events = AuditEvent.objects.count()

    with pytest.raises(DirectoryChangeRefused) as refused:
        changes.set_weekday_availability(
            employee=employee,
            weekday=WEEKDAY,
            intervals=intervals,
            actor=admin_user,
            origin=ORIGIN,
            now=timezone.now(),
        )

    assert refused.value.messages
    assert day_of(employee) == before
    assert AuditEvent.objects.count() == events


def test_availability_is_replaced_audited_and_touching_intervals_are_fine(employee, admin_user):
    version = directory_version()

    outcome = changes.set_weekday_availability(
        employee=employee,
        weekday=WEEKDAY,
        intervals=[(t("12:00"), t("14:30"), " Θέση 2 "), (t("08:00"), t("12:00"), "Θέση 1")],
        actor=admin_user,
        origin=ORIGIN,
        now=timezone.now(),
    )

    assert outcome.changed
    assert day_of(employee) == [
        (t("08:00"), t("12:00"), "Θέση 1"),
        (t("12:00"), t("14:30"), "Θέση 2"),
    ]
    assert directory_version() != version
    event = AuditEvent.objects.get(action="employee.availability_changed")
    assert event.object_id == str(employee.pk)
    assert event.details["after"] == ["08:00-12:00", "12:00-14:30"]
    # The same again changes nothing and records nothing.
    again = changes.set_weekday_availability(
        employee=employee,
        weekday=WEEKDAY,
        intervals=[(t("08:00"), t("12:00"), "Θέση 1"), (t("12:00"), t("14:30"), "Θέση 2")],
        actor=admin_user,
        origin=ORIGIN,
        now=timezone.now(),
    )
    assert not again.changed
    assert AuditEvent.objects.filter(action="employee.availability_changed").count() == 1


def test_an_unknown_weekday_is_refused(employee, admin_user):
    with pytest.raises(DirectoryChangeRefused):
        admin_services.set_weekday_availability(
            employee=employee,
            weekday=7,
            intervals=[],
            actor=admin_user,
            origin=ORIGIN,
            now=timezone.now(),
        )


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (dt.timedelta(hours=5), dt.timedelta(hours=4)),  # ends before it starts
        (dt.timedelta(hours=5), dt.timedelta(hours=5)),  # empty
        (-dt.timedelta(days=3), -dt.timedelta(days=1)),  # ended already
    ],
)
def test_a_bad_absence_is_refused(employee, admin_user, starts, ends):
    now = timezone.now()
    with pytest.raises(DirectoryChangeRefused) as refused:
        changes.add_absence(
            employee=employee,
            starts_at=now + starts,
            ends_at=now + ends,
            reason="",
            actor=admin_user,
            origin=ORIGIN,
            now=now,
        )
    assert "ends_at" in refused.value.errors
    assert not Absence.objects.exists()
    assert not AuditEvent.objects.filter(action="employee.absence_added").exists()


def test_an_absence_that_started_already_may_be_added_and_its_reason_is_not_audited(
    employee, admin_user
):
    now = timezone.now()
    changes.add_absence(
        employee=employee,
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(days=1),
        reason="Ασθένεια",
        actor=admin_user,
        origin=ORIGIN,
        now=now,
    )
    absence = Absence.objects.get()
    assert absence.reason == "Ασθένεια"
    event = AuditEvent.objects.get(action="employee.absence_added")
    assert "Ασθένεια" not in str(event.details)


def test_an_absence_strands_the_appointment_and_forgets_the_earliest_times(
    kep, employee, appointment, admin_user
):
    EarliestFreeTime.objects.create(
        kep=kep,
        category=Category.objects.get(number=1),
        starts_at=None,
        refreshed_at=timezone.now(),
    )

    outcome = changes.add_absence(
        employee=employee,
        starts_at=at(10),
        ends_at=at(12),
        reason="",
        actor=admin_user,
        origin=ORIGIN,
        now=timezone.now(),
    )

    assert outcome.stranded == 1
    item = ConflictItem.objects.get()
    assert item.appointment == appointment
    assert item.cause == Cause.EMPLOYEE_UNAVAILABLE
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
    assert not EarliestFreeTime.objects.filter(kep=kep).exists()


# --- The pages ----------------------------------------------------------------------------


def test_the_kep_page_lists_its_employees_with_a_link(admin_client, kep, employee):
    response = admin_client.get(f"/administration/keps/{kep.pk}/")
    assert response.status_code == 200
    assert f'data-employee="{employee.pk}"' in response.text
    assert f'href="{page_of(employee)}"' in response.text


def test_the_employee_page_shows_availability_and_absences(admin_client, employee):
    Absence.objects.create(
        employee=employee,
        starts_at=at(8, day=DAY + dt.timedelta(days=7)),
        ends_at=at(15, day=DAY + dt.timedelta(days=7)),
        reason="Εκπαίδευση",
    )
    response = admin_client.get(page_of(employee))
    assert response.status_code == 200
    assert '<html lang="el"' in response.text
    assert "08:00–14:30 (Θέση 1)" in response.text
    assert "Εκπαίδευση" in response.text
    assert "Διαθεσιμότητα" in response.text  # Greek first


def test_the_weekday_page_shows_the_intervals(admin_client, employee):
    response = admin_client.get(f"{page_of(employee)}availability/{WEEKDAY}/")
    assert response.status_code == 200
    assert 'value="08:00"' in response.text
    assert 'value="Θέση 1"' in response.text


@pytest.mark.parametrize(
    "intervals",
    [
        (("08:00", "12:00"), ("11:00", "14:00")),  # overlapping
        (("14:00", "08:00"),),  # inverted
        (("25:00", "26:00"),),  # not a time
        (("08:00", ""),),  # half an interval
        (("", "", "Θέση 3"),),  # a workstation without times
    ],
)
def test_bad_availability_on_the_page_changes_nothing(
    admin_client, employee, appointment, intervals
):
    before = day_of(employee)

    response = admin_client.post(
        f"{page_of(employee)}availability/{WEEKDAY}/", availability_post(*intervals)
    )

    assert response.status_code == 400
    assert 'id="error-summary"' in response.text
    assert response.context["problems"]
    assert day_of(employee) == before
    assert not ConflictItem.objects.exists()


def test_narrowed_availability_sends_the_appointment_to_the_worklist(
    admin_client, employee, appointment
):
    response = admin_client.post(
        f"{page_of(employee)}availability/{WEEKDAY}/",
        availability_post(("08:00", "11:00", "Θέση 1"), ("", ""), ("12:00", "14:30", "Θέση 2")),
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == page_of(employee)
    assert day_of(employee) == [
        (t("08:00"), t("11:00"), "Θέση 1"),
        (t("12:00"), t("14:30"), "Θέση 2"),
    ]
    item = ConflictItem.objects.get()
    assert item.appointment == appointment
    assert item.cause == Cause.EMPLOYEE_UNAVAILABLE
    [message] = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert "1" in message.message
    assert 'href="/administration/worklist/"' in response.text

    # Widened again: the appointment fits, the item is closed.
    admin_client.post(
        f"{page_of(employee)}availability/{WEEKDAY}/", availability_post(("08:00", "14:30"))
    )
    assert ConflictItem.objects.get().resolution == Resolution.FITS_AGAIN


def test_an_absence_added_on_the_page_strands_the_appointment_and_removing_it_closes_the_item(
    admin_client, employee, appointment
):
    response = admin_client.post(
        f"{page_of(employee)}absences/add/",
        {"starts_date": DAY.isoformat(), "ends_date": DAY.isoformat(), "reason": "Άδεια"},
        follow=True,
    )

    assert response.status_code == 200
    absence = Absence.objects.get()
    assert absence.starts_at == at(0)
    assert absence.ends_at == at(0, day=DAY + dt.timedelta(days=1))
    item = ConflictItem.objects.get(resolved_at__isnull=True)
    assert item.appointment == appointment
    assert item.cause == Cause.EMPLOYEE_UNAVAILABLE
    [message] = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert f'data-absence="{absence.pk}"' in response.text

    removed = admin_client.post(f"{page_of(employee)}absences/{absence.pk}/remove/")
    assert removed.status_code == 302
    assert not Absence.objects.exists()
    assert ConflictItem.objects.get().resolution == Resolution.FITS_AGAIN


def test_an_absence_with_times_that_misses_the_appointment_strands_nothing(
    admin_client, employee, appointment
):
    response = admin_client.post(
        f"{page_of(employee)}absences/add/",
        {
            "starts_date": DAY.isoformat(),
            "starts_time": "12:00",
            "ends_date": DAY.isoformat(),
            "ends_time": "14:30",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Absence.objects.get().starts_at == at(12)
    assert not ConflictItem.objects.exists()
    [message] = list(response.context["messages"])
    assert message.level_tag == "success"


@pytest.mark.parametrize(
    "data",
    [
        {"starts_date": "", "ends_date": "2030-01-02"},
        {"starts_date": "31/02/2030", "ends_date": "2030-01-02"},
        {"starts_date": "2030-01-05", "ends_date": "2030-01-02"},  # ends before it starts
        {"starts_date": "2020-01-01", "ends_date": "2020-01-02"},  # ended already
        {
            "starts_date": "2030-01-02",
            "starts_time": "12:00",
            "ends_date": "2030-01-02",
            "ends_time": "10:00",
        },
        {"starts_date": "2030-01-02", "ends_date": "9999-12-31"},
        {"starts_date": "2030-01-02", "ends_date": "2030-01-02", "reason": "x" * 201},
    ],
)
def test_a_bad_absence_on_the_page_is_refused_and_what_was_typed_is_kept(
    admin_client, employee, data
):
    response = admin_client.post(f"{page_of(employee)}absences/add/", data)

    assert response.status_code == 400
    assert 'id="error-summary"' in response.text
    assert f'value="{data["starts_date"]}"' in response.text
    assert not Absence.objects.exists()


# --- Access -------------------------------------------------------------------------------


def test_an_employee_of_another_kep_is_404(admin_client, employee):
    other_kep = KepFactory()
    absence = Absence.objects.create(employee=employee, starts_at=at(8), ends_at=at(9), reason="")
    base = f"/administration/keps/{other_kep.pk}/employees/{employee.pk}/"
    assert admin_client.get(base).status_code == 404
    assert admin_client.get(f"{base}availability/{WEEKDAY}/").status_code == 404
    assert (
        admin_client.post(f"{base}availability/{WEEKDAY}/", availability_post()).status_code == 404
    )
    assert admin_client.get(f"{base}absences/add/").status_code == 404
    assert admin_client.post(f"{base}absences/{absence.pk}/remove/").status_code == 404
    assert admin_client.get("/administration/keps/999999/employees/1/").status_code == 404
    assert Absence.objects.filter(pk=absence.pk).exists()
    assert len(day_of(employee)) == 1


def test_an_absence_of_another_employee_is_404(admin_client, kep, employee):
    colleague = EmployeeFactory(kep=kep)
    absence = Absence.objects.create(employee=colleague, starts_at=at(8), ends_at=at(9), reason="")
    response = admin_client.post(f"{page_of(employee)}absences/{absence.pk}/remove/")
    assert response.status_code == 404
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_an_unknown_weekday_is_404(admin_client, employee):
    assert admin_client.get(f"{page_of(employee)}availability/7/").status_code == 404


PAGES = [
    ("get", ""),
    ("get", "availability/0/"),
    ("post", "availability/0/"),
    ("get", "absences/add/"),
    ("post", "absences/add/"),
    ("post", "absences/{absence}/remove/"),
]


@pytest.mark.parametrize(("method", "suffix"), PAGES)
def test_anonymous_visitors_are_sent_to_the_administration_login(client, employee, method, suffix):
    absence = Absence.objects.create(employee=employee, starts_at=at(8), ends_at=at(9))
    response = getattr(client, method)(page_of(employee) + suffix.format(absence=absence.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/administration/login/")
    assert Absence.objects.count() == 1


@pytest.mark.parametrize(("method", "suffix"), PAGES)
@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EMPLOYEE, Role.SUPERVISOR, Role.CITIZEN])
def test_everyone_but_administrators_is_refused(client, kep, employee, method, suffix, role):
    user = UserFactory(role=role)
    if role in (Role.EMPLOYEE, Role.SUPERVISOR):
        EmployeeFactory(user=user, kep=kep)
    if role == Role.CITIZEN:
        client.force_login(user)
    else:
        login_staff(client, user)
    absence = Absence.objects.create(employee=employee, starts_at=at(8), ends_at=at(9))

    response = getattr(client, method)(page_of(employee) + suffix.format(absence=absence.pk))

    assert response.status_code == 403
    assert Absence.objects.count() == 1
    assert len(day_of(employee)) == 1
