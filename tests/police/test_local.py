"""The local stand-in: deterministic outcomes by the number's last two digits."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from keplive.integrations.police import RegistryOutcome, RegistryUnavailable
from keplive.integrations.police.local import LocalRegistry

NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


def _check(number: str, **overrides: str) -> RegistryOutcome:
    request = {
        "document_kind": "id_card",
        "document_number": number,
        "full_name": "ΜΑΡΙΑ ΠΑΠΑΔΟΠΟΥΛΟΥ",
        "requested_by": "employee-17",
    } | overrides
    return LocalRegistry(clock=lambda: NOW).check(**request)


def test_an_ordinary_number_is_verified_with_a_local_reference_and_the_clock_time():
    outcome = _check("ΑΒ 123456")
    assert outcome.verified is True
    assert re.fullmatch(r"LOCAL-[0-9a-f]{8}", outcome.reference)
    assert outcome.checked_at == NOW


def test_a_number_ending_in_00_is_not_found():
    outcome = _check("ΑΒ123400")
    assert outcome.verified is False
    assert outcome.reference.startswith("LOCAL-")


def test_a_number_ending_in_99_makes_the_registry_unavailable_with_a_translated_message():
    with pytest.raises(RegistryUnavailable) as caught:
        _check("ΑΒ123499")
    assert caught.value.reason == "standin_unavailable"
    assert caught.value.message  # shown to the employee
    assert "123499" not in str(caught.value)


def test_the_outcome_is_deterministic_and_the_reference_does_not_contain_the_number():
    first, second = _check("ΑΒ123456"), _check("ΑΒ 123456")
    assert first == second
    assert "123456" not in first.reference
    assert _check("ΑΒ654321").reference != first.reference


def test_the_outcome_is_immutable():
    outcome = _check("ΑΒ123456")
    with pytest.raises(AttributeError):
        outcome.verified = False  # type: ignore[misc]


@pytest.mark.parametrize(
    "overrides",
    [
        {"document_kind": "driving_licence"},
        {"document_number": "   "},
        {"full_name": ""},
        {"requested_by": ""},
    ],
)
def test_a_request_no_registry_should_see_is_refused(overrides):
    with pytest.raises(ValueError, match=r"kind|empty") as caught:
        _check("ΑΒ123456", **overrides)
    assert "123456" not in str(caught.value)


def test_passports_and_residence_permits_are_checked_too():
    assert _check("K1234567", document_kind="passport").verified is True
    assert _check("RP000100", document_kind="residence_permit").verified is False
