"""What can go wrong in onboarding, each with a message for the person who tried."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class OnboardingError(Exception):
    code = "onboarding_error"
    default_message: Promise | str = _("The application could not be processed.")

    def __init__(self, message: Promise | str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class ApplicationPending(OnboardingError):
    code = "application_pending"
    default_message = _(
        "An application of this municipality is already being reviewed. You will be told of the "
        "decision by email; there is no need to apply again."
    )


class AlreadyParticipating(OnboardingError):
    code = "already_participating"
    default_message = _(
        "This municipality already takes part in the programme. To change its services, "
        "contact the ministry's administrators."
    )


class AlreadyReviewed(OnboardingError):
    code = "already_reviewed"
    default_message = _("This application has already been decided.")


class ReasonRequired(OnboardingError):
    code = "reason_required"
    default_message = _("Give the reason for rejecting the application.")


class ApplicationNotFound(OnboardingError):
    code = "application_not_found"
    default_message = _("There is no such application.")
