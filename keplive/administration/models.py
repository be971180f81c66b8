"""The dashboard's per-KEP-day summary (issue 13 goal 5; ADR 0029).

``DaySummary`` holds, for each finished local day, KEP and category, every count the dashboard
aggregates; ``category`` 0 is the KEP's whole day (all categories, the widest citizen window).
``SummarisedDay`` says which days are summarised, and until when (the trigger's cut-off);
``DirtyMark`` rows are written by database triggers when something of a summarised day changes,
so the dashboard computes that day live until the worker summarises it again.
"""

from __future__ import annotations

from django.db import models

from keplive.directory.models import Kep

ALL_CATEGORIES = 0


class DaySummary(models.Model):
    day = models.DateField()
    kep = models.ForeignKey(Kep, on_delete=models.CASCADE, related_name="+")
    category = models.PositiveSmallIntegerField()  # 0: every category
    # Appointments of the day (local date of their start), booked or cancelled now.
    booked = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    past = models.PositiveIntegerField(default=0)
    no_employee = models.PositiveIntegerField(default=0)
    citizen_no_show = models.PositiveIntegerField(default=0)
    citizen_no_show_opened = models.PositiveIntegerField(default=0)
    booked_seconds = models.BigIntegerField(default=0)
    # Not clamped: the period's sum is (as the live computation does).
    offered_minutes = models.IntegerField(default=0)
    # What was done that day (cancelled, moved, reassigned) to appointments of the KEP.
    cancellations = models.PositiveIntegerField(default=0)
    cancelled_by_kep = models.PositiveIntegerField(default=0)
    citizen_moves = models.PositiveIntegerField(default=0)
    kep_moves = models.PositiveIntegerField(default=0)
    reassignments = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kep", "category"], name="day_summary_unique")
        ]
        indexes = [models.Index(fields=["category", "day"], name="day_summary_category_day")]

    def __str__(self) -> str:
        return f"{self.day} KEP {self.kep_id} category {self.category}"


class SummarisedDay(models.Model):
    day = models.DateField(primary_key=True)
    # The UTC end of the local day: changes to anything before it are marked dirty.
    ends_at = models.DateTimeField(db_index=True)
    summarised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day} summarised at {self.summarised_at:%Y-%m-%d %H:%M}"


class DirtyMark(models.Model):
    """Something changed at ``at`` (a moment of a local day; to ``until``), or on ``day``, on
    or before a summarised day; or,
    with ``appointment_id``, an appointment changed KEP or category (its citizens' moves are
    counted under its KEP: their days are looked up in the audit log)."""

    at = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)  # with ``at``: every day of [at, until]
    day = models.DateField(null=True, blank=True)  # a local date (a closure, an exception)
    appointment_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"dirty {self.at or self.appointment_id}"
