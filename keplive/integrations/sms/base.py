"""What KEPlive needs of an SMS gateway: one method, ``send``, and two errors that tell the
outbox whether trying again can help.

Nothing here logs or puts into an exception the phone number or the text: both are personal
data. Errors carry a short ``reason`` code that is safe to log and store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

# An international number as the booking form stores it: "+" and 8 to 15 digits.
_NUMBER = re.compile(r"^\+[1-9][0-9]{7,14}$")
# One SMS is 70 characters in Greek (UCS-2); gateways join up to a few parts. Longer is a bug.
MAX_TEXT_LENGTH = 480


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    """What the gateway answered: its own id of the message (empty when it gives none)."""

    gateway_id: str = ""


class SmsError(Exception):
    """An SMS was not sent. ``reason`` is a short code, safe to log (no number, no text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:200]

    def __str__(self) -> str:
        return self.reason


class SmsGatewayUnavailable(SmsError):
    """The gateway could not take the message now (unreachable, timeout, 5xx, 429, refused
    credentials): the outbox tries again later with backoff."""


class SmsRejected(SmsError):
    """The gateway refused this message for good (an invalid number, a text it will not send):
    trying again cannot help; the outbox marks it failed for a person to see."""


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str, message_id: str) -> SmsReceipt:
        """Send ``text`` to ``to`` (E.164). ``message_id`` is the outbox's id of the message,
        the same on every attempt, so a gateway that remembers it never sends it twice."""
        ...


def validate_message(*, to: str, text: str) -> None:
    """Refuse what no gateway should be given (raises ``SmsRejected``)."""
    if not _NUMBER.match(to):
        raise SmsRejected("invalid_number")
    if not text.strip():
        raise SmsRejected("empty_text")
    if len(text) > MAX_TEXT_LENGTH:
        raise SmsRejected("text_too_long")


def is_valid_number(to: str) -> bool:
    return bool(_NUMBER.match(to))
