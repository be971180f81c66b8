"""The PDFs carry Greek text (embedded DejaVu Sans), the white application is filled from the
municipality's template and sent to its protocol, and the ELTA list splits addresses."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from keplive.notifications.models import OutboxMessage
from keplive.outcomes import documents, services
from keplive.outcomes.demo import load_demo_white_application_templates
from keplive.outcomes.exceptions import AlreadySent, NoTemplate, NotMunicipal, OutcomeNotAllowed
from keplive.outcomes.models import WhiteApplication, WhiteApplicationTemplate
from keplive.outcomes.selectors import postal_deliveries, split_address
from keplive.outcomes.services import Delivery
from tests.factories import MunicipalityFactory
from tests.outcomes.conftest import ADDRESS, NAME, pdf_text

pytestmark = pytest.mark.django_db


def test_the_submission_form_has_the_greek_text(employee, make_appointment, served):
    appointment = make_appointment()
    served(appointment)
    outcome = services.record_outcome(
        employee=employee,
        reference=appointment.reference,
        result="completed",
        delivery=Delivery(method="post", address=ADDRESS),
        now=timezone.now(),
    )
    pdf = documents.submission_form(outcome, appointment.details, language="el")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (
        outcome.protocol_number,
        NAME,
        "ΚΕΠ Δήμου Αθηναίων",
        "Έκδοση πιστοποιητικού γέννησης",
        "Ελένη Δημητρίου",
        ADDRESS,
        "Πιστοποιητικό γέννησης για την εγγραφή στο σχολείο",
    ):
        assert expected in text, expected


def test_fill_template_leaves_unknown_placeholders_and_attributes_alone():
    filled = documents.fill_template(
        "{full_name} {full_name.__class__} {unknown} {{x}}", {"full_name": "Ελένη"}
    )
    assert filled == "Ελένη {full_name.__class__} {unknown} {{x}}"


def test_white_application_without_a_template_sends_nothing(employee, make_appointment):
    appointment = make_appointment(category=4)
    with pytest.raises(NoTemplate):
        services.send_white_application(
            employee=employee,
            reference=appointment.reference,
            request_text="Βεβαίωση μόνιμης κατοικίας",
            now=timezone.now(),
        )
    assert not OutboxMessage.objects.exists()
    assert not WhiteApplication.objects.exists()


def test_white_application_is_for_municipal_services_only(
    employee, make_appointment, white_template
):
    appointment = make_appointment(category=1)
    with pytest.raises(NotMunicipal):
        services.send_white_application(
            employee=employee, reference=appointment.reference, request_text="x", now=timezone.now()
        )


def test_white_application_goes_to_the_protocol_with_the_pdf(
    employee, make_appointment, white_template, kep
):
    appointment = make_appointment(category=4)
    with pytest.raises(OutcomeNotAllowed) as refused:
        services.send_white_application(
            employee=employee, reference=appointment.reference, request_text=" ", now=timezone.now()
        )
    assert refused.value.field == "request_text"
    sent = services.send_white_application(
        employee=employee,
        reference=appointment.reference,
        request_text="Βεβαίωση μόνιμης κατοικίας για το σχολείο",
        now=timezone.now(),
    )
    assert sent.sent_to == kep.protocol_email
    assert sent.template == white_template
    message = OutboxMessage.objects.get()
    assert message.recipient == kep.protocol_email
    assert message.key == f"white-application:{appointment.reference}"
    (attachment,) = message.attachments
    text = pdf_text(base64.b64decode(attachment["content"]))
    assert "Ο/Η Μαρία Παπαδοπούλου, κάτοικος Ερμού 10, 10563 Αθήνα" in text
    assert "Βεβαίωση μόνιμης κατοικίας για το σχολείο" in text
    assert "{unknown}" in text
    with pytest.raises(AlreadySent):
        services.send_white_application(
            employee=employee, reference=appointment.reference, request_text="x", now=timezone.now()
        )
    assert OutboxMessage.objects.count() == 1


def test_one_active_template_per_municipality_and_the_demo(db):
    from django.db import IntegrityError, transaction

    municipality = MunicipalityFactory(code="athinaion")
    assert load_demo_white_application_templates() == 1
    assert load_demo_white_application_templates() == 0
    template = WhiteApplicationTemplate.objects.get(municipality=municipality)
    assert "{full_name}" in template.body
    with pytest.raises(IntegrityError), transaction.atomic():
        WhiteApplicationTemplate.objects.create(municipality=municipality, title="b", body="b")


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("Ερμού 10, 10563 Αθήνα", ("Ερμού 10", "10563", "Αθήνα")),
        ("Ερμού 10, 105 63, Αθήνα", ("Ερμού 10", "10563", "Αθήνα")),
        ("Τσιμισκή 5 54624 Θεσσαλονίκη", ("Τσιμισκή 5", "54624", "Θεσσαλονίκη")),
        ("Πλατεία Συντάγματος", ("Πλατεία Συντάγματος", "", "")),
        ("10563", ("10563", "", "")),
    ],
)
def test_split_address(address, parts):
    assert split_address(address) == parts


def test_postal_deliveries_of_the_day(employee, other_employee, make_appointment, served):
    now = timezone.now()
    by_post = make_appointment()
    served(by_post)
    by_email = make_appointment()
    served(by_email)
    for appointment, delivery in (
        (by_post, Delivery(method="post", address=ADDRESS)),
        (by_email, Delivery(method="email", email="m@example.gr")),
    ):
        services.record_outcome(
            employee=employee,
            reference=appointment.reference,
            result="completed",
            delivery=delivery,
            now=now,
        )
    (row,) = postal_deliveries(employee=employee, day=timezone.localdate(now))
    assert (row.full_name, row.address, row.postal_code, row.city) == (
        NAME,
        "Ερμού 10",
        "10563",
        "Αθήνα",
    )
    assert postal_deliveries(employee=other_employee, day=timezone.localdate(now)) == []
