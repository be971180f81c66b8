"""Concurrent booking on PostgreSQL: many citizens press "Book" at once on the same few times.

These run real threads with their own database connections against PostgreSQL, where the
exclusion constraint decides. They fail (never skip) when the database is not PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections

from keplive.booking import services
from keplive.booking.exceptions import BookingError, SlotNoLongerFree, TooManyActiveBookings
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from tests.booking.conftest import NOW, TUESDAY
from tests.conftest import athens
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TIMES = [
    athens(TUESDAY.year, TUESDAY.month, TUESDAY.day, h, m) for h, m in ((9, 0), (9, 30), (10, 0))
]


def run_in_parallel(attempts: list[Callable[[], object]]) -> list[object]:
    """Start every attempt at the same instant, each on its own connection; return outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[object] = [None] * len(attempts)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = attempts[index]()
        except BaseException as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a booking attempt hung"
    return outcomes


def overlapping_pairs() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
              ON a.employee_id = b.employee_id AND a.id < b.id
             AND a.status IN ('held', 'booked') AND b.status IN ('held', 'booked')
             AND tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)
            """
        )
        return cursor.fetchone()[0]


@pytest.fixture
def setting(require_postgres):
    kep = KepFactory()
    employees = [EmployeeFactory(kep=kep) for _ in range(4)]
    return kep, employees, ServiceFactory(), Category.objects.get(number=1)


def test_sixty_parallel_bookings_on_three_times_fill_exactly_the_room(setting):
    kep, employees, service, category = setting
    citizens = [CitizenFactory() for _ in range(60)]
    room = len(TIMES) * len(employees)

    def attempt(citizen, starts_at):
        return lambda: services.book_appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            starts_at=starts_at,
            now=NOW,
        )

    outcomes = run_in_parallel(
        [attempt(citizen, TIMES[i % len(TIMES)]) for i, citizen in enumerate(citizens)]
    )

    booked = [o for o in outcomes if isinstance(o, Appointment)]
    refused = [o for o in outcomes if isinstance(o, SlotNoLongerFree)]
    unexpected = [o for o in outcomes if not isinstance(o, Appointment | SlotNoLongerFree)]
    assert unexpected == []
    assert len(booked) == room
    assert len(refused) == len(citizens) - room
    assert Appointment.objects.filter(status=Status.BOOKED).count() == room
    assert overlapping_pairs() == 0
    per_time = Counter(a.starts_at for a in Appointment.objects.filter(status=Status.BOOKED))
    assert set(per_time.values()) == {len(employees)}


def test_parallel_holds_on_one_time_hold_once_per_employee(setting):
    kep, employees, service, category = setting
    citizens = [CitizenFactory() for _ in range(50)]

    outcomes = run_in_parallel(
        [
            (
                lambda c=citizen: services.hold_slot(
                    citizen=c,
                    kep=kep,
                    service=service,
                    category=category,
                    starts_at=TIMES[0],
                    now=NOW,
                )
            )
            for citizen in citizens
        ]
    )

    held = [o for o in outcomes if isinstance(o, Appointment)]
    assert len(held) == len(employees)
    assert all(isinstance(o, Appointment | SlotNoLongerFree) for o in outcomes)
    assert overlapping_pairs() == 0


def test_one_citizen_booking_in_parallel_cannot_pass_the_limit(setting, settings):
    kep, _employees, service, category = setting
    settings.KEPLIVE_MAX_ACTIVE_BOOKINGS = 2
    citizen = CitizenFactory()
    times = [
        athens(TUESDAY.year, TUESDAY.month, TUESDAY.day, 9 + i // 2, 30 * (i % 2))
        for i in range(10)
    ]

    outcomes = run_in_parallel(
        [
            (
                lambda t=t: services.book_appointment(
                    citizen=citizen,
                    kep=kep,
                    service=service,
                    category=category,
                    starts_at=t,
                    now=NOW,
                )
            )
            for t in times
        ]
    )

    assert sum(isinstance(o, Appointment) for o in outcomes) == 2
    assert sum(isinstance(o, TooManyActiveBookings) for o in outcomes) == 8
    assert all(isinstance(o, Appointment | BookingError) for o in outcomes)


def test_parallel_moves_across_two_keps_fill_the_room_without_deadlock(require_postgres):
    """Citizens of two KEPs move at once to the other KEP (issue 14, item 7), twice as many as
    it has employees: exactly one per employee wins, the others keep what they had, no range
    overlaps, and PostgreSQL meets no deadlock though the moves lock the employees of both KEPs
    in opposite directions."""
    from tests.booking.test_mixed_concurrency import deadlocks, end_the_threads_sessions

    category = Category.objects.get(number=1)
    service = ServiceFactory()
    keps = [KepFactory(), KepFactory()]
    staff = {kep.pk: [EmployeeFactory(kep=kep) for _ in range(3)] for kep in keps}
    day = TUESDAY
    nine, one, eleven = (athens(day.year, day.month, day.day, h, 0) for h in (9, 13, 11))
    booked: list[Appointment] = []
    for kep in keps:
        for starts_at in (nine, one):
            for _ in staff[kep.pk]:
                booked.append(
                    services.book_appointment(
                        citizen=CitizenFactory(),
                        kep=kep,
                        service=service,
                        category=category,
                        starts_at=starts_at,
                        now=NOW,
                    )
                )
    other = {keps[0].pk: keps[1], keps[1].pk: keps[0]}
    end_the_threads_sessions()
    before = deadlocks()

    outcomes = run_in_parallel(
        [
            (
                lambda a=appointment: services.reschedule_appointment(
                    reference=a.reference,
                    citizen=a.citizen,
                    starts_at=eleven,
                    now=NOW,
                    kep=other[a.kep_id],
                )
            )
            for appointment in booked
        ]
    )

    moved = [o for o in outcomes if isinstance(o, Appointment)]
    refused = [o for o in outcomes if isinstance(o, SlotNoLongerFree)]
    assert [o for o in outcomes if not isinstance(o, Appointment | SlotNoLongerFree)] == []
    assert len(moved) == 6
    assert len(refused) == 6
    assert overlapping_pairs() == 0
    for kep in keps:
        at_eleven = Appointment.objects.filter(kep=kep, starts_at=eleven, status=Status.BOOKED)
        assert at_eleven.count() == len(staff[kep.pk])
    winners = {o.pk for o in moved}
    for appointment in booked:
        now_stored = Appointment.objects.get(pk=appointment.pk)
        if appointment.pk in winners:
            assert now_stored.kep_id == other[appointment.kep_id].pk
            assert now_stored.sequence == 1
        else:  # the loser keeps its KEP, time and sequence
            assert (now_stored.kep_id, now_stored.starts_at, now_stored.sequence) == (
                appointment.kep_id,
                appointment.starts_at,
                0,
            )
    end_the_threads_sessions()
    assert deadlocks() - before == 0
