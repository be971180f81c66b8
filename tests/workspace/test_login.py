"""The employee login (E1): KEP staff with an active employee record only, and nobody else
learns whether their password was right. The password is the first step; the second factor
(tests/accounts/test_staff_login.py) follows."""

from __future__ import annotations

import pytest

from keplive.accounts.models import Role
from keplive.accounts.staff_login import current_code
from keplive.audit.models import AuditEvent
from tests.factories import CitizenFactory, EmployeeFactory, UserFactory
from tests.staff import totp_device
from tests.workspace.conftest import PASSWORD, with_password

pytestmark = pytest.mark.django_db

LOGIN = "/workspace/login/"


def log_in(client, username: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def refusal(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    return errors[0]


def test_the_login_page(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert "csrfmiddlewaretoken" in content
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_employee_logs_in_with_both_factors_and_lands_on_the_day(client, employee):
    device = totp_device(employee.user)
    response = log_in(client, employee.user.username)
    assert response.status_code == 302
    assert response["Location"] == "/workspace/verify/?next=%2Fworkspace%2F"
    # The password alone opens nothing.
    assert client.get("/workspace/")["Location"].startswith("/workspace/verify/")
    response = client.post(response["Location"], {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200
    assert AuditEvent.objects.filter(
        action="employee.password_accepted", actor=employee.user, channel="workspace"
    ).exists()
    assert AuditEvent.objects.filter(action="staff.logged_in", actor=employee.user).exists()


def test_a_supervisor_logs_in(client, supervisor):
    with_password(supervisor.user)
    assert log_in(client, supervisor.user.username).status_code == 302


def test_login_goes_back_to_a_same_site_next(client, employee):
    response = log_in(client, employee.user.username, next="/workspace/?day=2026-01-05")
    assert response["Location"] == "/workspace/verify/?next=%2Fworkspace%2F%3Fday%3D2026-01-05"
    response = client.post(
        response["Location"], {"token": current_code(totp_device(employee.user))}
    )
    assert response["Location"] == "/workspace/?day=2026-01-05"


def test_login_ignores_another_sites_next(client, employee):
    response = log_in(client, employee.user.username, next="https://evil.example/")
    assert response["Location"] == "/workspace/verify/?next=%2Fworkspace%2F"
    response = client.post(
        "/workspace/verify/",
        {"token": current_code(totp_device(employee.user)), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/workspace/"


def test_everyone_else_gets_the_wrong_credentials_message(client, employee):
    wrong_password = refusal(log_in(client, employee.user.username, "wrong password"))
    citizen = with_password(CitizenFactory().user)
    inactive = EmployeeFactory(kep=employee.kep, is_active=False)
    with_password(inactive.user)
    disabled_account = EmployeeFactory(kep=employee.kep, user__is_active=False)
    with_password(disabled_account.user)
    administrator = with_password(UserFactory(role=Role.ADMINISTRATOR, is_staff=True))
    staff_without_employee = with_password(UserFactory(role=Role.EMPLOYEE))
    for user in (
        citizen,
        inactive.user,
        disabled_account.user,
        administrator,
        staff_without_employee,
    ):
        assert refusal(log_in(client, user.username)) == wrong_password, user.username
        assert "_auth_user_id" not in client.session
    assert refusal(log_in(client, "nobody-at-all")) == wrong_password
    refused = AuditEvent.objects.filter(action="employee.login_failed", outcome="refused")
    assert refused.count() == 7
    assert not any(PASSWORD in str(event.details) for event in refused)


def test_the_refusal_keeps_the_user_name_and_not_the_password(client, employee):
    response = log_in(client, employee.user.username, "wrong password")
    content = response.content.decode()
    assert employee.user.username in content
    assert "wrong password" not in content
    assert "govgr-error-summary" in content


def test_logout_is_post_only_and_ends_the_session(employee_client, employee):
    assert employee_client.get("/workspace/logout/").status_code == 405
    response = employee_client.post("/workspace/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/workspace/login/"
    assert employee_client.get("/workspace/").status_code == 302
    assert AuditEvent.objects.filter(action="employee.logged_out", actor=employee.user).exists()


def test_a_deactivated_employee_loses_the_workspace_at_once(employee_client, employee):
    employee.is_active = False
    employee.save(update_fields=["is_active"])
    assert employee_client.get("/workspace/").status_code == 403
