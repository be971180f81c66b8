"""Two workers processing the same freed time offer it once (issue 16), on PostgreSQL.

Real threads, each with its own connection: the ``FreedTime`` row is claimed with
``SKIP LOCKED``, and even two records of the same freed time (two events) meet the booking
guard, since an offer is a hold: one hold, one offer, one email and one SMS.
"""

from __future__ import annotations

import pytest
from django.db import connections

from keplive.booking import services
from keplive.booking.models import Appointment, Status
from keplive.notifications.models import OutboxMessage, SmsMessage
from keplive.waitlist import services as waitlist
from keplive.waitlist.models import FreedTime, Offer
from tests.booking.test_concurrency import run_in_parallel
from tests.conftest import athens
from tests.factories import EmployeeFactory, KepFactory, ServiceFactory
from tests.waitlist.helpers import FRIDAY_10, NOW, TUESDAY_10, book

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("records", [1, 2], ids=["one-record", "two-records-of-one-time"])
@pytest.mark.parametrize("round_", range(3))
def test_two_workers_offer_a_freed_time_once(records: int, round_: int) -> None:
    assert connections["default"].vendor == "postgresql", "this test needs PostgreSQL"
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    service = ServiceFactory()
    waiting = []
    for index, later in enumerate((FRIDAY_10, athens(2026, 11, 30, 10, 0))):
        appointment = book(kep, service, later, email=f"w{index}@example.gr")
        waitlist.ask_to_be_told(
            citizen=appointment.citizen, reference=appointment.reference, now=NOW
        )
        waiting.append(appointment)
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    services.cancel_appointment(reference=b.reference, citizen=b.citizen, now=NOW)
    while FreedTime.objects.count() < records:
        waitlist.note_freed_time(kep=kep, freed_from=TUESDAY_10, now=NOW)

    outcomes = run_in_parallel([lambda: waitlist.process_freed_times(now=NOW)] * 4)

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sum(o.offers for o in outcomes) == 1  # type: ignore[union-attr]
    offer = Offer.objects.get()
    assert offer.starts_at == TUESDAY_10
    assert offer.citizen == waiting[0].citizen  # the first to ask
    holds = Appointment.objects.filter(status=Status.HELD, starts_at=TUESDAY_10)
    assert holds.count() == 1
    assert OutboxMessage.objects.filter(key__startswith="waitlist-offer:").count() == 1
    assert SmsMessage.objects.filter(key__startswith="waitlist-offer-sms:").count() == 1
    assert not FreedTime.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.parametrize("round_", range(3))
def test_two_workers_at_two_keps_of_the_municipality_make_one_open_offer_per_request(
    round_: int,
) -> None:
    """A request for "any KEP of the municipality"; times free at two of its KEPs at once and
    two workers process them at the same instant: the request gets one open offer (one hold,
    one email, one SMS), never two — the other time stays free."""
    from keplive.waitlist.models import Scope
    from tests.factories import MunicipalityFactory

    assert connections["default"].vendor == "postgresql", "this test needs PostgreSQL"
    municipality = MunicipalityFactory()
    here, north, south = (KepFactory(municipality=municipality) for _ in range(3))
    for kep in (here, north, south):
        EmployeeFactory(kep=kep)
    service = ServiceFactory()
    waiting = book(here, service, FRIDAY_10, email="waiting@example.gr")
    waitlist.ask_to_be_told(
        citizen=waiting.citizen,
        reference=waiting.reference,
        now=NOW,
        scope=Scope.MUNICIPALITY,
    )
    for kep in (north, south):
        b = book(kep, service, TUESDAY_10, email=f"b-{kep.code}@example.gr")
        services.cancel_appointment(reference=b.reference, citizen=b.citizen, now=NOW)
    assert FreedTime.objects.filter(processed_at__isnull=True).count() == 2

    outcomes = run_in_parallel([lambda: waitlist.process_freed_times(now=NOW)] * 2)

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sum(o.offers for o in outcomes) == 1  # type: ignore[union-attr]
    offer = Offer.objects.get()
    assert offer.status == "pending"
    assert offer.kep in (north, south)
    holds = Appointment.objects.filter(citizen=waiting.citizen, status=Status.HELD)
    assert list(holds) == [offer.hold]
    assert OutboxMessage.objects.filter(key__startswith="waitlist-offer:").count() == 1
    assert SmsMessage.objects.filter(key__startswith="waitlist-offer-sms:").count() == 1
    assert not FreedTime.objects.filter(processed_at__isnull=True).exists()


@pytest.mark.parametrize("round_", range(3))
def test_one_active_request_per_service_when_sent_at_once(round_: int) -> None:
    """The same 'tell me' sent four times at once before booking (ADR 0028): the partial unique
    index lets one through; the others are told they already wait."""
    assert connections["default"].vendor == "postgresql", "this test needs PostgreSQL"
    from django.utils import timezone

    from keplive.catalogue.models import Category
    from keplive.waitlist.models import WaitingRequest
    from keplive.waitlist.services import AlreadyWaitingForService
    from tests.factories import CitizenFactory

    kep = KepFactory()
    EmployeeFactory(kep=kep)
    service = ServiceFactory()
    category = Category.objects.get(number=1)
    citizen = CitizenFactory()

    def attempt() -> object:
        return waitlist.ask_for_service(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            now=timezone.now(),
            email="wait@example.gr",
        )

    outcomes = run_in_parallel([attempt] * 4)

    assert sum(isinstance(o, WaitingRequest) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, AlreadyWaitingForService) for o in outcomes) == 3, outcomes
    assert WaitingRequest.objects.filter(citizen=citizen, status="active").count() == 1
