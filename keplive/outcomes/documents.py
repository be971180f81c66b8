"""The contents of this app's documents, in a language: the successful-submission form of a
completed outcome and the white application. The callers have checked access and audited the
read; these functions only lay the data out (``pdf`` draws it)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from keplive.booking.models import Appointment, AppointmentDetails, DeliveryMethod
from keplive.booking.schedule_inputs import ATHENS
from keplive.outcomes.models import Outcome, WhiteApplicationTemplate
from keplive.outcomes.pdf import (
    ApplicationContent,
    FormContent,
    submission_form_pdf,
    white_application_pdf,
)

LANGUAGES = ("el", "en")
# {name}: only these simple placeholders are filled; anything else in the body stays as written
# (never ``str.format``, which would let a template reach attributes).
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def citizen_name(appointment: Appointment, details: AppointmentDetails | None) -> str:
    if details is not None and details.full_name:
        return details.full_name
    citizen = appointment.citizen
    return f"{citizen.first_name} {citizen.last_name}".strip()


def delivery_text(outcome: Outcome) -> tuple[str, str]:
    """The delivery method's label and where it goes."""
    label = str(outcome.get_delivery_method_display())
    if outcome.delivery_method == DeliveryMethod.POST:
        return label, outcome.delivery_address
    if outcome.delivery_method == DeliveryMethod.EMAIL:
        return label, outcome.delivery_email
    kep = outcome.appointment.kep
    return label, f"{kep.name}, {kep.address}, {kep.postal_code} {kep.city}"


def submission_form(
    outcome: Outcome, details: AppointmentDetails | None, *, language: str = "el"
) -> bytes:
    """The successful-submission form (E11) of a completed outcome, as a PDF."""
    language = language if language in LANGUAGES else LANGUAGES[0]
    appointment = outcome.appointment
    with translation.override(language):
        method, destination = delivery_text(outcome)
        recorded = outcome.recorded_at.astimezone(ATHENS)
        starts = appointment.starts_at.astimezone(ATHENS)
        rows = [
            (_("Protocol number"), outcome.protocol_number or ""),
            (_("Date"), dateformat.format(recorded, "j E Y, H:i")),
            (
                _("KEP"),
                f"{appointment.kep.name}\n{appointment.kep.address}, "
                f"{appointment.kep.postal_code} {appointment.kep.city}",
            ),
            (_("Employee"), str(outcome.recorded_by)),
            (_("Citizen"), citizen_name(appointment, details)),
            (_("Service"), appointment.service.title),
            (_("Video call"), dateformat.format(starts, "j E Y, H:i")),
            (_("Request"), details.subject if details is not None else ""),
            (_("Delivery of the document"), method),
            (_("Delivered to"), destination),
            (_("Reference"), appointment.display_code),
        ]
        content = FormContent(
            title=_("Successful submission form"),
            subtitle=_(
                "Your request was submitted to the KEP through a video call on myKEPlive. "
                "Keep this form: its protocol number identifies your case."
            ),
            rows=rows,
            footer=_(
                "The video call was not recorded. Issued by myKEPlive, the video-call service of "
                "the Citizen Service Centres (KEP)."
            ),
            language=language,
        )
    return submission_form_pdf(content)


def fill_template(body: str, values: Mapping[str, str]) -> str:
    """``body`` with each known {placeholder} replaced; unknown ones are left as written."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def white_application_values(
    appointment: Appointment,
    details: AppointmentDetails | None,
    *,
    request_text: str,
    now: dt.datetime,
) -> dict[str, str]:
    with translation.override("el"):
        return {
            "full_name": citizen_name(appointment, details),
            "address": details.postal_address if details is not None else "",
            "subject": request_text.strip(),
            "service": appointment.service.title,
            "date": dateformat.format(now.astimezone(ATHENS), "j E Y"),
            "kep": appointment.kep.name,
            "municipality": appointment.kep.municipality.name_el,
        }


def white_application_text(template: WhiteApplicationTemplate, values: Mapping[str, str]) -> str:
    return fill_template(template.body, values)


def white_application(
    template: WhiteApplicationTemplate,
    values: Mapping[str, str],
    *,
    employee_name: str,
) -> bytes:
    """The filled white application (E13) as a PDF, in Greek: it goes to the municipality."""
    with translation.override("el"):
        content = ApplicationContent(
            heading=_("Application"),
            title=template.title,
            body=white_application_text(template, values),
            footer=_(
                "Submitted through myKEPlive by %(kep)s (employee: %(employee)s) on %(date)s, "
                "after the applicant's identity was confirmed in a video call."
            )
            % {
                "kep": values.get("kep", ""),
                "employee": employee_name,
                "date": values.get("date", ""),
            },
        )
    return white_application_pdf(content)
