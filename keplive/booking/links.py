"""Signed links sent to the citizen by email: manage an appointment, and join its call.

A link carries the appointment's reference and its ``sequence``, signed with the project's
secret (``django.core.signing``, a salt per purpose). The manage link works while the appointment
is booked, unchanged since the link was made (same sequence) and not yet started: after any change
the citizen gets a new email with a new link, and the old one stops working (C7). The join link
works until the call's end and survives nothing but its own appointment's changes.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils.translation import gettext_lazy as _

from keplive.booking.exceptions import BookingError
from keplive.booking.models import Appointment, Status

MANAGE_SALT = "keplive.booking.manage"
JOIN_SALT = "keplive.booking.join"
INTERPRETER_SALT = "keplive.booking.interpreter"


class LinkNotValid(BookingError):
    code = "link_not_valid"
    default_message = _(
        "This link no longer works: the appointment has changed, started or been cancelled. "
        "Use the newest email about it, or log in and open My appointments."
    )


def _token(appointment: Appointment, salt: str) -> str:
    return signing.dumps(
        {"r": str(appointment.reference), "s": appointment.sequence}, salt=salt, compress=True
    )


def manage_token(appointment: Appointment) -> str:
    return _token(appointment, MANAGE_SALT)


def join_token(appointment: Appointment) -> str:
    return _token(appointment, JOIN_SALT)


def interpreter_token(appointment: Appointment) -> str:
    """The interpreter's own link to the call (E12): sent in the daily digest, never to the
    citizen; it names the appointment but opens only the call, as the interpreter."""
    return _token(appointment, INTERPRETER_SALT)


def _payload(token: str, salt: str) -> tuple[str, int]:
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature as exc:
        raise LinkNotValid() from exc
    if not (isinstance(data, dict) and isinstance(data.get("r"), str)):
        raise LinkNotValid()
    sequence = data.get("s")
    if not isinstance(sequence, int):
        raise LinkNotValid()
    return data["r"], sequence


def appointment_for_manage_token(token: str, *, now: dt.datetime) -> Appointment:
    """The appointment a manage link names, or ``LinkNotValid``. Not audited here: the caller
    reads personal data through the audited selectors with the appointment's citizen."""
    reference, sequence = _payload(token, MANAGE_SALT)
    appointment = (
        Appointment.objects.select_related("citizen", "citizen__user")
        .filter(reference=reference, status=Status.BOOKED, sequence=sequence)
        .first()
    )
    if appointment is None or appointment.starts_at <= now:
        raise LinkNotValid()
    return appointment


def _call_link(token: str, salt: str, *, now: dt.datetime, overrun: dt.timedelta) -> Appointment:
    reference, _sequence = _payload(token, salt)
    appointment = (
        Appointment.objects.select_related("citizen", "citizen__user")
        .filter(reference=reference, status=Status.BOOKED)
        .first()
    )
    if appointment is None or appointment.ends_at + overrun <= now:
        raise LinkNotValid()
    return appointment


def appointment_for_join_token(
    token: str, *, now: dt.datetime, overrun: dt.timedelta = dt.timedelta(0)
) -> Appointment:
    """The appointment a join link names while its call can still happen, or ``LinkNotValid``.
    A join link stays valid across the appointment's changes until the call's end (plus
    ``overrun``: a call the employee has not ended yet may run past its slot)."""
    return _call_link(token, JOIN_SALT, now=now, overrun=overrun)


def appointment_for_interpreter_token(
    token: str, *, now: dt.datetime, overrun: dt.timedelta = dt.timedelta(0)
) -> Appointment:
    """The appointment an interpreter's link names, on the same terms as the join link."""
    return _call_link(token, INTERPRETER_SALT, now=now, overrun=overrun)
