"""Asking before booking (issue 16, ADR 0028): a waiting request for a service at a KEP, with no
appointment; a freed time is offered as a hold, and the citizen books it through the details
step every booking uses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.exceptions import KepNotBookable, TooManyActiveBookings
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from keplive.notifications.models import OutboxMessage, SmsMessage
from keplive.waitlist import services as waitlist
from keplive.waitlist.models import Offer, OfferStatus, RequestStatus, WaitingRequest
from keplive.waitlist.services import AlreadyWaitingForService, Answer, InvalidContact
from keplive.waitlist.statistics import waitlist_by_kep_and_service
from tests.conftest import athens
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory
from tests.waitlist.helpers import FRIDAY_10, NOW, TUESDAY_10, book, declaration

pytestmark = pytest.mark.django_db


@pytest.fixture
def kep(db):
    kep = KepFactory()
    EmployeeFactory(kep=kep)
    return kep


@pytest.fixture
def service(db):
    return ServiceFactory()


@pytest.fixture
def category(db):
    return Category.objects.get(number=1)


def ask(citizen, kep, service, category, **changes):
    values = {"email": "wait@example.gr", "mobile_phone": "6911111111"} | changes
    return waitlist.ask_for_service(
        citizen=citizen, kep=kep, service=service, category=category, now=NOW, **values
    )


def cancel(appointment: Appointment, *, now: dt.datetime = NOW) -> None:
    services.cancel_appointment(
        reference=appointment.reference, citizen=appointment.citizen, now=now
    )


def test_one_active_request_per_service_and_a_contact(kep, service, category) -> None:
    citizen = CitizenFactory()
    request = ask(citizen, kep, service, category)
    assert request.appointment is None
    assert (request.kep, request.service, request.category) == (kep, service, category)
    assert request.mobile_phone == "+306911111111"
    with pytest.raises(AlreadyWaitingForService):
        ask(citizen, kep, service, category)
    # The database says so too, whatever the service checks.
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitingRequest.objects.create(
            citizen=citizen,
            kep=kep,
            municipality=kep.municipality,
            service=service,
            category=category,
            created_at=NOW,
        )
    with pytest.raises(InvalidContact):
        ask(CitizenFactory(), kep, service, category, email="not an address")
    # Removed, it may be asked again; another citizen asks for the same service freely.
    waitlist.remove_request(citizen=citizen, public_id=request.public_id, now=NOW)
    request.refresh_from_db()
    assert request.status == RequestStatus.REMOVED
    assert request.email == ""
    assert request.mobile_phone == ""
    ask(citizen, kep, service, category)
    ask(CitizenFactory(), kep, service, category)
    assert AuditEvent.objects.filter(action="waitlist.requested").count() == 3


def test_a_kep_that_does_not_serve_the_service_is_refused(kep, service, category) -> None:
    kep.is_active = False
    kep.save()
    with pytest.raises(KepNotBookable):
        ask(CitizenFactory(), kep, service, category)


def test_a_freed_time_is_offered_and_booked_through_the_details_step(
    kep, service, category
) -> None:
    waiting = CitizenFactory()
    request = ask(waiting, kep, service, category)
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    cancel(b)

    assert waitlist.process_freed_times(now=NOW).offers == 1

    offer = Offer.objects.get()
    assert offer.request == request
    assert offer.starts_at == TUESDAY_10
    assert offer.previous_starts_at is None
    assert offer.hold.status == Status.HELD
    assert offer.hold.citizen == waiting
    email = OutboxMessage.objects.get(key=f"waitlist-offer:{offer.public_id}")
    assert email.recipient == "wait@example.gr"
    assert "/offers/" in email.text_body
    assert SmsMessage.objects.get(key=f"waitlist-offer-sms:{offer.public_id}").recipient == (
        "+306911111111"
    )
    assert AuditEvent.objects.get(action="waitlist.offered").object_id == str(request.public_id)

    # Taking leads to the hold (the details step); nothing is booked yet.
    result = waitlist.take_offer(public_id=offer.public_id, now=NOW + dt.timedelta(minutes=1))
    assert result.answer == Answer.DETAILS
    assert result.appointment == offer.hold
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING

    # The details step confirms the hold, and the request is fulfilled in that transaction.
    with transaction.atomic():
        booked = services.confirm_hold(
            hold_reference=offer.hold.reference,
            citizen=waiting,
            now=NOW + dt.timedelta(minutes=2),
            declaration=declaration(),
        )
        waitlist.offer_hold_confirmed(hold=booked, now=NOW + dt.timedelta(minutes=2))
    assert booked.status == Status.BOOKED
    assert booked.starts_at == TUESDAY_10
    offer.refresh_from_db()
    request.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    assert request.status == RequestStatus.FULFILLED
    assert request.email == ""
    # Taken again (the link a second time): closed, nothing more.
    assert waitlist.take_offer(public_id=offer.public_id, now=NOW).answer == Answer.CLOSED

    # The dashboard counts it: offered, taken, no "days earlier" (there was no appointment).
    [row] = waitlist_by_kep_and_service(
        start=NOW - dt.timedelta(days=1), end=NOW + dt.timedelta(days=1)
    )
    assert (row.waiting, row.offers, row.taken, row.days_earlier, row.moved) == (0, 1, 1, 0, 0)
    assert row.average_days_earlier is None


def test_any_time_in_the_window_no_earlier_than_bound(kep, service, category) -> None:
    """Without an appointment there is no 'earlier than my booking': a time late in the week
    is offered too, but only within the chosen weekdays."""
    request = ask(CitizenFactory(), kep, service, category, weekdays="5")
    tuesday = book(kep, service, TUESDAY_10, email="b@example.gr")
    friday = book(kep, service, FRIDAY_10, email="c@example.gr")
    cancel(tuesday)
    assert waitlist.process_freed_times(now=NOW).offers == 0  # Tuesday: not in the window
    cancel(friday)
    assert waitlist.process_freed_times(now=NOW).offers == 1
    assert Offer.objects.get(request=request).starts_at == FRIDAY_10


def test_the_appointment_path_is_unchanged_beside_it(kep, service, category) -> None:
    """A request for an appointment still gets only times earlier than it, and goes first
    when asked first."""
    a = book(kep, service, FRIDAY_10, email="a@example.gr")
    by_appointment = waitlist.ask_to_be_told(citizen=a.citizen, reference=a.reference, now=NOW)
    ask(CitizenFactory(), kep, service, category)
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    assert Offer.objects.get().request == by_appointment


@override_settings(KEPLIVE_MAX_ACTIVE_BOOKINGS=1)
def test_the_booking_limit_holds(kep, service, category) -> None:
    waiting = CitizenFactory()
    request = ask(waiting, kep, service, category)
    # At the limit: nothing is offered to them (the time goes to whoever can book it).
    mine = book(kep, service, athens(2026, 11, 30, 10, 0), citizen=waiting)
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    cancel(b)
    assert waitlist.process_freed_times(now=NOW).offers == 0

    # Below the limit when offered, at it when taking: the offer says so and stays open,
    # and the booking service refuses the confirmation.
    services.cancel_appointment(reference=mine.reference, citizen=waiting, now=NOW)
    assert waitlist.process_freed_times(now=NOW).offers == 1
    offer = Offer.objects.get(request=request)
    book(kep, service, athens(2026, 12, 1, 10, 0), citizen=waiting)
    result = waitlist.take_offer(public_id=offer.public_id, now=NOW)
    assert result.answer == Answer.AT_LIMIT
    with pytest.raises(TooManyActiveBookings):
        services.confirm_hold(
            hold_reference=offer.hold.reference,
            citizen=waiting,
            now=NOW,
            declaration=declaration(),
        )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def test_a_hold_given_up_is_gone_and_an_expired_offer_goes_on(kep, service, category) -> None:
    waiting = CitizenFactory()
    ask(waiting, kep, service, category)
    other = CitizenFactory()
    ask(other, kep, service, category, email="other@example.gr")
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get()
    assert offer.citizen == waiting
    # The offer runs out: the time goes to the next in line.
    later = NOW + dt.timedelta(minutes=11)
    assert waitlist.take_offer(public_id=offer.public_id, now=later).answer == Answer.CLOSED
    services.release_expired_holds(now=later)
    waitlist.process_freed_times(now=later)
    assert Offer.objects.get(citizen=other).starts_at == TUESDAY_10


def test_end_stale_requests_ends_one_whose_window_passed_and_no_other(
    kep, service, category
) -> None:
    lasting = ask(CitizenFactory(), kep, service, category)
    closing = ask(CitizenFactory(), kep, service, category, before=dt.date(2026, 11, 26))
    assert waitlist.end_stale_requests(now=NOW) == 0
    assert waitlist.end_stale_requests(now=athens(2026, 11, 26, 9, 0)) == 1
    lasting.refresh_from_db()
    closing.refresh_from_db()
    assert lasting.status == RequestStatus.ACTIVE
    assert closing.status == RequestStatus.ENDED
    assert closing.email == ""
    assert closing.mobile_phone == ""


def test_a_confirmation_the_details_step_did_not_report_is_found_by_the_worker(
    kep, service, category
) -> None:
    waiting = CitizenFactory()
    request = ask(waiting, kep, service, category)
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get()
    services.confirm_hold(
        hold_reference=offer.hold.reference, citizen=waiting, now=NOW, declaration=declaration()
    )
    waitlist.process_freed_times(now=NOW + dt.timedelta(minutes=11))
    offer.refresh_from_db()
    request.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    assert request.status == RequestStatus.FULFILLED
