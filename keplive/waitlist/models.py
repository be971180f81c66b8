"""The waitlist: citizens waiting for an earlier time, the freed times the worker looks at,
and the offers it makes. See README.md and docs/adr/0027-waitlist-offers-are-holds.md.

An offer *is* a hold (``booking.Appointment`` in state ``held``) plus an ``Offer`` row: the
database guard that keeps two bookings of one employee apart also keeps a freed time from
being offered to two citizens at once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keplive.accounts.models import Citizen
from keplive.booking.models import Appointment
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Kep, Municipality


class Scope(models.TextChoices):
    KEP = "kep", _("This KEP only")
    MUNICIPALITY = "municipality", _("Any KEP of the municipality")
    ANY = "any", _("Any KEP that serves it")


class PartOfDay(models.TextChoices):
    ANY = "any", _("Any time of day")
    MORNING = "morning", _("Mornings (before 12:00)")
    AFTERNOON = "afternoon", _("From 12:00")


class RequestStatus(models.TextChoices):
    ACTIVE = "active", _("Waiting")
    FULFILLED = "fulfilled", _("Moved to an earlier time")
    REMOVED = "removed", _("Removed")
    ENDED = "ended", _("Ended")


class WaitingRequest(models.Model):
    """'Tell me if an earlier time frees up' for one booked appointment, or — without an
    appointment — 'tell me when a time frees up' for a service at a KEP, asked from the times
    page before booking (ADR 0028)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(
        Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.CASCADE,
        related_name="waiting_requests",
        null=True,
        blank=True,
    )
    # Copied from the appointment when asked (the statistics group by them); a request without
    # an appointment names them itself.
    kep = models.ForeignKey(Kep, verbose_name=_("KEP"), on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(_("where"), max_length=16, choices=Scope.choices, default=Scope.KEP)
    # ISO weekdays (1 = Monday) the citizen accepts, e.g. "12345".
    weekdays = models.CharField(_("weekdays"), max_length=7, default="12345")
    part_of_day = models.CharField(
        _("time of day"), max_length=16, choices=PartOfDay.choices, default=PartOfDay.ANY
    )
    before = models.DateField(_("only before"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.ACTIVE
    )
    # Where to send an offer when there is no appointment (whose declaration says it): asked
    # with the request, erased when it ends (ADR 0028).
    email = models.EmailField(_("email"), blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, default="el")
    created_at = models.DateTimeField(_("asked at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("waiting request")
        verbose_name_plural = _("waiting requests")
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=Q(status="active"),
                name="waitlist_one_active_request_per_appointment",
            ),
            models.UniqueConstraint(
                fields=["citizen", "service", "category"],
                condition=Q(status="active", appointment__isnull=True),
                name="waitlist_one_active_request_per_service",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kep", "created_at"], name="waitlist_active_kep"),
            models.Index(
                fields=["status", "municipality", "created_at"], name="waitlist_active_muni"
            ),
            models.Index(fields=["status", "category", "created_at"], name="waitlist_active_cat"),
            models.Index(fields=["citizen", "status"], name="waitlist_citizen"),
        ]

    def __str__(self) -> str:
        return f"waiting request {self.public_id} ({self.status})"

    def accepts(self, moment_local: dt.datetime) -> bool:
        """Does a time starting at ``moment_local`` (Athens wall time) fit the window?"""
        if str(moment_local.isoweekday()) not in self.weekdays:
            return False
        if self.before is not None and moment_local.date() >= self.before:
            return False
        if self.part_of_day == PartOfDay.MORNING and moment_local.hour >= 12:
            return False
        return not (self.part_of_day == PartOfDay.AFTERNOON and moment_local.hour < 12)


class FreedTime(models.Model):
    """Durable work for the worker: time at a KEP became free from ``freed_from`` on. Written
    in the transaction that freed it; processed (once, under a row lock) by the worker."""

    kep = models.ForeignKey(Kep, on_delete=models.CASCADE, related_name="+")
    freed_from = models.DateTimeField()
    # Look at the local days [freed_from's day, until]; None: that day only.
    until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    offers_made = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("freed time")
        verbose_name_plural = _("freed times")
        indexes = [
            models.Index(
                fields=["id"],
                condition=Q(processed_at__isnull=True),
                name="waitlist_freed_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"freed at KEP {self.kep_id} from {self.freed_from:%Y-%m-%d %H:%M}"


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Offered")
    TAKEN = "taken", _("Taken")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    GONE = "gone", _("No longer free")


class Offer(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        WaitingRequest,
        verbose_name=_("waiting request"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    citizen = models.ForeignKey(
        Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="+"
    )
    # The hold that keeps the time for the citizen while the offer is open.
    hold = models.ForeignKey(
        Appointment, verbose_name=_("hold"), on_delete=models.PROTECT, related_name="+"
    )
    kep = models.ForeignKey(Kep, verbose_name=_("KEP"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("offered time"))
    # The appointment's time when the offer was made (none for a request without appointment).
    previous_starts_at = models.DateTimeField(_("time before"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    created_at = models.DateTimeField(_("offered at"))
    expires_at = models.DateTimeField(_("open until"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    days_earlier = models.IntegerField(_("days earlier"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status="pending"),
                name="waitlist_one_open_offer_per_request",
            ),
            # A time is offered to a request once: declined or expired, it goes to the next.
            models.UniqueConstraint(
                fields=["request", "kep", "starts_at"], name="waitlist_offer_once_per_time"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="waitlist_offer_open"),
            models.Index(fields=["citizen", "created_at"], name="waitlist_offer_citizen_day"),
        ]

    def __str__(self) -> str:
        return f"offer {self.public_id} ({self.status})"


class OfferRules(models.Model):
    """The offer rules the ministry edits (one row)."""

    offer_minutes = models.PositiveSmallIntegerField(
        _("minutes an offer stays open"),
        default=10,
        help_text=_("The time is held for the citizen this long."),
    )
    max_offers_per_day = models.PositiveSmallIntegerField(
        _("offers per citizen per day"), default=3
    )
    quiet_from = models.TimeField(_("quiet hours from"), default=dt.time(22, 0))
    quiet_until = models.TimeField(_("quiet hours until"), default=dt.time(8, 0))
    days_ahead = models.PositiveSmallIntegerField(
        _("days looked at after hours change"),
        default=30,
        help_text=_("When opening hours are added, how many days ahead are offered."),
    )

    class Meta:
        verbose_name = _("offer rules")
        verbose_name_plural = _("offer rules")

    def __str__(self) -> str:
        return str(_("offer rules"))

    def is_quiet(self, local_time: dt.time) -> bool:
        if self.quiet_from <= self.quiet_until:
            return self.quiet_from <= local_time < self.quiet_until
        return local_time >= self.quiet_from or local_time < self.quiet_until
