"""Who may use the workspace: KEP staff (employees and supervisors) with an active Employee
record. Everyone else is refused — at login with the same message as wrong credentials, and on
every page by ``employee_required``.

Issue 5 puts a TOTP second factor (django-otp) and a lockout after repeated failures
(django-axes) on top of this login; ``EmployeeLoginForm`` and ``employee_required`` are the two
places they hook into.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from keplive.directory.selectors import active_employee

View = Callable[..., HttpResponse]


class EmployeeLoginForm(AuthenticationForm):
    """Django's login form, for KEP staff only. A citizen's or a deactivated employee's correct
    password gets exactly the wrong-credentials message: nothing reveals that the account
    exists."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if active_employee(user) is None:
            raise self.get_invalid_login_error()


def employee_required(view: View) -> View:
    """Workspace pages: anonymous visitors are sent to the employee login and brought back;
    anyone logged in who is not an active KEP employee gets 403. The view is called with the
    ``Employee`` after the request. Never cached (the pages show personal data)."""

    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("workspace:login"))
        employee = active_employee(request.user)
        if employee is None:
            return render(request, "workspace/staff_only.html", status=403)
        return view(request, employee, *args, **kwargs)

    return wrapper
