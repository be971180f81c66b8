"""Commands on accounts. Today: a citizen logging in through TAXISnet."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from keplive.accounts.models import Citizen, Role, User
from keplive.audit.models import Outcome
from keplive.audit.services import Origin, record_event
from keplive.integrations.gsis import Userinfo


class CitizenAccountDisabled(Exception):
    """The citizen's account has been deactivated; TAXISnet login does not reopen it."""

    reason = "account_disabled"


@transaction.atomic
def log_in_citizen(*, userinfo: Userinfo, origin: Origin) -> User:
    """The citizen's user for a TAXISnet login, created on the first one; the tax number and
    names are refreshed from TAXISnet each time. Nothing else TAXISnet sent is kept.

    Records ``citizen.logged_in`` (no personal data in its details). Raises
    ``CitizenAccountDisabled`` for a deactivated account, changing nothing; the caller records
    the refusal with ``record_failed_citizen_login``.
    """
    citizen = (
        Citizen.objects.select_for_update(no_key=True, of=("self",))
        .select_related("user")
        .filter(tax_id=userinfo.tax_id)
        .first()
    )
    created = False
    if citizen is None:
        citizen, created = _create_citizen(userinfo)
    user = citizen.user
    if not user.is_active:
        raise CitizenAccountDisabled()
    if not created:
        _refresh_names(citizen, userinfo)
    record_event(
        action="citizen.logged_in",
        actor=user,
        origin=origin,
        object_type="citizen",
        object_id=citizen.pk,
        details={"first_login": created},
    )
    return user


def record_failed_citizen_login(*, reason: str, origin: Origin) -> None:
    """A TAXISnet login that did not get a citizen in: ``reason`` is a short code
    (state_mismatch, access_denied, gsis_unavailable, invalid_tax_id, …), never personal data."""
    record_event(
        action="citizen.login_failed",
        origin=origin,
        object_type="citizen",
        outcome=Outcome.REFUSED,
        details={"reason": reason[:64]},
    )


def record_citizen_logout(*, user: User, origin: Origin) -> None:
    record_event(
        action="citizen.logged_out",
        actor=user,
        origin=origin,
        object_type="citizen",
        object_id=getattr(getattr(user, "citizen", None), "pk", ""),
    )


def _create_citizen(userinfo: Userinfo) -> tuple[Citizen, bool]:
    """A new user and citizen, and True; if a simultaneous first login of the same tax number
    won the race, that one's citizen, and False."""
    try:
        with transaction.atomic():
            user = User(
                username=f"citizen-{secrets.token_hex(8)}",
                first_name=userinfo.first_name,
                last_name=userinfo.last_name,
                role=Role.CITIZEN,
            )
            user.set_unusable_password()
            user.save()
            citizen = Citizen.objects.create(
                user=user,
                tax_id=userinfo.tax_id,
                first_name=userinfo.first_name,
                last_name=userinfo.last_name,
                father_name=userinfo.father_name,
            )
    except IntegrityError:
        return Citizen.objects.select_related("user").get(tax_id=userinfo.tax_id), False
    return citizen, True


def _refresh_names(citizen: Citizen, userinfo: Userinfo) -> None:
    names = {
        "first_name": userinfo.first_name,
        "last_name": userinfo.last_name,
        "father_name": userinfo.father_name,
    }
    if any(getattr(citizen, field) != value for field, value in names.items()):
        for field, value in names.items():
            setattr(citizen, field, value)
        citizen.save(update_fields=list(names))
    user = citizen.user
    if (user.first_name, user.last_name) != (userinfo.first_name, userinfo.last_name):
        user.first_name, user.last_name = userinfo.first_name, userinfo.last_name
        user.save(update_fields=["first_name", "last_name"])
