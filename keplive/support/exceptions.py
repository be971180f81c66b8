"""What the support channel refuses, each with a message for the person who tried."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SupportError(Exception):
    default_message: Promise | str = _("The message could not be sent.")

    def __init__(self, message: Promise | str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class InvalidMessage(SupportError):
    """``errors`` maps the field (``subject``, ``body``) to its message."""

    def __init__(self, errors: dict[str, Promise | str]) -> None:
        self.errors = errors
        super().__init__(next(iter(errors.values())))


class ThreadClosed(SupportError):
    default_message = _("This thread is closed. To ask something new, open a new thread.")
