"""The audit log pages (issue 6 item 8; P7): search, pages, CSV export, verifying the signed
checkpoints (ADR 0011), reading recorded as events, and who may use them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent, Outcome
from keplive.audit.search import AuditQuery, matching_events
from keplive.audit.selectors import Problem
from keplive.audit.services import Origin, record_event, seal_audit_log
from tests.conftest import athens
from tests.factories import EmployeeFactory, UserFactory
from tests.staff import allow_audit_tampering, login_staff

pytestmark = pytest.mark.django_db

URL = "/administration/audit/"


@pytest.fixture
def administrator():
    return UserFactory(role=Role.ADMINISTRATOR, username="admin.maria")


@pytest.fixture
def auditor():
    return UserFactory(role=Role.AUDITOR, username="auditor.nikos")


@pytest.fixture
def admin_client(client, administrator):
    return login_staff(client, administrator)


@pytest.fixture
def events(administrator):
    """Five known events, a day apart, in March 2025."""
    employee = UserFactory(role=Role.EMPLOYEE, username="employee.eleni")
    web = Origin(ip_address="192.0.2.10", channel="web")
    return [
        record_event(
            action="appointment.booked",
            object_type="appointment",
            object_id="ref-1",
            origin=web,
            occurred_at=athens(2025, 3, 10, 9),
        ),
        record_event(
            action="appointment.cancelled",
            object_type="appointment",
            object_id="ref-1",
            origin=web,
            occurred_at=athens(2025, 3, 11, 9),
        ),
        record_event(
            action="appointment_details.viewed",
            actor=employee,
            object_type="appointment",
            object_id="ref-2",
            origin=Origin(channel="workspace"),
            occurred_at=athens(2025, 3, 12, 9),
        ),
        record_event(
            action="appointment_details.viewed",
            actor=employee,
            object_type="appointment",
            object_id="ref-3",
            outcome=Outcome.REFUSED,
            origin=Origin(channel="workspace"),
            occurred_at=athens(2025, 3, 13, 9),
        ),
        record_event(
            action="kep.deactivated",
            actor=administrator,
            object_type="kep",
            object_id="7",
            origin=Origin(channel="administration"),
            occurred_at=athens(2025, 3, 14, 23, 30),
        ),
    ]


def ids(events) -> list[int]:
    return [event.pk for event in events]


# --- The search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (AuditQuery(), [4, 3, 2, 1, 0]),
        (AuditQuery(action="appointment.booked"), [0]),
        (AuditQuery(action="appointment*"), [3, 2, 1, 0]),
        (AuditQuery(action="appointment"), []),  # exact unless it ends with *
        (AuditQuery(actor="employee.eleni"), [3, 2]),
        (AuditQuery(object_type="kep"), [4]),
        (AuditQuery(object_id="ref-1"), [1, 0]),
        (AuditQuery(outcome="refused"), [3]),
        (AuditQuery(channel="web"), [1, 0]),
        (
            AuditQuery(occurred_from=athens(2025, 3, 11), occurred_until=athens(2025, 3, 13)),
            [2, 1],
        ),
        (AuditQuery(actor="employee.eleni", outcome="success"), [2]),
    ],
)
def test_the_search_matches_each_filter(events, query, expected):
    found = list(matching_events(query).order_by("-pk"))
    assert ids(found) == [events[i].pk for i in expected]


def test_the_actor_may_be_given_by_number(events, administrator):
    assert ids(matching_events(AuditQuery(actor=str(administrator.pk)))) == [events[4].pk]


def test_the_page_searches_with_local_dates(admin_client, events):
    # 14 March 23:30 in Athens is 21:30 UTC: it belongs to the 14th, not the 15th.
    response = admin_client.get(
        URL, {"occurred_from": "2025-03-14", "occurred_until": "2025-03-14"}
    )
    assert ids(response.context["page"].events) == [events[4].pk]
    response = admin_client.get(URL, {"occurred_from": "2025-03-15"})
    found = ids(response.context["page"].events)
    assert events[4].pk not in found


def test_the_page_shows_events_newest_first_with_their_details(admin_client, events):
    response = admin_client.get(URL, {"action": "appointment*", "channel": "web"})
    assert response.status_code == 200
    page = response.content.decode()
    assert ids(response.context["page"].events) == [events[1].pk, events[0].pk]
    assert f'data-event="{events[1].pk}"' in page
    assert "192.0.2.10" in page
    assert "<caption" in page


def test_the_filters_typed_are_kept(admin_client, events):
    page = admin_client.get(URL, {"action": "kep.*", "object_id": "7"}).content.decode()
    assert 'value="kep.*"' in page
    assert 'value="7"' in page


def test_pages_of_fifty_go_back_and_forth(admin_client):
    made = [
        record_event(action="test.event", object_type="test", object_id=str(n)) for n in range(120)
    ]
    first = admin_client.get(URL, {"action": "test.event"}).context["page"]
    assert ids(first.events) == [event.pk for event in reversed(made[70:])]
    assert first.newer is None
    second = admin_client.get(URL, {"action": "test.event", "before": first.older}).context["page"]
    assert ids(second.events) == [event.pk for event in reversed(made[20:70])]
    third = admin_client.get(URL, {"action": "test.event", "before": second.older}).context["page"]
    assert ids(third.events) == [event.pk for event in reversed(made[:20])]
    assert third.older is None
    back = admin_client.get(URL, {"action": "test.event", "after": third.newer}).context["page"]
    assert ids(back.events) == ids(second.events)
    page = admin_client.get(URL, {"action": "test.event", "before": first.older}).content.decode()
    assert f"before={second.older}" in page
    assert f"after={second.newer}" in page


@pytest.mark.parametrize(
    "query",
    [
        {"occurred_from": "2025-02-30"},
        {"occurred_from": "yesterday"},
        {"occurred_from": "2025-03-14", "occurred_until": "2025-03-10"},
        {"outcome": "maybe"},
        {"action": "x" * 65},
    ],
)
def test_bad_search_input_gives_a_clear_message_and_keeps_what_was_typed(admin_client, query):
    response = admin_client.get(URL, query)
    assert response.status_code == 200
    assert "page" not in response.context
    page = response.content.decode()
    assert 'id="error-summary"' in page
    for value in query.values():
        if value != "maybe":
            assert f'value="{value}"' in page


@pytest.mark.parametrize("cursor", ["abc", "-5", "99999999999999999999999", ""])
def test_a_bad_page_cursor_is_ignored(admin_client, events, cursor):
    response = admin_client.get(URL, {"before": cursor, "after": cursor})
    assert response.status_code == 200
    assert response.context["page"].events


def test_every_search_is_recorded_without_the_values_searched(admin_client, administrator, events):
    admin_client.get(URL, {"actor": "employee.eleni", "outcome": "refused"})
    recorded = AuditEvent.objects.filter(action="audit_log.searched").get()
    assert recorded.actor == administrator
    assert recorded.channel == "administration"
    assert recorded.details["filters"] == ["actor", "outcome"]
    assert "employee.eleni" not in str(recorded.details)


# --- Export -------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_has_the_search_as_csv(admin_client, administrator, events):
    response = admin_client.get("/administration/audit.csv", {"object_type": "appointment"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = read_csv(response)
    assert len(rows[0]) == 12
    assert [row[0] for row in rows[1:]] == [str(events[i].pk) for i in (3, 2, 1, 0)]
    refused = rows[1]
    assert refused[2:9] == [
        "employee.eleni",
        "employee",
        "appointment_details.viewed",
        "appointment",
        "ref-3",
        "refused",
        "workspace",
    ]
    assert refused[1] == "2025-03-13T09:00:00+02:00"
    assert refused[11] == events[3].leaf_hash
    recorded = AuditEvent.objects.filter(action="audit_log.exported").get()
    assert recorded.actor == administrator
    assert recorded.details == {"filters": ["object_type"], "rows": 4, "truncated": False}


def test_the_export_is_capped(admin_client, events, monkeypatch):
    monkeypatch.setattr("keplive.audit.search.EXPORT_LIMIT", 2)
    rows = read_csv(admin_client.get("/administration/audit.csv"))
    assert len(rows) == 3
    assert AuditEvent.objects.get(action="audit_log.exported").details["truncated"] is True


def test_an_export_with_bad_input_is_refused_with_the_message(admin_client):
    response = admin_client.get("/administration/audit.csv", {"occurred_from": "2025-13-01"})
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit_log.exported").exists()


# --- The chain ----------------------------------------------------------------------------------


def test_verifying_an_intact_chain(admin_client, administrator, events):
    seal_audit_log()
    response = admin_client.post("/administration/audit/verify/")
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.intact, report.checked, report.checkpoints, report.unsealed) == (
        True,
        len(events),
        1,
        0,
    )
    page = response.content.decode()
    assert 'data-intact="true"' in page
    assert 'id="latest-checkpoint"' in page
    assert report.latest.checkpoint_hash in page
    recorded = AuditEvent.objects.get(action="audit_log.chain_verified")
    assert recorded.actor == administrator
    assert recorded.details == {
        "checked": 5,
        "intact": True,
        "first_broken_id": None,
        "problems": 0,
        "checkpoints": 1,
        "unsealed": 0,
    }
    call_command("verify_audit_chain")  # and the command agrees, this event (unsealed) included


def test_verifying_names_the_events_not_sealed_yet(admin_client, events):
    seal_audit_log()
    record_event(action="appointment.booked", occurred_at=athens(2025, 3, 20, 9))
    response = admin_client.post("/administration/audit/verify/")
    report = response.context["report"]
    assert (report.intact, report.checked, report.unsealed) == (True, len(events), 1)
    assert report.oldest_unsealed_at == athens(2025, 3, 20, 9)
    assert 'id="chain-unsealed"' in response.content.decode()


def test_verifying_a_tampered_chain_names_the_first_broken_event(admin_client, events):
    seal_audit_log()
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=events[2].pk).update(object_id="someone-else")
    response = admin_client.post("/administration/audit/verify/")
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.intact, report.first_broken_id, report.checked) == (False, events[2].pk, 4)
    assert [problem.kind for problem in report.problems] == [Problem.EVENT_CHANGED]
    page = response.content.decode()
    assert 'data-intact="false"' in page
    start = page.index('id="chain-problems"')
    assert report.problems[0].describe() in page[start : page.index("</ul>", start)]
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


def test_verifying_a_chain_with_a_deleted_event(admin_client, events):
    seal_audit_log()
    allow_audit_tampering()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    report = admin_client.post("/administration/audit/verify/").context["report"]
    [problem] = report.problems
    assert problem.kind == Problem.EVENTS_DIFFER
    assert problem.event_id <= events[1].pk <= problem.through_id
    assert report.first_broken_id == problem.event_id


def test_verifying_takes_a_post(admin_client):
    assert admin_client.get("/administration/audit/verify/").status_code == 405


def test_verifying_needs_the_csrf_token(client, administrator):
    from django.test import Client

    strict = login_staff(Client(enforce_csrf_checks=True), administrator)
    assert strict.post("/administration/audit/verify/").status_code == 403


def test_the_database_refuses_to_change_an_audit_event(events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(action="changed")
    assert AuditEvent.objects.get(pk=events[0].pk).action == events[0].action


@pytest.mark.postgres
def test_postgresql_refuses_to_delete_an_audit_event(require_postgres, events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert AuditEvent.objects.filter(pk=events[0].pk).exists()


# --- Who may use it -----------------------------------------------------------------------------


def test_an_auditor_may_search_export_and_verify(client, auditor, events):
    login_staff(client, auditor)
    page = client.get(URL)
    assert page.status_code == 200
    assert client.get("/administration/audit.csv").status_code == 200
    assert client.post("/administration/audit/verify/").status_code == 200
    nav = page.content.decode()
    nav = nav[nav.index('class="kl-admin-nav"') : nav.index("</nav>")]
    assert 'href="/administration/audit/"' in nav
    assert 'href="/administration/dashboard/"' not in nav
    assert 'href="/administration/"' not in nav
    actions = set(AuditEvent.objects.filter(actor=auditor).values_list("action", flat=True))
    assert actions == {"audit_log.searched", "audit_log.exported", "audit_log.chain_verified"}


PAGES = [
    ("get", URL),
    ("get", "/administration/audit.csv"),
    ("post", "/administration/audit/verify/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
@pytest.mark.parametrize("role", [Role.CITIZEN, Role.EMPLOYEE, Role.SUPERVISOR])
def test_citizens_employees_and_supervisors_are_refused(client, method, path, role, events):
    if role == Role.CITIZEN:
        client.force_login(UserFactory(role=role))
    else:
        login_staff(client, EmployeeFactory(user__role=role).user)
    assert getattr(client, method)(path).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="audit_log.").exists()


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/administration/login/?next=")


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_an_administrator_without_the_second_factor_is_sent_to_the_code(
    client, administrator, method, path
):
    client.force_login(administrator)
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/administration/verify/")


def test_reading_the_log_changes_no_event(admin_client, events):
    before = list(AuditEvent.objects.order_by("pk").values_list("pk", "digest"))
    admin_client.get(URL)
    admin_client.get("/administration/audit.csv")
    after = list(AuditEvent.objects.order_by("pk").values_list("pk", "digest"))
    assert after[: len(before)] == before
    assert len(after) == len(before) + 2


def test_dates_are_not_naive(events):
    assert all(event.occurred_at.tzinfo is not None for event in events)
    assert events[4].occurred_at == dt.datetime(2025, 3, 14, 21, 30, tzinfo=dt.UTC)
