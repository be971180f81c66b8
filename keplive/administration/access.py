"""Who may use the administration (issue 6 item 1): the ministry's administrators, and auditors
for the audit log only, signed in with a password and a second factor
(``keplive.accounts.staff_login``). KEP employees, supervisors and citizens are refused.

Each view declares the roles it serves: ``@role_required(Role.ADMINISTRATOR)`` or
``@role_required(Role.ADMINISTRATOR, Role.AUDITOR)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from keplive.accounts.models import Role
from keplive.accounts.staff_login import StaffAuthenticationForm, staff_page

View = Callable[..., HttpResponse]

ADMIN_ROLES = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})


def is_ministry_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in ADMIN_ROLES)


class AdministrationLoginForm(StaffAuthenticationForm):
    allowed = staticmethod(is_ministry_staff)


def role_required(*roles: str) -> Callable[[View], View]:
    """Administration pages for ``roles``: anonymous → the administration login; anyone else
    signed in → 403; the second factor not yet verified → the code page."""
    wanted = frozenset(roles)

    def allowed(user: Any) -> bool:
        return bool(user.is_active and user.role in wanted)

    return staff_page(
        allowed=allowed,
        login_url_name="administration:login",
        verify_url_name="administration:verify",
        forbidden_template="administration/forbidden.html",
    )
