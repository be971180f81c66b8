"""The details form (C4, C5): what the citizen declares when booking, and when changing it.

The form only collects; the rules live in ``booking.declarations.clean_declaration``, which the
booking services apply again, so the page and the API can never disagree. Its errors are
placed beside the fields they name. Fields that do not apply to the category (the business in
category 2, the interpreter in category 3) or the service (pick-up for municipal services) are
not offered at all.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keplive.accounts.models import Citizen
from keplive.booking.declarations import (
    MAX_LENGTHS,
    Declaration,
    InvalidDeclaration,
    clean_declaration,
)
from keplive.booking.models import AppointmentDetails, DeliveryMethod, DocumentKind, Interpreter
from keplive.catalogue.models import Category, CategoryKind, Service

# Generous limits for what a browser may send: the declaration's own rules give the messages.
_TYPED_LIMIT = 100


def _text(
    label: Any, *, hint: Any = "", max_length: int = _TYPED_LIMIT, **attrs: str
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=max_length,
        strip=False,
        widget=forms.TextInput(attrs=attrs),
    )


def consent_text() -> str:
    """The manual's consent paragraph, naming the ministerial decision when it is configured."""
    decision = settings.KEPLIVE_CONSENT_DECISION.strip()
    if decision:
        intro = str(
            _(
                "I have been informed that, under decision %(decision)s of the Minister of "
                "Digital Governance,"
            )
            % {"decision": decision}
        )
    else:
        intro = str(
            _(
                "I have been informed that, under the decision of the Minister of Digital "
                "Governance,"
            )
        )
    return f"{intro} " + str(
        _(
            "the verification of your identity and the service you receive through myKEPlive "
            "from an employee of the KEP may take place through a live-streaming video call, "
            "which is not stored but deleted automatically (auto-deletion). My conversation with "
            "the employee of the KEP to handle my request will take place through a live-stream "
            "video call."
        )
    )


class DeclarationForm(forms.Form):
    full_name = _text(
        _("Full name"),
        hint=_("As on your identity document."),
        max_length=MAX_LENGTHS["full_name"],
        autocomplete="name",
    )
    email = forms.CharField(
        label=_("Email address"),
        help_text=_("We send the confirmation, the links and the reminder here."),
        required=False,
        max_length=MAX_LENGTHS["email"],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    mobile_phone = forms.CharField(
        label=_("Phone number"),
        help_text=_(
            "Preferably a mobile, like 6912345678: if the KEP moves your appointment it also "
            "sends you an SMS. A landline, like 2101234567, is accepted too."
        ),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    postal_address = forms.CharField(
        label=_("Postal address"),
        help_text=_("Street, number, postcode and town."),
        required=False,
        max_length=MAX_LENGTHS["postal_address"],
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    document_kind = forms.ChoiceField(
        label=_("Identity document you will show on camera"),
        choices=DocumentKind.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    id_card_number = _text(
        _("Identity card number"),
        hint=_("For example ΑΒ123456."),
        autocomplete="off",
        spellcheck="false",
    )
    passport_number = _text(_("Passport number"), autocomplete="off", spellcheck="false")
    residence_permit_number = _text(
        _("Residence permit number"), autocomplete="off", spellcheck="false"
    )
    subject = forms.CharField(
        label=_("What do you need?"),
        help_text=_("Describe your request briefly, so the employee can prepare."),
        required=False,
        max_length=MAX_LENGTHS["subject"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    interpreter = forms.ChoiceField(
        label=_("Interpreter"),
        help_text=_("The KEP arranges the interpreter for your call."),
        choices=Interpreter.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    special_requirements = forms.CharField(
        label=_("Special requirements (optional)"),
        help_text=_(
            "For example: you need more time, someone will help you during the call, or you "
            "use a screen reader."
        ),
        required=False,
        max_length=MAX_LENGTHS["special_requirements"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    delivery_method = forms.ChoiceField(
        label=_("How do you want to receive the document?"),
        choices=DeliveryMethod.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Anything else the KEP should know (optional)"),
        required=False,
        max_length=MAX_LENGTHS["notes"],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    business_name = _text(
        _("Name of the business"),
        max_length=MAX_LENGTHS["business_name"],
        autocomplete="organization",
    )
    business_tax_id = _text(
        _("Tax number (ΑΦΜ) of the business"), autocomplete="off", inputmode="numeric"
    )
    # The manual's consent text (seed 001), whole; the label is set per request (the decision).
    consent = forms.BooleanField(
        label="",
        help_text=_(
            "By clicking below you agree to the terms and policies described in the section "
            "“Personal data protection policies”."
        ),
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *,
        category: Category,
        service: Service,
        initial: dict[str, Any] | None = None,
        with_consent: bool = True,
    ) -> None:
        super().__init__(data, initial=initial)
        self.category = category
        self.service = service
        self.declaration: Declaration | None = None
        if category.number != CategoryKind.BUSINESS:
            del self.fields["business_name"], self.fields["business_tax_id"]
        if category.number != CategoryKind.DISABILITY:
            del self.fields["interpreter"]
        if service.municipality_id is None:
            delivery = cast(forms.ChoiceField, self.fields["delivery_method"])
            delivery.choices = [
                choice for choice in DeliveryMethod.choices if choice[0] != DeliveryMethod.PICKUP
            ]
        if not with_consent:
            del self.fields["consent"]
        else:
            self.fields["consent"].label = consent_text()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "consent" in self.fields and not cleaned.get("consent"):
            self.add_error(
                "consent", _("Tick the box to give your consent, or the KEP cannot serve you.")
            )
        values = {
            name: cleaned.get(name) or ""
            for name in Declaration.field_names()
            if name in self.fields
        }
        values["language"] = (get_language() or "el")[:2]
        try:
            declaration = clean_declaration(
                Declaration(**values), category=self.category, service=self.service
            )
        except InvalidDeclaration as invalid:
            for name, message in invalid.errors.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, str(message))
                elif name not in self.fields:
                    self.add_error(None, str(message))
            return cleaned
        if not self.errors:
            self.declaration = declaration
        return cleaned

    @property
    def passport_chosen(self) -> bool:
        """Whether the passport fields are the ones in use (to show them without JavaScript)."""
        return bool(self["document_kind"].value() == DocumentKind.PASSPORT)

    @staticmethod
    def initial_for(citizen: Citizen) -> dict[str, Any]:
        """A new booking: the name as TAXISnet gave it, an identity card by default."""
        return {
            "full_name": f"{citizen.first_name} {citizen.last_name}".strip(),
            "document_kind": DocumentKind.ID_CARD,
            "delivery_method": DeliveryMethod.EMAIL,
            "interpreter": Interpreter.NONE,
        }

    @staticmethod
    def initial_from(details: AppointmentDetails) -> dict[str, Any]:
        """Changing a booking: what was declared, as it was stored."""
        return {name: getattr(details, name) for name in Declaration.field_names()}
