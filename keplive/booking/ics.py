"""The calendar file (RFC 5545 / iTIP) sent with each appointment email, and the public links
that emails and calendar files carry.

One VEVENT per appointment, ``UID <reference>@keplive``, ``SEQUENCE`` = ``Appointment.sequence``,
so a calendar that imported the confirmation moves the event on an update and removes it on a
cancellation (``METHOD:CANCEL``, ``STATUS:CANCELLED``). Times are written in UTC.

The event's alarm rings ``ALARM_MINUTES`` (15) before the call: the reminder email already goes
out ``KEPLIVE_REMINDER_MINUTES`` (60) before, so the calendar's own alarm is kept for the moment
to sit down at the device, not a second copy of the email.

No personal data goes into the file beyond what the citizen needs: no name, no document number,
no declared subject — only the service, the time and the links.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from keplive.booking.links import interpreter_token, join_token, manage_token
from keplive.booking.models import Appointment

PRODID = "-//KEPlive//Appointments//EL"
ALARM_MINUTES = 15


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def manage_url(appointment: Appointment) -> str:
    """The signed link where the citizen changes or cancels this appointment."""
    return f"{settings.KEPLIVE_PUBLIC_URL}/manage/{manage_token(appointment)}/"


def join_url(appointment: Appointment) -> str:
    """The signed link where the citizen joins the video call."""
    return f"{settings.KEPLIVE_PUBLIC_URL}/call/{join_token(appointment)}/"


def interpreter_url(appointment: Appointment) -> str:
    """The interpreter's own signed link to the call (E12)."""
    return f"{settings.KEPLIVE_PUBLIC_URL}/interpret/{interpreter_token(appointment)}/"


def book_url() -> str:
    """Where a citizen books a new appointment."""
    return f"{settings.KEPLIVE_PUBLIC_URL}/book/"


def _organizer() -> vCalAddress:
    name, address = _split_address(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["CN"] = vText(name)
    return organizer


def _split_address(value: str) -> tuple[str, str]:
    """``"myKEPlive <no-reply@…>"`` → ``("myKEPlive", "no-reply@…")``; a bare address as is."""
    if "<" in value and value.rstrip().endswith(">"):
        name, _sep, rest = value.partition("<")
        return name.strip().strip('"'), rest.rstrip().rstrip(">").strip()
    return "", value.strip()


def appointment_ics(
    appointment: Appointment,
    *,
    method: Method | str,
    language: str,
    now: dt.datetime | None = None,
) -> bytes:
    """The appointment as an iCalendar file, its texts in ``language``.

    ``method`` is ``REQUEST`` for a booked or changed appointment and ``CANCEL`` for a cancelled
    one. ``now`` is the DTSTAMP (the moment of the change); the current time when omitted.
    """
    method = Method(str(method).upper())
    stamp = (now or timezone.now()).astimezone(dt.UTC)
    cancelled = method is Method.CANCEL
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", method.value)

        event = Event()
        event.add("uid", f"{appointment.reference}@keplive")
        event.add("sequence", appointment.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", appointment.starts_at.astimezone(dt.UTC))
        event.add("dtend", appointment.ends_at.astimezone(dt.UTC))
        event.add(
            "summary", _("myKEPlive video call: %(service)s") % {"service": _service(appointment)}
        )
        event.add("organizer", _organizer())
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        if cancelled:
            event.add(
                "description",
                _("This appointment was cancelled. To book a new one: %(url)s")
                % {"url": book_url()},
            )
        else:
            join = join_url(appointment)
            event.add("location", join)
            event.add("url", join)
            event.add(
                "description",
                "\n".join(
                    [
                        _("KEP: %(kep)s") % {"kep": appointment.kep.name},
                        _("Appointment code: %(code)s") % {"code": appointment.display_code},
                        _("Join the video call: %(url)s") % {"url": join},
                        _("Change or cancel the appointment: %(url)s")
                        % {"url": manage_url(appointment)},
                        _("The call is not recorded."),
                    ]
                ),
            )
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", dt.timedelta(minutes=-ALARM_MINUTES))
            alarm.add(
                "description",
                _("Your myKEPlive video call starts in %(minutes)d minutes.")
                % {"minutes": ALARM_MINUTES},
            )
            event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _service(appointment: Appointment) -> str:
    return appointment.service.title
