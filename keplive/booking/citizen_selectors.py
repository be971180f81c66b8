"""Reading what a citizen declared for an appointment: personal data, ownership-checked and
audited like the ``*_for_citizen`` selectors in ``selectors.py``."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from keplive.accounts.models import Citizen
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.exceptions import AppointmentNotFound
from keplive.booking.models import Appointment, AppointmentDetails, Reference


def appointment_details_for_citizen(
    *, citizen: Citizen, reference: Reference, origin: Origin = SYSTEM
) -> AppointmentDetails | None:
    """What the citizen declared for one of their appointments (None when nothing was declared,
    as for an appointment booked through the API without details). Anyone else's appointment
    is reported as not found, and the refusal is recorded."""
    try:
        appointment_id = (
            Appointment.objects.filter(reference=reference, citizen=citizen)
            .values_list("pk", flat=True)
            .first()
        )
    except (ValidationError, ValueError, TypeError):
        appointment_id = None
    if appointment_id is None:
        record_event(
            action="appointment.details_viewed",
            actor=citizen.user,
            origin=origin,
            object_type="appointment",
            object_id=str(reference)[:64],
            outcome="refused",
        )
        raise AppointmentNotFound()
    details = AppointmentDetails.objects.filter(appointment_id=appointment_id).first()
    record_event(
        action="appointment.details_viewed",
        actor=citizen.user,
        origin=origin,
        object_type="appointment",
        object_id=reference,
        details={"declared": details is not None},
    )
    return details
