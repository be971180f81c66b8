"""The audit log (P7): append-only events of every change and every access, sealed by the
worker into signed Merkle checkpoints (ADR 0011)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The first line of a checkpoint's statement: names the format.
STATEMENT_HEADER = "keplive-audit-checkpoint/v1"


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    REFUSED = "refused", _("Refused")


class AuditEvent(models.Model):
    """One thing that happened: who, what, to which object, when, from where, with what outcome.

    ``details`` never holds personal data: identifiers and field names only. ``leaf_hash``
    covers the row's own content (``hashing.leaf_hash``), computed at insert; the worker then
    seals events in id order into ``AuditCheckpoint``s, whose Merkle roots commit to every
    event, its content and its place (``manage.py verify_audit_chain``).

    Rows written before ADR 0011 have no ``leaf_hash`` but the old hash chain
    (``previous_digest``, ``digest``), which verification still checks.
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
    # SHA-256(0x00 || canonical fields), hex. NULL (not "") marks the rows written before
    # ADR 0011, and adding a nullable column leaves existing rows (and their triggers) alone.
    leaf_hash = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    # The hash chain of rows written before ADR 0011; "" and NULL on later rows (NULL, not "",
    # because the column stays unique for the old rows).
    previous_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
        )


class AuditCheckpoint(models.Model):
    """A signed seal over the audit events with ids in ``(after_event_id, through_event_id]``.

    ``root_hash`` is the RFC 6962 Merkle root of those events' leaves in id order
    (``tree_size`` of them). Checkpoints form a chain: ``previous_hash`` is the previous
    checkpoint's ``checkpoint_hash`` and each range starts where the previous one ended, so a
    removed or re-ordered checkpoint breaks the chain. ``statement()`` is what is hashed and
    signed (Ed25519, ``key_id`` names the key). Append-only like the events.
    """

    number = models.PositiveBigIntegerField(unique=True)
    after_event_id = models.BigIntegerField(unique=True)
    through_event_id = models.BigIntegerField(unique=True)
    tree_size = models.PositiveIntegerField()
    # The number of events sealed by this checkpoint and all before it.
    log_size = models.PositiveBigIntegerField()
    root_hash = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64, unique=True)
    sealed_at = models.DateTimeField()
    checkpoint_hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["number"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(through_event_id__gt=models.F("after_event_id")),
                name="audit_checkpoint_range_not_empty",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} ({self.after_event_id}, {self.through_event_id}]"

    def statement(self) -> bytes:
        """The checkpoint as hashed and signed: one field a line, in a fixed order."""
        lines = [
            STATEMENT_HEADER,
            str(self.number),
            str(self.after_event_id),
            str(self.through_event_id),
            str(self.tree_size),
            str(self.log_size),
            self.root_hash,
            self.previous_hash,
            self.sealed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        ]
        return ("\n".join(lines) + "\n").encode()
