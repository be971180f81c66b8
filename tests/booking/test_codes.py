"""The appointment's readable code (issue 14, item 9): short, checked, forgiving of how people
type it, unique in the database even when the random draw repeats, and shown where the UUID was."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.utils import translation

from keplive.booking import codes
from keplive.booking.models import Appointment, Status
from tests.conftest import athens


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def appointment_factory(kep, employee, service, information, citizen):
    def create(hour: int, **fields: object) -> Appointment:
        start = athens(2026, 11, 24, hour, 0)
        return Appointment.objects.create(
            status=Status.BOOKED,
            citizen=citizen,
            kep=kep,
            employee=employee,
            category=information,
            service=service,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=20),
            blocked_until=start + dt.timedelta(minutes=30),
            **fields,
        )

    return create


CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_a_new_code_is_eight_characters_of_crockford_base32_with_a_valid_check():
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 8
        assert set(code) <= set(codes.ALPHABET)
        assert codes.normalise(code) == code
        assert CODE.match(codes.display(code))


def test_typing_it_loosely_is_understood():
    body = "7Q4M0X1"
    code = body + codes.check_character(body)
    shown = codes.display(code)
    for typed in (
        shown,
        shown.lower(),
        code,
        code.lower(),
        f"  {shown[:4]} {shown[5:]} ",
        shown.replace("0", "O").replace("1", "I"),
        shown.replace("0", "o").replace("1", "l"),
    ):
        assert codes.normalise(typed) == code, typed


@pytest.mark.parametrize("body", ["0000000", "V0V0V0V", "7Q4M2XZ", "ZZZZZZY", "0123456"])
def test_every_single_wrong_character_and_every_swap_of_neighbours_is_caught(body):
    code = body + codes.check_character(body)
    for position, symbol in itertools.product(range(8), codes.ALPHABET):
        if symbol == code[position]:
            continue
        wrong = code[:position] + symbol + code[position + 1 :]
        with pytest.raises(codes.InvalidCode, match="mistyped"):
            codes.normalise(wrong)
    for position in range(7):
        if code[position] == code[position + 1]:
            continue
        swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
        with pytest.raises(codes.InvalidCode, match="mistyped"):
            codes.normalise(swapped)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type"),
        ("7Q4M-2XZ", "8 characters"),
        ("7Q4M-2XZD9", "8 characters"),
        ("7Q4U-2XZD", "without U"),
    ],
)
def test_a_code_that_cannot_be_one_says_why(typed, says):
    with pytest.raises(codes.InvalidCode, match=says):
        codes.normalise(typed)


@pytest.mark.django_db
def test_a_code_drawn_twice_is_drawn_again_instead_of_failing_the_booking(
    appointment_factory, monkeypatch
):
    first = appointment_factory(hour=9)
    fresh = codes.new_code()
    draws = iter([first.code, first.code, fresh])
    monkeypatch.setattr(codes, "new_code", lambda: next(draws))
    # The model's default was bound at import: make the new row start from a taken code.
    second = appointment_factory(hour=11, code=first.code)
    assert second.code == fresh
    assert Appointment.objects.filter(code=first.code).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_two_appointments_with_one_code(appointment_factory):
    from django.db import IntegrityError, transaction

    first = appointment_factory(hour=9)
    second = appointment_factory(hour=11)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=second.pk).update(code=first.code)
