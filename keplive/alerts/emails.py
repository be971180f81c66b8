"""The staff emails of the alert jobs, queued in the outbox in the caller's transaction.

All are written in Greek (the staff's and the Institute's language), with a text and an HTML
part. None carries a citizen's name, contact details, document or declared subject: the
appointment is named by its time, KEP and service, and the link leads to the workspace, where
access is checked and audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from keplive.booking.ics import interpreter_url
from keplive.booking.models import Appointment, Interpreter
from keplive.booking.schedule_inputs import ATHENS
from keplive.notifications.models import OutboxMessage
from keplive.notifications.services import queue_email

LANGUAGE = "el"
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")


@dataclass(frozen=True, slots=True)
class InterpreterRequest:
    """One line of the digest: an appointment with an interpreter, no personal data."""

    appointment: Appointment
    interpreter: str


def _public(path: str) -> str:
    return f"{settings.KEPLIVE_PUBLIC_URL}{path}"


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ATHENS)


def _day(moment_or_day: dt.datetime | dt.date) -> str:
    return dateformat.format(moment_or_day, "l j E Y")


def _time(moment: dt.datetime) -> str:
    return dateformat.format(_local(moment), "H:i")


def _queue(
    *, key: str, to: str, subject: str, context: dict[str, Any], cause: Any
) -> OutboxMessage:
    context = {
        "language": LANGUAGE,
        "subject": subject,
        "paragraphs": [],
        "facts": [],
        "rows": [],
        **context,
    }
    text = _BLANK_LINES.sub("\n\n", render_to_string("alerts/emails/staff.txt", context))
    html = render_to_string("alerts/emails/staff.html", context)
    return queue_email(
        key=key,
        to=to,
        subject=subject,
        text=text.strip() + "\n",
        html=html,
        language=LANGUAGE,
        cause=cause,
    )


def _appointment_facts(appointment: Appointment) -> list[tuple[str, str]]:
    starts = _local(appointment.starts_at)
    return [
        (_("Day"), _day(starts)),
        (_("Time"), f"{_time(appointment.starts_at)}–{_time(appointment.ends_at)}"),
        (_("Service"), appointment.service.title),
        (_("Category"), appointment.category.title),
        (_("KEP"), appointment.kep.name),
    ]


def call_page_url(appointment: Appointment) -> str:
    return _public(reverse("workspace:call", args=[str(appointment.reference)]))


def queue_employee_reminder(*, appointment: Appointment, to: str, cause: Any) -> OutboxMessage:
    """E3: "your appointment at 10:00 starts in 15 minutes", with the link to its call page."""
    stamp = appointment.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")
    with translation.override(LANGUAGE):
        time = _time(appointment.starts_at)
        subject = _("myKEPlive appointment at %(time)s: %(service)s") % {
            "time": time,
            "service": appointment.service.title,
        }
        minutes = settings.KEPLIVE_EMPLOYEE_REMINDER_MINUTES
        context = {
            "heading": _("Your next video call starts soon"),
            "paragraphs": [
                _("Your video call at %(time)s starts in about %(minutes)d minutes.")
                % {"time": time, "minutes": minutes},
            ],
            "facts": _appointment_facts(appointment),
            "link_url": call_page_url(appointment),
            "link_label": _("Open the call"),
            "footer": _("You receive this because the appointment is assigned to you."),
        }
        return _queue(
            key=f"employee-reminder:{appointment.reference}:{stamp}:{appointment.employee_id}",
            to=to,
            subject=subject,
            context=context,
            cause=cause,
        )


def _request_rows(requests: list[InterpreterRequest]) -> list[dict[str, str]]:
    rows = []
    for request in requests:
        appointment = request.appointment
        kep = appointment.kep
        rows.append(
            {
                "time": f"{_time(appointment.starts_at)}–{_time(appointment.ends_at)}",
                "kep": f"{kep.name}, {kep.city}",
                "kep_phone": kep.phone,
                "interpreter": str(Interpreter(request.interpreter).label),
                "service": appointment.service.title,
                "url": interpreter_url(appointment),
            }
        )
    return rows


def _columns() -> list[str]:
    return [_("Time"), _("KEP"), _("Interpretation"), _("Service"), _("Link")]


def queue_interpreter_digest(
    *, for_date: dt.date, requests: list[InterpreterRequest], to: str, cause: Any
) -> OutboxMessage:
    """E12: the next day's interpreter requests in one email; "none tomorrow" when there are
    none, so that silence always means something went wrong."""
    with translation.override(LANGUAGE):
        day = _day(for_date)
        subject = _("myKEPlive: interpreter requests for %(day)s") % {"day": day}
        if requests:
            paragraphs = [
                _(
                    "These video calls of %(day)s asked for an interpreter. Each link opens the "
                    "call as the interpreter; the KEP employee admits you. The link works only "
                    "for that call."
                )
                % {"day": day},
            ]
        else:
            paragraphs = [_("No video call of %(day)s asked for an interpreter.") % {"day": day}]
        context = {
            "heading": subject,
            "paragraphs": paragraphs,
            "facts": [(_("Requests"), str(len(requests)))],
            "rows": _request_rows(requests),
            "rows_caption": _("Interpreter requests of %(day)s (Greek time)") % {"day": day},
            "columns": _columns(),
            "footer": _(
                "Requests booked after this email are sent in a short addendum, each once."
            ),
        }
        return _queue(
            key=f"interpreter-digest:{for_date.isoformat()}",
            to=to,
            subject=subject,
            context=context,
            cause=cause,
        )


def queue_interpreter_addendum(
    *, for_date: dt.date, request: InterpreterRequest, to: str, cause: Any
) -> OutboxMessage:
    """A request for ``for_date`` booked (or moved into that day) after its digest went."""
    appointment = request.appointment
    stamp = appointment.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")
    with translation.override(LANGUAGE):
        day = _day(for_date)
        subject = _("myKEPlive: one more interpreter request for %(day)s") % {"day": day}
        context = {
            "heading": subject,
            "paragraphs": [
                _("This video call was booked after the list of %(day)s was sent.") % {"day": day}
            ],
            "rows": _request_rows([request]),
            "rows_caption": _("Interpreter request (Greek time)"),
            "columns": _columns(),
        }
        return _queue(
            key=f"interpreter-addendum:{appointment.reference}:{stamp}",
            to=to,
            subject=subject,
            context=context,
            cause=cause,
        )


def queue_interpreter_withdrawal(
    *, for_date: dt.date, appointment: Appointment, starts_at: dt.datetime, to: str, cause: Any
) -> OutboxMessage:
    """A request already sent that no longer stands: cancelled, or moved to another time."""
    stamp = starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")
    with translation.override(LANGUAGE):
        day = _day(for_date)
        time = _time(starts_at)
        subject = _("myKEPlive: interpreter no longer needed at %(time)s on %(day)s") % {
            "time": time,
            "day": day,
        }
        context = {
            "heading": subject,
            "paragraphs": [
                _(
                    "The video call of %(day)s at %(time)s at %(kep)s was cancelled or moved: "
                    "no interpreter is needed at that time. If it was moved, its new time comes "
                    "in a separate email."
                )
                % {"day": day, "time": time, "kep": appointment.kep.name},
            ],
        }
        return _queue(
            key=f"interpreter-withdrawal:{appointment.reference}:{stamp}",
            to=to,
            subject=subject,
            context=context,
            cause=cause,
        )


def queue_waiting_alert(
    *, appointment: Appointment, minutes: int, to: str, supervisor: bool, cause: Any
) -> OutboxMessage:
    """A7: nobody opened the call ``minutes`` after its start. Supervisors are sent to the
    KEP's alerts page (where a colleague takes it over); administrators to their dashboard."""
    assert cause.pk is not None  # noqa: S101 - the alert row is saved first
    with translation.override(LANGUAGE):
        time = _time(appointment.starts_at)
        subject = _("myKEPlive: nobody has opened the %(time)s call at %(kep)s") % {
            "time": time,
            "kep": appointment.kep.name,
        }
        facts = _appointment_facts(appointment)
        facts.append((_("Assigned to"), str(appointment.employee)))
        if supervisor:
            link_url = _public(reverse("workspace:alerts"))
            link_label = _("Open the KEP's alerts and hand the call to a colleague")
        else:
            link_url = _public(reverse("administration:home"))
            link_label = _("Open the administration")
        context = {
            "heading": _("A citizen may be waiting"),
            "paragraphs": [
                _(
                    "The video call of %(time)s started %(minutes)d minutes ago and no employee "
                    "has opened it yet. Another employee of the KEP can take it over."
                )
                % {"time": time, "minutes": minutes},
            ],
            "facts": facts,
            "link_url": link_url,
            "link_label": link_label,
        }
        return _queue(
            key=f"waiting-alert:{cause.pk}:{to.lower()}",
            to=to,
            subject=subject,
            context=context,
            cause=cause,
        )
