"""Finding the booked appointments a change strands, and closing the items that no longer apply."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from keplive.booking.earliest import refresh_earliest_free_times
from keplive.booking.eligibility import check_kep_serves
from keplive.booking.exceptions import KepNotBookable
from keplive.booking.models import EarliestFreeTime, Status
from keplive.catalogue.models import Category
from keplive.directory.models import Absence, LocalHoliday
from keplive.directory.versioning import directory_version
from keplive.worklist import changes
from keplive.worklist.models import Cause, ConflictItem, Resolution
from keplive.worklist.services import find_conflicts
from tests.worklist.conftest import NOW, ORIGIN, TUESDAY, at, reload

T = dt.time


NINE = T(9, 0)


def shorten_tuesday(kep, admin, *, until=NINE):  # type: ignore[no-untyped-def]
    return changes.set_weekday_hours(
        kep=kep, weekday=1, intervals=[(T(7, 30), until)], actor=admin, origin=ORIGIN, now=NOW
    )


def test_shorter_hours_strand_the_appointment_outside_them_and_keep_it_booked(book, kep, admin):
    early, late = book(8), book(10)

    outcome = shorten_tuesday(kep, admin)

    assert outcome.changed
    assert outcome.stranded == 1
    item = ConflictItem.objects.get()
    assert item.appointment == late
    assert item.cause == Cause.HOURS_CHANGED
    assert item.is_open
    assert "10:00" in item.detail
    assert reload(late).status == Status.BOOKED
    assert not early.conflict_items.exists()


def test_finding_conflicts_twice_lists_each_appointment_once(book, kep, admin):
    book(10)
    shorten_tuesday(kep, admin)

    again = find_conflicts(now=NOW, origin=ORIGIN, kep_ids=[kep.pk])

    assert again.created == []
    assert again.still_open == 1
    assert ConflictItem.objects.count() == 1


def test_restoring_the_hours_closes_the_item_as_fitting_again(book, kep, admin):
    book(10)
    shorten_tuesday(kep, admin)

    outcome = changes.set_weekday_hours(
        kep=kep, weekday=1, intervals=[(T(7, 30), T(15, 0))], actor=admin, origin=ORIGIN, now=NOW
    )

    assert outcome.scan.fits_again == 1
    item = ConflictItem.objects.get()
    assert item.resolution == Resolution.FITS_AGAIN
    assert item.resolved_by == admin


def test_a_split_shift_keeps_what_fits_in_either_interval(book, kep, admin):
    morning, noon = book(8), book(12)

    outcome = changes.set_weekday_hours(
        kep=kep,
        weekday=1,
        intervals=[(T(7, 30), T(9, 0)), (T(11, 0), T(13, 0))],
        actor=admin,
        origin=ORIGIN,
        now=NOW,
    )

    assert outcome.stranded == 0
    assert not ConflictItem.objects.exists()
    assert morning.pk
    assert noon.pk


def test_a_closed_day_exception_strands_that_days_appointments(book, kep, admin):
    book(10)

    outcome = changes.add_opening_exception(
        kep=kep,
        date=TUESDAY,
        opens=None,
        closes=None,
        reason="Απολύμανση",
        actor=admin,
        origin=ORIGIN,
        now=NOW,
        today=NOW.date(),
    )

    assert outcome.stranded == 1
    assert ConflictItem.objects.get().cause == Cause.CLOSURE_ADDED


def test_other_hours_on_a_date_strand_only_what_falls_outside(book, kep, admin):
    book(8)
    late = book(12)

    changes.add_opening_exception(
        kep=kep,
        date=TUESDAY,
        opens=T(7, 30),
        closes=T(10, 0),
        reason="",
        actor=admin,
        origin=ORIGIN,
        now=NOW,
        today=NOW.date(),
    )

    assert list(ConflictItem.objects.values_list("appointment", flat=True)) == [late.pk]


def test_a_local_holiday_strands_the_appointments_of_every_kep_of_the_municipality(
    book, kep, admin
):
    book(10)

    outcome = changes.add_local_holiday(
        municipality=kep.municipality,
        date=TUESDAY,
        name="Πολιούχος",
        actor=admin,
        origin=ORIGIN,
        now=NOW,
        today=NOW.date(),
    )

    assert outcome.stranded == 1
    assert ConflictItem.objects.get().cause == Cause.CLOSURE_ADDED
    changes.remove_local_holiday(
        holiday=LocalHoliday.objects.get(), actor=admin, origin=ORIGIN, now=NOW
    )
    assert ConflictItem.objects.get().resolution == Resolution.FITS_AGAIN


def test_deactivating_a_kep_strands_its_future_appointments_and_stops_new_bookings(
    book, kep, admin, service
):
    first, second = book(9), book(11)

    outcome = changes.set_kep_active(kep=kep, active=False, actor=admin, origin=ORIGIN, now=NOW)

    assert outcome.stranded == 2
    assert set(ConflictItem.objects.values_list("cause", flat=True)) == {Cause.KEP_DEACTIVATED}
    assert {reload(first).status, reload(second).status} == {Status.BOOKED}
    kep.refresh_from_db()
    with pytest.raises(KepNotBookable):
        check_kep_serves(kep=kep, service=service, category=Category.objects.get(number=1))

    changes.set_kep_active(kep=kep, active=True, actor=admin, origin=ORIGIN, now=NOW)
    assert not ConflictItem.objects.filter(resolved_at__isnull=True).exists()


def test_an_absence_strands_the_employees_appointments(book, employee, admin):
    appointment = book(10)
    Absence.objects.create(employee=employee, starts_at=at(9), ends_at=at(12))

    scan = find_conflicts(now=NOW, actor=admin, origin=ORIGIN, employee_ids=[employee.pk])

    assert [item.appointment for item in scan.created] == [appointment]
    assert scan.created[0].cause == Cause.EMPLOYEE_UNAVAILABLE


def test_a_narrower_citizen_window_strands_what_falls_outside(book, admin):
    book(9)
    late = book(13)
    category = Category.objects.get(number=1)
    values = {
        name: getattr(category, name)
        for name in (
            "call_minutes",
            "buffer_minutes",
            "step_minutes",
            "min_notice_minutes",
            "horizon_days",
        )
    } | {"window_start": T(8, 0), "window_end": T(12, 0)}

    outcome = changes.update_category_parameters(
        category=category, values=values, actor=admin, origin=ORIGIN, now=NOW
    )

    assert outcome.changed
    assert outcome.stranded == 1
    item = ConflictItem.objects.get()
    assert item.appointment == late
    assert item.cause == Cause.PARAMETERS_CHANGED


def test_past_and_cancelled_appointments_are_never_listed(book, kep, admin):
    appointment = book(10)
    appointment.status = Status.CANCELLED
    appointment.save(update_fields=["status"])

    shorten_tuesday(kep, admin)
    later = find_conflicts(now=at(16), origin=ORIGIN, kep_ids=[kep.pk])

    assert not ConflictItem.objects.exists()
    assert later.created == []


def test_an_item_whose_appointment_was_cancelled_meanwhile_is_closed(book, kep, admin):
    appointment = book(10)
    shorten_tuesday(kep, admin)
    appointment.status = Status.CANCELLED
    appointment.save(update_fields=["status"])

    scan = find_conflicts(now=NOW, origin=ORIGIN, kep_ids=[kep.pk])

    assert scan.ended == 1
    assert ConflictItem.objects.get().resolution == Resolution.ENDED


def test_an_hours_change_invalidates_the_directory_cache_and_the_earliest_index(book, kep, admin):
    book(10)
    refresh_earliest_free_times(keps=[kep], now=NOW)
    assert EarliestFreeTime.objects.filter(kep=kep).exists()
    version = directory_version()

    shorten_tuesday(kep, admin)

    assert directory_version() != version
    assert not EarliestFreeTime.objects.filter(kep=kep).exists()
    cache.clear()


def test_an_unchanged_weekday_changes_nothing(book, kep, admin):
    book(10)
    refresh_earliest_free_times(keps=[kep], now=NOW)

    outcome = changes.set_weekday_hours(
        kep=kep, weekday=1, intervals=[(T(7, 30), T(15, 0))], actor=admin, origin=ORIGIN, now=NOW
    )

    assert not outcome.changed
    assert EarliestFreeTime.objects.filter(kep=kep).exists()
