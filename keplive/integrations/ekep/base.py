"""What KEPlive needs of e-KEP, the KEP case registry (E11): the protocol every adapter
implements, the case it is given, the receipt it returns and the one error it raises.

A case carries no personal data: the protocol number of the successful-submission form, the
KEP, the service, the employee's id and when it was served. The protocol number is also the
idempotency key: registering the same number twice must give the same receipt, so a retry after
an uncertain failure never makes a second case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

REFERENCE_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True)
class CaseRegistration:
    """One served case, as e-KEP records it."""

    protocol_number: str
    kep_code: str
    service_code: str
    employee_id: str
    served_at: dt.datetime
    delivery_method: str

    def __post_init__(self) -> None:
        if not self.protocol_number or len(self.protocol_number) > 32:
            raise ValueError("A protocol number has 1 to 32 characters.")
        if self.served_at.tzinfo is None:
            raise ValueError("served_at must be an aware datetime.")

    def as_json(self) -> dict[str, str]:
        return {
            "protocol_number": self.protocol_number,
            "kep_code": self.kep_code,
            "service_code": self.service_code,
            "employee_id": self.employee_id,
            "served_at": self.served_at.astimezone(dt.UTC).isoformat(),
            "delivery_method": self.delivery_method,
        }


@dataclass(frozen=True, slots=True)
class Receipt:
    """e-KEP's answer: its reference of the case and when it registered it."""

    reference: str
    registered_at: dt.datetime

    def __post_init__(self) -> None:
        if not self.reference or len(self.reference) > REFERENCE_MAX_LENGTH:
            raise ValueError("An e-KEP reference has 1 to 64 characters.")
        if self.registered_at.tzinfo is None:
            raise ValueError("registered_at must be an aware datetime.")


class RegistrationFailed(Exception):
    """e-KEP gave no usable answer: unreachable, timed out, refused or replied with something
    that is not the agreed reply. ``reason`` is a short code, safe to log and to store
    (``Outcome.ekep_last_error``); it never carries the reply or personal data. Every failure
    is retried by the worker with backoff: nothing is dropped."""

    def __init__(self, reason: str = "unavailable") -> None:
        super().__init__(reason)
        self.reason = reason[:100]

    def __str__(self) -> str:
        return self.reason


class CaseRegistry(Protocol):
    """Register one served case; return e-KEP's receipt or raise ``RegistrationFailed``."""

    def register(self, case: CaseRegistration) -> Receipt: ...
