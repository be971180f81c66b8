"""Every URL of KEPlive has an access rule, and each rule is tested for who may not pass.

A new URL pattern without an entry in RULES fails ``test_every_url_has_an_access_rule``.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from keplive.accounts.models import Role
from keplive.audit.models import AuditEvent
from tests.factories import CitizenFactory, UserFactory
from tests.staff import login_staff

PUBLIC = "public"  # anyone, including anonymous visitors
CITIZEN = "citizen"  # a citizen logged in through TAXISnet; staff and anonymous refused
CITIZEN_PAGE = "citizen page"  # the same, for pages: anonymous → login, staff → 403
LINK = "signed link"  # anyone holding a valid signed link from the citizen's email
EMPLOYEE_PAGE = "employee page"  # a KEP employee: anonymous → employee login, others → 403
ADMIN = "admin"  # staff of the Django admin only
ADMINISTRATION = "administration"  # ministry administrators (auditors: the audit log only)
METRICS = "metrics"  # Prometheus, with KEPLIVE_METRICS_TOKEN; nobody else, whoever they are

# (regex over the full route, rule)
RULES: list[tuple[str, str]] = [
    (r"^$", PUBLIC),
    (r"^(healthz|readyz)$", PUBLIC),  # probes (ADR 0018): no data in them
    (r"^metrics$", METRICS),
    (r"^services/$", PUBLIC),
    (r"^municipalities/join/", PUBLIC),  # a municipality applies to join (A5)
    (r"^i18n/", PUBLIC),
    (r"^log(in|out)/", PUBLIC),
    (r"^oauth2server/", PUBLIC),
    (r"^(manual|privacy)/$", PUBLIC),
    (r"^book/", CITIZEN_PAGE),
    (r"^appointments/", CITIZEN_PAGE),
    (r"^manage/cancelled/$", PUBLIC),
    (r"^(manage|call|interpret|offers)/", LINK),
    (r"^workspace/(log(in|out)|verify)/$", PUBLIC),
    (r"^administration/(log(in|out)|verify)/$", PUBLIC),
    (r"^administration/", ADMINISTRATION),
    (r"^workspace/", EMPLOYEE_PAGE),
    # Development only: off, and refused by a start-up check, in production.
    (r"^dev/(mail|codes|sms)/", PUBLIC),
    (r"^api/v1/$", PUBLIC),
    (r"^api/v1/(openapi\.json|docs)$", PUBLIC),
    (r"^api/v1/(categories|services|municipalities|keps|earliest)", PUBLIC),
    (r"^api/v1/(holds|bookings|waiting-requests)", CITIZEN),
    (r"^admin/", ADMIN),
]


def all_routes(patterns=None, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            routes += all_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(prefix + str(entry.pattern))
    return routes


def rule_for(route: str) -> str | None:
    return next((rule for pattern, rule in RULES if re.search(pattern, route)), None)


def test_every_url_has_an_access_rule():
    missing = [route for route in all_routes() if rule_for(route) is None]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "citizen", "administrator"])
def test_metrics_answer_nobody_without_the_token(client, settings, who):
    settings.KEPLIVE_METRICS_TOKEN = "t" * 40
    if who == "citizen":
        client.force_login(CitizenFactory().user)
    elif who == "administrator":
        login_staff(client, UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    assert client.get("/metrics").status_code == 404
    scraper = {"Authorization": "Bearer " + "t" * 40}
    assert client.get("/metrics", headers=scraper).status_code == 200


CITIZEN_ENDPOINTS = [
    ("get", "/api/v1/bookings"),
    ("post", "/api/v1/bookings"),
    ("get", "/api/v1/bookings/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a"),
    ("post", "/api/v1/bookings/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a/reschedule"),
    ("post", "/api/v1/bookings/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a/cancel"),
    ("post", "/api/v1/holds"),
    ("delete", "/api/v1/holds/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a"),
    ("get", "/api/v1/waiting-requests"),
    ("post", "/api/v1/waiting-requests"),
    ("delete", "/api/v1/waiting-requests/5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a"),
]


def test_every_citizen_route_is_probed_below():
    probed = {path.lstrip("/") for _, path in CITIZEN_ENDPOINTS}
    for route in (r for r in all_routes() if rule_for(r) == CITIZEN):
        pattern = "^" + re.sub(r"<[^>]+>", "[^/]+", route) + "$"
        assert any(re.match(pattern, path) for path in probed), route


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), CITIZEN_ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", Role.EMPLOYEE, Role.ADMINISTRATOR])
def test_citizen_endpoints_refuse_everyone_but_citizens(client, method, path, who):
    if who != "anonymous":
        client.force_login(UserFactory(role=who, is_staff=who == Role.ADMINISTRATOR))
    response = getattr(client, method)(path, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "login_required"


ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/citizen/",
    "/admin/audit/auditevent/",
    "/admin/catalogue/category/",
    "/admin/catalogue/service/",
    "/admin/directory/kep/",
    "/admin/directory/municipality/",
    "/admin/directory/employee/",
    "/admin/directory/localholiday/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("who", ["anonymous", Role.CITIZEN, Role.EMPLOYEE])
def test_admin_pages_refuse_non_staff(client, path, who):
    if who != "anonymous":
        client.force_login(UserFactory(role=who))
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    # ... which sends everyone to the two-factor sign-in of the administration.
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith("/administration/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_want_the_second_factor(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_open_for_an_administrator(admin_client, path):
    assert admin_client.get(path).status_code == 200


@pytest.mark.django_db
def test_reading_citizens_in_the_admin_is_audited(admin_client):
    citizen = CitizenFactory()
    admin_client.get("/admin/accounts/citizen/")
    admin_client.get(f"/admin/accounts/citizen/{citizen.pk}/change/")
    actions = list(AuditEvent.objects.values_list("action", "object_id"))
    assert ("citizens.listed", "") in actions
    assert ("citizen.viewed", str(citizen.pk)) in actions


# Every citizen page, probed: anonymous visitors are sent to log in, staff are refused.
# Whoever adds a page under a CITIZEN_PAGE rule adds a path for it here.
REFERENCE = "5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a"
CITIZEN_PAGES: list[tuple[str, str]] = [
    ("get", "/appointments/"),
    ("get", f"/appointments/{REFERENCE}/"),
    ("post", f"/appointments/{REFERENCE}/cancel/"),
    ("get", f"/appointments/{REFERENCE}/reschedule/"),
    ("post", f"/appointments/{REFERENCE}/reschedule/"),
    ("get", f"/appointments/{REFERENCE}/details/"),
    ("post", f"/appointments/{REFERENCE}/details/"),
    ("get", f"/appointments/{REFERENCE}/form.pdf"),
    ("get", f"/appointments/{REFERENCE}/earlier/"),
    ("post", f"/appointments/{REFERENCE}/earlier/"),
    ("post", f"/appointments/waiting/{REFERENCE}/remove/"),
    ("get", "/book/"),
    ("get", "/book/1/"),
    ("get", "/book/1/1/"),
    ("get", "/book/1/1/0001/"),
    ("post", "/book/1/1/0001/"),
    ("get", "/book/1/1/0001/earlier/"),
    ("post", "/book/1/1/0001/earlier/"),
    ("get", f"/book/details/{REFERENCE}/"),
    ("post", f"/book/details/{REFERENCE}/"),
    ("get", f"/book/done/{REFERENCE}/"),
]


def _probe_pattern(route: str) -> str:
    return "^" + re.sub(r"<[^>]+>", "[^/]+", route) + "$"


def test_every_citizen_page_is_probed_below():
    probed = {path.lstrip("/") for _, path in CITIZEN_PAGES}
    for route in (r for r in all_routes() if rule_for(r) == CITIZEN_PAGE):
        assert any(re.match(_probe_pattern(route), path) for path in probed), route


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), CITIZEN_PAGES)
def test_citizen_pages_send_anonymous_visitors_to_log_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), CITIZEN_PAGES)
@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.ADMINISTRATOR])
def test_citizen_pages_refuse_staff(client, method, path, role):
    client.force_login(UserFactory(role=role, is_staff=role == Role.ADMINISTRATOR))
    response = getattr(client, method)(path)
    assert response.status_code == 403


# Every signed-link page, probed with a forged token: refused, with nothing read.
LINK_PAGES: list[tuple[str, str]] = [
    ("get", "/manage/forged-token/"),
    ("post", "/manage/forged-token/cancel/"),
    ("get", "/manage/forged-token/reschedule/"),
    ("post", "/manage/forged-token/reschedule/"),
    ("get", "/manage/forged-token/details/"),
    ("post", "/manage/forged-token/details/"),
    ("get", "/call/forged-token/"),
    ("get", "/interpret/forged-token/"),
    ("get", "/offers/forged-token/"),
    ("post", "/offers/forged-token/"),
]


def test_every_link_page_is_probed_below():
    probed = {path.lstrip("/") for _, path in LINK_PAGES}
    for route in (r for r in all_routes() if rule_for(r) == LINK):
        assert any(re.match(_probe_pattern(route), path) for path in probed), route


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), LINK_PAGES)
def test_link_pages_refuse_a_forged_token(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 410
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    assert not AuditEvent.objects.filter(object_type="appointment").exists()


# Every workspace page, probed: anonymous visitors are sent to the employee login, citizens and
# staff without an active employee record are refused. Whoever adds a page under an
# EMPLOYEE_PAGE rule adds a path for it here.
EMPLOYEE_PAGES: list[tuple[str, str]] = [
    ("get", "/workspace/"),
    ("get", f"/workspace/calls/{REFERENCE}/"),
    ("post", f"/workspace/calls/{REFERENCE}/registry-check/"),
    ("get", "/workspace/week/"),
    ("get", "/workspace/find/"),
    ("get", f"/workspace/appointments/{REFERENCE}/"),
    ("get", "/workspace/upcoming.json"),
    ("get", "/workspace/alerts/"),
    ("post", "/workspace/alerts/1/take-over/"),
    ("get", "/workspace/interpreters/"),
    ("post", "/workspace/interpreters/add/"),
    ("get", "/workspace/support/"),
    ("post", "/workspace/support/"),
    ("get", "/workspace/support/1/"),
    ("post", "/workspace/support/1/"),
    ("get", f"/workspace/appointments/{REFERENCE}/move/"),
    ("post", f"/workspace/appointments/{REFERENCE}/move/"),
    ("get", "/workspace/tasks/"),
    ("post", "/workspace/tasks/1/"),
    ("get", f"/workspace/appointments/{REFERENCE}/outcome/"),
    ("post", f"/workspace/appointments/{REFERENCE}/outcome/"),
    ("get", f"/workspace/appointments/{REFERENCE}/not-servable/"),
    ("post", f"/workspace/appointments/{REFERENCE}/not-servable/"),
    ("get", f"/workspace/appointments/{REFERENCE}/form.pdf"),
    ("get", f"/workspace/appointments/{REFERENCE}/white-application/"),
    ("post", f"/workspace/appointments/{REFERENCE}/white-application/"),
    ("get", f"/workspace/appointments/{REFERENCE}/white-application.pdf"),
    ("post", f"/workspace/appointments/{REFERENCE}/white-application.pdf"),
    ("get", "/workspace/postal/"),
    ("get", "/workspace/postal.csv"),
]


def test_every_employee_page_is_probed_below():
    probed = {path.lstrip("/") for _, path in EMPLOYEE_PAGES}
    for route in (r for r in all_routes() if rule_for(r) == EMPLOYEE_PAGE):
        assert any(re.match(_probe_pattern(route), path) for path in probed), route


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), EMPLOYEE_PAGES)
def test_employee_pages_send_anonymous_visitors_to_log_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), EMPLOYEE_PAGES)
@pytest.mark.parametrize("role", [Role.CITIZEN, Role.EMPLOYEE, Role.ADMINISTRATOR])
def test_employee_pages_refuse_everyone_but_kep_employees(client, method, path, role):
    # A staff role without an active Employee record is refused like a citizen.
    client.force_login(UserFactory(role=role, is_staff=role == Role.ADMINISTRATOR))
    response = getattr(client, method)(path)
    assert response.status_code == 403


# Every administration page, probed: anonymous visitors are sent to the administration login;
# citizens, KEP employees and supervisors are refused; auditors reach only the audit log.
# Whoever adds a page under the ADMINISTRATION rule adds a path for it here, with the roles
# that may use it.
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})
AUDIT_READERS = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})
ADMINISTRATION_PAGES: list[tuple[str, str, frozenset[str]]] = [
    ("get", "/administration/", AUDIT_READERS),
    ("get", "/administration/municipalities/", ADMINISTRATORS),
    ("get", "/administration/municipalities/1/", ADMINISTRATORS),
    ("post", "/administration/municipalities/1/approve/", ADMINISTRATORS),
    ("post", "/administration/municipalities/1/reject/", ADMINISTRATORS),
    ("get", "/administration/services/", ADMINISTRATORS),
    ("get", "/administration/services/new/", ADMINISTRATORS),
    ("post", "/administration/services/new/", ADMINISTRATORS),
    ("get", "/administration/services/1/", ADMINISTRATORS),
    ("post", "/administration/services/1/", ADMINISTRATORS),
    ("get", "/administration/support/", ADMINISTRATORS),
    ("get", "/administration/support/1/", ADMINISTRATORS),
    ("post", "/administration/support/1/", ADMINISTRATORS),
    ("post", "/administration/support/1/close/", ADMINISTRATORS),
    # KEPs, hours, category parameters and the conflict worklist (keps_urls).
    ("get", "/administration/keps/", ADMINISTRATORS),
    ("get", "/administration/keps/add/", ADMINISTRATORS),
    ("post", "/administration/keps/add/", ADMINISTRATORS),
    ("get", "/administration/keps/1/", ADMINISTRATORS),
    ("post", "/administration/keps/1/edit/", ADMINISTRATORS),
    ("post", "/administration/keps/1/deactivate/", ADMINISTRATORS),
    ("post", "/administration/keps/1/reactivate/", ADMINISTRATORS),
    ("post", "/administration/keps/1/remove/", ADMINISTRATORS),
    ("post", "/administration/keps/1/hours/0/", ADMINISTRATORS),
    ("post", "/administration/keps/1/exceptions/add/", ADMINISTRATORS),
    ("post", "/administration/keps/1/exceptions/1/remove/", ADMINISTRATORS),
    ("post", "/administration/keps/1/holidays/add/", ADMINISTRATORS),
    ("post", "/administration/keps/1/holidays/1/remove/", ADMINISTRATORS),
    # An employee's weekly availability and absences (keps_urls, availability_views).
    ("get", "/administration/keps/1/employees/1/", ADMINISTRATORS),
    ("get", "/administration/keps/1/employees/1/availability/0/", ADMINISTRATORS),
    ("post", "/administration/keps/1/employees/1/availability/0/", ADMINISTRATORS),
    ("get", "/administration/keps/1/employees/1/absences/add/", ADMINISTRATORS),
    ("post", "/administration/keps/1/employees/1/absences/add/", ADMINISTRATORS),
    ("post", "/administration/keps/1/employees/1/absences/1/remove/", ADMINISTRATORS),
    ("get", "/administration/categories/", ADMINISTRATORS),
    ("post", "/administration/categories/1/", ADMINISTRATORS),
    ("get", "/administration/worklist/", ADMINISTRATORS),
    ("get", "/administration/worklist/1/", ADMINISTRATORS),
    ("post", "/administration/worklist/1/reassign/", ADMINISTRATORS),
    ("post", "/administration/worklist/1/move/", ADMINISTRATORS),
    # The dashboard (administrators) and the audit log (administrators and auditors).
    ("get", "/administration/dashboard/", ADMINISTRATORS),
    ("get", "/administration/dashboard/by-day.csv", ADMINISTRATORS),
    ("get", "/administration/audit/", AUDIT_READERS),
    ("get", "/administration/audit.csv", AUDIT_READERS),
    ("post", "/administration/audit/verify/", AUDIT_READERS),
]


def test_every_administration_page_is_probed_below():
    probed = {path.lstrip("/") for _, path, _ in ADMINISTRATION_PAGES}
    for route in (r for r in all_routes() if rule_for(r) == ADMINISTRATION):
        assert any(re.match(_probe_pattern(route), path) for path in probed), route


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "roles"), ADMINISTRATION_PAGES)
def test_administration_pages_send_anonymous_visitors_to_log_in(client, method, path, roles):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/administration/login/?next=")


ALL_ROLES = [Role.CITIZEN, Role.EMPLOYEE, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.AUDITOR]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        (method, path, role)
        for method, path, roles in ADMINISTRATION_PAGES
        for role in ALL_ROLES
        if role not in roles
    ],
)
def test_administration_pages_refuse_every_other_role(client, method, path, role):
    login_staff(client, UserFactory(role=role))
    assert getattr(client, method)(path).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "roles"), ADMINISTRATION_PAGES)
def test_administration_pages_want_the_second_factor(client, method, path, roles):
    # A correct password alone is not enough: the session is sent to the code page.
    client.force_login(UserFactory(role=next(iter(roles))))
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/administration/verify/?next=")
