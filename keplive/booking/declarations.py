"""What the citizen declares when booking (C4, C5), and the rules it must meet.

Pages and the API build a ``Declaration`` from what was typed and call ``clean_declaration``,
which returns the normalised declaration or raises ``InvalidDeclaration`` with a translatable
message per field. The booking services call it again, so no caller can store a declaration
that breaks a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keplive.booking.exceptions import BookingError
from keplive.booking.models import DeliveryMethod, DocumentKind, Interpreter
from keplive.catalogue.models import Category, CategoryKind, Service
from keplive.integrations.gsis.taxid import InvalidTaxId, clean_tax_id

# A Greek mobile: 69 and eight digits, with or without +30/0030. Any other country: E.164.
_GREEK_MOBILE = re.compile(r"^(?:\+30|0030)?(69\d{8})$")
# A Greek landline: 2 and nine digits. Accepted, though it cannot take the SMS a move sends.
_GREEK_LANDLINE = re.compile(r"^(?:\+30|0030)?(2\d{9})$")
_INTERNATIONAL = re.compile(r"^(?:\+|00)([1-9]\d{7,14})$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
# Greek identity card: one or two letters (Greek or Latin capitals) and six digits (e.g. ΑΒ123456).
_ID_CARD = re.compile(r"^[A-ZΑ-Ω]{1,2}\d{6}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,12}$")
_RESIDENCE_PERMIT = re.compile(r"^[A-Z0-9/.\-]{5,30}$")
_SPACES = re.compile(r"\s+")

MAX_LENGTHS = {
    "full_name": 200,
    "email": 254,
    "postal_address": 300,
    "subject": 1000,
    "special_requirements": 1000,
    "notes": 2000,
    "business_name": 200,
}
# Latin capitals that look like Greek ones on an identity card, typed by either keyboard.
_GREEK_LOOKALIKES = str.maketrans("ABEZHIKMNOPTYX", "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ")


@dataclass(frozen=True, slots=True)
class Declaration:
    full_name: str
    email: str
    mobile_phone: str
    postal_address: str
    document_kind: str
    subject: str
    delivery_method: str
    id_card_number: str = ""
    passport_number: str = ""
    residence_permit_number: str = ""
    interpreter: str = ""
    special_requirements: str = ""
    notes: str = ""
    business_name: str = ""
    business_tax_id: str = ""
    language: str = "el"

    @classmethod
    def field_names(cls) -> list[str]:
        return [field.name for field in fields(cls)]


class InvalidDeclaration(BookingError):
    code = "invalid_input"
    default_message = _("Some of the details need correcting.")

    def __init__(self, errors: dict[str, Promise | str]) -> None:
        super().__init__()
        self.errors = errors


MASK = "•"
# What the citizen (or the employee comparing the card on camera) needs to see of a document
# number to recognise it.
VISIBLE_DIGITS = 2


def mask_document_number(number: str) -> str:
    """All but the last two characters hidden: ``ΑΒ123456`` → ``••••••56``. Pages, emails and
    the call's identity panel show a stored document number only like this."""
    number = number.strip()
    if len(number) <= VISIBLE_DIGITS:
        return MASK * len(number)
    return MASK * (len(number) - VISIBLE_DIGITS) + number[-VISIBLE_DIGITS:]


def normalise_mobile_phone(raw: str) -> str | None:
    """``+3069…`` for a Greek mobile, ``+302…`` for a Greek landline, ``+<digits>`` for another
    country, None if none of them."""
    value = _PHONE_SEPARATORS.sub("", raw)
    if match := _GREEK_MOBILE.match(value) or _GREEK_LANDLINE.match(value):
        return "+30" + match.group(1)
    if match := _INTERNATIONAL.match(value):
        return "+" + match.group(1)
    return None


def can_take_sms(phone: str) -> bool:
    """Whether a stored number can receive an SMS: not a Greek landline."""
    return bool(phone) and _GREEK_LANDLINE.match(phone) is None


def normalise_id_card(raw: str) -> str:
    """Capitals, no spaces or dashes, Latin look-alikes read as the Greek letters they show."""
    value = _PHONE_SEPARATORS.sub("", raw).upper()
    return value.translate(_GREEK_LOOKALIKES)


def _clean_text(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def clean_declaration(
    declaration: Declaration, *, category: Category, service: Service
) -> Declaration:
    """The declaration normalised, or ``InvalidDeclaration`` naming each field at fault."""
    errors: dict[str, Promise | str] = {}
    values = {name: str(getattr(declaration, name) or "") for name in Declaration.field_names()}
    for name in ("full_name", "postal_address", "business_name"):
        values[name] = _clean_text(values[name])
    for name in ("subject", "special_requirements", "notes"):
        values[name] = values[name].strip()
    values["email"] = values["email"].strip()

    for name, limit in MAX_LENGTHS.items():
        if len(values[name]) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    required = {
        "full_name": _("Enter your full name."),
        "email": _("Enter your email address."),
        "mobile_phone": _("Enter a phone number, preferably a mobile."),
        "postal_address": _("Enter your postal address."),
        "subject": _("Describe briefly what you need."),
    }
    for name, message in required.items():
        if not values[name].strip():
            errors.setdefault(name, message)

    if values["email"] and "email" not in errors:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = _("Enter an email address like name@example.gr.")
    if values["mobile_phone"].strip():
        phone = normalise_mobile_phone(values["mobile_phone"])
        if phone is None:
            errors["mobile_phone"] = _(
                "Enter a mobile number like 6912345678, a landline like 2101234567, or a "
                "number with its country code like +4915112345678."
            )
        else:
            values["mobile_phone"] = phone

    if values["document_kind"] == DocumentKind.ID_CARD:
        values["id_card_number"] = normalise_id_card(values["id_card_number"])
        values["passport_number"] = values["residence_permit_number"] = ""
        if not values["id_card_number"]:
            errors["id_card_number"] = _("Enter the number of your identity card.")
        elif not _ID_CARD.match(values["id_card_number"]):
            errors["id_card_number"] = _(
                "An identity card number is one or two letters and six digits, like ΑΒ123456."
            )
    elif values["document_kind"] == DocumentKind.PASSPORT:
        values["id_card_number"] = ""
        for name in ("passport_number", "residence_permit_number"):
            values[name] = _PHONE_SEPARATORS.sub("", values[name]).upper()
        if not _PASSPORT.match(values["passport_number"]):
            errors["passport_number"] = _(
                "Enter the passport number: 6 to 12 Latin letters and digits."
            )
        if not _RESIDENCE_PERMIT.match(values["residence_permit_number"]):
            errors["residence_permit_number"] = _("Enter the number of your residence permit.")
    else:
        errors["document_kind"] = _("Choose the identity document you will show.")

    if values["interpreter"] not in Interpreter.values:
        errors["interpreter"] = _("Choose one of the options offered.")
    elif values["interpreter"] and category.number != CategoryKind.DISABILITY:
        errors["interpreter"] = _(
            "An interpreter is offered in the category for people with hearing disabilities."
        )

    if values["delivery_method"] not in DeliveryMethod.values:
        errors["delivery_method"] = _("Choose how you want to receive the document.")
    elif values["delivery_method"] == DeliveryMethod.PICKUP and service.municipality_id is None:
        errors["delivery_method"] = _("Pick-up at the KEP is offered for municipal services only.")

    if category.number == CategoryKind.BUSINESS:
        if not values["business_name"]:
            errors.setdefault("business_name", _("Enter the name of the business."))
        try:
            values["business_tax_id"] = clean_tax_id(values["business_tax_id"])
        except InvalidTaxId:
            errors["business_tax_id"] = _("Enter the business's tax number (ΑΦΜ), 9 digits.")
    else:
        values["business_name"] = values["business_tax_id"] = ""

    if values["language"] not in {"el", "en"}:
        values["language"] = "el"
    if errors:
        raise InvalidDeclaration(errors)
    return replace(declaration, **values)
