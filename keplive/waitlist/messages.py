"""The offer's email and SMS, queued in the outbox in the transaction that makes the offer.

The outbox keys are ``waitlist-offer:<offer>`` (email) and ``waitlist-offer-sms:<offer>``: a
worker that dies before its transaction commits queued nothing, one that commits queued each
once, and the outbox delivers at least once with the same Message-ID / idempotency key
(ADR 0013) — so an offer is never lost and never sent twice.

The address and number are read without an audit event, as ``booking.emails`` does: the system
writes to the citizen their own declaration, and the outbox row (and the ``waitlist.offered``
audit event) is the record of it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from keplive.booking.models import AppointmentDetails
from keplive.booking.schedule_inputs import ATHENS
from keplive.directory.models import Kep
from keplive.notifications.services import queue_email
from keplive.notifications.sms import InvalidPhoneNumber, queue_sms
from keplive.waitlist.links import offer_url
from keplive.waitlist.models import Offer

logger = logging.getLogger(__name__)
LANGUAGES = ("el", "en")


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone(ATHENS)
    return _("%(day)s at %(time)s") % {
        "day": dateformat.format(local, "l j E Y"),
        "time": dateformat.format(local, "H:i"),
    }


def kep_address(kep: Kep) -> str:
    return f"{kep.address}, {kep.postal_code} {kep.city}"


def offer_texts(offer: Offer, *, language: str) -> dict[str, str]:
    """Subject, text and the short SMS of an offer, in ``language``. An offer at another KEP
    than the appointment's says so: which KEP, where, and instead of which. An offer for a
    request made before booking (ADR 0028) asks the citizen to book it."""
    with translation.override(language):
        before_booking = offer.previous_starts_at is None or offer.request.appointment_id is None
        new = _when(offer.starts_at)
        old = _when(offer.previous_starts_at) if offer.previous_starts_at else ""
        until = dateformat.format(offer.expires_at.astimezone(ATHENS), "H:i")
        link = offer_url(offer)
        appointment = None if before_booking else offer.request.appointment
        current_kep = appointment.kep if appointment is not None else offer.kep
        elsewhere = offer.kep_id != current_kep.pk
        values = {
            "new": new,
            "old": old,
            "until": until,
            "kep": offer.kep.name,
            "address": kep_address(offer.kep),
            "old_kep": current_kep.name,
            "service": offer.request.service.title,
        }
        place = offer.kep.name
        if before_booking:  # a request made from the times page, before booking (ADR 0028)
            subject = _("A time is free: %(new)s") % values
            intro = (
                _(
                    "You asked to be told when a time frees up for «%(service)s». %(new)s is "
                    "free: would you like to book it?"
                )
                % values
            )
            action = _(
                "Book it (log in with TAXISnet and confirm your details), or decline it, here:"
            )
            keep = _("If you do nothing, the time goes to the next person and you keep waiting.")
        else:
            subject = _("An earlier time is free: %(new)s") % values
            if elsewhere:
                intro = (
                    _(
                        "You asked to be told if an earlier time frees up at another KEP too. "
                        "Take %(new)s at %(kep)s (%(address)s) instead of %(old)s at %(old_kep)s?"
                    )
                    % values
                )
                place = (
                    _(
                        "The new time is at another KEP: %(kep)s, %(address)s, instead of "
                        "%(old_kep)s."
                    )
                    % values
                )
            else:
                intro = (
                    _(
                        "You asked to be told if an earlier time frees up. "
                        "Take %(new)s instead of %(old)s?"
                    )
                    % values
                )
            action = _("Take it with one tap, or decline it, here:")
            keep = _("If you do nothing, your appointment stays as it is.")
        hold = (
            _(
                "We keep this time for you until %(until)s (Greek time). After that it goes "
                "to the next person waiting."
            )
            % values
        )
        context = {
            "subject": subject,
            "intro": intro,
            "hold": hold,
            "action": action,
            "keep": keep,
            "link": link,
            "kep": place,
            "language": language,
            "take_label": _("See the offer"),
        }
        text = "\n\n".join([intro, place, hold, f"{action}\n{link}", keep]) + "\n"
        html = render_to_string("waitlist/emails/offer.html", context)
        if before_booking:
            sms = (
                _("myKEPlive: a time is free, %(new)s at %(kep)s. Kept for you until %(until)s:")
                % values
            )
        elif elsewhere:
            sms = (
                _(
                    "myKEPlive: an earlier time is free, %(new)s at another KEP, %(kep)s, "
                    "%(address)s, instead of %(old)s at %(old_kep)s. Kept for you until "
                    "%(until)s:"
                )
                % values
            )
        else:
            sms = (
                _(
                    "myKEPlive: an earlier time is free, %(new)s at %(kep)s, instead of %(old)s. "
                    "Kept for you until %(until)s:"
                )
                % values
            )
    return {"subject": subject, "text": text, "html": html, "sms": f"{sms} {link}"}


def _contact(offer: Offer) -> tuple[str, str, str] | None:
    """Email, mobile and language: the appointment's declaration, or — a request made before
    booking (ADR 0028) — what the citizen gave with the request."""
    request = offer.request
    if request.appointment_id is None:
        return (request.email, request.mobile_phone, request.language) if request.email else None
    details = AppointmentDetails.objects.filter(appointment_id=request.appointment_id).first()
    if details is None:
        return None  # booked without details (API): the offer shows in My appointments only
    return details.email, details.mobile_phone, details.language


def queue_offer_messages(offer: Offer, *, now: dt.datetime) -> None:
    contact = _contact(offer)
    if contact is None:
        return
    email, mobile_phone, language = contact
    language = language if language in LANGUAGES else LANGUAGES[0]
    texts = offer_texts(offer, language=language)
    queue_email(
        key=f"waitlist-offer:{offer.public_id}",
        to=email,
        subject=texts["subject"],
        text=texts["text"],
        html=texts["html"],
        language=language,
        cause=offer,
    )
    if mobile_phone:
        try:
            queue_sms(
                key=f"waitlist-offer-sms:{offer.public_id}",
                to=mobile_phone,
                text=texts["sms"],
                language=language,
                cause=offer,
            )
        except InvalidPhoneNumber:
            logger.warning("offer %s: the declared mobile number cannot take an SMS", offer.pk)
