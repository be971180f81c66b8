"""What KEPlive needs of the police identity registry (E6): the protocol every adapter
implements, the outcome it returns and the one error it raises.

Only the ``RegistryOutcome`` leaves an adapter: verified or not, the registry's reference of the
check and when it was made. The registry's reply itself is never returned, stored or logged,
and nothing here carries the document number or the citizen's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The documents a citizen may declare (booking's DocumentKind, plus the residence permit that
# goes with a passport). Kept here as plain strings: adapters sit below the domain apps.
DOCUMENT_KINDS = frozenset({"id_card", "passport", "residence_permit"})
# What the check is for, as the registry's audit record states it.
PURPOSE = "myKEPlive identity check"
REFERENCE_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True)
class RegistryOutcome:
    """The outcome of one check: all that KEPlive keeps of it (``Call.registry_*``)."""

    verified: bool
    reference: str
    checked_at: dt.datetime

    def __post_init__(self) -> None:
        if not self.reference or len(self.reference) > REFERENCE_MAX_LENGTH:
            raise ValueError("A registry reference has 1 to 64 characters.")
        if self.checked_at.tzinfo is None:
            raise ValueError("checked_at must be an aware datetime.")


class RegistryUnavailable(Exception):
    """The registry gave no usable answer: unreachable, timed out, failed or replied with
    something that is not the agreed reply. ``reason`` is a short code safe to log; the message
    is translated for the employee; neither carries personal data or the reply."""

    default_message: Promise = _(
        "The police registry did not answer. Check the document by sight, or try again in a "
        "few minutes."
    )

    def __init__(self, reason: str = "registry_unavailable") -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return str(self.default_message)

    def __str__(self) -> str:
        return self.reason


class IdentityRegistry(Protocol):
    """Ask the registry whether a document of this kind and number belongs to this person."""

    def check(
        self, *, document_kind: str, document_number: str, full_name: str, requested_by: str
    ) -> RegistryOutcome:
        """The outcome, or ``RegistryUnavailable``. ``requested_by`` is the requesting
        employee's id, for the registry's audit record."""
        ...


def validate_request(
    *, document_kind: str, document_number: str, full_name: str, requested_by: str
) -> str:
    """The document number, stripped of spaces; ``ValueError`` (which never repeats a value)
    for a request no registry should see."""
    number = "".join(document_number.split())
    if document_kind not in DOCUMENT_KINDS:
        raise ValueError("Unknown document kind.")
    if not number or len(number) > 30:
        raise ValueError("The document number is empty or too long.")
    if not full_name.strip() or len(full_name) > 200:
        raise ValueError("The full name is empty or too long.")
    if not requested_by.strip() or len(requested_by) > 64:
        raise ValueError("requested_by (the employee's id) is empty or too long.")
    return number
