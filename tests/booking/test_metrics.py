"""The bookings counter of /metrics (ADR 0018): an appointment counts once it is booked and the
transaction commits — a hold does not, a hold confirmed does, a rolled-back booking does not."""

from __future__ import annotations

import pytest
from django.db import transaction
from prometheus_client import REGISTRY

from keplive.booking import services
from tests.booking.conftest import TUESDAY
from tests.conftest import athens


def bookings() -> float:
    return REGISTRY.get_sample_value("keplive_bookings_total") or 0.0


def at(hour: int) -> object:
    return athens(TUESDAY.year, TUESDAY.month, TUESDAY.day, hour)


def test_a_confirmed_hold_counts_once_and_a_hold_not_at_all(
    kep, employee, service, information, citizen, now, django_capture_on_commit_callbacks
):
    before = bookings()
    with django_capture_on_commit_callbacks(execute=True):
        hold = services.hold_slot(
            citizen=citizen,
            kep=kep,
            service=service,
            category=information,
            starts_at=at(9),
            now=now,
        )
    assert bookings() == before
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_hold(hold_reference=hold.reference, citizen=citizen, now=now)
    assert bookings() == before + 1
    with django_capture_on_commit_callbacks(execute=True):  # the same confirmation again
        services.confirm_hold(hold_reference=hold.reference, citizen=citizen, now=now)
    assert bookings() == before + 1


def test_a_booking_in_one_step_counts_and_a_rolled_back_one_does_not(
    kep, employee, service, information, citizen, other_citizen, now,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    before = bookings()
    with django_capture_on_commit_callbacks(execute=True):
        services.book_appointment(
            citizen=citizen, kep=kep, service=service, category=information, starts_at=at(10),
            now=now,
        )  # fmt: skip
    assert bookings() == before + 1
    with (  # noqa: PT012 - the booking, then the failure that rolls it back
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.book_appointment(
            citizen=other_citizen, kep=kep, service=service, category=information,
            starts_at=at(11), now=now,
        )  # fmt: skip
        raise RuntimeError("the request failed after the booking")
    assert bookings() == before + 1
