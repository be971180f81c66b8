"""The Greek tax number (ΑΦΜ): normalise what TAXISnet sends, and check its check digit."""

from __future__ import annotations

import re

TAX_ID_LENGTH = 9
_WHITESPACE = re.compile(r"\s+")


class InvalidTaxId(ValueError):
    """The value is not a valid Greek tax number."""


def normalise_tax_id(raw: str) -> str:
    """Strip whitespace, and drop the leading ``00`` of the 11-digit form some replies use."""
    value = _WHITESPACE.sub("", raw)
    if len(value) == TAX_ID_LENGTH + 2 and value.startswith("00") and value.isdecimal():
        value = value[2:]
    return value


def has_valid_check_digit(tax_id: str) -> bool:
    """Nine ASCII digits, not all zero, whose last digit is the checksum of the other eight:
    the sum of each digit times 2^(8 - position), modulo 11, modulo 10."""
    if len(tax_id) != TAX_ID_LENGTH or not tax_id.isascii() or not tax_id.isdecimal():
        return False
    if tax_id == "0" * TAX_ID_LENGTH:
        return False
    total = sum(int(digit) << (8 - position) for position, digit in enumerate(tax_id[:8]))
    return total % 11 % 10 == int(tax_id[8])


def clean_tax_id(raw: str) -> str:
    """The normalised tax number, or ``InvalidTaxId`` (which never repeats the value)."""
    tax_id = normalise_tax_id(raw)
    if not has_valid_check_digit(tax_id):
        raise InvalidTaxId("The tax number is not a valid Greek ΑΦΜ.")
    return tax_id
