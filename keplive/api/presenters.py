"""Turning domain objects into API schemas."""

from __future__ import annotations

from typing import Any

from keplive.api.schemas import BookingOut, HoldOut, KepOut, ServiceOut, TimeOut
from keplive.booking.models import Appointment
from keplive.booking.schedule_inputs import ATHENS
from keplive.booking.scheduling import Slot
from keplive.catalogue.models import Service
from keplive.directory.models import Kep


def time_out(slot: Slot) -> TimeOut:
    return TimeOut(**time_fields(slot))


def time_fields(slot: Slot) -> dict[str, Any]:
    """``TimeOut``'s fields as plain values (the free-times views render them directly)."""
    local = slot.start.astimezone(ATHENS)
    return {
        "starts_at": slot.start,
        "ends_at": slot.end,
        "local_date": local.date(),
        "local_time": f"{local:%H:%M}",
    }


def appointment_time(appointment: Appointment) -> TimeOut:
    local = appointment.starts_at.astimezone(ATHENS)
    return TimeOut(
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        local_date=local.date(),
        local_time=f"{local:%H:%M}",
    )


def kep_out(kep: Kep) -> KepOut:
    return KepOut(
        code=kep.code,
        name=kep.name,
        municipality=kep.municipality.code,
        address=kep.address,
        postal_code=kep.postal_code,
        city=kep.city,
        phone=kep.phone,
        email=kep.email,
        kep_eke=kep.is_kep_eke,
    )


def service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        code=service.code,
        title=service.title,
        description=service.description,
        documents=service.documents,
        categories=sorted(category.number for category in service.categories.all()),
        municipality=service.municipality.code if service.municipality else None,
        remote_servable=service.remote_servable,
        alternative=service.alternative,
    )


def hold_out(hold: Appointment) -> HoldOut:
    return HoldOut(
        reference=hold.reference,
        expires_at=hold.hold_expires_at or hold.starts_at,
        kep=hold.kep.code,
        service=hold.service.code,
        category=hold.category_id,
        time=appointment_time(hold),
    )


def booking_out(appointment: Appointment) -> BookingOut:
    return BookingOut(
        reference=appointment.reference,
        code=appointment.display_code,
        status=appointment.status,
        kep=kep_out(appointment.kep),
        service=appointment.service.code,
        service_title=appointment.service.title,
        category=appointment.category_id,
        time=appointment_time(appointment),
        sequence=appointment.sequence,
    )
