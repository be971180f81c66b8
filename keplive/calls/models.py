"""The state of an appointment's video call (docs/calls.md). Only the state: nothing of the
media, the chat or the signalling messages is ever stored (P6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from keplive.booking.models import Appointment
from keplive.directory.models import Employee


class CallState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Employee waiting")
    KNOCKING = "knocking", _("Citizen waiting to be admitted")
    IDENTITY_CHECK = "identity_check", _("Identity check")
    IN_CALL = "in_call", _("In call")
    NO_SHOW = "no_show", _("Citizen did not arrive")
    ENDED = "ended", _("Ended")


class Role(models.TextChoices):
    EMPLOYEE = "employee", _("KEP employee")
    CITIZEN = "citizen", _("Citizen")
    INTERPRETER = "interpreter", _("Interpreter")


class Call(models.Model):
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="call", verbose_name=_("appointment")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CallState.choices, default=CallState.SCHEDULED
    )
    # Bumped on every change of state or flags: the `seq` of the snapshots clients receive.
    version = models.PositiveIntegerField(default=0)
    opened_by = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="calls_opened"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    knocked_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    interpreter_knocking = models.BooleanField(default=False)
    interpreter_admitted = models.BooleanField(default=False)
    # E6: only the outcome of the identity check, never the registry's reply.
    identity_confirmed = models.BooleanField(null=True, blank=True)
    identity_confirmed_at = models.DateTimeField(null=True, blank=True)
    registry_verified = models.BooleanField(null=True, blank=True)
    registry_reference = models.CharField(max_length=64, blank=True)
    registry_checked_at = models.DateTimeField(null=True, blank=True)
    # Circular 002: the employee told the citizen at the start that the call is not recorded and
    # which document to show (issue 15, item 8).
    opening_told_at = models.DateTimeField(null=True, blank=True)
    # Circular 002: before the end, the delivery confirmed with the citizen (issue 15, item 7):
    # only the confirmed choice, never anything of the call itself.
    delivery_method = models.CharField(max_length=10, blank=True)
    delivery_email = models.EmailField(max_length=254, blank=True)
    delivery_address = models.CharField(max_length=300, blank=True)
    delivery_confirmed_at = models.DateTimeField(null=True, blank=True)
    audio_only = models.BooleanField(default=False)
    citizen_camera_blocked = models.BooleanField(default=False)
    no_show_at = models.DateTimeField(null=True, blank=True)
    # Who is connected now: the channel name of each role's one connection ("" when absent).
    # A re-join replaces the previous connection of the same role, so at most three.
    employee_channel = models.CharField(max_length=200, blank=True)
    citizen_channel = models.CharField(max_length=200, blank=True)
    interpreter_channel = models.CharField(max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="calls_ended"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("video call")
        verbose_name_plural = _("video calls")
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"call {self.appointment.reference} ({self.state})"

    @property
    def is_ended(self) -> bool:
        return self.state == CallState.ENDED

    @property
    def citizen_admitted(self) -> bool:
        return self.state in (CallState.IDENTITY_CHECK, CallState.IN_CALL)
