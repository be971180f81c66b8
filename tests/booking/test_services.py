"""Booking services on the database: hold, confirm, book, reschedule, cancel, and the guard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from keplive.audit.models import AuditEvent
from keplive.audit.selectors import audit_chain_report
from keplive.audit.services import seal_audit_log
from keplive.booking import services
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    ServiceNotBookable,
    ServiceNotOffered,
    SlotNoLongerFree,
    TimeNotOffered,
    TooManyActiveBookings,
)
from keplive.booking.models import Appointment, Status
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category
from keplive.directory.models import LocalHoliday
from tests.booking.conftest import TUESDAY
from tests.conftest import athens
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
)
from tests.staff import allow_audit_tampering

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return athens(day.year, day.month, day.day, hour, minute)


def book(citizen, kep, service, category, starts_at, now):
    return services.book_appointment(
        citizen=citizen, kep=kep, service=service, category=category, starts_at=starts_at, now=now
    )


def test_hold_then_confirm_books_the_time_and_audits_it(
    kep, employee, service, information, citizen, now
):
    hold = services.hold_slot(
        citizen=citizen,
        kep=kep,
        service=service,
        category=information,
        starts_at=at(9),
        now=now,
    )
    assert hold.status == Status.HELD
    assert hold.hold_expires_at == now + dt.timedelta(minutes=10)

    booked = services.confirm_hold(hold_reference=hold.reference, citizen=citizen, now=now)

    assert booked.pk == hold.pk
    assert booked.status == Status.BOOKED
    assert booked.employee == employee
    assert booked.ends_at - booked.starts_at == dt.timedelta(minutes=information.call_minutes)
    assert booked.blocked_until == booked.ends_at + dt.timedelta(minutes=information.buffer_minutes)
    event = AuditEvent.objects.get(action="appointment.booked")
    assert event.object_id == str(booked.reference)
    assert event.actor == citizen.user


def test_a_held_time_is_not_offered_to_others(kep, employee, service, information, citizen, now):
    services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    starts = [
        s.start
        for s in free_slots_for(
            kep=kep, service=service, category=information, start=TUESDAY, end=TUESDAY, now=now
        )
    ]
    assert at(9) not in starts
    assert at(9, 30) in starts


def test_second_booking_of_a_taken_time_gets_the_nearest_alternatives(
    kep, employee, service, information, citizen, other_citizen, now
):
    book(citizen, kep, service, information, at(10), now)

    with pytest.raises(SlotNoLongerFree) as caught:
        book(other_citizen, kep, service, information, at(10), now)

    alternatives = [slot.start for slot in caught.value.alternatives]
    assert alternatives == [at(9), at(9, 30), at(10, 30)]
    assert Appointment.objects.filter(status=Status.BOOKED).count() == 1


def test_two_employees_take_the_same_time_then_it_is_full(kep, service, information, now):
    first, second = EmployeeFactory(kep=kep), EmployeeFactory(kep=kep)
    a = book(CitizenFactory(), kep, service, information, at(11), now)
    b = book(CitizenFactory(), kep, service, information, at(11), now)

    assert {a.employee_id, b.employee_id} == {first.pk, second.pk}
    with pytest.raises(SlotNoLongerFree):
        book(CitizenFactory(), kep, service, information, at(11), now)


def test_assignment_is_fair_in_minutes_booked(kep, service, information, now):
    first, second = EmployeeFactory(kep=kep), EmployeeFactory(kep=kep)
    a = book(CitizenFactory(), kep, service, information, at(9), now)
    b = book(CitizenFactory(), kep, service, information, at(12), now)
    c = book(CitizenFactory(), kep, service, information, at(13), now)

    assert a.employee_id == min(first.pk, second.pk)
    assert b.employee_id == max(first.pk, second.pk)
    assert c.employee_id == min(first.pk, second.pk)


@pytest.mark.parametrize("minutes_later", [0, 25])
def test_the_database_refuses_overlap_including_the_pause(
    kep, employee, service, information, citizen, now, minutes_later
):
    booked = book(citizen, kep, service, information, at(9), now)
    # 09:00–09:20 plus a 10-minute pause blocks until 09:30; anything starting before is refused.
    clash = Appointment(
        citizen=CitizenFactory(),
        kep=kep,
        employee=employee,
        service=service,
        category=information,
        status=Status.BOOKED,
        starts_at=booked.starts_at + dt.timedelta(minutes=minutes_later),
        ends_at=booked.starts_at + dt.timedelta(minutes=minutes_later + 20),
        blocked_until=booked.starts_at + dt.timedelta(minutes=minutes_later + 30),
    )
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        clash.save()


def test_the_database_refuses_moving_a_booking_onto_another(
    kep, employee, service, information, citizen, other_citizen, now
):
    book(citizen, kep, service, information, at(9), now)
    later = book(other_citizen, kep, service, information, at(10), now)
    later.starts_at, later.ends_at, later.blocked_until = at(9, 10), at(9, 30), at(9, 40)
    with pytest.raises(IntegrityError, match="appointment_no_overlap"), transaction.atomic():
        later.save()


def test_back_to_back_calls_after_the_pause_are_allowed(
    kep, employee, service, information, citizen, other_citizen, now
):
    book(citizen, kep, service, information, at(9), now)
    next_one = book(other_citizen, kep, service, information, at(9, 30), now)
    assert next_one.employee == employee


def test_an_expired_hold_no_longer_blocks(
    kep, employee, service, information, citizen, other_citizen, now
):
    services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    later = now + dt.timedelta(minutes=11)
    taken = services.hold_slot(
        citizen=other_citizen,
        kep=kep,
        service=service,
        category=information,
        starts_at=at(9),
        now=later,
    )
    assert taken.status == Status.HELD
    assert Appointment.objects.filter(citizen=citizen).get().status == Status.RELEASED


def test_confirming_a_released_hold_whose_time_was_taken_offers_alternatives(
    kep, employee, service, information, citizen, other_citizen, now
):
    hold = services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    later = now + dt.timedelta(minutes=30)
    book(other_citizen, kep, service, information, at(9), later)

    with pytest.raises(SlotNoLongerFree) as caught:
        services.confirm_hold(hold_reference=hold.reference, citizen=citizen, now=later)
    assert caught.value.alternatives


def test_confirming_an_expired_hold_that_still_stands_books_it(
    kep, employee, service, information, citizen, now
):
    hold = services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    booked = services.confirm_hold(
        hold_reference=hold.reference, citizen=citizen, now=now + dt.timedelta(minutes=15)
    )
    assert booked.status == Status.BOOKED


def test_a_new_hold_releases_the_citizens_previous_hold(
    kep, employee, service, information, citizen, now
):
    first = services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(10), now=now
    )
    first.refresh_from_db()
    assert first.status == Status.RELEASED


def test_reschedule_moves_in_one_step_and_keeps_the_employee(
    kep, service, information, citizen, now
):
    EmployeeFactory(kep=kep)
    appointment = book(citizen, kep, service, information, at(9), now)
    original_employee = appointment.employee_id

    moved = services.reschedule_appointment(
        reference=appointment.reference, citizen=citizen, starts_at=at(12), now=now
    )

    assert moved.pk == appointment.pk
    assert moved.starts_at == at(12)
    assert moved.employee_id == original_employee
    assert moved.sequence == 1
    starts = [
        s.start
        for s in free_slots_for(
            kep=kep, service=service, category=information, start=TUESDAY, end=TUESDAY, now=now
        )
    ]
    assert at(9) in starts
    assert AuditEvent.objects.filter(action="appointment.rescheduled").count() == 1


def test_reschedule_into_a_range_overlapping_its_own_old_range(
    kep, employee, service, disability, citizen, now
):
    appointment = book(citizen, kep, service, disability, at(9), now)  # blocks 09:00–09:50
    moved = services.reschedule_appointment(
        reference=appointment.reference, citizen=citizen, starts_at=at(9, 30), now=now
    )
    assert moved.starts_at == at(9, 30)


def test_reschedule_onto_a_taken_time_changes_nothing(
    kep, employee, service, information, citizen, other_citizen, now
):
    mine = book(citizen, kep, service, information, at(9), now)
    book(other_citizen, kep, service, information, at(11), now)

    with pytest.raises(SlotNoLongerFree):
        services.reschedule_appointment(
            reference=mine.reference, citizen=citizen, starts_at=at(11), now=now
        )
    mine.refresh_from_db()
    assert (mine.starts_at, mine.sequence, mine.status) == (at(9), 0, Status.BOOKED)


def test_cancel_frees_the_time_and_cannot_be_repeated(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, at(9), now)
    cancelled = services.cancel_appointment(
        reference=appointment.reference, citizen=citizen, now=now
    )
    assert cancelled.status == Status.CANCELLED
    assert cancelled.sequence == 1
    assert book(CitizenFactory(), kep, service, information, at(9), now).status == Status.BOOKED
    with pytest.raises(AppointmentNotChangeable):
        services.cancel_appointment(reference=appointment.reference, citizen=citizen, now=now)


def test_a_citizen_cannot_touch_another_citizens_appointment(
    kep, employee, service, information, citizen, other_citizen, now
):
    appointment = book(citizen, kep, service, information, at(9), now)
    with pytest.raises(AppointmentNotFound):
        services.cancel_appointment(reference=appointment.reference, citizen=other_citizen, now=now)
    with pytest.raises(AppointmentNotFound):
        services.reschedule_appointment(
            reference=appointment.reference, citizen=other_citizen, starts_at=at(12), now=now
        )
    with pytest.raises(AppointmentNotFound):
        services.confirm_hold(hold_reference=appointment.reference, citizen=other_citizen, now=now)
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_active_bookings_per_citizen_are_limited(
    kep, employee, service, information, citizen, now, settings
):
    settings.KEPLIVE_MAX_ACTIVE_BOOKINGS = 2
    book(citizen, kep, service, information, at(9), now)
    book(citizen, kep, service, information, at(10), now)
    with pytest.raises(TooManyActiveBookings):
        book(citizen, kep, service, information, at(11), now)


def test_a_procedure_that_needs_presence_cannot_be_booked_and_says_what_to_do(
    kep, employee, information, citizen, now
):
    in_person = ServiceFactory(in_person_only=True)
    with pytest.raises(ServiceNotBookable) as caught:
        book(citizen, kep, in_person, information, at(9), now)
    assert "ΚΕΠ" in caught.value.alternative


def test_business_services_only_at_kep_eke(service, citizen, now):
    business = Category.objects.get(number=2)
    business_service = ServiceFactory(categories=[2])
    plain = KepFactory()
    EmployeeFactory(kep=plain)
    with pytest.raises(ServiceNotOffered):
        book(citizen, plain, business_service, business, at(9), now)
    eke = KepFactory(kep_eke=True)
    EmployeeFactory(kep=eke)
    assert book(citizen, eke, business_service, business, at(9), now).kep == eke


def test_municipal_services_only_at_a_kep_of_that_municipality(citizen, now):
    municipal = Category.objects.get(number=4)
    home = MunicipalityFactory()
    home_service = ServiceFactory(categories=[4], municipality=home)
    elsewhere = KepFactory()
    EmployeeFactory(kep=elsewhere)
    with pytest.raises(ServiceNotOffered):
        book(citizen, elsewhere, home_service, municipal, at(9), now)
    local = KepFactory(municipality=home)
    EmployeeFactory(kep=local)
    assert book(citizen, local, home_service, municipal, at(9), now).kep == local


@pytest.mark.parametrize(
    ("starts_at", "reason"),
    [
        (athens(2026, 11, 22, 9), "past"),
        (athens(2026, 11, 23, 7), "too_soon"),
        (athens(2027, 1, 20, 9), "beyond_horizon"),
        (athens(2026, 11, 24, 14, 30), "outside_hours"),
        (athens(2026, 11, 24, 9, 10), "outside_hours"),
        (athens(2026, 11, 28, 9), "outside_hours"),  # Saturday: closed
        (athens(2026, 12, 25, 9), "closed_day"),  # Christmas (within a 35-day horizon below)
    ],
)
def test_times_that_are_never_offered_say_why(
    kep, employee, service, information, citizen, now, starts_at, reason
):
    information.horizon_days = 35
    information.save()
    with pytest.raises(TimeNotOffered) as caught:
        book(citizen, kep, service, information, starts_at, now)
    assert caught.value.reason == reason
    assert str(caught.value)
    assert not Appointment.objects.exists()


def test_a_local_holiday_closes_the_kep(kep, employee, service, information, citizen, now):
    LocalHoliday.objects.create(municipality=kep.municipality, date=TUESDAY, name="Πολιούχος")
    with pytest.raises(TimeNotOffered) as caught:
        book(citizen, kep, service, information, at(9), now)
    assert caught.value.reason == "closed_day"


def test_release_expired_holds_releases_only_expired_ones(
    kep, employee, service, information, citizen, other_citizen, now
):
    services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    services.hold_slot(
        citizen=other_citizen,
        kep=kep,
        service=service,
        category=information,
        starts_at=at(10),
        now=now + dt.timedelta(minutes=5),
    )
    assert services.release_expired_holds(now=now + dt.timedelta(minutes=12)) == 1
    assert Appointment.objects.filter(status=Status.HELD).count() == 1


def test_the_audit_chain_holds_and_detects_tampering(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, at(9), now)
    services.reschedule_appointment(
        reference=appointment.reference, citizen=citizen, starts_at=at(10), now=now
    )
    services.cancel_appointment(reference=appointment.reference, citizen=citizen, now=now)
    report = audit_chain_report()
    assert (report.intact, report.checked, report.unsealed) == (True, 0, 3)
    assert seal_audit_log().sealed == 3
    report = audit_chain_report()
    assert (report.intact, report.checked, report.unsealed) == (True, 3, 0)

    allow_audit_tampering()
    AuditEvent.objects.filter(action="appointment.rescheduled").update(details={"to": "forged"})
    broken = audit_chain_report()
    assert not broken.intact
    assert broken.first_broken_id == AuditEvent.objects.get(action="appointment.rescheduled").pk
