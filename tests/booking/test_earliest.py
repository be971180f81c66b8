"""The earliest-free-time index: refreshed as bookings commit, verified live on every read."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from keplive.booking import services
from keplive.booking.earliest import live_earliest, refresh_earliest_free_times
from keplive.booking.models import EarliestFreeTime
from keplive.booking.selectors import earliest_free_slots
from keplive.booking.tasks import refresh_earliest_free_times_task
from keplive.catalogue.models import Category
from keplive.directory.models import Kep
from keplive.directory.selectors import bookable_keps
from tests.booking.conftest import TUESDAY
from tests.booking.test_services import at
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory

pytestmark = pytest.mark.django_db

# Monday 2026-11-23 06:00: two hours' notice makes 08:00 the first bookable time that day.
MONDAY_8 = at(8, 0, day=TUESDAY - dt.timedelta(days=1))


def test_the_search_returns_keps_in_order_of_their_earliest_free_time(service, information, now):
    busy, free = KepFactory(), KepFactory()
    EmployeeFactory(kep=busy)
    EmployeeFactory(kep=free)
    services.book_appointment(
        citizen=CitizenFactory(),
        kep=busy,
        service=service,
        category=information,
        starts_at=MONDAY_8,
        now=now,
    )
    found = earliest_free_slots(service=service, category=information, now=now)
    assert [(item.kep, item.slot.start) for item in found] == [
        (free, MONDAY_8),
        (busy, MONDAY_8 + dt.timedelta(minutes=30)),
    ]


def test_a_booking_refreshes_its_keps_index_row_when_it_commits(
    kep, employee, service, information, citizen, now, django_capture_on_commit_callbacks
):
    refresh_earliest_free_times(keps=[kep], now=now)
    assert EarliestFreeTime.objects.get(kep=kep, category=information).starts_at == MONDAY_8

    with django_capture_on_commit_callbacks(execute=True):
        services.book_appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=information,
            starts_at=MONDAY_8,
            now=now,
        )

    row = EarliestFreeTime.objects.get(kep=kep, category=information)
    assert row.starts_at == MONDAY_8 + dt.timedelta(minutes=30)


def test_a_stale_index_row_never_produces_a_wrong_answer(
    kep, employee, service, information, citizen, now
):
    refresh_earliest_free_times(keps=[kep], now=now)
    # Booked without the on-commit refresh running: the index still says 08:00.
    services.book_appointment(
        citizen=citizen,
        kep=kep,
        service=service,
        category=information,
        starts_at=MONDAY_8,
        now=now,
    )
    assert EarliestFreeTime.objects.get(kep=kep, category=information).starts_at == MONDAY_8

    found = earliest_free_slots(service=service, category=information, now=now)

    assert [item.slot.start for item in found] == [MONDAY_8 + dt.timedelta(minutes=30)]
    row = EarliestFreeTime.objects.get(kep=kep, category=information)
    assert row.starts_at == MONDAY_8 + dt.timedelta(minutes=30)


def test_a_kep_with_nobody_available_has_no_earliest_time(service, information, now):
    kep = KepFactory()
    EmployeeFactory(kep=kep, availability=False)
    assert earliest_free_slots(service=service, category=information, now=now) == []
    assert EarliestFreeTime.objects.get(kep=kep, category=information).starts_at is None


def test_the_periodic_refresh_indexes_every_bookable_kep(service, information):
    keps = [KepFactory() for _ in range(3)]
    for kep in keps:
        EmployeeFactory(kep=kep)
    Kep.objects.filter(pk=keps[2].pk).update(is_active=False)
    written = refresh_earliest_free_times_task.call_local()
    assert written == 2 * 3  # two active, non-EKE KEPs × categories 1, 3 and 4
    assert set(EarliestFreeTime.objects.values_list("kep_id", flat=True)) == {
        keps[0].pk,
        keps[1].pk,
    }


def test_a_directory_change_is_seen_at_once_despite_the_cache(
    kep, employee, service, information, now
):
    from keplive.booking.selectors import free_slots_for
    from keplive.directory.models import Absence, OpeningException

    def starts():
        return [
            s.start
            for s in free_slots_for(
                kep=kep, service=service, category=information, start=TUESDAY, end=TUESDAY, now=now
            )
        ]

    assert at(9) in starts()
    Absence.objects.create(employee=employee, starts_at=at(9), ends_at=at(10), reason="Γιατρός")
    assert at(9) not in starts()
    assert at(10) in starts()
    OpeningException.objects.create(kep=kep, date=TUESDAY, reason="Απεργία")  # closed all day
    assert starts() == []


def test_only_changes_near_the_earliest_time_refresh_the_index(
    kep,
    employee,
    service,
    information,
    citizen,
    other_citizen,
    now,
    django_capture_on_commit_callbacks,
):
    refresh_earliest_free_times(keps=[kep], now=now)
    long_ago = now - dt.timedelta(days=1)
    EarliestFreeTime.objects.update(refreshed_at=long_ago)
    row = EarliestFreeTime.objects.get(kep=kep, category=information)

    with django_capture_on_commit_callbacks(execute=True):
        far = services.book_appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=information,
            starts_at=at(12),
            now=now,
        )
    row.refresh_from_db()
    assert row.starts_at == MONDAY_8  # a booking at noon on Tuesday cannot move Monday 08:00
    assert row.refreshed_at == long_ago  # ...so the index was not even recomputed

    with django_capture_on_commit_callbacks(execute=True):
        services.book_appointment(
            citizen=other_citizen,
            kep=kep,
            service=service,
            category=information,
            starts_at=MONDAY_8,
            now=now,
        )
    row.refresh_from_db()
    assert row.starts_at == MONDAY_8 + dt.timedelta(minutes=30)
    assert row.refreshed_at == now

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(reference=far.reference, citizen=citizen, now=now)
    row.refresh_from_db()
    assert row.starts_at == MONDAY_8 + dt.timedelta(minutes=30)  # noon Tuesday is later


def test_the_deployment_step_fills_the_index_for_every_bookable_kep(information):
    """`manage.py refresh_earliest` (ADR 0020): after it, no bookable KEP is missing from the
    index, and each row is what the live computation gives at the moment it was written."""
    for _ in range(3):
        EmployeeFactory(kep=KepFactory())
    assert not EarliestFreeTime.objects.exists()

    call_command("refresh_earliest", stdout=io.StringIO())

    keps = list(bookable_keps())
    rows = {(row.kep_id, row.category_id): row for row in EarliestFreeTime.objects.all()}
    assert {kep_id for kep_id, _ in rows} == {kep.pk for kep in keps}
    written_at = {row.refreshed_at for row in rows.values()}
    assert len(written_at) == 1
    live = live_earliest(keps=keps, categories=list(Category.objects.all()), now=written_at.pop())
    assert {key: row.starts_at for key, row in rows.items()} == {
        key: slot.start if slot else None for key, slot in live.items()
    }
    assert any(row.starts_at is not None for row in rows.values())
