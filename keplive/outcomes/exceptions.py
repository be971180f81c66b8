"""Why an outcome or a white application was refused: each carries a message for the employee."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class OutcomeError(Exception):
    default_message: Promise | str = _("This cannot be done.")
    field: str = ""

    def __init__(self, message: Promise | str | None = None, *, field: str = "") -> None:
        self.message = message if message is not None else self.default_message
        self.field = field or self.field
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class AppointmentNotFound(OutcomeError):
    default_message = _("Appointment not found.")


class OutcomeAlreadyRecorded(OutcomeError):
    default_message = _(
        "An outcome has already been recorded for this appointment. It cannot be recorded twice."
    )


class OutcomeNotAllowed(OutcomeError):
    """The result does not fit what happened (a call that never took place, not yet late…)."""


class InvalidDelivery(OutcomeError):
    """A postal delivery without an address, an email delivery without an email."""


class NoTemplate(OutcomeError):
    default_message = _(
        "The municipality of this KEP has no white application template. Nothing was sent: "
        "ask the administrators to add the municipality's template."
    )


class NotMunicipal(OutcomeError):
    default_message = _("White applications are for municipal services (category 4) only.")


class AlreadySent(OutcomeError):
    default_message = _("The white application of this appointment has already been sent.")
