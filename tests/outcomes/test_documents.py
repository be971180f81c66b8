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
    template = WhiteApplicationTemplate.objects.get(municipality=municipality, service=None)
    assert "{full_name}" in template.body
    with pytest.raises(IntegrityError), transaction.atomic():
        WhiteApplicationTemplate.objects.create(municipality=municipality, title="b", body="b")


def test_a_service_with_its_own_template_gets_it_the_others_the_municipalitys(
    employee, make_appointment, white_template, kep
):
    """Seed 002 attaches a white application per municipal service."""
    from keplive.outcomes.selectors import white_application_template_for

    with_own = make_appointment(category=4)
    without = make_appointment(category=4)
    service_model = type(with_own.service)
    service_model.objects.filter(pk__in=[with_own.service_id, without.service_id]).update(
        municipality=kep.municipality
    )
    own = WhiteApplicationTemplate.objects.create(
        municipality=kep.municipality,
        service=with_own.service,
        title="Αίτηση χορήγησης βεβαίωσης μόνιμης κατοικίας",
        body="Βεβαίωση μόνιμης κατοικίας για {full_name}: {subject}",
    )
    assert white_application_template_for(with_own) == own
    assert white_application_template_for(without) == white_template
    sent = services.send_white_application(
        employee=employee,
        reference=with_own.reference,
        request_text="Για το σχολείο",
        now=timezone.now(),
    )
    assert sent.template == own
    # An inactive service template falls back to the municipality's.
    own.is_active = False
    own.save(update_fields=["is_active"])
    assert white_application_template_for(with_own) == white_template


def test_one_active_template_per_service_of_its_own_municipality(make_appointment, kep):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    appointment = make_appointment(category=4)
    service = appointment.service
    type(service).objects.filter(pk=service.pk).update(municipality=kep.municipality)
    service.refresh_from_db()
    WhiteApplicationTemplate.objects.create(
        municipality=kep.municipality, service=service, title="a", body="a"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        WhiteApplicationTemplate.objects.create(
            municipality=kep.municipality, service=service, title="b", body="b"
        )
    other = MunicipalityFactory()
    with pytest.raises(ValidationError):
        WhiteApplicationTemplate(
            municipality=other, service=service, title="c", body="c"
        ).full_clean()


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
