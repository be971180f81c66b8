"""The service catalogue (C2): the four categories, with their slot rules, and their services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keplive.directory.models import Municipality
from keplive.directory.ordering import collation_key


def _in_english() -> bool:
    return (get_language() or "el").startswith("en")


class CategoryKind(models.IntegerChoices):
    INFORMATION = 1, _("Administrative information – application")
    BUSINESS = 2, _("Services to businesses")
    DISABILITY = 3, _("Citizens with disability")
    MUNICIPAL = 4, _("Services from your municipality")


class Category(models.Model):
    """One of the four service categories, with the slot parameters administrators tune (P3, P5)."""

    number = models.PositiveSmallIntegerField(
        _("number"), primary_key=True, choices=CategoryKind.choices
    )
    slug = models.SlugField(_("slug"), unique=True)
    title_el = models.CharField(_("title (Greek)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    description_el = models.TextField(_("description (Greek)"))
    description_en = models.TextField(_("description (English)"))
    call_minutes = models.PositiveSmallIntegerField(
        _("call length (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("pause after each call (minutes)"), validators=[MaxValueValidator(120)]
    )
    step_minutes = models.PositiveSmallIntegerField(
        _("slot grid (minutes)"),
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Times offered to citizens start on multiples of this from midnight."),
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), validators=[MaxValueValidator(60 * 24 * 14)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("booking horizon (days)"), validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    window_start = models.TimeField(_("citizen window from"), default=dt.time(8, 0))
    window_end = models.TimeField(_("citizen window until"), default=dt.time(14, 30))
    kep_eke_only = models.BooleanField(_("only at KEP-EKE"), default=False)
    municipal = models.BooleanField(
        _("municipal services (KEP of that municipality)"), default=False
    )
    offers_interpreter = models.BooleanField(_("offers a sign-language interpreter"), default=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_start__lt=F("window_end")), name="category_window_valid"
            ),
            models.CheckConstraint(condition=Q(call_minutes__gt=0), name="category_call_positive"),
            models.CheckConstraint(condition=Q(step_minutes__gt=0), name="category_step_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_el

    @property
    def description(self) -> str:
        return self.description_en if _in_english() else self.description_el

    def clean(self) -> None:
        if self.window_start and self.window_end:
            if self.window_start >= self.window_end:
                raise ValidationError(_("The citizen window must start before it ends."))
            window = (
                dt.datetime.combine(dt.date(2000, 1, 1), self.window_end)
                - dt.datetime.combine(dt.date(2000, 1, 1), self.window_start)
            ).total_seconds() / 60
            if self.call_minutes and self.call_minutes > window:
                raise ValidationError(
                    {"call_minutes": _("A call cannot be longer than the citizen window.")}
                )


class Service(models.Model):
    """A KEP procedure or municipal service a citizen can ask for.

    Categories 1 and 3 share the same procedures, so a service lists the categories it is offered
    in. Municipal services (category 4) belong to one municipality.
    """

    code = models.SlugField(_("code"), max_length=80, unique=True)
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), related_name="services"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="services",
    )
    title_el = models.CharField(_("title (Greek)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250)
    description_el = models.TextField(_("description (Greek)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    documents_el = models.TextField(
        _("required documents (Greek)"), blank=True, help_text=_("One document per line.")
    )
    documents_en = models.TextField(
        _("required documents (English)"), blank=True, help_text=_("One document per line.")
    )
    remote_servable = models.BooleanField(
        _("can be served remotely"),
        default=True,
        help_text=_("A procedure that needs the citizen in person cannot be booked."),
    )
    alternative_el = models.TextField(
        _("what to do instead (Greek)"),
        blank=True,
        help_text=_("Shown when the service cannot be served remotely (C11)."),
    )
    alternative_en = models.TextField(_("what to do instead (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The demo's stand-in for a list the public material does not give (category 2's 235
    # licensing procedures, each municipality's own services): pages say the list is a sample.
    # ``manage.py import_services`` loads the real catalogue and clears it.
    is_sample = models.BooleanField(
        _("sample entry"),
        default=False,
        help_text=_("A demo entry standing in for the real catalogue, which is not public."),
    )

    class Meta:
        ordering = ["title_el"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["municipality", "is_active"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if _in_english() else self.title_el

    @property
    def description(self) -> str:
        return self.description_en if _in_english() else self.description_el

    @property
    def documents(self) -> list[str]:
        """What to prepare, one item a line, each once (a line repeated with other accents, case
        or spacing is the same item)."""
        text = self.documents_en if _in_english() else self.documents_el
        seen: set[str] = set()
        items = []
        for line in text.splitlines():
            item = " ".join(line.split())
            key = collation_key(item)[0]
            if item and key not in seen:
                seen.add(key)
                items.append(item)
        return items

    @property
    def alternative(self) -> str:
        return self.alternative_en if _in_english() else self.alternative_el
