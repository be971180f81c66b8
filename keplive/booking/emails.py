"""The emails a citizen receives about an appointment (C6, C7, C8), queued in the outbox.

Each email is written in the language the citizen declared (``AppointmentDetails.language``),
has a complete text part and an HTML part, and carries the appointment as ``appointment.ics``.
The outbox key is ``appointment-<kind>:<reference>:<sequence>``: queueing the same change twice
(a retried request, two workers) gives the same message, while every change the citizen is told
of bumps ``sequence`` and so gets its own email.

The details are read here without an audit event: the system writes to the citizen their own
declaration, and the outbox row is the record of it.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from keplive.booking.declarations import mask_document_number
from keplive.booking.ics import Method, appointment_ics, book_url, join_url, manage_url
from keplive.booking.models import (
    Appointment,
    AppointmentDetails,
    DeliveryMethod,
    DocumentKind,
    Interpreter,
)
from keplive.booking.schedule_inputs import ATHENS
from keplive.notifications.models import OutboxMessage
from keplive.notifications.services import Attachment, queue_email

LANGUAGES = ("el", "en")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


class EmailKind(StrEnum):
    CONFIRMED = "confirmed"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    # The KEP moved the appointment (E4) or cancelled it; the email gives the KEP's reason.
    MOVED = "moved"
    CANCELLED_BY_KEP = "cancelled_by_kep"


_CANCELLING = frozenset({EmailKind.CANCELLED, EmailKind.CANCELLED_BY_KEP})


def queue_appointment_email(
    appointment: Appointment, kind: EmailKind, *, now: dt.datetime, reason: str = ""
) -> OutboxMessage | None:
    """Queue the ``kind`` email about ``appointment`` to the address the citizen declared, in
    the caller's transaction. None when the appointment has no declared details (no address).

    ``reason`` is the KEP's explanation of a change it made (``MOVED``, ``CANCELLED_BY_KEP``),
    shown to the citizen as written."""
    details = AppointmentDetails.objects.filter(appointment_id=appointment.pk).first()
    if details is None:
        return None
    kind = EmailKind(kind)
    language = details.language if details.language in LANGUAGES else LANGUAGES[0]
    method = Method.CANCEL if kind in _CANCELLING else Method.REQUEST
    with translation.override(language):
        context = _context(appointment, details, kind=kind, language=language)
        context["kep_reason"] = reason.strip()
        subject = _subject(kind, context)
        context["subject"] = subject
        text = _BLANK_LINES.sub("\n\n", render_to_string("booking/emails/appointment.txt", context))
        html = render_to_string("booking/emails/appointment.html", context)
    ics = appointment_ics(appointment, method=method, language=language, now=now)
    return queue_email(
        key=f"appointment-{kind}:{appointment.reference}:{appointment.sequence}",
        to=details.email,
        subject=subject,
        text=text.strip() + "\n",
        html=html,
        attachments=[
            Attachment(
                filename="appointment.ics",
                content=ics,
                content_type=f"text/calendar; method={method.value}",
            )
        ],
        language=language,
        cause=appointment,
    )


def _subject(kind: EmailKind, context: dict[str, object]) -> str:
    when = context["when"]
    if kind is EmailKind.CONFIRMED:
        return _("Your myKEPlive appointment is booked: %(when)s") % {"when": when}
    if kind is EmailKind.UPDATED:
        return _("Your myKEPlive appointment has changed: %(when)s") % {"when": when}
    if kind is EmailKind.MOVED:
        return _("The KEP moved your myKEPlive appointment to %(when)s") % {"when": when}
    if kind is EmailKind.CANCELLED:
        return _("Your myKEPlive appointment was cancelled: %(when)s") % {"when": when}
    if kind is EmailKind.CANCELLED_BY_KEP:
        return _("The KEP cancelled your myKEPlive appointment: %(when)s") % {"when": when}
    return _("Reminder: your myKEPlive video call at %(time)s") % {"time": context["start_time"]}


def _intro(kind: EmailKind) -> str:
    if kind is EmailKind.CONFIRMED:
        return _(
            "Your video call with the KEP is booked. Keep this email: its links let you join "
            "the call and change or cancel the appointment."
        )
    if kind is EmailKind.UPDATED:
        return _(
            "Your appointment has changed. These are its details now; the links in earlier "
            "emails about it no longer work."
        )
    if kind is EmailKind.MOVED:
        return _(
            "The KEP had to move your appointment to another time. We apologise for the "
            "inconvenience. These are its details now; the links in earlier emails about it no "
            "longer work. If the new time does not suit you, change it with the link below."
        )
    if kind is EmailKind.CANCELLED:
        return _("Your appointment has been cancelled and its time is free for others.")
    if kind is EmailKind.CANCELLED_BY_KEP:
        return _(
            "The KEP had to cancel your appointment. We apologise for the inconvenience. You "
            "are welcome to book a new one."
        )
    return _("Your video call with the KEP starts soon. Join it with the link below.")


def _heading(kind: EmailKind) -> str:
    if kind is EmailKind.CONFIRMED:
        return _("Your appointment is booked")
    if kind is EmailKind.UPDATED:
        return _("Your appointment has changed")
    if kind is EmailKind.MOVED:
        return _("The KEP moved your appointment")
    if kind is EmailKind.CANCELLED:
        return _("Your appointment was cancelled")
    if kind is EmailKind.CANCELLED_BY_KEP:
        return _("The KEP cancelled your appointment")
    return _("Your video call starts soon")


def _document(details: AppointmentDetails) -> list[tuple[str, str]]:
    """The identity document the citizen will show, each number masked."""
    if details.document_kind == DocumentKind.PASSPORT:
        return [
            (_("Passport"), mask_document_number(details.passport_number)),
            (_("Residence permit"), mask_document_number(details.residence_permit_number)),
        ]
    return [(_("Greek identity card"), mask_document_number(details.id_card_number))]


def _context(
    appointment: Appointment, details: AppointmentDetails, *, kind: EmailKind, language: str
) -> dict[str, object]:
    starts = appointment.starts_at.astimezone(ATHENS)
    ends = appointment.ends_at.astimezone(ATHENS)
    day = dateformat.format(starts, "l j E Y")
    start_time = dateformat.format(starts, "H:i")
    kep = appointment.kep
    cancelled = kind in _CANCELLING
    return {
        "kind": str(kind),
        "language": language,
        "heading": _heading(kind),
        "intro": _intro(kind),
        "cancelled": cancelled,
        "reminder": kind is EmailKind.REMINDER,
        "day": day,
        "start_time": start_time,
        "end_time": dateformat.format(ends, "H:i"),
        "when": _("%(day)s at %(time)s") % {"day": day, "time": start_time},
        "reference": appointment.display_code,
        "service": appointment.service.title,
        "category": appointment.category.title,
        "kep_name": kep.name,
        "kep_address": f"{kep.address}, {kep.postal_code} {kep.city}",
        "kep_phone": kep.phone,
        "kep_email": kep.email,
        "full_name": details.full_name,
        "business_name": details.business_name,
        "subject_declared": details.subject,
        "delivery_method": details.get_delivery_method_display(),
        "postal_address": (
            details.postal_address if details.delivery_method == DeliveryMethod.POST else ""
        ),
        "interpreter": (
            details.get_interpreter_display() if details.interpreter != Interpreter.NONE else ""
        ),
        "documents": _document(details),
        "to_prepare": appointment.service.documents,
        "manage_url": "" if cancelled else manage_url(appointment),
        "join_url": "" if cancelled else join_url(appointment),
        "book_url": book_url(),
    }
