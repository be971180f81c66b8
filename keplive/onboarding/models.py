"""A municipality's application to join the programme (A5; decision 003 Art. 5).

The municipality fills the application and lists the municipal services it offers (and its KEPs);
the ministry approves it — which makes the municipality, its KEPs and its services bookable — or
rejects it with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keplive.directory.models import Municipality

NAME_MAX = 120


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MunicipalityApplication(models.Model):
    municipality_name = models.CharField(_("municipality"), max_length=NAME_MAX)
    municipality_name_en = models.CharField(_("municipality (English)"), max_length=NAME_MAX)
    # The name as compared for duplicates: canonical, without accents, case-folded.
    name_key = models.CharField(max_length=NAME_MAX, editable=False)
    region = models.CharField(_("region"), max_length=120)
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    protocol_email = models.EmailField(_("protocol email"))
    language = models.CharField(max_length=5, default="el", editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    reason = models.TextField(_("reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality in the directory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("municipality application")
        verbose_name_plural = _("municipality applications")
        constraints = [
            # Two pending applications of one municipality cannot exist, even when submitted at
            # the same moment.
            models.UniqueConstraint(
                fields=["name_key"],
                condition=Q(status="submitted"),
                name="onboarding_one_pending_application_per_municipality",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="onboarding_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.municipality_name


class ApplicationKep(models.Model):
    """A KEP of the applying municipality, as the application gives it."""

    application = models.ForeignKey(
        MunicipalityApplication, on_delete=models.CASCADE, related_name="keps"
    )
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("KEP name"), max_length=200)
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("KEP email"))

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("KEP of an application")
        verbose_name_plural = _("KEPs of an application")

    def __str__(self) -> str:
        return self.name


class ApplicationService(models.Model):
    """A municipal service the applying municipality offers (category 4)."""

    application = models.ForeignKey(
        MunicipalityApplication, on_delete=models.CASCADE, related_name="services"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title_el = models.CharField(_("service title"), max_length=250)
    title_en = models.CharField(_("service title (English)"), max_length=250, blank=True)
    remote_servable = models.BooleanField(_("can be served remotely"), default=True)
    alternative = models.TextField(_("what to do instead"), blank=True)

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("service of an application")
        verbose_name_plural = _("services of an application")

    def __str__(self) -> str:
        return self.title_el
