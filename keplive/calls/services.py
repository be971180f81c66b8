"""Changing a call's state (docs/calls.md). Each change locks the call's row, checks who may
make it and from which state, bumps ``version`` and writes an audit event in one transaction.

Only the employee of the appointment's KEP admits, turns away, confirms identity, switches to
audio only, blocks the citizen's camera and ends the call; the platform never ends a call by
itself (E5). ``mark_no_shows`` only *records* that the citizen did not come.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.locks import for_change
from keplive.booking.models import (
    Appointment,
    AppointmentDetails,
    DeliveryMethod,
    DocumentKind,
    Status,
)
from keplive.calls.exceptions import CallEnded, InvalidDelivery, InvalidTransition, NotAllowed
from keplive.calls.models import Call, CallState, Role
from keplive.directory.models import Employee
from keplive.integrations.police.base import IdentityRegistry

# E5: the employee waits at most this long after the start for a citizen who never arrives.
NO_SHOW_AFTER = dt.timedelta(minutes=10)
# A call may run past its slot until the employee ends it: its links keep opening it this long
# after the slot's end (the call pages and the signalling both use it).
LINK_OVERRUN = dt.timedelta(hours=2)
# How far back the no-show sweep looks: a bounded query, however long the worker was down.
NO_SHOW_LOOKBACK = dt.timedelta(days=1)

ADMITTED_STATES = (CallState.IDENTITY_CHECK, CallState.IN_CALL)


def _locked(call: Call) -> Call:
    locked = for_change(Call.objects.select_related("appointment", "appointment__kep")).get(
        pk=call.pk
    )
    if locked.state == CallState.ENDED:
        raise CallEnded()
    return locked


def _check_employee(call: Call, employee: Employee) -> None:
    if employee.kep_id != call.appointment.kep_id or not employee.is_active:
        raise NotAllowed()


def _save(call: Call, fields: list[str]) -> Call:
    call.version += 1
    call.save(update_fields=[*fields, "version", "updated_at"])
    return call


def _audit(
    call: Call,
    action: str,
    *,
    actor: Any = None,
    origin: Origin = SYSTEM,
    details: dict[str, Any] | None = None,
) -> None:
    record_event(
        action=f"call.{action}",
        actor=actor,
        origin=origin,
        object_type="appointment",
        object_id=call.appointment.reference,
        details=details or {},
    )


def open_call(*, call: Call, employee: Employee, now: dt.datetime, origin: Origin = SYSTEM) -> Call:
    """The employee enters the room (E5). Re-entering changes nothing."""
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if call.state != CallState.SCHEDULED:
            return call
        call.state, call.opened_by, call.opened_at = CallState.OPEN, employee, now
        _audit(call, "opened", actor=employee.user, origin=origin)
        return _save(call, ["state", "opened_by", "opened_at"])


def knock(*, call: Call, role: str, now: dt.datetime, origin: Origin = SYSTEM) -> Call:
    """The citizen or the interpreter arrives and asks to be let in. Knocking again (a re-join)
    changes nothing; an admitted participant who re-joins stays admitted."""
    with transaction.atomic():
        call = _locked(call)
        if role == Role.CITIZEN:
            if call.state in (CallState.KNOCKING, *ADMITTED_STATES):
                return call
            call.state = CallState.KNOCKING
            call.knocked_at = call.knocked_at or now
            _audit(call, "knocked", actor=call.appointment.citizen.user, origin=origin)
            return _save(call, ["state", "knocked_at"])
        if role == Role.INTERPRETER:
            if call.interpreter_knocking or call.interpreter_admitted:
                return call
            call.interpreter_knocking = True
            _audit(call, "interpreter_knocked", origin=origin)
            return _save(call, ["interpreter_knocking"])
        raise NotAllowed()


def admit(
    *, call: Call, employee: Employee, role: str, now: dt.datetime, origin: Origin = SYSTEM
) -> Call:
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if role == Role.CITIZEN:
            if call.state != CallState.KNOCKING:
                raise InvalidTransition(_("The citizen is not waiting to be admitted."))
            call.state, call.admitted_at = CallState.IDENTITY_CHECK, now
            _audit(call, "admitted", actor=employee.user, origin=origin, details={"role": role})
            return _save(call, ["state", "admitted_at"])
        if role == Role.INTERPRETER:
            if not call.interpreter_knocking:
                raise InvalidTransition(_("The interpreter is not waiting to be admitted."))
            call.interpreter_knocking, call.interpreter_admitted = False, True
            # E7, circular 002: the citizen's camera stays on while an interpreter takes part
            # (a deaf citizen signs to the interpreter).
            call.audio_only = False
            call.citizen_camera_blocked = False
            _audit(call, "admitted", actor=employee.user, origin=origin, details={"role": role})
            return _save(
                call,
                [
                    "interpreter_knocking",
                    "interpreter_admitted",
                    "audio_only",
                    "citizen_camera_blocked",
                ],
            )
        raise InvalidTransition()


def turn_away(
    *, call: Call, employee: Employee, role: str, now: dt.datetime, origin: Origin = SYSTEM
) -> Call:
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if role == Role.CITIZEN and call.state == CallState.KNOCKING:
            call.state = CallState.OPEN
            _audit(call, "turned_away", actor=employee.user, origin=origin, details={"role": role})
            return _save(call, ["state"])
        if role == Role.INTERPRETER and call.interpreter_knocking:
            call.interpreter_knocking = False
            _audit(call, "turned_away", actor=employee.user, origin=origin, details={"role": role})
            return _save(call, ["interpreter_knocking"])
        raise InvalidTransition(_("Nobody is waiting to be admitted."))


def confirm_identity(
    *, call: Call, employee: Employee, verified: bool, now: dt.datetime, origin: Origin = SYSTEM
) -> Call:
    """The employee's own judgement after seeing the document on camera (E6). Confirmed, the
    call moves on; not confirmed, it stays at the identity check."""
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if call.state not in ADMITTED_STATES:
            raise InvalidTransition(_("The citizen has not been admitted yet."))
        call.identity_confirmed, call.identity_confirmed_at = bool(verified), now
        fields = ["identity_confirmed", "identity_confirmed_at"]
        if verified and call.state == CallState.IDENTITY_CHECK:
            call.state = CallState.IN_CALL
            fields.append("state")
        _audit(
            call,
            "identity_confirmed",
            actor=employee.user,
            origin=origin,
            details={"verified": bool(verified)},
        )
        return _save(call, fields)


def check_identity_with_registry(
    *,
    call: Call,
    employee: Employee,
    now: dt.datetime,
    origin: Origin = SYSTEM,
    registry: IdentityRegistry | None = None,
) -> Call:
    """Check the declared document with the police registry (E6). Only the outcome is kept:
    verified or not, when, and the registry's reference — never the registry's reply.
    ``RegistryUnavailable`` leaves the call as it was."""
    from keplive.integrations.police import registry as default_registry

    _check_employee(call, employee)
    if call.state not in ADMITTED_STATES:
        raise InvalidTransition(_("The citizen has not been admitted yet."))
    details = AppointmentDetails.objects.filter(appointment_id=call.appointment_id).first()
    if details is None:
        raise InvalidTransition(_("The citizen declared no identity document for this booking."))
    number = (
        details.passport_number
        if details.document_kind == DocumentKind.PASSPORT
        else details.id_card_number
    )
    # The outside call is made outside any transaction or lock.
    outcome = (registry or default_registry()).check(
        document_kind=details.document_kind,
        document_number=number,
        full_name=details.full_name,
        requested_by=str(employee.pk),
    )
    with transaction.atomic():
        call = _locked(call)
        call.registry_verified = outcome.verified
        call.registry_reference = outcome.reference[:64]
        call.registry_checked_at = outcome.checked_at
        _audit(
            call,
            "registry_checked",
            actor=employee.user,
            origin=origin,
            details={"verified": outcome.verified, "reference": outcome.reference[:64]},
        )
        return _save(call, ["registry_verified", "registry_reference", "registry_checked_at"])


def confirm_opening_told(
    *, call: Call, employee: Employee, now: dt.datetime, origin: Origin = SYSTEM
) -> Call:
    """Circular 002: at the start, the employee tells the citizen that the call is not recorded
    and which document to show, and ticks it here. Once is enough: a second tick changes
    nothing."""
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if call.state not in ADMITTED_STATES:
            raise InvalidTransition(_("The citizen has not been admitted yet."))
        if call.opening_told_at is not None:
            return call
        call.opening_told_at = now
        _audit(call, "opening_told", actor=employee.user, origin=origin)
        return _save(call, ["opening_told_at"])


MAX_ADDRESS_CHARACTERS = 300
MAX_EMAIL_CHARACTERS = 254


def _checked_delivery(method: str, email: str, address: str) -> tuple[str, str, str]:
    """The delivery tidied, or ``InvalidDelivery`` naming the field (the outcome form applies the
    same rules when the outcome is recorded)."""
    if method not in DeliveryMethod.values:
        raise InvalidDelivery(_("Choose how the document will be delivered."), field="method")
    if method == DeliveryMethod.EMAIL:
        email = email.strip()
        if not email:
            raise InvalidDelivery(
                _("Enter the email address the document will be sent to."), field="email"
            )
        try:
            if len(email) > MAX_EMAIL_CHARACTERS:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            raise InvalidDelivery(
                _("Enter an email address in the form name@example.gr."), field="email"
            ) from None
        return method, email, ""
    if method == DeliveryMethod.POST:
        address = " ".join(address.split())
        if not address:
            raise InvalidDelivery(
                _("Enter the postal address the document will be posted to."), field="address"
            )
        if len(address) > MAX_ADDRESS_CHARACTERS:
            raise InvalidDelivery(
                _("The postal address can have at most 300 characters."), field="address"
            )
        return method, "", address
    return method, "", ""


def confirm_delivery(
    *,
    call: Call,
    employee: Employee,
    method: str,
    email: str = "",
    address: str = "",
    now: dt.datetime,
    origin: Origin = SYSTEM,
) -> Call:
    """Circular 002: before the end, the employee confirms with the citizen how the document is
    delivered and to which email or postal address. Only that choice is kept; the audit event
    says the method and whether it differs from what the citizen declared, never the address."""
    method, email, address = _checked_delivery(method, email, address)
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if call.state not in ADMITTED_STATES:
            raise InvalidTransition(_("The citizen has not been admitted yet."))
        declared = AppointmentDetails.objects.filter(appointment_id=call.appointment_id).first()
        as_declared = declared is not None and (
            declared.delivery_method == method
            and (method != DeliveryMethod.EMAIL or declared.email.strip() == email)
            and (
                method != DeliveryMethod.POST
                or " ".join(declared.postal_address.split()) == address
            )
        )
        call.delivery_method, call.delivery_email, call.delivery_address = method, email, address
        call.delivery_confirmed_at = now
        _audit(
            call,
            "delivery_confirmed",
            actor=employee.user,
            origin=origin,
            details={"method": method, "as_declared": as_declared},
        )
        return _save(
            call,
            ["delivery_method", "delivery_email", "delivery_address", "delivery_confirmed_at"],
        )


def set_audio_only(
    *, call: Call, employee: Employee, on: bool, now: dt.datetime, origin: Origin = SYSTEM
) -> Call:
    """Video and audio, or audio only, after identification (E7); never while an interpreter
    takes part, whose work needs the picture."""
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if on and call.state != CallState.IN_CALL:
            raise InvalidTransition(_("Audio only is possible after the identity check."))
        if on and call.interpreter_admitted:
            raise InvalidTransition(
                _("The camera stays on while the interpreter takes part in the call.")
            )
        if call.audio_only == bool(on):
            return call
        call.audio_only = bool(on)
        _audit(call, "audio_only", actor=employee.user, origin=origin, details={"on": bool(on)})
        return _save(call, ["audio_only"])


def set_citizen_camera_blocked(
    *, call: Call, employee: Employee, blocked: bool, now: dt.datetime, origin: Origin = SYSTEM
) -> Call:
    """E10: on inappropriate behaviour the employee switches the citizen's camera off; never
    while an interpreter takes part (circular 002: a deaf citizen signs to the interpreter)."""
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        if blocked and call.interpreter_admitted:
            raise InvalidTransition(
                _("The citizen's camera stays on while the interpreter takes part in the call.")
            )
        if call.citizen_camera_blocked == bool(blocked):
            return call
        call.citizen_camera_blocked = bool(blocked)
        _audit(
            call,
            "camera_blocked",
            actor=employee.user,
            origin=origin,
            details={"blocked": bool(blocked)},
        )
        return _save(call, ["citizen_camera_blocked"])


def end_call(*, call: Call, employee: Employee, now: dt.datetime, origin: Origin = SYSTEM) -> Call:
    """Only the employee ends a call (E5); afterwards nobody can join it."""
    with transaction.atomic():
        call = _locked(call)
        _check_employee(call, employee)
        previous = call.state
        call.state, call.ended_at, call.ended_by = CallState.ENDED, now, employee
        _audit(call, "ended", actor=employee.user, origin=origin, details={"from": previous})
        return _save(call, ["state", "ended_at", "ended_by"])


def commit_without_waiting_for_the_disk() -> None:
    """Inside a transaction on PostgreSQL: its COMMIT returns before the WAL reaches the disk
    (``synchronous_commit = off`` for this transaction only; ADR 0032). Only for writes whose
    loss in a crash of the database server harms nobody: who is connected to a call (after such
    a crash every connection has dropped and re-joins), and a call's first ``scheduled`` row
    (made again on the next join). A lost transaction is lost whole and with everything after it,
    never half: later transactions that do wait for the disk flush it too."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def call_for_joining(appointment: Appointment) -> Call:
    """The appointment's call for a connection joining it (only its id and state are read), made
    in state ``scheduled`` if this is the first time anyone asks; the WebSocket's version of
    ``selectors.call_for_appointment``: one small query, and the first one's INSERT does not
    wait for the disk."""
    call = Call.objects.filter(appointment=appointment).only("pk", "state").first()
    if call is not None:
        return call
    with transaction.atomic():
        commit_without_waiting_for_the_disk()
        call, _created = Call.objects.get_or_create(appointment=appointment)
    return call


def set_presence(*, call: Call, role: str, channel: str, replace: str = "") -> Call:
    """Record which connection speaks for a role now ("" when it left). With ``replace``, the
    channel is cleared only if it is still that connection (a newer one may have taken over).
    The COMMIT does not wait for the disk (ADR 0032): who is connected is worthless after a
    crash of the database server, which drops every connection anyway."""
    field = f"{role}_channel"
    with transaction.atomic():
        commit_without_waiting_for_the_disk()
        locked = for_change(Call.objects.all()).get(pk=call.pk)
        if replace and getattr(locked, field) != replace:
            return locked
        setattr(locked, field, channel)
        return _save(locked, [field])


def mark_no_shows(*, now: dt.datetime) -> int:
    """E5: the appointments whose citizen has not arrived 10 minutes after the start are
    recorded as a no-show. The room stays as it is: the employee may still admit a late
    citizen, and only the employee ends the call."""
    due = Appointment.objects.filter(
        status=Status.BOOKED,
        starts_at__lte=now - NO_SHOW_AFTER,
        starts_at__gt=now - NO_SHOW_LOOKBACK,
    ).filter(Q(call__isnull=True) | Q(call__state__in=[CallState.SCHEDULED, CallState.OPEN]))
    marked = 0
    for appointment in due.select_related("kep")[:1000]:
        with transaction.atomic():
            call, _created = Call.objects.get_or_create(appointment=appointment)
            call = for_change(Call.objects.select_related("appointment")).get(pk=call.pk)
            if call.state not in (CallState.SCHEDULED, CallState.OPEN) or call.knocked_at:
                continue
            call.state, call.no_show_at = CallState.NO_SHOW, now
            _audit(call, "no_show")
            _save(call, ["state", "no_show_at"])
            marked += 1
    return marked
