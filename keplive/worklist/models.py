"""The conflict worklist (issue 6 items 3 and 4): booked appointments that a change of the
directory or of a category's parameters left stranded. Nothing is cancelled silently: an
appointment stays booked until an administrator reassigns it to another employee of the same
KEP or moves it (the citizen is told by the move), or until it fits again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keplive.booking.models import Appointment


class Cause(models.TextChoices):
    KEP_DEACTIVATED = "kep_deactivated", _("KEP deactivated")
    KEP_REMOVED = "kep_removed", _("KEP removed")
    HOURS_CHANGED = "hours_changed", _("Opening hours changed")
    CLOSURE_ADDED = "closure_added", _("Closure or different hours on the day")
    EMPLOYEE_UNAVAILABLE = "employee_unavailable", _("Employee unavailable")
    PARAMETERS_CHANGED = "parameters_changed", _("Category parameters changed")


class Resolution(models.TextChoices):
    REASSIGNED = "reassigned", _("Reassigned to another employee")
    MOVED = "moved", _("Moved to another time")
    FITS_AGAIN = "fits_again", _("Fits again after a later change")
    ENDED = "ended", _("No longer booked")


class ConflictItem(models.Model):
    """One stranded appointment: why, and how it was resolved. ``detail`` holds no personal
    data (times, KEP and employee ids only)."""

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.CASCADE,
        related_name="conflict_items",
    )
    cause = models.CharField(_("cause"), max_length=24, choices=Cause.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True, default=""
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="conflict_open")]
        constraints = [
            # At most one open item per appointment: finding conflicts again adds nothing.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(resolved_at__isnull=True),
                name="conflict_one_open_per_appointment",
            ),
            models.CheckConstraint(
                condition=(Q(resolved_at__isnull=True) & Q(resolution=""))
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="conflict_resolved_with_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cause} {self.appointment_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
