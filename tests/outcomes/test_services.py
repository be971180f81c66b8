"""The rules of an outcome (E9, E11, E14): which result fits what happened, the confirmed
delivery, one outcome per appointment, closing the appointment, the citizen's one email."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.utils import timezone

from keplive.audit.models import AuditEvent
from keplive.booking.models import Status
from keplive.calls.models import Call, CallState
from keplive.notifications.models import OutboxMessage
from keplive.outcomes import services
from keplive.outcomes.exceptions import (
    AppointmentNotFound,
    InvalidDelivery,
    OutcomeAlreadyRecorded,
    OutcomeNotAllowed,
)
from keplive.outcomes.models import Alternative, Outcome, Result
from keplive.outcomes.services import Delivery
from tests.outcomes.conftest import ADDRESS, NAME, pdf_text

pytestmark = pytest.mark.django_db


def record(employee, appointment, result=Result.COMPLETED, *, now=None, **kwargs):
    return services.record_outcome(
        employee=employee,
        reference=appointment.reference,
        result=result,
        now=now or timezone.now(),
        **kwargs,
    )


# --- completed ------------------------------------------------------------------------------


def test_completed_is_refused_for_a_call_that_never_happened(employee, make_appointment):
    appointment = make_appointment()
    with pytest.raises(OutcomeNotAllowed) as refused:
        record(employee, appointment, delivery=Delivery(method="email", email="a@example.gr"))
    assert refused.value.field == "result"
    assert not Outcome.objects.exists()
    event = AuditEvent.objects.filter(action="outcome.recorded").last()
    assert event.outcome == "refused"
    assert event.details == {"reason": "OutcomeNotAllowed"}


@pytest.mark.parametrize(
    ("state", "confirmed"),
    [
        (CallState.IN_CALL, False),
        (CallState.IDENTITY_CHECK, True),
        (CallState.NO_SHOW, None),
        (CallState.OPEN, None),
    ],
)
def test_completed_needs_the_citizen_admitted_with_identity_confirmed(
    employee, make_appointment, served, state, confirmed
):
    appointment = make_appointment()
    served(appointment, state=state, confirmed=confirmed)
    with pytest.raises(OutcomeNotAllowed):
        record(employee, appointment, delivery=Delivery(method="pickup"))


def test_completed_outcome_gets_a_protocol_number_the_form_and_an_email(
    employee, make_appointment, served
):
    appointment = make_appointment()
    served(appointment, state=CallState.IN_CALL)
    now = timezone.now()
    outcome = record(
        employee,
        appointment,
        delivery=Delivery(method="email", email="  maria.new@example.gr "),
        now=now,
    )
    assert re.fullmatch(rf"KEPLIVE-{now.year}-000001", outcome.protocol_number)
    assert outcome.delivery_email == "maria.new@example.gr"
    assert outcome.ekep_next_attempt_at == now
    assert outcome.ekep_registered_at is None
    message = OutboxMessage.objects.get(key=f"outcome-completed:{appointment.reference}")
    assert message.recipient == "maria.new@example.gr"  # the confirmed address
    assert outcome.protocol_number in message.subject
    assert f"/appointments/{appointment.reference}/form.pdf" in message.text_body
    assert message.html_body.startswith("<!DOCTYPE html>")
    (attachment,) = message.attachments
    assert attachment["content_type"] == "application/pdf"
    text = pdf_text(base64.b64decode(attachment["content"]))
    assert NAME in text
    assert outcome.protocol_number in text
    event = AuditEvent.objects.filter(action="outcome.recorded", outcome="success").get()
    assert event.details["result"] == "completed"
    assert "maria" not in str(event.details)  # no personal data in the audit details


def test_protocol_numbers_follow_each_other(employee, make_appointment, served):
    numbers = []
    for _ in range(3):
        appointment = make_appointment()
        served(appointment)
        numbers.append(record(employee, appointment, delivery=Delivery(method="pickup")))
    year = timezone.now().year
    assert [o.protocol_number for o in numbers] == [f"KEPLIVE-{year}-00000{n}" for n in (1, 2, 3)]


def test_postal_delivery_needs_a_postal_address(employee, make_appointment, served):
    appointment = make_appointment()
    served(appointment)
    with pytest.raises(InvalidDelivery) as refused:
        record(employee, appointment, delivery=Delivery(method="post", address="   "))
    assert refused.value.field == "delivery_address"
    assert not Outcome.objects.exists()
    assert not OutboxMessage.objects.exists()
    outcome = record(employee, appointment, delivery=Delivery(method="post", address=ADDRESS))
    assert outcome.delivery_address == ADDRESS


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b"])
def test_email_delivery_needs_a_valid_email(employee, make_appointment, served, email):
    appointment = make_appointment()
    served(appointment)
    with pytest.raises(InvalidDelivery) as refused:
        record(employee, appointment, delivery=Delivery(method="email", email=email))
    assert refused.value.field == "delivery_email"


def test_completed_needs_a_delivery_method(employee, make_appointment, served):
    appointment = make_appointment()
    served(appointment)
    with pytest.raises(InvalidDelivery) as refused:
        record(employee, appointment, delivery=Delivery(method="carrier pigeon"))
    assert refused.value.field == "delivery_method"


def test_an_outcome_cannot_be_recorded_twice(employee, make_appointment, served):
    appointment = make_appointment()
    served(appointment)
    record(employee, appointment, delivery=Delivery(method="pickup"))
    with pytest.raises(OutcomeAlreadyRecorded):
        record(employee, appointment, delivery=Delivery(method="pickup"))
    with pytest.raises(OutcomeAlreadyRecorded):
        services.mark_not_servable(
            employee=employee,
            reference=appointment.reference,
            alternative=Alternative.VISIT,
            now=timezone.now(),
        )
    assert Outcome.objects.count() == 1


def test_another_keps_appointment_is_not_found(employee, other_employee, make_appointment, served):
    appointment = make_appointment()
    served(appointment)
    with pytest.raises(AppointmentNotFound):
        record(other_employee, appointment, delivery=Delivery(method="pickup"))
    with pytest.raises(AppointmentNotFound):
        services.record_outcome(
            employee=employee,
            reference="not-a-reference",
            result=Result.COMPLETED,
            delivery=Delivery(method="pickup"),
            now=timezone.now(),
        )
    assert AuditEvent.objects.filter(action="outcome.recorded", outcome="refused").count() == 2


def test_the_citizens_email_is_in_their_language(employee, make_appointment, served):
    appointment = make_appointment(language="en")
    served(appointment)
    record(employee, appointment, delivery=Delivery(method="pickup"))
    message = OutboxMessage.objects.get()
    assert message.language == "en"
    assert message.recipient == "maria@example.gr"  # pick-up: the declared address
    assert 'lang="en"' in message.html_body


def test_an_appointment_without_declared_details_gets_no_email(employee, make_appointment, served):
    appointment = make_appointment(details=False)
    served(appointment)
    outcome = record(employee, appointment, delivery=Delivery(method="pickup"))
    assert outcome.protocol_number
    assert not OutboxMessage.objects.exists()


# --- no-show --------------------------------------------------------------------------------


def test_no_show_is_refused_before_ten_minutes_past_the_start(employee, make_appointment):
    appointment = make_appointment(starts_in=dt.timedelta(minutes=-9))
    with pytest.raises(OutcomeNotAllowed):
        record(employee, appointment, Result.NO_SHOW)


def test_no_show_after_ten_minutes_when_the_citizen_never_knocked(employee, make_appointment):
    appointment = make_appointment(starts_in=dt.timedelta(minutes=-11))
    Call.objects.create(appointment=appointment, state=CallState.OPEN, opened_at=timezone.now())
    outcome = record(employee, appointment, Result.NO_SHOW)
    assert outcome.result == Result.NO_SHOW
    assert outcome.protocol_number is None
    assert not OutboxMessage.objects.exists()


def test_no_show_is_refused_when_the_citizen_knocked(employee, make_appointment):
    appointment = make_appointment(starts_in=dt.timedelta(minutes=-20))
    Call.objects.create(
        appointment=appointment, state=CallState.KNOCKING, knocked_at=timezone.now()
    )
    with pytest.raises(OutcomeNotAllowed):
        record(employee, appointment, Result.NO_SHOW)


def test_no_show_recorded_by_the_call_fits_at_any_time(employee, make_appointment):
    appointment = make_appointment(starts_in=dt.timedelta(minutes=-5))
    Call.objects.create(appointment=appointment, state=CallState.NO_SHOW, no_show_at=timezone.now())
    assert record(employee, appointment, Result.NO_SHOW).result == Result.NO_SHOW


# --- closing the appointment: cancelled by the KEP, not servable -----------------------------


def test_cancelled_by_the_kep_needs_a_reason_and_closes_the_appointment(employee, make_appointment):
    appointment = make_appointment()
    with pytest.raises(OutcomeNotAllowed) as refused:
        record(employee, appointment, Result.CANCELLED_BY_KEP, note="  ")
    assert refused.value.field == "note"
    outcome = record(
        employee, appointment, Result.CANCELLED_BY_KEP, note="Το ΚΕΠ κλείνει λόγω βλάβης."
    )
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert outcome.note == "Το ΚΕΠ κλείνει λόγω βλάβης."
    # The booking app's cancellation email, with the reason.
    (message,) = OutboxMessage.objects.all()
    assert "Το ΚΕΠ κλείνει λόγω βλάβης." in message.text_body


def test_not_servable_closes_the_appointment_with_one_courteous_email(employee, make_appointment):
    appointment = make_appointment()
    outcome = services.mark_not_servable(
        employee=employee,
        reference=appointment.reference,
        alternative=Alternative.COURIER,
        note="Στείλτε την υπογεγραμμένη αίτηση με ΕΛΤΑ Courier.",
        now=timezone.now(),
    )
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert outcome.result == Result.NOT_SERVABLE
    assert outcome.alternative == "courier"
    (message,) = OutboxMessage.objects.all()  # one email: this app's, not the cancellation
    assert message.key == f"outcome-not-servable:{appointment.reference}"
    assert message.recipient == "maria@example.gr"
    assert "Στείλτε την υπογεγραμμένη αίτηση με ΕΛΤΑ Courier." in message.text_body
    assert NAME in message.html_body
    assert AuditEvent.objects.filter(
        action="outcome.recorded", details__result="not_servable"
    ).exists()


def test_not_servable_other_needs_a_text(employee, make_appointment):
    appointment = make_appointment()
    with pytest.raises(OutcomeNotAllowed) as refused:
        services.mark_not_servable(
            employee=employee,
            reference=appointment.reference,
            alternative=Alternative.OTHER,
            now=timezone.now(),
        )
    assert refused.value.field == "note"
    with pytest.raises(OutcomeNotAllowed) as refused:
        services.mark_not_servable(
            employee=employee, reference=appointment.reference, alternative="x", now=timezone.now()
        )
    assert refused.value.field == "alternative"
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED
    assert not OutboxMessage.objects.exists()


def test_no_outcome_for_a_cancelled_appointment(employee, make_appointment):
    appointment = make_appointment()
    appointment.status = Status.CANCELLED
    appointment.save(update_fields=["status"])
    with pytest.raises(OutcomeNotAllowed):
        record(employee, appointment, Result.CANCELLED_BY_KEP, note="λόγος")


def test_not_servable_cannot_be_recorded_through_record_outcome(employee, make_appointment):
    with pytest.raises(OutcomeNotAllowed):
        record(employee, make_appointment(), Result.NOT_SERVABLE)
