"""The waitlist (issue 16): asking to be told, the offer engine, taking and declining."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.models import Appointment, Status
from keplive.notifications.models import OutboxMessage, SmsMessage
from keplive.waitlist import services as waitlist
from keplive.waitlist.links import OfferLinkNotValid, offer_id_for_token, offer_token
from keplive.waitlist.models import (
    FreedTime,
    Offer,
    OfferStatus,
    PartOfDay,
    RequestStatus,
    WaitingRequest,
)
from keplive.waitlist.services import AlreadyWaiting, Answer, InvalidWindow
from tests.conftest import athens
from tests.factories import CitizenFactory, EmployeeFactory, KepFactory, ServiceFactory
from tests.waitlist.helpers import FRIDAY_10, NOW, TUESDAY_10, book

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
def waiting(kep, service):
    """A waits on Friday and asks to be told; B holds Tuesday 10:00."""
    a = book(kep, service, FRIDAY_10, email="a@example.gr", mobile_phone="6911111111")
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    request = waitlist.ask_to_be_told(citizen=a.citizen, reference=a.reference, now=NOW)
    return a, b, request


def cancel(appointment: Appointment, *, now: dt.datetime = NOW) -> None:
    services.cancel_appointment(
        reference=appointment.reference, citizen=appointment.citizen, now=now
    )


def test_one_active_request_per_appointment_and_a_sane_window(waiting) -> None:
    a, _b, _request = waiting
    with pytest.raises(AlreadyWaiting):
        waitlist.ask_to_be_told(citizen=a.citizen, reference=a.reference, now=NOW)
    other = CitizenFactory()
    with pytest.raises(services.AppointmentNotFound):
        waitlist.ask_to_be_told(citizen=other, reference=a.reference, now=NOW)
    with pytest.raises(InvalidWindow):
        waitlist.ask_to_be_told(citizen=a.citizen, reference=a.reference, now=NOW, weekdays="")


def test_a_cancellation_is_offered_to_the_first_waiting_with_a_hold_an_email_and_an_sms(
    waiting,
) -> None:
    a, b, request = waiting
    cancel(b)
    assert FreedTime.objects.filter(processed_at__isnull=True).count() == 1

    counts = waitlist.process_freed_times(now=NOW)

    assert counts.offers == 1
    offer = Offer.objects.get()
    assert offer.request == request
    assert offer.starts_at == TUESDAY_10
    assert offer.hold.status == Status.HELD
    assert offer.hold.citizen == a.citizen
    assert offer.expires_at == NOW + dt.timedelta(minutes=10)
    email = OutboxMessage.objects.get(key=f"waitlist-offer:{offer.public_id}")
    assert email.recipient == "a@example.gr"
    assert "/offers/" in email.text_body
    assert "10:00" in email.text_body
    sms = SmsMessage.objects.get(key=f"waitlist-offer-sms:{offer.public_id}")
    assert sms.recipient == "+306911111111"
    assert "/offers/" in sms.text
    assert AuditEvent.objects.filter(action="waitlist.offered").count() == 1
    # Processing again offers nothing more: the freed time was handled once.
    assert waitlist.process_freed_times(now=NOW).offers == 0
    assert Offer.objects.count() == 1


def test_taking_moves_the_booking_keeps_its_reference_and_offers_the_old_time_on(
    kep, service, waiting
) -> None:
    a, b, request = waiting
    c = book(kep, service, athens(2026, 11, 30, 10, 0), email="c@example.gr")
    waitlist.ask_to_be_told(citizen=c.citizen, reference=c.reference, now=NOW)
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get(request=request)

    result = waitlist.take_offer(public_id=offer.public_id, now=NOW + dt.timedelta(minutes=2))

    assert result.answer == Answer.TAKEN
    a.refresh_from_db()
    assert a.status == Status.BOOKED
    assert a.starts_at == TUESDAY_10
    assert a.sequence == 1
    assert not Appointment.objects.filter(citizen=a.citizen, status=Status.HELD).exists()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    assert offer.days_earlier == 3
    request.refresh_from_db()
    assert request.status == RequestStatus.FULFILLED
    assert OutboxMessage.objects.filter(key=f"appointment-updated:{a.reference}:1").exists()
    assert AuditEvent.objects.filter(action="appointment.rescheduled").count() == 1

    # A's old Friday time is C's offer.
    waitlist.process_freed_times(now=NOW + dt.timedelta(minutes=2))
    offer_c = Offer.objects.get(citizen=c.citizen)
    assert offer_c.starts_at == FRIDAY_10


def test_declined_goes_to_the_next_in_line_never_two_at_once(kep, service, waiting) -> None:
    a, b, request = waiting
    c = book(kep, service, athens(2026, 11, 30, 10, 0), email="c@example.gr")
    request_c = waitlist.ask_to_be_told(citizen=c.citizen, reference=c.reference, now=NOW)
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    assert list(Offer.objects.values_list("request", flat=True)) == [request.pk]  # first asked

    offer = Offer.objects.get()
    assert waitlist.decline_offer(public_id=offer.public_id, now=NOW).answer == Answer.DECLINED
    waitlist.process_freed_times(now=NOW)

    offer_c = Offer.objects.get(request=request_c)
    assert offer_c.starts_at == TUESDAY_10
    assert offer_c.status == OfferStatus.PENDING
    a.refresh_from_db()
    assert a.starts_at == FRIDAY_10
    assert Offer.objects.filter(status=OfferStatus.PENDING).count() == 1


def test_an_expired_offer_goes_to_the_next_and_cannot_be_taken(kep, service, waiting) -> None:
    a, b, _request = waiting
    c = book(kep, service, athens(2026, 11, 30, 10, 0), email="c@example.gr")
    waitlist.ask_to_be_told(citizen=c.citizen, reference=c.reference, now=NOW)
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get()
    later = NOW + dt.timedelta(minutes=11)

    assert waitlist.take_offer(public_id=offer.public_id, now=later).answer == Answer.CLOSED
    a.refresh_from_db()
    assert a.starts_at == FRIDAY_10
    waitlist.process_freed_times(now=later)
    assert Offer.objects.get(citizen=c.citizen).starts_at == TUESDAY_10


def test_taken_after_the_time_was_booked_by_someone_else_keeps_the_appointment(
    kep, service, waiting
) -> None:
    a, b, _request = waiting
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get()
    # The hold gives way (the citizen held another time in the wizard) and someone books it.
    Appointment.objects.filter(pk=offer.hold_id).update(status=Status.RELEASED)
    book(kep, service, TUESDAY_10, email="d@example.gr")

    result = waitlist.take_offer(public_id=offer.public_id, now=NOW)

    assert result.answer == Answer.GONE
    a.refresh_from_db()
    assert a.starts_at == FRIDAY_10
    assert a.status == Status.BOOKED
    assert a.sequence == 0
    offer.refresh_from_db()
    assert offer.status == OfferStatus.GONE


def test_fair_and_bounded(kep, service, waiting) -> None:
    _a, b, request = waiting
    # Outside the window (mornings only is fine; Tuesdays are not accepted).
    request.weekdays = "1345"
    request.save()
    cancel(b)
    assert waitlist.process_freed_times(now=NOW).offers == 0
    request.weekdays, request.part_of_day = "12345", PartOfDay.AFTERNOON
    request.save()
    FreedTime.objects.update(processed_at=None)
    assert waitlist.process_freed_times(now=NOW).offers == 0
    # Quiet hours: nothing offered at 23:00; the freed time waits for the morning.
    request.part_of_day = PartOfDay.MORNING
    request.save()
    FreedTime.objects.update(processed_at=None)
    night = athens(2026, 11, 22, 23, 0)
    assert waitlist.process_freed_times(now=night).offers == 0
    assert FreedTime.objects.filter(processed_at__isnull=True).count() == 1
    assert waitlist.process_freed_times(now=NOW).offers == 1


def test_no_more_offers_a_day_than_the_rules_allow(kep, service, waiting) -> None:
    _a, b, _request = waiting
    rules = waitlist.rules()
    rules.max_offers_per_day = 0
    rules.save()
    cancel(b)
    assert waitlist.process_freed_times(now=NOW).offers == 0


def test_requests_end_when_the_appointment_passes_or_is_cancelled(waiting) -> None:
    a, _b, request = waiting
    cancel(a)
    waitlist.process_freed_times(now=NOW)
    request.refresh_from_db()
    assert request.status == RequestStatus.ENDED


def test_removing_a_request_declines_its_open_offer(waiting) -> None:
    a, b, request = waiting
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get()
    waitlist.remove_request(citizen=a.citizen, public_id=request.public_id, now=NOW)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    offer.hold.refresh_from_db()
    assert offer.hold.status == Status.RELEASED
    with pytest.raises(waitlist.RequestNotFound):
        waitlist.remove_request(citizen=CitizenFactory(), public_id=request.public_id, now=NOW)


def test_a_tampered_link_names_no_offer(waiting) -> None:
    _a, b, _request = waiting
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    token = offer_token(Offer.objects.get())
    assert offer_id_for_token(token) == str(Offer.objects.get().public_id)
    with pytest.raises(OfferLinkNotValid):
        offer_id_for_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    with pytest.raises(OfferLinkNotValid):
        offer_id_for_token(signing.dumps({"o": "x"}, salt="another.salt"))


def test_nothing_is_recorded_when_nobody_waits(kep, service) -> None:
    b = book(kep, service, TUESDAY_10)
    cancel(b)
    assert not FreedTime.objects.exists()
    assert not WaitingRequest.objects.exists()


def test_a_worker_dying_mid_offer_loses_nothing_and_sends_nothing_twice(
    monkeypatch: pytest.MonkeyPatch, waiting
) -> None:
    _a, b, _request = waiting
    cancel(b)

    def die(*args: object, **kwargs: object) -> None:
        raise SystemExit("the worker was killed")

    # The worker dies after queueing the messages, before its transaction commits.
    monkeypatch.setattr("keplive.waitlist.services.record_event", die)
    with pytest.raises(SystemExit):
        waitlist.process_freed_times(now=NOW)
    assert not Offer.objects.exists()
    assert not OutboxMessage.objects.filter(key__startswith="waitlist-offer").exists()
    assert not SmsMessage.objects.exists()
    assert FreedTime.objects.filter(processed_at__isnull=True).count() == 1

    monkeypatch.undo()
    assert waitlist.process_freed_times(now=NOW).offers == 1
    assert waitlist.process_freed_times(now=NOW).offers == 0
    assert OutboxMessage.objects.filter(key__startswith="waitlist-offer:").count() == 1
    assert SmsMessage.objects.filter(key__startswith="waitlist-offer-sms:").count() == 1


def test_an_ended_absence_is_offered_to_those_waiting(kep, service) -> None:
    from keplive.audit.services import SYSTEM
    from keplive.directory.models import Absence
    from keplive.worklist import changes

    employee = kep.employees.get()
    absence = Absence.objects.create(
        employee=employee,
        starts_at=athens(2026, 11, 23, 0, 0),
        ends_at=athens(2026, 11, 27, 0, 0),
        reason="Άδεια",
    )
    a = book(kep, service, FRIDAY_10, email="a@example.gr")
    waitlist.ask_to_be_told(citizen=a.citizen, reference=a.reference, now=NOW)
    assert waitlist.process_freed_times(now=NOW).offers == 0

    changes.remove_absence(absence=absence, actor=None, origin=SYSTEM, now=NOW)

    assert waitlist.process_freed_times(now=NOW).offers == 1
    offer = Offer.objects.get()
    # The first time the ended absence opened: Monday, at least the two hours' notice ahead.
    assert offer.starts_at == athens(2026, 11, 23, 11, 0)


def test_an_offer_hold_given_way_to_the_citizens_next_hold_is_offered_on_at_once(
    kep, service
) -> None:
    """A holds the offered Tuesday 10:00, then holds another time in the booking pages: a citizen
    holds one time at a time, so the offer's hold gives way — and that time goes to the next in
    line (C) at the worker's next run, not only when A's offer expires."""
    a = book(kep, service, FRIDAY_10, email="a@example.gr")
    c = book(kep, service, athens(2026, 11, 27, 11, 0), email="c@example.gr")
    b = book(kep, service, TUESDAY_10, email="b@example.gr")
    waitlist.ask_to_be_told(citizen=a.citizen, reference=a.reference, now=NOW)
    waitlist.ask_to_be_told(citizen=c.citizen, reference=c.reference, now=NOW)
    cancel(b)
    waitlist.process_freed_times(now=NOW)
    offer_to_a = Offer.objects.get()
    assert offer_to_a.citizen == a.citizen
    assert offer_to_a.starts_at == TUESDAY_10

    later = NOW + dt.timedelta(minutes=1)
    services.hold_slot(
        citizen=a.citizen,
        kep=kep,
        service=service,
        category=a.category,
        starts_at=athens(2026, 11, 26, 10, 0),
        now=later,
    )
    offer_to_a.hold.refresh_from_db()
    assert offer_to_a.hold.status == Status.RELEASED
    assert FreedTime.objects.filter(processed_at__isnull=True, freed_from=TUESDAY_10).exists()

    waitlist.process_freed_times(now=later)

    offer_to_c = Offer.objects.get(citizen=c.citizen)
    assert offer_to_c.starts_at == TUESDAY_10
    assert offer_to_c.status == OfferStatus.PENDING
