"""The appointment's code: a reference a person can read out on the phone.

Eight characters of Crockford's base32 alphabet (no I, L, O, U), shown as ``7Q4M-2XZD``: seven
random characters (32**7, about 34 thousand million codes) and one check character computed
with Damm's algorithm over GF(32), which catches every single mistyped character and every swap
of two neighbouring characters (Luhn mod 32 would miss some swaps, such as 0V and V0). The UUID
``Appointment.reference`` stays the internal identifier (URLs, ICS UID, signed links); the code
is what people see and type.

Reading is forgiving the way Crockford's alphabet means it to be: lower case, spaces and dashes
are accepted, and O is read as 0, I and L as 1. A code whose check character does not match is
refused with its own message, so a typo never finds somebody else's appointment.
"""

from __future__ import annotations

import secrets

from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8  # with the check character
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", " -\u2010\u2011\u2012\u2013\u2014\t")


class InvalidCode(ValueError):
    """A typed code that cannot be an appointment's; ``message`` says why, for the person."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def _times_x(value: int) -> int:
    """``value`` × x in GF(32) = GF(2)[x] / (x⁵ + x² + 1)."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _damm(symbols: str) -> int:
    """Damm's algorithm over the quasigroup ``a ∘ b = x·a + b`` of GF(32), which is totally
    anti-symmetric (x ≠ 1): every wrong symbol and every swap of two neighbours changes the
    result."""
    interim = 0
    for symbol in symbols:
        interim = _times_x(interim) ^ _VALUE[symbol]
    return interim


def check_character(body: str) -> str:
    """The symbol that brings ``body`` + it to zero under ``_damm``."""
    return ALPHABET[_times_x(_damm(body))]


def new_code() -> str:
    """A fresh random code (stored form: eight characters, no dash)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return body + check_character(body)


def display(code: str) -> str:
    """``7Q4M2XZD`` → ``7Q4M-2XZD``."""
    if len(code) != LENGTH:
        return code
    return f"{code[:4]}-{code[4:]}"


def normalise(text: object) -> str:
    """The stored form of a typed code, or ``InvalidCode`` saying what is wrong with it."""
    value = str(text or "").upper().translate(_IGNORED).translate(_CONFUSABLE)
    if not value:
        raise InvalidCode(_("Type the appointment's code, for example 7Q4M-2XZD."))
    if len(value) != LENGTH:
        raise InvalidCode(
            _("An appointment's code has 8 characters, for example 7Q4M-2XZD; this one has %(n)d.")
            % {"n": len(value)}
        )
    if any(symbol not in _VALUE for symbol in value):
        raise InvalidCode(_("An appointment's code has only digits and the letters A–Z without U."))
    if _damm(value) != 0:
        raise InvalidCode(
            _(
                "This code is mistyped: its last character does not match the others. "
                "Check each character and try again."
            )
        )
    return value


def is_code(text: object) -> bool:
    try:
        normalise(text)
    except InvalidCode:
        return False
    return True
