"""The audit log (P7): append-only, hash-chained events of every change and every access."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    REFUSED = "refused", _("Refused")


class AuditEvent(models.Model):
    """One thing that happened: who, what, to which object, when, from where, with what outcome.

    ``details`` never holds personal data: identifiers and field names only. Each row's
    ``digest`` covers its own content and the previous row's digest, so editing or deleting any
    row breaks the chain from there on (``manage.py verify_audit_chain``).
    """

    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("from where"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
        )
