"""The citizen's appointment emails (C6, C7, C8): queued by the booking services, in the declared
language, with masked document numbers, working links and the ICS file."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import override_settings
from icalendar import Calendar

from keplive.booking import services
from keplive.booking.declarations import Declaration, mask_document_number
from keplive.booking.emails import EmailKind, queue_appointment_email
from keplive.booking.links import (
    LinkNotValid,
    appointment_for_join_token,
    appointment_for_manage_token,
)
from keplive.booking.models import Appointment
from keplive.notifications.models import OutboxMessage
from tests.booking.conftest import TUESDAY
from tests.conftest import athens

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://keplive.example.gr"
EMAIL = "maria@example.gr"
ID_CARD = "ΑΒ123456"


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return athens(day.year, day.month, day.day, hour, minute)


def declaration(**changes: str) -> Declaration:
    values = {
        "full_name": "Μαρία Παπαδοπούλου",
        "email": EMAIL,
        "mobile_phone": "6912345678",
        "postal_address": "Ερμού 10, 10563 Αθήνα",
        "document_kind": "id_card",
        "id_card_number": ID_CARD,
        "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
        "delivery_method": "email",
        "language": "el",
    }
    return Declaration(**(values | changes))


def book(citizen, kep, service, category, now, *, starts_at=None, **changes):
    return services.book_appointment(
        citizen=citizen,
        kep=kep,
        service=service,
        category=category,
        starts_at=starts_at or at(9),
        now=now,
        declaration=declaration(**changes),
    )


def messages_for(appointment: Appointment) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            reference_type="booking.appointment", reference_id=str(appointment.pk)
        ).order_by("created_at", "id")
    )


def ics_of(message: OutboxMessage) -> tuple[str, Calendar]:
    (attachment,) = message.attachments
    assert attachment["filename"] == "appointment.ics"
    return attachment["content_type"], Calendar.from_ical(base64.b64decode(attachment["content"]))


def link_token(text: str, prefix: str) -> str:
    start = text.index(f"{PUBLIC_URL}/{prefix}/") + len(f"{PUBLIC_URL}/{prefix}/")
    return text[start : text.index("/", start)]


@pytest.fixture(autouse=True)
def public_url():
    with override_settings(KEPLIVE_PUBLIC_URL=PUBLIC_URL, KEPLIVE_OUTBOX_DELIVER_ON_COMMIT=False):
        yield


def test_booking_with_a_declaration_queues_the_confirmation_with_its_calendar_file(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now)

    (message,) = messages_for(appointment)
    assert message.key == f"appointment-confirmed:{appointment.reference}:0"
    assert message.recipient == EMAIL
    assert message.language == "el"
    assert "Τρίτη 24 Νοεμβρίου 2026" in message.subject
    assert "09:00" in message.subject
    content_type, calendar = ics_of(message)
    assert content_type == "text/calendar; method=REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"


def test_booking_without_a_declaration_queues_no_email(
    kep, employee, service, information, citizen, now
):
    appointment = services.book_appointment(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    assert messages_for(appointment) == []
    assert queue_appointment_email(appointment, EmailKind.CONFIRMED, now=now) is None


def test_confirming_a_hold_queues_one_confirmation_even_when_sent_twice(
    kep, employee, service, information, citizen, now
):
    hold = services.hold_slot(
        citizen=citizen, kep=kep, service=service, category=information, starts_at=at(9), now=now
    )
    for _ in range(2):
        services.confirm_hold(
            hold_reference=hold.reference, citizen=citizen, now=now, declaration=declaration()
        )
    (message,) = messages_for(hold)
    assert message.key == f"appointment-confirmed:{hold.reference}:0"


def test_queueing_the_same_change_again_returns_the_same_message(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now)
    (first,) = messages_for(appointment)
    again = queue_appointment_email(appointment, EmailKind.CONFIRMED, now=now)
    assert again is not None
    assert again.pk == first.pk
    assert len(messages_for(appointment)) == 1


def test_the_email_carries_everything_the_citizen_needs(
    kep, employee, service, information, citizen, now
):
    kep.phone = "2101234567"
    kep.save()
    service.documents_en = "Birth certificate\nTax clearance"
    service.save()
    appointment = book(
        citizen, kep, service, information, now, language="en", delivery_method="post"
    )
    (message,) = messages_for(appointment)
    for part in (message.text_body, message.html_body):
        assert "Tuesday 24 November 2026" in part
        assert "09:00" in part
        assert service.title_en in part
        assert information.title_en in part
        assert kep.name_en in part
        assert kep.address in part
        assert "2101234567" in part
        # The code a person can read out, not the internal UUID (issue 14, item 9).
        assert appointment.display_code in part
        assert str(appointment.reference) not in part
        assert "Μαρία Παπαδοπούλου" in part
        assert "By post" in part
        assert "Ερμού 10, 10563 Αθήνα" in part
        assert "Greek identity card" in part
        assert "Birth certificate" in part
        assert "Tax clearance" in part
        assert "The call is not recorded." in part
        assert f"{PUBLIC_URL}/manage/" in part
        assert f"{PUBLIC_URL}/call/" in part
    assert (
        message.subject == "Your myKEPlive appointment is booked: Tuesday 24 November 2026 at 09:00"
    )


def test_the_interpreter_appears_when_one_was_asked_for(
    kep, employee, service, disability, citizen, now
):
    appointment = book(
        citizen, kep, service, disability, now, language="en", interpreter="sign_language"
    )
    (message,) = messages_for(appointment)
    assert "Greek Sign Language interpreter" in message.text_body
    assert "Greek Sign Language interpreter" in message.html_body


def test_the_email_is_in_the_declared_language(kep, employee, service, information, citizen, now):
    greek = book(citizen, kep, service, information, now, language="el")
    english = book(citizen, kep, service, information, now, starts_at=at(10), language="en")

    (el,) = messages_for(greek)
    (en,) = messages_for(english)
    assert '<html lang="el">' in el.html_body
    assert '<html lang="en">' in en.html_body
    assert el.language == "el"
    assert en.language == "en"
    assert "Τρίτη 24 Νοεμβρίου 2026" in el.text_body
    assert "Tuesday" not in el.text_body
    assert "Tuesday 24 November 2026" in en.text_body
    assert service.title_el in el.text_body
    assert service.title_en in en.text_body


def test_the_document_number_is_masked_everywhere(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now)
    (message,) = messages_for(appointment)
    ics = base64.b64decode(message.attachments[0]["content"]).decode()
    assert "••••••56" in message.text_body
    assert "••••••56" in message.html_body
    for part in (message.text_body, message.html_body, ics, message.subject):
        assert ID_CARD not in part
        assert "123456" not in part


def test_passport_and_residence_permit_numbers_are_masked(
    kep, employee, service, information, citizen, now
):
    appointment = book(
        citizen,
        kep,
        service,
        information,
        now,
        document_kind="passport",
        passport_number="X1234567",
        residence_permit_number="RP987654",
        language="en",
    )
    (message,) = messages_for(appointment)
    for part in (message.text_body, message.html_body):
        assert "••••••67" in part
        assert "••••••54" in part
        assert "X1234567" not in part
        assert "RP987654" not in part


@pytest.mark.parametrize(
    ("number", "masked"),
    [("ΑΒ123456", "••••••56"), ("12", "••"), ("", ""), (" X1 ", "••")],
)
def test_mask_document_number_keeps_only_the_last_two_characters(number, masked):
    assert mask_document_number(number) == masked


def test_declared_text_is_escaped_in_html_and_plain_in_text(
    kep, employee, service, information, citizen, now
):
    appointment = book(
        citizen, kep, service, information, now, full_name="Μαρία <b>Π</b> & Co", language="en"
    )
    (message,) = messages_for(appointment)
    assert "<b>Π</b>" not in message.html_body
    assert "&lt;b&gt;Π&lt;/b&gt; &amp; Co" in message.html_body
    assert "Μαρία <b>Π</b> & Co" in message.text_body
    assert "&amp;" not in message.text_body


def test_the_links_in_the_email_are_valid_for_this_appointment(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now)
    (message,) = messages_for(appointment)
    manage = link_token(message.text_body, "manage")
    join = link_token(message.text_body, "call")
    assert appointment_for_manage_token(manage, now=now).pk == appointment.pk
    assert appointment_for_join_token(join, now=now).pk == appointment.pk
    assert f"{PUBLIC_URL}/manage/{manage}/" in message.html_body
    assert f"{PUBLIC_URL}/call/{join}/" in message.html_body


def test_rescheduling_sends_an_update_with_a_new_sequence_and_a_new_manage_link(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now)
    (confirmation,) = messages_for(appointment)
    old_manage = link_token(confirmation.text_body, "manage")

    services.reschedule_appointment(
        reference=appointment.reference, citizen=citizen, starts_at=at(11), now=now
    )

    confirmation_again, update = messages_for(appointment)
    assert confirmation_again.pk == confirmation.pk
    assert update.key == f"appointment-updated:{appointment.reference}:1"
    # In Greek, as declared.
    assert update.subject.startswith("Το ραντεβού σας στο myKEPlive άλλαξε")
    assert "11:00" in update.subject
    _content_type, calendar = ics_of(update)
    (event,) = calendar.events
    assert event["SEQUENCE"] == 1
    assert event.start == at(11)
    with pytest.raises(LinkNotValid):
        appointment_for_manage_token(old_manage, now=now)
    new_manage = link_token(update.text_body, "manage")
    assert appointment_for_manage_token(new_manage, now=now).pk == appointment.pk


def test_cancelling_sends_a_cancellation_with_method_cancel_and_a_link_to_book_anew(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now, language="en")
    services.cancel_appointment(reference=appointment.reference, citizen=citizen, now=now)

    _confirmation, cancellation = messages_for(appointment)
    assert cancellation.key == f"appointment-cancelled:{appointment.reference}:1"
    assert cancellation.subject == (
        "Your myKEPlive appointment was cancelled: Tuesday 24 November 2026 at 09:00"
    )
    content_type, calendar = ics_of(cancellation)
    assert content_type == "text/calendar; method=CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    (event,) = calendar.events
    assert str(event["STATUS"]) == "CANCELLED"
    for part in (cancellation.text_body, cancellation.html_body):
        assert f"{PUBLIC_URL}/book/" in part
        assert "/manage/" not in part
        assert "/call/" not in part


def test_changing_the_declaration_sends_an_update_with_the_new_details(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now)
    services.update_declaration(
        reference=appointment.reference,
        citizen=citizen,
        declaration=declaration(
            full_name="Μαρία Ιωάννου", id_card_number="ΑΕ654321", language="en"
        ),
        now=now,
    )
    _confirmation, update = messages_for(appointment)
    assert update.key == f"appointment-updated:{appointment.reference}:1"
    assert update.language == "en"
    assert "Μαρία Ιωάννου" in update.text_body
    assert "••••••21" in update.text_body
    assert "ΑΕ654321" not in update.text_body + update.html_body


def test_a_reminder_names_the_time_and_the_join_link(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now, language="en")
    message = queue_appointment_email(appointment, EmailKind.REMINDER, now=now)
    assert message is not None
    assert message.key == f"appointment-reminder:{appointment.reference}:0"
    assert message.subject == "Reminder: your myKEPlive video call at 09:00"
    assert f"{PUBLIC_URL}/call/" in message.text_body


def test_the_text_part_has_no_runs_of_blank_lines(
    kep, employee, service, information, citizen, now
):
    appointment = book(citizen, kep, service, information, now)
    (message,) = messages_for(appointment)
    assert "\n\n\n" not in message.text_body
    assert "{%" not in message.text_body
    assert "{{" not in message.text_body
