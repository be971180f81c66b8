"""What the alert services refuse, each with a message the pages show as it is."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AlertError(Exception):
    code = "alert_error"
    default_message: Promise | str = _("The alert could not be handled.")

    def __init__(self, message: Promise | str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class WaitingAlertNotFound(AlertError):
    """No such alert at the employee's KEP: another KEP's alert is refused exactly the same way."""

    code = "alert_not_found"
    default_message = _("No such alert.")


class WaitingAlertResolved(AlertError):
    code = "alert_resolved"
    default_message = _(
        "This alert is resolved already: the call has been opened, taken over, cancelled or moved."
    )
