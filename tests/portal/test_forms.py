"""The details form: the declaration's rules, placed beside the fields, and only the fields that
apply to the category and the service."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from keplive.catalogue.models import Category
from keplive.portal.forms import DeclarationForm
from tests.factories import CitizenFactory, MunicipalityFactory, ServiceFactory

pytestmark = pytest.mark.django_db

VALID = {
    "full_name": "Μαρία  Παπαδοπούλου",
    "email": "maria@example.gr",
    "mobile_phone": "691 234 5678",
    "postal_address": "Ερμού 1, 10563 Αθήνα",
    "document_kind": "id_card",
    "id_card_number": "ab-123456",
    "subject": "Πιστοποιητικό οικογενειακής κατάστασης",
    "delivery_method": "email",
    "consent": "on",
}


def form(data, *, category=1, service=None, **kwargs):
    return DeclarationForm(
        data,
        category=Category.objects.get(number=category),
        service=service or ServiceFactory(),
        **kwargs,
    )


def test_a_valid_form_gives_the_normalised_declaration_in_the_active_language():
    with translation.override("en"):
        filled = form(VALID)
        assert filled.is_valid(), filled.errors
    declaration = filled.declaration
    assert declaration.full_name == "Μαρία Παπαδοπούλου"
    assert declaration.mobile_phone == "+306912345678"
    assert declaration.id_card_number == "ΑΒ123456"
    assert declaration.language == "en"


def test_consent_is_required_when_booking_but_not_when_changing():
    filled = form(VALID | {"consent": ""})
    assert not filled.is_valid()
    assert list(filled.errors) == ["consent"]
    changing = form(VALID | {"consent": ""}, with_consent=False)
    assert changing.is_valid(), changing.errors
    assert "consent" not in changing.fields


def test_errors_sit_beside_their_fields_and_what_was_typed_is_kept():
    filled = form(VALID | {"email": "maria-at-example", "id_card_number": "12345"})
    assert not filled.is_valid()
    assert set(filled.errors) == {"email", "id_card_number"}
    html = render_to_string(
        "portal/includes/error_summary.html", {"form": filled}
    ) + render_to_string("portal/includes/declaration_fields.html", {"form": filled})
    assert 'href="#id_email"' in html
    assert 'value="maria-at-example"' in html
    assert 'aria-describedby="id_email-hint id_email-error"' in html
    assert 'aria-invalid="true"' in html
    assert filled.declaration is None


def test_only_the_fields_of_the_category_are_offered():
    assert "business_name" not in form(VALID).fields
    assert "interpreter" not in form(VALID).fields
    assert "interpreter" in form(VALID, category=3).fields
    business = form(VALID, category=2)
    assert not business.is_valid()
    assert set(business.errors) == {"business_name", "business_tax_id"}
    assert form(
        VALID | {"business_name": "Α.Ε.", "business_tax_id": "094019245"}, category=2
    ).is_valid()


@pytest.mark.parametrize("category", [1, 2, 3, 4])
def test_special_requirements_are_offered_in_every_category(category):
    assert "special_requirements" in form(VALID, category=category).fields


def test_the_consent_is_the_manuals_text(settings):
    settings.KEPLIVE_CONSENT_DECISION = ""
    label = str(form(VALID).fields["consent"].label)
    assert label.startswith("Ενημερώθηκα ότι σύμφωνα με την απόφαση του Υπουργού Ψηφιακής")
    assert "βιντεοκλήσης ζωντανής ροής (live streaming), η οποία δεν αποθηκεύεται" in label
    settings.KEPLIVE_CONSENT_DECISION = "12345/2021"
    with translation.override("en"):
        label = str(form(VALID).fields["consent"].label)
    assert "under decision 12345/2021 of the Minister of Digital Governance" in label
    assert "deleted automatically (auto-deletion)" in label


def test_an_interpreter_posted_outside_category_3_is_ignored():
    filled = form(VALID | {"interpreter": "sign_language"})
    assert filled.is_valid()
    assert filled.declaration.interpreter == ""


def test_pick_up_is_offered_for_municipal_services_only():
    national = form(VALID | {"delivery_method": "pickup"})
    assert [value for value, _label in national.fields["delivery_method"].choices] == [
        "post",
        "email",
    ]
    assert not national.is_valid()
    assert "delivery_method" in national.errors
    municipal = form(
        VALID | {"delivery_method": "pickup"},
        category=4,
        service=ServiceFactory(municipality=MunicipalityFactory()),
    )
    assert municipal.is_valid(), municipal.errors


def test_the_name_is_prefilled_from_taxisnet():
    citizen = CitizenFactory(first_name="ΜΑΡΙΑ", last_name="ΠΑΠΑΔΟΠΟΥΛΟΥ")
    assert DeclarationForm.initial_for(citizen)["full_name"] == "ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ"


def test_oversized_input_is_refused_with_a_message_not_an_error_page():
    filled = form(VALID | {"subject": "x" * 5000, "id_card_number": "Α" * 5000})
    assert not filled.is_valid()
    assert {"subject", "id_card_number"} <= set(filled.errors)
