"""Every workspace page: anonymous visitors are sent to the employee login, citizens and other
staff are refused, and an employee of another KEP finds nothing of this one."""

from __future__ import annotations

import pytest

from keplive.accounts.models import Role
from tests.factories import CitizenFactory, UserFactory
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def main(response) -> str:  # type: ignore[no-untyped-def]
    """The page's own content (the header's forms carry the address and a CSRF token)."""
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


REFERENCE = "5b8f3d5e-1d8a-4d0e-9a53-8f1d2d3c4b5a"
PAGES = [
    ("get", "/workspace/"),
    ("get", "/workspace/?day=2026-03-02"),
    ("get", f"/workspace/calls/{REFERENCE}/"),
    ("post", f"/workspace/calls/{REFERENCE}/registry-check/"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_the_employee_login(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/?next=/workspace/")


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_citizens_are_refused(client, method, path):
    client.force_login(CitizenFactory().user)
    response = getattr(client, method)(path)
    assert response.status_code == 403
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize(("method", "path"), PAGES)
@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR, Role.EMPLOYEE])
def test_staff_without_an_active_employee_record_are_refused(client, method, path, role):
    client.force_login(UserFactory(role=role, is_staff=role == Role.ADMINISTRATOR))
    assert getattr(client, method)(path).status_code == 403


def test_another_kep_sees_neither_the_call_nor_the_check(client, book, other_employee):
    appointment = book()
    login_staff(client, other_employee.user)
    page = client.get(f"/workspace/calls/{appointment.reference}/")
    assert page.status_code == 404
    check = client.post(f"/workspace/calls/{appointment.reference}/registry-check/")
    assert check.status_code == 404
    # Exactly what a reference that does not exist gets.
    assert main(client.get(f"/workspace/calls/{REFERENCE}/")) == main(page)
    assert client.post(f"/workspace/calls/{REFERENCE}/registry-check/").json() == check.json()


def test_the_registry_check_is_post_only(employee_client, book):
    appointment = book()
    response = employee_client.get(f"/workspace/calls/{appointment.reference}/registry-check/")
    assert response.status_code == 405


@pytest.mark.parametrize("reference", ["not-a-uuid", "5b8f3d5e"])
def test_a_malformed_reference_is_not_found(employee_client, reference):
    assert employee_client.get(f"/workspace/calls/{reference}/").status_code == 404
    assert employee_client.post(f"/workspace/calls/{reference}/registry-check/").status_code == 404
