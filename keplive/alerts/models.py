"""What the staff alert jobs have done, each row the proof that one thing happened once.

- ``EmployeeReminder``: the employee's email 15 minutes before an appointment (E3), for the
  time and the employee it was sent for; a move or a reassignment makes the next one due.
- ``InterpreterDigest`` and its ``InterpreterDigestEntry`` rows: the day's email to the National
  Institute for the Deaf with the next day's interpreter requests (E12), and the addenda for the
  requests booked after it went.
- ``WaitingAlert``: a booked appointment whose call nobody opened a few minutes after its start
  (A7), until it is opened, taken over by a colleague, cancelled or moved.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from keplive.booking.models import Appointment, Interpreter
from keplive.directory.models import Employee, Kep
from keplive.notifications.models import OutboxMessage


class EmployeeReminder(models.Model):
    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="+", verbose_name=_("appointment")
    )
    # The employee and the time the reminder was sent for: when either changes, one is due again.
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("employee")
    )
    starts_at = models.DateTimeField(_("appointment time reminded"))
    sent_at = models.DateTimeField(_("sent at"))
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("employee reminder")
        verbose_name_plural = _("employee reminders")

    def __str__(self) -> str:
        return f"reminder {self.appointment_id} {self.starts_at:%Y-%m-%d %H:%M}"


class InterpreterDigest(models.Model):
    """The one email of ``for_date``'s interpreter requests, sent the day before."""

    for_date = models.DateField(_("appointments of"), unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    recipient = models.EmailField(_("sent to"))
    count = models.PositiveIntegerField(_("requests"))
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-for_date"]
        verbose_name = _("interpreter digest")
        verbose_name_plural = _("interpreter digests")

    def __str__(self) -> str:
        return f"interpreter digest {self.for_date} ({self.count})"


class InterpreterDigestEntry(models.Model):
    """One interpreter request the Institute was told of: in the digest itself, or in an addendum
    (an appointment booked, or moved into the day, after the digest went)."""

    digest = models.ForeignKey(InterpreterDigest, on_delete=models.CASCADE, related_name="entries")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="+")
    kep = models.ForeignKey(Kep, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    interpreter = models.CharField(_("interpretation"), max_length=16, choices=Interpreter.choices)
    addendum = models.BooleanField(_("sent in an addendum"), default=False)
    added_at = models.DateTimeField(_("sent at"))
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the Institute was told that this request no longer stands (cancelled or moved).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("interpreter request sent")
        verbose_name_plural = _("interpreter requests sent")
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "appointment", "starts_at"], name="interpreter_entry_once"
            )
        ]
        indexes = [models.Index(fields=["kep", "starts_at"], name="interpreter_entry_kep")]

    def __str__(self) -> str:
        return f"{self.digest_id}: {self.appointment_id} {self.starts_at:%H:%M}"


class Resolution(models.TextChoices):
    OPENED = "opened", _("The call was opened")
    TAKEN_OVER = "taken_over", _("Taken over by a colleague")
    CANCELLED = "cancelled", _("The appointment was cancelled")
    MOVED = "moved", _("The appointment was moved")
    MISSED = "missed", _("Nobody served the citizen in time")


class WaitingAlert(models.Model):
    """A citizen left waiting: nobody opened the call ``KEPLIVE_WAITING_ALERT_MINUTES`` after
    the start. One per appointment and start time (a moved appointment missed again is a new
    alert)."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="+", verbose_name=_("appointment")
    )
    kep = models.ForeignKey(Kep, on_delete=models.PROTECT, related_name="+", verbose_name=_("KEP"))
    # The employee the appointment was assigned to when the alert was raised.
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("employee")
    )
    starts_at = models.DateTimeField(_("starts at"))
    raised_at = models.DateTimeField(_("raised at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    taken_over_by = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("taken over by"),
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("waiting citizen alert")
        verbose_name_plural = _("waiting citizen alerts")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "starts_at"], name="waiting_alert_once"),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolution="")
                | models.Q(resolved_at__isnull=False) & ~models.Q(resolution=""),
                name="waiting_alert_resolution_complete",
            ),
        ]
        indexes = [models.Index(fields=["kep", "resolved_at"], name="waiting_alert_open")]

    def __str__(self) -> str:
        return f"waiting {self.appointment_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
