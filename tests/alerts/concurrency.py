"""Two workers running the same job at the same moment (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

from keplive.booking import services
from keplive.booking.models import Appointment
from keplive.booking.selectors import free_slots_for
from keplive.catalogue.models import Category
from tests.alerts.conftest import NOW, TUESDAY, declaration, staff
from tests.factories import CitizenFactory, KepFactory


def fill_tuesday(*, service, count: int, interpreter: str = "") -> list[Appointment]:  # type: ignore[no-untyped-def]
    """``count`` booked appointments on Tuesday at one KEP, one citizen each."""
    kep = KepFactory()
    for _ in range(4):
        staff(kep)
    category = Category.objects.get(number=3 if interpreter else 1)
    booked: list[Appointment] = []
    while len(booked) < count:
        slot = free_slots_for(
            kep=kep, service=service, category=category, start=TUESDAY, end=TUESDAY, now=NOW
        )[0]
        booked.append(
            services.book_appointment(
                citizen=CitizenFactory(),
                kep=kep,
                service=service,
                category=category,
                starts_at=slot.start,
                now=NOW,
                declaration=declaration(interpreter=interpreter),
            )
        )
    return booked


def run_twice_at_once(job: Callable[[], object]) -> list[object]:
    """Run ``job`` in two threads released together; return both results (or fail)."""
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a run hung"
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    return results
