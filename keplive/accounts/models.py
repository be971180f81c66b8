"""People who use KEPlive: citizens (through TAXISnet) and staff (KEP and ministry)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    EMPLOYEE = "employee", _("KEP employee")
    SUPERVISOR = "supervisor", _("KEP supervisor")
    ADMINISTRATOR = "administrator", _("Ministry administrator")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    """Every account. Citizens get one on their first TAXISnet login; staff are issued one."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CITIZEN)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_kep_staff(self) -> bool:
        return self.role in {Role.EMPLOYEE, Role.SUPERVISOR}


class Citizen(models.Model):
    """What booking needs to know of a citizen, as TAXISnet reported it at login.

    Only the tax number and names are kept; the access token never is.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="citizen")
    tax_id = models.CharField(_("tax number (ΑΦΜ)"), max_length=9, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    father_name = models.CharField(_("father's name"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"
