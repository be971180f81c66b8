"""What came of each appointment (E9, E11, E14) and the white applications sent for municipal
services (E13).

``Outcome`` is one row per appointment: the result, the delivery the citizen confirmed (with the
address it goes to), the protocol number of the successful-submission form (completed outcomes
only) and the state of its registration with e-KEP. It holds personal data (the confirmed email
or postal address): read it through ``selectors``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keplive.booking.models import Appointment, DeliveryMethod
from keplive.catalogue.models import Service
from keplive.directory.models import Employee, Municipality


class Result(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("The citizen did not attend")
    NOT_SERVABLE = "not_servable", _("Cannot be served remotely")
    CANCELLED_BY_KEP = "cancelled_by_kep", _("Cancelled by the KEP")


class Alternative(models.TextChoices):
    """What a citizen whose procedure cannot be served remotely should do instead (E14)."""

    VISIT = "visit", _("Visit the KEP by appointment")
    COURIER = "courier", _("Send the documents by courier (ELTA)")
    OTHER = "other", _("Other")


class Outcome(models.Model):
    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.PROTECT,
        related_name="outcome",
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    # E9: confirmed with the citizen before the end of the call (completed outcomes).
    delivery_method = models.CharField(
        _("delivery of the document"), max_length=8, choices=DeliveryMethod.choices, blank=True
    )
    delivery_email = models.EmailField(_("email for delivery"), max_length=254, blank=True)
    delivery_address = models.CharField(
        _("postal address for delivery"), max_length=300, blank=True
    )
    # E14: what the citizen is told to do instead; cancelled by the KEP: the reason.
    alternative = models.CharField(
        _("what to do instead"), max_length=10, choices=Alternative.choices, blank=True
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    # E11: "KEPLIVE-2026-000123", one sequence per year, completed outcomes only.
    protocol_number = models.CharField(
        _("protocol number"), max_length=32, unique=True, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        Employee, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    # Registration with e-KEP (completed outcomes), done by the worker after commit.
    ekep_reference = models.CharField(_("e-KEP reference"), max_length=64, blank=True)
    ekep_registered_at = models.DateTimeField(_("registered with e-KEP at"), null=True, blank=True)
    ekep_attempts = models.PositiveIntegerField(_("e-KEP attempts"), default=0)
    ekep_last_error = models.CharField(_("last e-KEP error"), max_length=100, blank=True)
    ekep_next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        indexes = [
            models.Index(fields=["ekep_next_attempt_at"], name="outcome_ekep_due"),
            models.Index(fields=["result", "delivery_method", "recorded_at"], name="outcome_post"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(result="completed")
                | (Q(protocol_number__isnull=False) & ~Q(delivery_method="")),
                name="outcome_completed_has_protocol_and_delivery",
            ),
            models.CheckConstraint(
                condition=~Q(delivery_method="post") | ~Q(delivery_address=""),
                name="outcome_post_has_address",
            ),
            models.CheckConstraint(
                condition=~Q(delivery_method="email") | ~Q(delivery_email=""),
                name="outcome_email_has_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id}: {self.result} {self.protocol_number or ''}".strip()

    @property
    def is_completed(self) -> bool:
        return self.result == Result.COMPLETED

    @property
    def ekep_pending(self) -> bool:
        return self.is_completed and self.ekep_registered_at is None


class ProtocolCounter(models.Model):
    """The last protocol number given in a year: one row per year, incremented atomically."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("protocol counter")
        verbose_name_plural = _("protocol counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class WhiteApplicationTemplate(models.Model):
    """A municipality's white application (λευκή αίτηση, E13). ``body`` is plain text with the
    placeholders {full_name} {address} {subject} {service} {date} {kep} {municipality}.

    Seed 002 attaches one template per municipal service: a template with a ``service`` is that
    service's; one without is the municipality's, used for its services that have none. At most
    one active template per service, and one active general template per municipality."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="white_application_templates",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="white_application_templates",
        null=True,
        blank=True,
        help_text=_(
            "The municipal service this template is for. Empty: the municipality's template, "
            "used for its services that have none of their own."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("body"),
        max_length=10000,
        help_text=_(
            "Plain text. Placeholders: {full_name} {address} {subject} {service} {date} {kep} "
            "{municipality}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "title"]
        verbose_name = _("white application template")
        verbose_name_plural = _("white application templates")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(is_active=True, service__isnull=True),
                name="one_active_white_application_per_municipality",
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(is_active=True, service__isnull=False),
                name="one_active_white_application_per_service",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        service = self.service if self.service_id is not None else None
        if service is not None and service.municipality_id != self.municipality_id:
            raise ValidationError(
                {"service": _("Choose a municipal service of this template's municipality.")}
            )


class WhiteApplication(models.Model):
    """That a filled white application was sent to the municipality's protocol (E13). The PDF
    itself leaves with the email in the outbox; only its fingerprint stays here."""

    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.PROTECT,
        related_name="white_application",
    )
    template = models.ForeignKey(
        WhiteApplicationTemplate, verbose_name=_("template"), on_delete=models.PROTECT
    )
    sent_to = models.EmailField(_("sent to"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        Employee, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    outbox_key = models.CharField(max_length=200)
    pdf_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["sent_at"]
        verbose_name = _("white application")
        verbose_name_plural = _("white applications")

    def __str__(self) -> str:
        return f"white application {self.appointment_id}"
