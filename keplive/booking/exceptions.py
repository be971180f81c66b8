"""What can go wrong when booking, as exceptions that carry a message for the citizen.

Every message is translatable; interfaces show ``str(error)`` and may use ``error.code`` to
decide the HTTP status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from keplive.booking.scheduling import Slot


class BookingError(Exception):
    code = "booking_error"
    default_message: Promise | str = _("The booking could not be completed.")

    def __init__(self, message: Promise | str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class SlotNoLongerFree(BookingError):
    """The chosen time was taken (or held) by someone else.

    ``alternatives`` are the nearest free times.
    """

    code = "slot_no_longer_free"
    default_message = _("This time is no longer free. Please choose one of the nearest free times.")

    def __init__(self, *, alternatives: Sequence[Slot], message: Promise | str | None = None):
        super().__init__(message)
        self.alternatives = list(alternatives)


class TimeNotOffered(BookingError):
    """The time is not a bookable time at all: past, too soon, too far, closed, off the grid."""

    code = "time_not_offered"
    default_message = _("This time is not offered for booking.")

    def __init__(self, *, reason: str, message: Promise | str, alternatives: Sequence[Slot] = ()):
        super().__init__(message)
        self.reason = reason
        self.alternatives = list(alternatives)


class ServiceNotBookable(BookingError):
    """The procedure cannot be served remotely (C11); ``alternative`` says what to do instead."""

    code = "service_not_remote"
    default_message = _("This procedure cannot be served by video call.")

    def __init__(self, *, alternative: str = ""):
        super().__init__()
        self.alternative = alternative


class ServiceNotOffered(BookingError):
    code = "service_not_offered"
    default_message = _("This service is not offered in this category or at this KEP.")


class KepNotBookable(BookingError):
    code = "kep_not_bookable"
    default_message = _("This KEP does not take appointments at the moment.")


class TooManyActiveBookings(BookingError):
    code = "too_many_bookings"

    def __init__(self, *, limit: int):
        super().__init__(
            _(
                "You already have %(limit)d upcoming appointments. Cancel one before booking "
                "another."
            )
            % {"limit": limit}
        )
        self.limit = limit


class AppointmentNotFound(BookingError):
    """Also raised when the appointment is not the caller's: its existence is not revealed."""

    code = "appointment_not_found"
    default_message = _("No such appointment.")


class AppointmentNotChangeable(BookingError):
    code = "appointment_not_changeable"
    default_message = _("This appointment can no longer be changed.")
