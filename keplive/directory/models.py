"""The directory: municipalities, their KEPs, opening hours, closures, employees and availability.

Everything here is data that administrators edit (A3, A4, P3, P4); the booking engine reads it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Municipality(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_el = models.CharField(_("name (Greek)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    region = models.CharField(_("region"), max_length=120, blank=True)
    is_participating = models.BooleanField(
        _("participates in the programme"),
        default=True,
        help_text=_("Only participating municipalities offer municipal services (category 4)."),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        ordering = ["name_el"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "el").startswith("en") else self.name_el


class Kep(models.Model):
    """A Citizen Service Centre. A KEP-EKE is also a Point of Single Contact for businesses."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="keps"
    )
    name_el = models.CharField(_("name (Greek)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("contact email"))
    protocol_email = models.EmailField(
        _("protocol email"), help_text=_("Where applications for the municipality are filed.")
    )
    is_kep_eke = models.BooleanField(_("KEP-EKE (Point of Single Contact)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("KEP")
        verbose_name_plural = _("KEPs")
        indexes = [models.Index(fields=["municipality", "is_active"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "el").startswith("en") else self.name_el


class OpeningHours(models.Model):
    """One opening interval of a KEP on a weekday; a day may have several (split shifts)."""

    kep = models.ForeignKey(Kep, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["kep", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")), name="opening_hours_opens_before_closes"
            ),
            models.UniqueConstraint(
                fields=["kep", "weekday", "opens"], name="opening_hours_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.opens >= self.closes:
            raise ValidationError(_("A KEP must open before it closes."))


class OpeningException(models.Model):
    """Hours that replace a KEP's weekly hours on one date. A row without times: closed all day."""

    kep = models.ForeignKey(Kep, on_delete=models.CASCADE, related_name="opening_exceptions")
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["kep", "date", "opens"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(opens__isnull=True) & Q(closes__isnull=True))
                | (Q(opens__isnull=False) & Q(closes__isnull=False) & Q(opens__lt=F("closes"))),
                name="opening_exception_closed_or_valid_interval",
            ),
        ]

    def __str__(self) -> str:
        if self.opens is None:
            return f"{self.date} {_('closed')}"
        return f"{self.date} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if (self.opens is None) != (self.closes is None):
            raise ValidationError(
                _("Give both opening and closing time, or neither for a closed day.")
            )
        if self.opens is not None and self.closes is not None and self.opens >= self.closes:
            raise ValidationError(_("A KEP must open before it closes."))


class LocalHoliday(models.Model):
    """A local closure (e.g. the patron saint's day) for every KEP of a municipality.

    National holidays come from the ``holidays`` package and are not stored.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="local_holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("local holiday")
        verbose_name_plural = _("local holidays")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "date"], name="local_holiday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Employee(models.Model):
    """A KEP employee who serves calls. Names and login live on the user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    kep = models.ForeignKey(
        Kep, verbose_name=_("KEP"), on_delete=models.PROTECT, related_name="employees"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kep", "user__last_name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        indexes = [models.Index(fields=["kep", "is_active"])]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Availability(models.Model):
    """When an employee serves calls on a weekday, and from which workstation (P3)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    workstation = models.CharField(_("workstation"), max_length=50, blank=True)

    class Meta:
        ordering = ["employee", "weekday", "starts"]
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__lt=F("ends")), name="availability_starts_before_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts and self.ends and self.starts >= self.ends:
            raise ValidationError(_("Availability must start before it ends."))


class Absence(models.Model):
    """Leave, training, sickness: the employee takes no calls in [starts_at, ends_at)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["employee", "starts_at"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="absence_starts_before_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError(_("An absence must start before it ends."))
