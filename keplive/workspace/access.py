"""Who may use the workspace: KEP staff (employees and supervisors) with an active Employee
record, signed in with a password and a second factor (``keplive.accounts.staff_login``).
Everyone else is refused — at login with the same message as wrong credentials, and on every
page by ``employee_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from keplive.accounts.models import Role
from keplive.accounts.staff_login import StaffAuthenticationForm, staff_page
from keplive.directory.models import Employee
from keplive.directory.selectors import active_employee

View = Callable[..., HttpResponse]


def is_kep_staff(user: Any) -> bool:
    return active_employee(user) is not None


class EmployeeLoginForm(StaffAuthenticationForm):
    allowed = staticmethod(is_kep_staff)


_workspace_page = staff_page(
    allowed=is_kep_staff,
    login_url_name="workspace:login",
    verify_url_name="workspace:verify",
    forbidden_template="workspace/staff_only.html",
)


def employee_required(view: View) -> View:
    """Workspace pages: anonymous visitors are sent to the employee login and brought back;
    anyone logged in who is not an active KEP employee gets 403; an employee whose second factor
    is not yet verified is sent to the code page. The view is called with the ``Employee`` after
    the request. Never cached (the pages show personal data)."""

    @_workspace_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        employee = active_employee(request.user)
        assert employee is not None  # noqa: S101 - checked by _workspace_page
        return view(request, employee, *args, **kwargs)

    return wrapper


def is_supervisor(employee: Employee) -> bool:
    """A KEP supervisor: sees the KEP's alerts and hands appointments over to colleagues."""
    return employee.user.role == Role.SUPERVISOR
