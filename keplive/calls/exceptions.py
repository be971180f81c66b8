"""What can go wrong with a call, each with a message the person can read."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CallError(Exception):
    code = "call_error"
    default_message: Promise | str = _("This cannot be done in the call now.")

    def __init__(self, message: Promise | str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class CallNotFound(CallError):
    code = "not_found"
    default_message = _("There is no such call.")


class CallEnded(CallError):
    code = "ended"
    default_message = _("This call has ended.")


class NotAllowed(CallError):
    code = "not_allowed"
    default_message = _("Only the KEP employee can do this.")


class InvalidTransition(CallError):
    code = "invalid_state"
    default_message = _("This cannot be done at this point of the call.")


class InvalidDelivery(CallError):
    """The delivery confirmed in the call is incomplete; ``field`` names what to correct."""

    code = "invalid_delivery"
    default_message = _("Check the delivery of the document.")

    def __init__(self, message: Promise | str | None = None, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
