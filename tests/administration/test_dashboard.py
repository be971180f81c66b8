"""The dashboard (issue 6 item 2; A1, A7): its figures against a known data set, its filters,
bad input, CSV export, and who may see it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from keplive.accounts.models import Role
from keplive.administration import statistics
from keplive.administration.statistics import DashboardFilter
from keplive.alerts.models import WaitingAlert
from keplive.audit.services import record_event
from keplive.booking.models import (
    Appointment,
    AppointmentChange,
    ChangeKind,
    EarliestFreeTime,
    Status,
)
from keplive.calls.models import Call, CallState
from keplive.catalogue.models import Category
from keplive.directory.models import Absence, LocalHoliday, OpeningException
from tests.conftest import athens
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
    UserFactory,
)
from tests.staff import login_staff

pytestmark = pytest.mark.django_db

# A week without national holidays: Monday 10 to Sunday 16 March 2025. "Now" is Thursday noon.
START, END = dt.date(2025, 3, 10), dt.date(2025, 3, 16)
NOW = athens(2025, 3, 13, 12)
WEEK = DashboardFilter(start=START, end=END)


class Data:
    """The known data set: KEP A (two employees), KEP B (one, and a local holiday), KEP D
    (active, nobody), KEP C (inactive), and appointments whose every figure is worked out
    by hand below."""


@pytest.fixture
def data() -> Data:
    d = Data()
    d.m1, d.m2 = MunicipalityFactory(), MunicipalityFactory()
    d.a = KepFactory(code="1001", municipality=d.m1, name_el="ΚΕΠ Άλφα")
    d.b = KepFactory(code="1002", municipality=d.m2, name_el="ΚΕΠ Βήτα")
    d.c = KepFactory(code="1003", municipality=d.m2, is_active=False)
    d.d = KepFactory(code="1004", municipality=d.m1)
    # Employees available Monday–Friday 08:00–14:30, inside the KEPs' 07:30–15:00.
    d.a1, d.a2 = EmployeeFactory(kep=d.a), EmployeeFactory(kep=d.a)
    d.b1 = EmployeeFactory(kep=d.b)
    EmployeeFactory(kep=d.b, is_active=False)  # offers nothing
    # A2 is away Wednesday 10:00–12:00; KEP A opens only 09:00–12:00 on Friday; KEP B is closed
    # on Tuesday for a local holiday.
    Absence.objects.create(
        employee=d.a2, starts_at=athens(2025, 3, 12, 10), ends_at=athens(2025, 3, 12, 12)
    )
    OpeningException.objects.create(
        kep=d.a, date=dt.date(2025, 3, 14), opens=dt.time(9), closes=dt.time(12)
    )
    LocalHoliday.objects.create(municipality=d.m2, date=dt.date(2025, 3, 11), name="Πολιούχος")

    citizen, service = CitizenFactory(), ServiceFactory()
    one, three = Category.objects.get(number=1), Category.objects.get(number=3)

    def appointment(kep, employee, start, *, status=Status.BOOKED, category=one, **fields):
        return Appointment.objects.create(
            status=status,
            citizen=citizen,
            kep=kep,
            employee=employee,
            category=category,
            service=service,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            blocked_until=start + dt.timedelta(minutes=40),
            **fields,
        )

    def call(appt, *, state, opened=True, no_show=False):
        return Call.objects.create(
            appointment=appt,
            state=state,
            opened_at=appt.starts_at - dt.timedelta(minutes=2) if opened else None,
            no_show_at=appt.starts_at + dt.timedelta(minutes=10) if no_show else None,
        )

    d.took_place = appointment(d.a, d.a1, athens(2025, 3, 10, 9))
    call(d.took_place, state=CallState.ENDED)
    d.citizen_absent = appointment(d.a, d.a1, athens(2025, 3, 10, 10))
    call(d.citizen_absent, state=CallState.NO_SHOW, no_show=True)
    d.no_call = appointment(d.a, d.a2, athens(2025, 3, 11, 9))  # nobody opened: no call row
    d.nobody = appointment(d.a, d.a2, athens(2025, 3, 11, 10))  # neither came
    call(d.nobody, state=CallState.NO_SHOW, opened=False, no_show=True)
    d.cancelled_before = appointment(
        d.a,
        d.a1,
        athens(2025, 3, 12, 9),
        status=Status.CANCELLED,
        cancelled_at=athens(2025, 3, 5, 9),
    )
    d.upcoming = appointment(d.a, d.a1, athens(2025, 3, 13, 13), category=three)
    d.held = appointment(
        d.a,
        d.a1,
        athens(2025, 3, 14, 9),
        status=Status.HELD,
        hold_expires_at=athens(2025, 3, 10, 9),
    )
    d.at_b = appointment(d.b, d.b1, athens(2025, 3, 10, 9))
    call(d.at_b, state=CallState.ENDED)
    d.cancelled_in_week = appointment(
        d.b,
        d.b1,
        athens(2025, 3, 10, 11),
        status=Status.CANCELLED,
        cancelled_at=athens(2025, 3, 10, 8),
    )
    d.next_week = appointment(d.b, d.b1, athens(2025, 3, 17, 9))
    for appt, when in [
        (d.no_call, athens(2025, 3, 11, 8)),
        (d.next_week, athens(2025, 3, 12, 15)),
        (d.took_place, athens(2025, 3, 1, 12)),  # before the week: not counted
    ]:
        record_event(
            action="appointment.rescheduled",
            object_type="appointment",
            object_id=appt.reference,
            occurred_at=when,
        )
    # What the KEPs did (AppointmentChange): one of each kind in the week, one before it.
    for appt, kind, when in [
        (d.upcoming, ChangeKind.MOVED, athens(2025, 3, 12, 8)),
        (d.no_call, ChangeKind.REASSIGNED, athens(2025, 3, 11, 7)),
        (d.cancelled_in_week, ChangeKind.CANCELLED_BY_KEP, athens(2025, 3, 10, 8)),
        (d.took_place, ChangeKind.REASSIGNED, athens(2025, 3, 9, 12)),  # before the week
    ]:
        AppointmentChange.objects.create(
            appointment=appt,
            kind=kind,
            from_starts_at=appt.starts_at,
            reason="Βλάβη",
            created_at=when,
        )
    EarliestFreeTime.objects.create(
        kep=d.a, category=one, starts_at=athens(2025, 3, 14, 9), refreshed_at=NOW
    )
    EarliestFreeTime.objects.create(
        kep=d.a, category=three, starts_at=athens(2025, 3, 13, 14), refreshed_at=NOW
    )
    EarliestFreeTime.objects.create(kep=d.b, category=one, starts_at=None, refreshed_at=NOW)
    return d


# --- Figures ------------------------------------------------------------------------------------


def test_appointments_by_day_count_booked_and_cancelled_per_local_date(data):
    rows = statistics.appointments_by_day(WEEK)
    assert [(row.day.day, row.booked, row.cancelled) for row in rows] == [
        (10, 3, 1),
        (11, 2, 0),
        (12, 0, 1),
        (13, 1, 0),
        (14, 0, 0),  # the hold is no appointment
        (15, 0, 0),
        (16, 0, 0),
    ]


def test_appointments_by_kep_most_first(data):
    rows = statistics.appointments_by_kep(WEEK)
    assert [(row.code, row.booked, row.cancelled, row.total) for row in rows] == [
        ("1001", 5, 1, 6),
        ("1002", 1, 1, 2),
    ]
    assert rows[0].name == "ΚΕΠ Άλφα"


def test_appointments_by_category_lists_every_category(data):
    rows = statistics.appointments_by_category(WEEK)
    assert [(row.category, row.booked, row.cancelled) for row in rows] == [
        (1, 5, 2),
        (2, 0, 0),
        (3, 1, 0),
        (4, 0, 0),
    ]


def test_each_appointment_has_exactly_one_status(data):
    counts = statistics.appointments_by_status(WEEK, now=NOW)
    assert counts == statistics.StatusCounts(
        cancelled=2, upcoming=1, no_employee=2, citizen_no_show=1, took_place=2
    )
    assert counts.total == 8


def test_no_show_rates_of_citizens_and_employees(data):
    rows = statistics.no_shows_by_kep(WEEK, now=NOW)
    assert [(row.code, row.past, row.citizen_no_shows, row.employee_no_shows) for row in rows] == [
        ("1001", 4, 2, 2),
        ("1002", 1, 0, 0),
    ]
    assert rows[0].citizen_rate == 0.5
    assert rows[0].employee_rate == 0.5
    total = statistics.no_show_totals(rows)
    assert (total.past, total.citizen_rate) == (5, 0.4)
    assert total.employee_rate == 0.4


def test_utilisation_is_booked_over_offered_minutes(data):
    rows = {row.code: row for row in statistics.utilisation_by_kep(WEEK, now=NOW)}
    # Inactive KEP C is left out; D is active with nobody to offer time.
    assert set(rows) == {"1001", "1002", "1004"}
    # A: A1 390 min Mon–Thu + 180 on Friday (09:00–12:00) = 1740; A2 the same less 120
    # absent on Wednesday = 1620. B: B1 390 min on four days (Tuesday closed) = 1560.
    assert (rows["1001"].booked_minutes, rows["1001"].offered_minutes) == (150, 3360)
    assert (rows["1002"].booked_minutes, rows["1002"].offered_minutes) == (30, 1560)
    assert rows["1001"].utilisation == pytest.approx(150 / 3360)
    assert (rows["1004"].offered_minutes, rows["1004"].utilisation) == (0, None)


def test_utilisation_of_a_category_uses_its_citizen_window(data):
    Category.objects.filter(number=3).update(window_start=dt.time(9), window_end=dt.time(13))
    rows = {
        row.code: row
        for row in statistics.utilisation_by_kep(
            DashboardFilter(start=START, end=END, category=3), now=NOW
        )
    }
    # 09:00–13:00: 240 a day, Friday 09:00–12:00 = 180; A2's absence takes 120.
    assert (rows["1001"].booked_minutes, rows["1001"].offered_minutes) == (30, 2160)


def test_offered_minutes_leave_out_national_holidays(data):
    # Clean Monday, 3 March 2025, is a national holiday: that week has four working days.
    week = DashboardFilter(start=dt.date(2025, 3, 3), end=dt.date(2025, 3, 9), kep_id=data.b.pk)
    [row] = statistics.utilisation_by_kep(week, now=NOW)
    assert row.offered_minutes == 4 * 390


def test_wait_until_the_next_free_time(data):
    rows = statistics.waits_by_kep(WEEK, now=NOW)
    by_code = {row.code: row for row in rows}
    assert set(by_code) == {"1001", "1002", "1004"}
    assert by_code["1001"].next_free == athens(2025, 3, 13, 14)
    assert by_code["1001"].wait == dt.timedelta(hours=2)
    assert (by_code["1002"].indexed, by_code["1002"].next_free) == (True, None)
    assert (by_code["1004"].indexed, by_code["1004"].next_free) == (False, None)
    # Nothing free first, then the longest wait, then the KEPs not computed yet.
    assert [row.code for row in rows] == ["1002", "1001", "1004"]
    category_one = DashboardFilter(start=START, end=END, category=1)
    a = next(row for row in statistics.waits_by_kep(category_one, now=NOW) if row.code == "1001")
    assert a.wait == dt.timedelta(days=1, hours=-3)


def test_cancellations_and_moves_made_in_the_period(data):
    rows = statistics.changes_by_kep(WEEK)
    assert [
        (
            row.code,
            row.cancellations,
            row.cancelled_by_kep,
            row.citizen_moves,
            row.kep_moves,
            row.reassignments,
        )
        for row in rows
    ] == [("1001", 0, 0, 1, 1, 1), ("1002", 1, 1, 1, 0, 0)]


def test_filters_narrow_every_table(data):
    m2 = DashboardFilter(start=START, end=END, municipality_id=data.m2.pk)
    assert [row.code for row in statistics.appointments_by_kep(m2)] == ["1002"]
    assert [row.code for row in statistics.utilisation_by_kep(m2, now=NOW)] == ["1002"]
    assert [row.code for row in statistics.changes_by_kep(m2)] == ["1002"]
    only_a = DashboardFilter(start=START, end=END, kep_id=data.a.pk)
    assert sum(row.total for row in statistics.appointments_by_day(only_a)) == 6
    three = DashboardFilter(start=START, end=END, category=3)
    assert [
        (row.day.day, row.booked) for row in statistics.appointments_by_day(three) if row.total
    ] == [(13, 1)]
    assert statistics.appointments_by_status(three, now=NOW).upcoming == 1
    assert [(row.code, row.kep_moves) for row in statistics.changes_by_kep(three)] == [("1001", 1)]


def test_the_summary_adds_up(data):
    summary = statistics.dashboard(WEEK, now=NOW).summary
    assert (summary.appointments, summary.booked, summary.cancelled) == (8, 6, 2)
    assert (summary.past, summary.citizen_no_shows, summary.employee_no_shows) == (5, 2, 2)
    assert (summary.cancellations_made, summary.moves_made) == (1, 3)
    assert (summary.booked_minutes, summary.offered_minutes) == (180, 4920)


def test_a_filter_with_the_end_before_the_start_is_refused():
    with pytest.raises(ValueError, match="end before start"):
        DashboardFilter(start=END, end=START)


def test_the_counts_take_a_fixed_number_of_queries(data, django_assert_max_num_queries):
    for _ in range(20):
        kep = KepFactory(municipality=data.m1)
        EmployeeFactory(kep=kep)
    with django_assert_max_num_queries(25):
        statistics.dashboard(WEEK, now=NOW)


# --- The pages ----------------------------------------------------------------------------------


@pytest.fixture
def administrator():
    return UserFactory(role=Role.ADMINISTRATOR)


@pytest.fixture
def admin_client(client, administrator):
    return login_staff(client, administrator)


WEEK_QUERY = {"start": "2025-03-10", "end": "2025-03-16"}


def test_the_dashboard_shows_the_figures_in_greek(admin_client, data):
    response = admin_client.get("/administration/dashboard/", WEEK_QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["data"].summary.appointments == 8
    assert '<svg class="kl-chart" id="chart-by-day"' in page
    assert 'id="table-by-kep"' in page
    assert 'data-figure="appointments">8<' in page


def test_the_dashboard_keeps_the_filters_typed(admin_client, data):
    response = admin_client.get(
        "/administration/dashboard/", WEEK_QUERY | {"municipality": data.m2.pk, "category": 1}
    )
    assert response.status_code == 200
    assert [row.code for row in response.context["data"].by_kep] == ["1002"]
    page = response.content.decode()
    assert f'<option value="{data.m2.pk}" selected>' in page
    assert 'value="2025-03-10"' in page


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2025-03-16", "end": "2025-03-10"},  # inverted
        {"start": "2025-02-30", "end": "2025-03-10"},  # no such date
        {"start": "χθες", "end": "2025-03-10"},
        {"start": "2020-01-01", "end": "2025-03-10"},  # too long
        {"start": "2025-03-10", "end": "2025-03-16", "kep": "999999"},
        {"start": "2025-03-10", "end": "2025-03-16", "category": "x"},
        {"start": "", "end": ""},
    ],
)
def test_bad_filters_give_a_clear_message_and_keep_what_was_typed(admin_client, query):
    response = admin_client.get("/administration/dashboard/", query)
    assert response.status_code == 200
    assert "data" not in response.context
    page = response.content.decode()
    assert 'id="error-summary"' in page
    if query["start"]:
        assert f'value="{query["start"]}"' in page


def test_a_kep_outside_the_municipality_chosen_is_refused(admin_client, data):
    response = admin_client.get(
        "/administration/dashboard/", WEEK_QUERY | {"kep": data.a.pk, "municipality": data.m2.pk}
    )
    assert response.context["form"].errors["kep"]


def test_the_default_period_is_the_last_30_days_and_next_14(admin_client):
    response = admin_client.get("/administration/dashboard/")
    assert response.status_code == 200
    f = response.context["data"].filter
    today = timezone.localdate()
    assert (f.start, f.end) == (today - dt.timedelta(days=29), today + dt.timedelta(days=14))


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("by-day", ["2025-03-10", "3", "1", "4"]),
        ("by-kep", ["1001", "ΚΕΠ Άλφα", "5", "1", "6"]),
        ("by-category", None),
        ("by-status", None),
        ("utilisation", ["1001", "ΚΕΠ Άλφα", "150", "3360", "0.0446"]),
        # The pages run on the real clock: by now the "upcoming" call has passed unopened too.
        ("no-shows", ["1001", "ΚΕΠ Άλφα", "5", "2", "0.4000", "3", "0.6000"]),
        ("waits", None),
        ("changes", ["1002", "ΚΕΠ Βήτα", "1", "1", "1", "0", "0"]),
    ],
)
def test_each_table_exports_as_csv_with_a_bom(admin_client, data, table, expected):
    response = admin_client.get(f"/administration/dashboard/{table}.csv", WEEK_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) >= 2
    if expected:
        assert expected in rows[1:]


def test_a_csv_with_bad_filters_is_refused_with_the_message(admin_client):
    response = admin_client.get(
        "/administration/dashboard/by-day.csv", {"start": "2025-03-16", "end": "2025-03-10"}
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()


def test_an_unknown_table_is_not_found(admin_client):
    assert admin_client.get("/administration/dashboard/secrets.csv").status_code == 404


def test_a_formula_in_a_name_is_defused_in_the_csv(admin_client, data):
    data.a.name_el = '=HYPERLINK("http://x")'
    data.a.save()
    rows = read_csv(admin_client.get("/administration/dashboard/by-kep.csv", WEEK_QUERY))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_citizens_waiting_without_an_employee_are_listed(admin_client, data):
    now = timezone.now().replace(second=0, microsecond=0)
    late = Appointment.objects.create(
        status=Status.BOOKED,
        citizen=data.took_place.citizen,
        kep=data.a,
        employee=data.a1,
        category=Category.objects.get(number=1),
        service=data.took_place.service,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(minutes=15),
        blocked_until=now + dt.timedelta(minutes=25),
    )
    WaitingAlert.objects.create(
        appointment=late, kep=data.a, employee=data.a1, starts_at=late.starts_at, raised_at=now
    )
    page = admin_client.get("/administration/dashboard/").content.decode()
    assert 'id="table-unserved"' in page
    assert 'data-kep="1001"' in page[page.index('id="table-unserved"') :]
    elsewhere = admin_client.get("/administration/dashboard/", {"municipality": data.m2.pk})
    assert 'id="no-unserved"' in elsewhere.content.decode()
    home = admin_client.get("/administration/").content.decode()
    assert 'data-figure="unserved">1<' in home


def test_the_home_page_shows_the_last_30_days(admin_client):
    response = admin_client.get("/administration/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/administration/dashboard/"' in page
    assert 'href="/administration/audit/"' in page
    assert 'aria-current="page"' in page


# --- Who may see it -----------------------------------------------------------------------------


def test_an_auditor_is_sent_from_home_to_the_audit_log(client):
    login_staff(client, UserFactory(role=Role.AUDITOR))
    response = client.get("/administration/")
    assert response.status_code == 302
    assert response["Location"] == "/administration/audit/"


@pytest.mark.parametrize(
    "path", ["/administration/dashboard/", "/administration/dashboard/by-day.csv"]
)
def test_an_auditor_may_not_see_the_dashboard(client, path):
    login_staff(client, UserFactory(role=Role.AUDITOR))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.EMPLOYEE, Role.SUPERVISOR])
@pytest.mark.parametrize(
    "path",
    ["/administration/", "/administration/dashboard/", "/administration/dashboard/by-kep.csv"],
)
def test_citizens_and_kep_staff_are_refused(client, role, path):
    if role == Role.CITIZEN:
        client.force_login(UserFactory(role=role))
    else:
        login_staff(client, EmployeeFactory(user__role=role).user)
    assert client.get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_the_administration_login(client):
    response = client.get("/administration/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/administration/login/?next=")


def test_the_nav_of_an_administrator_links_every_existing_part(admin_client):
    page = admin_client.get("/administration/dashboard/", WEEK_QUERY).content.decode()
    nav = page[page.index('class="kl-admin-nav"') : page.index("</nav>")]
    assert 'href="/administration/"' in nav
    assert 'href="/administration/dashboard/"' in nav
    assert 'href="/administration/audit/"' in nav
