"""Offers at other KEPs (issue 16): a request for "any KEP of the municipality" or "any KEP"
is offered a time freed at another KEP of its scope — only where that KEP serves the service
in the category — and taking it moves the booking there: same reference, new KEP, the old
time freed and offered on."""

from __future__ import annotations

import datetime as dt

import pytest

from keplive.audit.models import AuditEvent
from keplive.booking import services
from keplive.booking.models import Appointment, Status
from keplive.catalogue.models import Category
from keplive.notifications.models import OutboxMessage, SmsMessage
from keplive.waitlist import services as waitlist
from keplive.waitlist.models import FreedTime, Offer, OfferStatus, RequestStatus, Scope
from keplive.waitlist.services import Answer, ScopeNotAllowed
from keplive.waitlist.statistics import waitlist_by_kep_and_service
from tests.conftest import athens
from tests.factories import (
    CitizenFactory,
    EmployeeFactory,
    KepFactory,
    MunicipalityFactory,
    ServiceFactory,
)
from tests.waitlist.helpers import FRIDAY_10, NOW, TUESDAY_10, declaration

pytestmark = pytest.mark.django_db

NEXT_MONDAY_10 = athens(2026, 11, 30, 10, 0)


def staffed_kep(**fields) -> object:
    kep = KepFactory(**fields)
    EmployeeFactory(kep=kep)
    return kep


def book(kep, service, starts_at: dt.datetime, *, number: int = 1, **changes: str) -> Appointment:
    return services.book_appointment(
        citizen=CitizenFactory(),
        kep=kep,
        service=service,
        category=Category.objects.get(number=number),
        starts_at=starts_at,
        now=NOW,
        declaration=declaration(**changes),
    )


def cancel(appointment: Appointment) -> None:
    services.cancel_appointment(
        reference=appointment.reference, citizen=appointment.citizen, now=NOW
    )


def ask(appointment: Appointment, scope: str):
    return waitlist.ask_to_be_told(
        citizen=appointment.citizen, reference=appointment.reference, now=NOW, scope=scope
    )


@pytest.fixture
def town():
    """Two KEPs of one municipality (``here``, where A booked, and ``there``) and one KEP of
    another municipality (``away``)."""
    municipality = MunicipalityFactory()
    return {
        "here": staffed_kep(municipality=municipality, name_el="ΚΕΠ Εδώ"),
        "there": staffed_kep(municipality=municipality, name_el="ΚΕΠ Εκεί", address="Πατησίων 12"),
        "away": staffed_kep(name_el="ΚΕΠ Μακριά"),
    }


def test_a_time_at_another_kep_of_the_municipality_is_offered_taken_and_the_old_one_offered_on(
    town,
) -> None:
    service = ServiceFactory()
    here, there = town["here"], town["there"]
    a = book(here, service, FRIDAY_10, email="a@example.gr", mobile_phone="6911111111")
    ask(a, Scope.MUNICIPALITY)
    c = book(here, service, NEXT_MONDAY_10, email="c@example.gr")
    ask(c, Scope.KEP)  # C waits at A's KEP only
    b = book(there, service, TUESDAY_10, email="b@example.gr")
    cancel(b)

    assert waitlist.process_freed_times(now=NOW).offers == 1
    offer = Offer.objects.get()
    assert (offer.citizen, offer.kep, offer.starts_at) == (a.citizen, there, TUESDAY_10)
    # The messages say which KEP, and where, instead of which.
    email = OutboxMessage.objects.get(key=f"waitlist-offer:{offer.public_id}")
    assert "ΚΕΠ Εκεί" in email.text_body
    assert "Πατησίων 12" in email.text_body
    assert "ΚΕΠ Εδώ" in email.text_body
    sms = SmsMessage.objects.get(key=f"waitlist-offer-sms:{offer.public_id}")
    assert "ΚΕΠ Εκεί" in sms.text
    assert "ΚΕΠ Εδώ" in sms.text

    result = waitlist.take_offer(public_id=offer.public_id, now=NOW)

    assert result.answer == Answer.TAKEN
    moved = Appointment.objects.get(pk=a.pk)
    assert (moved.reference, moved.status) == (a.reference, Status.BOOKED)
    assert (moved.kep, moved.starts_at, moved.sequence) == (there, TUESDAY_10, 1)
    assert moved.employee.kep == there
    assert (
        Appointment.objects.filter(citizen=a.citizen).exclude(status=Status.RELEASED).count() == 1
    )
    update = OutboxMessage.objects.get(key=f"appointment-updated:{a.reference}:1")
    assert "ΚΕΠ Εκεί" in update.text_body
    taken = AuditEvent.objects.get(action="waitlist.taken")
    assert (taken.details["from_kep"], taken.details["kep"]) == (here.code, there.code)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.TAKEN
    assert offer.request.status == RequestStatus.FULFILLED

    # A's old time at A's KEP is free again and goes to C, who waits there.
    assert FreedTime.objects.filter(kep=here, processed_at__isnull=True).exists()
    assert waitlist.process_freed_times(now=NOW).offers == 1
    to_c = Offer.objects.get(citizen=c.citizen)
    assert (to_c.kep, to_c.starts_at) == (here, FRIDAY_10)
    # C's offer is at C's own KEP: its messages name no other.
    assert (
        "ΚΕΠ Εκεί"
        not in OutboxMessage.objects.get(key=f"waitlist-offer:{to_c.public_id}").text_body
    )

    # The dashboard counts the offers where they were made, and A no longer waits.
    rows = {
        row.kep_code: row
        for row in waitlist_by_kep_and_service(
            start=NOW - dt.timedelta(days=1), end=NOW + dt.timedelta(days=1)
        )
    }
    assert (rows[there.code].offers, rows[there.code].taken, rows[there.code].waiting) == (1, 1, 0)
    assert rows[there.code].days_earlier == 3
    assert (rows[here.code].offers, rows[here.code].taken, rows[here.code].waiting) == (1, 0, 1)


def test_this_kep_only_is_never_offered_another_kep(town) -> None:
    service = ServiceFactory()
    a = book(town["here"], service, FRIDAY_10)
    ask(a, Scope.KEP)
    cancel(book(town["there"], service, TUESDAY_10))
    assert waitlist.process_freed_times(now=NOW).offers == 0
    assert not Offer.objects.exists()


def test_the_municipality_is_never_offered_a_kep_elsewhere_any_kep_is(town) -> None:
    service = ServiceFactory()
    municipality_only = book(town["here"], service, FRIDAY_10)
    ask(municipality_only, Scope.MUNICIPALITY)
    cancel(book(town["away"], service, TUESDAY_10))
    assert waitlist.process_freed_times(now=NOW).offers == 0

    anywhere = book(town["here"], service, NEXT_MONDAY_10)
    ask(anywhere, Scope.ANY)
    cancel(book(town["away"], service, athens(2026, 11, 24, 11, 0)))
    assert waitlist.process_freed_times(now=NOW).offers == 1
    assert Offer.objects.get().citizen == anywhere.citizen


def test_category_4_asks_only_within_the_municipality_and_is_never_offered_outside(town) -> None:
    here = town["here"]
    municipal = ServiceFactory(categories=[4], municipality=here.municipality)
    a = book(here, municipal, FRIDAY_10, number=4)
    assert waitlist.allowed_scopes(a.category) == [Scope.KEP, Scope.MUNICIPALITY]
    with pytest.raises(ScopeNotAllowed):
        ask(a, Scope.ANY)
    request = ask(a, Scope.MUNICIPALITY)
    # Even a request for "any KEP" (asked before the rule, say) is never offered elsewhere.
    type(request).objects.filter(pk=request.pk).update(scope=Scope.ANY)
    away = town["away"]
    waitlist.note_freed_time(kep=away, freed_from=TUESDAY_10, now=NOW)
    waitlist.note_hours_changed(kep=away, now=NOW)
    assert waitlist.process_freed_times(now=NOW).offers == 0
    # Within the municipality it is.
    waitlist.note_freed_time(kep=town["there"], freed_from=TUESDAY_10, now=NOW)
    assert waitlist.process_freed_times(now=NOW).offers == 1
    assert Offer.objects.get().kep == town["there"]


def test_category_2_is_only_ever_offered_at_a_kep_eke() -> None:
    municipality = MunicipalityFactory()
    eke = staffed_kep(municipality=municipality, kep_eke=True)
    plain = staffed_kep(municipality=municipality)
    other_eke = staffed_kep(kep_eke=True)
    business = ServiceFactory(categories=[2])
    a = book(
        eke,
        business,
        FRIDAY_10,
        number=2,
        business_name="Αφοί Παπαδόπουλοι ΟΕ",
        business_tax_id="094019245",
    )
    assert waitlist.allowed_scopes(a.category) == list(Scope)
    ask(a, Scope.ANY)
    waitlist.note_hours_changed(kep=plain, now=NOW)  # records nothing: nobody may wait there
    FreedTime.objects.create(kep=plain, freed_from=NOW, until=FRIDAY_10.date(), created_at=NOW)
    assert waitlist.process_freed_times(now=NOW).offers == 0
    waitlist.note_hours_changed(kep=other_eke, now=NOW)
    assert waitlist.process_freed_times(now=NOW).offers == 1
    assert Offer.objects.get().kep == other_eke


def test_a_kep_that_stopped_serving_meanwhile_leaves_the_booking_as_it_was(town) -> None:
    service = ServiceFactory()
    a = book(town["here"], service, FRIDAY_10)
    ask(a, Scope.MUNICIPALITY)
    cancel(book(town["there"], service, TUESDAY_10))
    waitlist.process_freed_times(now=NOW)
    offer = Offer.objects.get()
    type(town["there"]).objects.filter(pk=town["there"].pk).update(is_active=False)

    result = waitlist.take_offer(public_id=offer.public_id, now=NOW)

    assert result.answer == Answer.GONE
    a.refresh_from_db()
    assert (a.kep, a.starts_at, a.status) == (town["here"], FRIDAY_10, Status.BOOKED)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.GONE
