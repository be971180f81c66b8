"""The emails of this app, queued in the outbox in the caller's transaction:

- to the citizen, when the outcome is completed: the protocol number, the delivery confirmed,
  the successful-submission form attached and where to download it again;
- to the citizen, when the procedure cannot be served remotely (E14): one courteous email with
  what to do instead (the appointment's own cancellation email is not sent);
- to the municipality's protocol, the white application (E13), in Greek.

The citizen's emails are in the language they declared, with a text and an HTML part. The
declared details are read without an audit event, as in ``booking/emails.py``: the system writes
to the citizen their own data, and the outbox row is the record of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from keplive.booking.ics import book_url
from keplive.booking.models import AppointmentDetails, DeliveryMethod
from keplive.booking.schedule_inputs import ATHENS
from keplive.notifications.models import OutboxMessage
from keplive.notifications.services import Attachment, queue_email
from keplive.outcomes import documents
from keplive.outcomes.models import Alternative, Outcome, WhiteApplicationTemplate

LANGUAGES = ("el", "en")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


def form_url(outcome: Outcome) -> str:
    """Where the citizen downloads the form again (after logging in with TAXISnet)."""
    path = reverse("portal:outcome_form", args=[str(outcome.appointment.reference)])
    return f"{settings.KEPLIVE_PUBLIC_URL}{path}"


def _language(details: AppointmentDetails) -> str:
    return details.language if details.language in LANGUAGES else LANGUAGES[0]


def _common(outcome: Outcome, details: AppointmentDetails) -> dict[str, object]:
    appointment = outcome.appointment
    kep = appointment.kep
    starts = appointment.starts_at.astimezone(ATHENS)
    return {
        "full_name": details.full_name,
        "service": appointment.service.title,
        "day": dateformat.format(starts, "l j E Y"),
        "start_time": dateformat.format(starts, "H:i"),
        "reference": appointment.display_code,
        "kep_name": kep.name,
        "kep_address": f"{kep.address}, {kep.postal_code} {kep.city}",
        "kep_phone": kep.phone,
        "kep_email": kep.email,
    }


def _queue(
    *,
    key: str,
    to: str,
    subject: str,
    template: str,
    context: dict[str, object],
    language: str,
    outcome: Outcome,
    attachments: list[Attachment] | None = None,
) -> OutboxMessage:
    context = context | {"subject": subject, "language": language}
    text = _BLANK_LINES.sub("\n\n", render_to_string(f"outcomes/emails/{template}.txt", context))
    html = render_to_string(f"outcomes/emails/{template}.html", context)
    return queue_email(
        key=key,
        to=to,
        subject=subject,
        text=text.strip() + "\n",
        html=html,
        attachments=attachments or [],
        language=language,
        cause=outcome.appointment,
    )


def queue_completed_email(
    outcome: Outcome, details: AppointmentDetails | None, *, now: dt.datetime
) -> OutboxMessage | None:
    """The citizen's email about a completed outcome, with the form; None without details."""
    if details is None:
        return None
    language = _language(details)
    to = (
        outcome.delivery_email if outcome.delivery_method == DeliveryMethod.EMAIL else details.email
    )
    pdf = documents.submission_form(outcome, details, language=language)
    with translation.override(language):
        method, destination = documents.delivery_text(outcome)
        context = _common(outcome, details) | {
            "protocol_number": outcome.protocol_number,
            "delivery_method": method,
            "delivery_destination": destination,
            "form_url": form_url(outcome),
        }
        subject = _("Your request to the KEP was submitted: %(number)s") % {
            "number": outcome.protocol_number
        }
        return _queue(
            key=f"outcome-completed:{outcome.appointment.reference}",
            to=to,
            subject=subject,
            template="completed",
            context=context,
            language=language,
            outcome=outcome,
            attachments=[
                Attachment(
                    filename=f"{outcome.protocol_number}.pdf",
                    content=pdf,
                    content_type="application/pdf",
                )
            ],
        )


def alternative_text(outcome: Outcome) -> str:
    """What the citizen is asked to do instead, in the active language."""
    if outcome.alternative == Alternative.VISIT:
        return _(
            "Please visit the KEP in person, by appointment: call or email the KEP below to "
            "arrange a time."
        )
    if outcome.alternative == Alternative.COURIER:
        return _(
            "Please send the signed application and your documents to the KEP below by courier "
            "(ELTA); the KEP will process them and send you the result."
        )
    return _("Please follow the KEP's instructions below.")


def queue_not_servable_email(
    outcome: Outcome, details: AppointmentDetails | None, *, now: dt.datetime
) -> OutboxMessage | None:
    """E14: the courteous email saying the procedure cannot be served remotely and what to do
    instead. None when the appointment has no declared details (no address)."""
    if details is None:
        return None
    language = _language(details)
    with translation.override(language):
        context = _common(outcome, details) | {
            "alternative": alternative_text(outcome),
            "note": outcome.note,
            "book_url": book_url(),
        }
        subject = _("About your myKEPlive appointment of %(day)s: how to proceed") % {
            "day": context["day"]
        }
        return _queue(
            key=f"outcome-not-servable:{outcome.appointment.reference}",
            to=details.email,
            subject=subject,
            template="not_servable",
            context=context,
            language=language,
            outcome=outcome,
        )


def white_application_message(
    template: WhiteApplicationTemplate, values: Mapping[str, str]
) -> tuple[str, str]:
    """Subject and text of the email to the municipality's protocol (Greek)."""
    with translation.override("el"):
        subject = _("White application: %(title)s (%(kep)s)") % {
            "title": template.title,
            "kep": values.get("kep", ""),
        }
        text = render_to_string(
            "outcomes/emails/white_application.txt", {"values": values, "title": template.title}
        )
    return " ".join(subject.split()), text.strip() + "\n"
