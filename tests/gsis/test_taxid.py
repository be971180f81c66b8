"""The Greek tax number: normalised as TAXISnet sends it, and its check digit verified."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keplive.integrations.gsis.taxid import (
    InvalidTaxId,
    clean_tax_id,
    has_valid_check_digit,
    normalise_tax_id,
)


@pytest.mark.parametrize("tax_id", ["123456783", "090000045", "094019245", "045671233"])
def test_valid_tax_numbers_pass(tax_id):
    assert has_valid_check_digit(tax_id)


@pytest.mark.parametrize(
    "tax_id",
    [
        "123456789",  # wrong check digit
        "090000046",
        "12345678",  # too short
        "1234567830",  # too long
        "00123456783",  # the 11-digit form is normalised first, not accepted as is
        "000000000",  # all zeros has a "valid" check digit but is no tax number
        "12345678a",
        "١٢٣٤٥٦٧٨٣",  # Arabic-Indic digits are digits to Python, not to GSIS
        "",
    ],
)
def test_invalid_tax_numbers_fail(tax_id):
    assert not has_valid_check_digit(tax_id)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("123456783", "123456783"),
        (" 123 456 783\n", "123456783"),
        ("00123456783", "123456783"),  # the 11-digit form with a leading 00
        ("00 123 456 783", "123456783"),
        ("01123456783", "01123456783"),  # 11 digits without 00: left alone, then refused
        ("0012345678", "0012345678"),  # 10 digits: left alone
    ],
)
def test_normalising_strips_spaces_and_the_leading_00(raw, normalised):
    assert normalise_tax_id(raw) == normalised


def test_clean_tax_id_refuses_without_repeating_the_value():
    with pytest.raises(InvalidTaxId) as caught:
        clean_tax_id("123456789")
    assert "123456789" not in str(caught.value)
    assert clean_tax_id("00045671233") == "045671233"


def _with_check_digit(body: str) -> str:
    total = sum(int(digit) * 2 ** (8 - position) for position, digit in enumerate(body))
    return body + str(total % 11 % 10)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8).filter(lambda b: b != "0" * 8))
def test_exactly_one_check_digit_is_valid_for_each_body(body):
    valid = _with_check_digit(body)
    assert has_valid_check_digit(valid)
    assert has_valid_check_digit(clean_tax_id("00" + valid))
    others = [body + digit for digit in "0123456789" if body + digit != valid]
    assert not any(has_valid_check_digit(other) for other in others)
