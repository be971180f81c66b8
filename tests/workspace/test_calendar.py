"""The employee's calendar (E2): day and week, mine or the whole KEP, an appointment's details,
and the poll of the in-page reminder (E3). Pages are Greek: assertions use data, ids and Greek."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.models import Appointment, AppointmentDetails, Status
from keplive.calls.models import Call, CallState
from keplive.workspace import calendar_views
from keplive.workspace.calendar_dates import local_span, parse_week, week_label
from tests.conftest import ATHENS
from tests.staff import login_staff
from tests.workspace.conftest import DAY, ID_CARD, at

pytestmark = pytest.mark.django_db

WEEK = week_label(DAY)


def give(appointment: Appointment, employee) -> Appointment:  # type: ignore[no-untyped-def]
    Appointment.objects.filter(pk=appointment.pk).update(employee=employee)
    appointment.refresh_from_db()
    return appointment


def appointment_soon(employee, citizen, service, minutes: int, **details: str) -> Appointment:  # type: ignore[no-untyped-def]
    """A booked appointment of ``employee`` starting ``minutes`` from now (written directly: the
    booking rules refuse times this close)."""
    from keplive.catalogue.models import Category

    start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=minutes)
    appointment = Appointment.objects.create(
        status=Status.BOOKED,
        citizen=citizen,
        kep=employee.kep,
        employee=employee,
        category=Category.objects.get(number=1),
        service=service,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=20),
        blocked_until=start + dt.timedelta(minutes=30),
    )
    AppointmentDetails.objects.create(
        appointment=appointment,
        full_name=details.get("full_name", "Γιώργος Νικολάου"),
        email="giorgos@example.gr",
        mobile_phone="+306900000001",
        postal_address="Σταδίου 5, 10562 Αθήνα",
        document_kind="id_card",
        id_card_number=ID_CARD,
        subject="Βεβαίωση",
        delivery_method="email",
        consent_at=timezone.now(),
    )
    return appointment


def references(response) -> set[str]:  # type: ignore[no-untyped-def]
    if "rows" in response.context:
        return {row["reference"] for row in response.context["rows"]}
    return {row["reference"] for day in response.context["days"] for row in day.rows}


# --- The day ---------------------------------------------------------------------------------


def test_the_day_shows_my_appointments_by_default(employee_client, book, employee, supervisor):
    mine = give(book(9, interpreter="sign_language"), employee)
    colleague = give(book(10, full_name="Νίκος Γεωργίου"), supervisor)
    response = employee_client.get("/workspace/", {"day": DAY.isoformat()})
    assert response.status_code == 200
    assert response.context["scope"] == "mine"
    assert references(response) == {str(mine.reference)}
    content = response.content.decode()
    assert "Μαρία Παπαδοπούλου" in content  # the citizen's declared name
    assert "Νίκος Γεωργίου" not in content
    assert f"/workspace/appointments/{mine.reference}/" in content
    assert f"/workspace/calls/{mine.reference}/" in content
    assert "Διερμηνέας Ελληνικής Νοηματικής Γλώσσας" in content
    assert str(colleague.reference) not in content


def test_the_whole_kep_shows_colleagues_appointments_and_who_serves_them(
    employee_client, book, employee, supervisor
):
    mine = give(book(9), employee)
    colleague = give(book(10, full_name="Νίκος Γεωργίου"), supervisor)
    response = employee_client.get("/workspace/", {"day": DAY.isoformat(), "scope": "kep"})
    assert response.context["scope"] == "kep"
    assert references(response) == {str(mine.reference), str(colleague.reference)}
    rows = {row["reference"]: row for row in response.context["rows"]}
    assert rows[str(mine.reference)]["mine"] is True
    assert rows[str(colleague.reference)]["mine"] is False
    content = response.content.decode()
    assert "Νίκος Γεωργίου" in content
    assert str(supervisor) in content
    event = AuditEvent.objects.filter(action="appointments.listed", channel="workspace").last()
    assert event is not None
    assert event.details["scope"] == "kep"
    assert event.details["count"] == 2
    assert "Νίκος" not in json.dumps(event.details, ensure_ascii=False)


def test_an_unknown_scope_means_mine(employee_client, book):
    book(9)
    response = employee_client.get("/workspace/", {"day": DAY.isoformat(), "scope": "<x>"})
    assert response.status_code == 200
    assert response.context["scope"] == "mine"


def test_the_day_links_keep_the_scope(employee_client):
    response = employee_client.get("/workspace/", {"day": DAY.isoformat(), "scope": "kep"})
    context = response.context
    assert "scope=kep" in context["previous_url"]
    assert "scope=kep" in context["next_url"]
    assert context["switch_url"] == f"/workspace/week/?week={WEEK}&scope=kep"


@pytest.mark.parametrize("raw", ["nonsense", "2026-02-30", "2026-13-01", "", "x" * 500])
def test_a_bad_day_shows_a_greek_message_and_today(employee_client, raw):
    response = employee_client.get("/workspace/", {"day": raw})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    content = response.content.decode()
    assert "govgr-error-summary" in content
    assert "Υπάρχει πρόβλημα" in content


def test_the_calendar_region_alone_for_the_live_update(employee_client, book):
    appointment = book(9)
    response = employee_client.get(
        "/workspace/", {"day": DAY.isoformat()}, headers={"X-KEPlive-Fragment": "calendar"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert 'class="kl-agenda__body"' in content
    assert f'data-version="{response.context["version"]}"' in content
    assert str(appointment.reference) in content
    assert "X-KEPlive-Fragment" in response["Vary"]


# --- The week --------------------------------------------------------------------------------


def test_the_week_groups_my_appointments_by_day(employee_client, book, employee, supervisor):
    first = give(book(9), employee)
    next_day = DAY + dt.timedelta(days=1)
    while next_day.weekday() >= 5:
        next_day += dt.timedelta(days=1)
    second = give(book(11, day=next_day), employee) if week_label(next_day) == WEEK else None
    colleague = give(book(10), supervisor)
    response = employee_client.get("/workspace/week/", {"week": WEEK})
    assert response.status_code == 200
    days = response.context["days"]
    assert [day.day.weekday() for day in days] == [0, 1, 2, 3, 4]  # no weekend without any
    by_day = {day.day: [row["reference"] for row in day.rows] for day in days}
    assert by_day[DAY] == [str(first.reference)]
    if second is not None:
        assert by_day[next_day] == [str(second.reference)]
    assert str(colleague.reference) not in response.content.decode()
    content = response.content.decode()
    assert "kl-week" in content
    assert f"/workspace/appointments/{first.reference}/" in content


def test_the_week_of_the_whole_kep(employee_client, book, employee, supervisor):
    mine = give(book(9), employee)
    colleague = give(book(10), supervisor)
    response = employee_client.get("/workspace/week/", {"week": WEEK, "scope": "kep"})
    assert references(response) == {str(mine.reference), str(colleague.reference)}


def test_the_week_by_default_is_this_week(employee_client):
    response = employee_client.get("/workspace/week/")
    assert response.status_code == 200
    assert response.context["week"] == week_label(timezone.localdate())
    assert response.context["is_this_week"] is True
    assert not response.context["error"]


def test_a_weekend_day_with_an_appointment_is_shown(employee_client, employee, citizen, service):
    from keplive.catalogue.models import Category

    monday = parse_week(WEEK)
    assert monday is not None
    saturday = monday + dt.timedelta(days=5)
    start = dt.datetime.combine(saturday, dt.time(10), tzinfo=ATHENS)
    Appointment.objects.create(
        status=Status.BOOKED,
        citizen=citizen,
        kep=employee.kep,
        employee=employee,
        category=Category.objects.get(number=1),
        service=service,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=20),
        blocked_until=start + dt.timedelta(minutes=30),
    )
    response = employee_client.get("/workspace/week/", {"week": WEEK})
    assert [day.day.weekday() for day in response.context["days"]] == [0, 1, 2, 3, 4, 5]
    # The citizen's TAXISnet name, since nothing was declared.
    assert citizen.last_name in response.content.decode()


@pytest.mark.parametrize(
    "raw", ["2026-W99", "2026-W00", "2021-W53", "nonsense", "2026-13", "", "2026W10", "9" * 300]
)
def test_a_bad_week_shows_a_greek_message_and_this_week(employee_client, raw):
    response = employee_client.get("/workspace/week/", {"week": raw})
    assert response.status_code == 200
    assert response.context["error"]
    assert response.context["week"] == week_label(timezone.localdate())
    assert "govgr-error-summary" in response.content.decode()


def test_a_week_with_53_weeks_and_lower_case(employee_client):
    response = employee_client.get("/workspace/week/", {"week": "2025-W53"})
    assert response.status_code == 200
    assert response.context["error"]  # 2025 has 52 ISO weeks
    response = employee_client.get("/workspace/week/", {"week": "2026-w53"})
    assert not response.context["error"]
    assert response.context["monday"] == dt.date(2026, 12, 28)


def test_weeks_and_days_are_local_days_across_daylight_saving():
    # Summer time starts on Sunday 29 March 2026: that week has 7 * 24 - 1 hours.
    monday = parse_week("2026-W13")
    assert monday == dt.date(2026, 3, 23)
    start, end = local_span(monday, 7)
    assert start == dt.datetime(2026, 3, 23, tzinfo=ATHENS)
    assert end == dt.datetime(2026, 3, 30, tzinfo=ATHENS)
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(days=7, hours=-1)
    assert week_label(dt.date(2027, 1, 1)) == "2026-W53"


# --- Another KEP ---------------------------------------------------------------------------


def test_another_kep_sees_nothing_of_this_one(
    client, book, other_employee, employee, citizen, service
):
    day_one = book(9)
    soon = appointment_soon(employee, citizen, service, 10)
    login_staff(client, other_employee.user)
    for path, params in [
        ("/workspace/", {"day": DAY.isoformat(), "scope": "kep"}),
        ("/workspace/week/", {"week": WEEK, "scope": "kep"}),
        ("/workspace/", {"scope": "kep"}),
        ("/workspace/upcoming.json", {"scope": "kep"}),
    ]:
        response = client.get(path, params)
        assert response.status_code == 200
        content = response.content.decode()
        assert str(day_one.reference) not in content
        assert str(soon.reference) not in content
    for appointment in (day_one, soon):
        response = client.get(f"/workspace/appointments/{appointment.reference}/")
        assert response.status_code == 404


# --- One appointment -----------------------------------------------------------------------


def test_the_details_show_what_was_declared_with_the_document_masked(employee_client, book):
    appointment = book(
        9,
        notes="Θα χρειαστώ βεβαίωση",
        postal_address="Ερμού 10, 10563 Αθήνα",
        mobile_phone="6912345678",
    )
    response = employee_client.get(f"/workspace/appointments/{appointment.reference}/")
    assert response.status_code == 200
    content = response.content.decode()
    for shown in (
        "Μαρία Παπαδοπούλου",
        "maria@example.gr",
        "+306912345678",
        "Ερμού 10, 10563 Αθήνα",
        "Πιστοποιητικό οικογενειακής κατάστασης",
        "Θα χρειαστώ βεβαίωση",
        str(appointment.service),
        str(appointment.category),
        "••••••54",
    ):
        assert shown in content, shown
    assert ID_CARD not in content
    assert f'href="/workspace/calls/{appointment.reference}/"' in content
    assert 'id="join-call"' in content
    # The history, from keplive.booking.history: the booking itself.
    assert 'id="history"' in content
    assert 'data-kind="booked"' in content


def test_reading_the_details_is_audited(employee_client, book, employee):
    appointment = book(9)
    employee_client.get(f"/workspace/appointments/{appointment.reference}/")
    event = AuditEvent.objects.get(action="appointment.viewed")
    assert event.channel == "workspace"
    assert event.object_type == "appointment"
    assert event.object_id == str(appointment.reference)
    assert event.actor_id == employee.user_id
    assert event.outcome == "success"
    assert "Μαρία" not in json.dumps(event.details, ensure_ascii=False)


def test_a_missing_or_foreign_appointment_is_the_same_404_and_audited(
    employee_client, book, other_employee
):
    theirs = book(9, at_kep=other_employee.kep)
    asked = (str(theirs.reference), "5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a", "not-a-uuid")
    answers = [employee_client.get(f"/workspace/appointments/{ref}/") for ref in asked]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    # The same page, but for the address itself (the language switch's "next") and the
    # (always different) CSRF tokens.
    bodies = {
        re.sub(r'value="[^"]{64}"', "", answer.content.decode().replace(ref, "REF"))
        for ref, answer in zip(asked, answers, strict=True)
    }
    assert len(bodies) == 1
    refused = AuditEvent.objects.filter(action="appointment.viewed", outcome="refused")
    assert refused.count() == 3
    assert refused.filter(object_id=str(theirs.reference)).exists()


def test_the_details_of_an_interpreter_request_give_the_interpreter_link(employee_client, book):
    appointment = book(9, interpreter="sign_language")
    response = employee_client.get(f"/workspace/appointments/{appointment.reference}/")
    assert response.context["interpreter_url"].startswith("http://testserver/interpret/")
    assert 'id="interpreter-link"' in response.content.decode()


def test_the_details_of_a_business_booking(employee_client, book):
    appointment = book(9)
    AppointmentDetails.objects.filter(appointment=appointment).update(
        business_name="Αφοί Παπαδόπουλοι ΟΕ", business_tax_id="094019245"
    )
    content = employee_client.get(f"/workspace/appointments/{appointment.reference}/").content
    assert "Αφοί Παπαδόπουλοι ΟΕ".encode() in content
    assert b"094019245" in content


def test_a_cancelled_appointment_opens_without_the_join_button(employee_client, book, citizen):
    appointment = book(9)
    services.cancel_appointment(
        reference=appointment.reference, citizen=citizen, now=timezone.now()
    )
    response = employee_client.get(f"/workspace/appointments/{appointment.reference}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="join-call"' not in content
    assert response.context["actions"] == []
    assert 'data-kind="cancelled"' in content


def test_an_appointment_booked_without_details(employee_client, employee, citizen, service):
    appointment = appointment_soon(employee, citizen, service, 120)
    AppointmentDetails.objects.filter(appointment=appointment).delete()
    response = employee_client.get(f"/workspace/appointments/{appointment.reference}/")
    assert response.status_code == 200
    assert response.context["details"] is None
    assert citizen.last_name in response.content.decode()


def test_action_links_appear_only_for_pages_that_exist(employee_client, book, monkeypatch):
    appointment = book(9)
    monkeypatch.setattr(
        calendar_views,
        "ACTIONS",
        [
            ("workspace:call", "Κλήση", False),
            ("workspace:no_such_page", "Τίποτα", False),
            ("workspace:appointment", "Λευκή αίτηση", True),  # municipal services only
        ],
    )
    response = employee_client.get(f"/workspace/appointments/{appointment.reference}/")
    assert [action["name"] for action in response.context["actions"]] == ["call"]
    assert 'data-action="call"' in response.content.decode()


# --- The poll: /workspace/upcoming.json ------------------------------------------------------


def test_upcoming_holds_my_next_hour_without_personal_data(
    employee_client, employee, supervisor, citizen, service
):
    in_14 = appointment_soon(employee, citizen, service, 14)
    in_50 = appointment_soon(employee, citizen, service, 50)
    appointment_soon(employee, citizen, service, 90)  # beyond the hour
    appointment_soon(supervisor, citizen, service, 14, full_name="Άλλος Πολίτης")
    before = AuditEvent.objects.count()
    response = employee_client.get("/workspace/upcoming.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["remind_minutes"] == 15
    assert data["version"] is None
    assert [item["reference"] for item in data["upcoming"]] == [
        str(in_14.reference),
        str(in_50.reference),
    ]
    assert all(set(item) == {"reference", "starts_at", "url"} for item in data["upcoming"])
    assert dt.datetime.fromisoformat(data["upcoming"][0]["starts_at"]) == in_14.starts_at
    body = response.content.decode()
    for personal in ("Γιώργος", "giorgos@", "+3069", "Σταδίου", ID_CARD, citizen.tax_id):
        assert personal not in body
    assert AuditEvent.objects.count() == before  # nothing personal read, nothing to audit
    assert "no-cache" in response["Cache-Control"] or response["Cache-Control"].startswith(
        "max-age=0"
    )


def test_upcoming_leaves_out_a_call_already_opened(employee_client, employee, citizen, service):
    # Served early (or open and waiting): the reminder for it is no longer wanted.
    from django.utils import timezone

    from keplive.calls.models import Call, CallState

    opened = appointment_soon(employee, citizen, service, 14)
    waiting = appointment_soon(employee, citizen, service, 50)
    Call.objects.create(
        appointment=opened, state=CallState.ENDED, opened_by=employee, opened_at=timezone.now()
    )
    Call.objects.create(appointment=waiting)  # a call row, not yet opened
    data = employee_client.get("/workspace/upcoming.json").json()
    assert [item["reference"] for item in data["upcoming"]] == [str(waiting.reference)]


def test_upcoming_answers_304_while_nothing_changes(employee_client, employee, citizen, service):
    appointment_soon(employee, citizen, service, 14)
    first = employee_client.get("/workspace/upcoming.json", {"day": DAY.isoformat()})
    etag = first["ETag"]
    again = employee_client.get(
        "/workspace/upcoming.json", {"day": DAY.isoformat()}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    appointment_soon(employee, citizen, service, 45)
    changed = employee_client.get(
        "/workspace/upcoming.json", {"day": DAY.isoformat()}, headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_version_follows_what_the_calendar_shows(
    employee_client, book, citizen, employee, supervisor
):
    def version(**params: str) -> str:
        return employee_client.get("/workspace/upcoming.json", params).json()["version"]

    day = {"day": DAY.isoformat(), "scope": "kep"}
    empty = version(**day)
    appointment = give(book(9), employee)
    booked = version(**day)
    assert booked != empty
    assert version(**day) == booked  # stable while nothing changes
    page = employee_client.get("/workspace/", day)
    assert page.context["version"] == booked
    Call.objects.create(appointment=appointment, state=CallState.KNOCKING)
    knocking = version(**day)
    assert knocking != booked
    assert (
        version(week=WEEK, scope="kep")
        == employee_client.get("/workspace/week/", {"week": WEEK, "scope": "kep"}).context[
            "version"
        ]
    )
    give(appointment, supervisor)
    assert version(day=DAY.isoformat(), scope="mine") != version(**day)
    services.cancel_appointment(
        reference=appointment.reference, citizen=citizen, now=timezone.now()
    )
    assert version(**day) == empty


@pytest.mark.parametrize("params", [{"day": "nonsense"}, {"week": "2026-W99"}, {"day": ""}])
def test_upcoming_refuses_a_bad_day_or_week_with_400(employee_client, params):
    response = employee_client.get("/workspace/upcoming.json", params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_reminder_script_is_on_the_calendar_pages(employee_client, book):
    appointment = book(9)
    for path in (
        "/workspace/",
        "/workspace/week/",
        f"/workspace/appointments/{appointment.reference}/",
    ):
        content = employee_client.get(path).content.decode()
        assert 'id="kl-reminders"' in content, path
        assert 'data-upcoming-url="/workspace/upcoming.json"' in content
        assert "js/workspace.js" in content
        assert "css/workspace.css" in content
        assert "<script>" not in content  # no inline script


def test_the_day_starts_at_local_midnight(employee_client, employee, citizen, service):
    # 00:30 Athens time on DAY is the previous day in UTC; it belongs to DAY.
    from keplive.catalogue.models import Category

    start = at(0, 30)
    Appointment.objects.create(
        status=Status.BOOKED,
        citizen=citizen,
        kep=employee.kep,
        employee=employee,
        category=Category.objects.get(number=1),
        service=service,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=20),
        blocked_until=start + dt.timedelta(minutes=30),
    )
    response = employee_client.get("/workspace/", {"day": DAY.isoformat()})
    assert len(response.context["rows"]) == 1
    previous = employee_client.get("/workspace/", {"day": (DAY - dt.timedelta(days=1)).isoformat()})
    assert previous.context["rows"] == []
