"""Appointments and holds.

A hold and a booked appointment are the same row in different states, so both sit under the
same database guard: for one employee, the blocked ranges ``[starts_at, blocked_until)`` of
rows that block time never overlap. ``blocked_until`` is the end of the call plus the
category's pause, so the pause after each call is part of the invariant (P1, P2).

The guard is a PostgreSQL exclusion constraint and, on SQLite, triggers (see migration 0002
and docs/adr/0003-booking-invariant-in-the-database.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from keplive.accounts.models import Citizen
from keplive.booking import codes
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Employee, Kep


class Status(models.TextChoices):
    HELD = "held", _("Held")
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    RELEASED = "released", _("Hold released")


# How callers name an appointment: its public reference, as a UUID or its text.
Reference = uuid.UUID | str

# Rows in these states block the employee's time. The database guard uses the same list.
BLOCKING_STATUSES = (Status.HELD, Status.BOOKED)


CODE_UNIQUE = "appointment_code_unique"
CODE_ATTEMPTS = 5


def _code_taken(error: IntegrityError) -> bool:
    text = str(error)
    # PostgreSQL names the constraint; SQLite names the column.
    return CODE_UNIQUE in text or "booking_appointment.code" in text


class Appointment(models.Model):
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    # What people see and type (``codes``): 8 characters of Crockford base32 with a check one.
    code = models.CharField(_("code"), max_length=8, default=codes.new_code, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    citizen = models.ForeignKey(
        Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="appointments"
    )
    kep = models.ForeignKey(Kep, verbose_name=_("KEP"), on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="appointments"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    blocked_until = models.DateTimeField(
        _("employee busy until"), help_text=_("End of the call plus the pause after it.")
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    # Bumped on every change the citizen is told of; the ICS SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the reminder email (C8) was queued for the current time; cleared by a reschedule.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["employee", "status", "starts_at"], name="appt_employee_time"),
            # Covering: a KEP's free times read their bookings from the index alone.
            models.Index(
                fields=["kep", "status", "starts_at"],
                include=["employee", "blocked_until"],
                name="appt_kep_time",
            ),
            models.Index(fields=["citizen", "status"], name="appt_citizen_status"),
            # Covering: the national dashboard's live day (every KEP's appointments of a day,
            # counted by KEP, category and status) from the index alone (ADR 0029).
            models.Index(
                fields=["starts_at"],
                include=["id", "status", "kep", "category", "ends_at"],
                name="appt_time",
            ),
            models.Index(fields=["status", "hold_expires_at"], name="appt_hold_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")) & Q(ends_at__lte=F("blocked_until")),
                name="appointment_times_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False),
                name="appointment_hold_has_expiry",
            ),
            models.UniqueConstraint(fields=["code"], name=CODE_UNIQUE),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.starts_at:%Y-%m-%d %H:%M} {self.status}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Insert with a fresh code when the random one is taken (1 in 34 thousand million per
        existing appointment): each try in its own savepoint, so the caller's transaction and
        any other constraint's violation are untouched."""
        if not self._state.adding and self.pk is not None:
            super().save(*args, **kwargs)  # type: ignore[arg-type]
            return
        for _attempt in range(CODE_ATTEMPTS - 1):
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)  # type: ignore[arg-type]
                return
            except IntegrityError as error:
                if not _code_taken(error):
                    raise
                self.code = codes.new_code()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_code(self) -> str:
        """The code as shown and read out: ``7Q4M-2XZD``."""
        return codes.display(self.code)

    @property
    def is_hold(self) -> bool:
        return self.status == Status.HELD


class EarliestFreeTime(models.Model):
    """A maintained index: each KEP's earliest free time per category.

    It makes "the earliest free time across all KEPs" one indexed query instead of computing
    every KEP's calendar. It is a cache, never the truth: the selector verifies the KEPs it
    returns against live data, bookings refresh their KEP's rows when they commit, and the
    worker refreshes every KEP periodically (directory changes, time passing). See
    docs/adr/0004-earliest-free-time-index.md.
    """

    kep = models.ForeignKey(Kep, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty: nothing free."))
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("earliest free time")
        verbose_name_plural = _("earliest free times")
        constraints = [
            models.UniqueConstraint(fields=["kep", "category"], name="earliest_free_time_unique")
        ]
        indexes = [models.Index(fields=["category", "starts_at"], name="earliest_by_category")]

    def __str__(self) -> str:
        return f"{self.kep_id}/{self.category_id}: {self.starts_at}"


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("Greek identity card")
    PASSPORT = "passport", _("Passport and residence permit")


class Interpreter(models.TextChoices):
    NONE = "", _("No interpreter")
    SIGN_LANGUAGE = "sign_language", _("Greek Sign Language interpreter")
    LIP_READING = "lip_reading", _("Lip-reading")


class DeliveryMethod(models.TextChoices):
    POST = "post", _("By post")
    EMAIL = "email", _("By email")
    PICKUP = "pickup", _("Pick up at the KEP")


class AppointmentDetails(models.Model):
    """What the citizen declared when booking (C4, C5): personal data, read through audited
    selectors only. One row per booked appointment; changed in place when the citizen edits."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="details", primary_key=True
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    # A mobile (preferred: it can take an SMS) or a Greek landline, as ``+30…``.
    mobile_phone = models.CharField(_("phone number"), max_length=20)
    postal_address = models.CharField(_("postal address"), max_length=300)
    document_kind = models.CharField(
        _("identity document"), max_length=16, choices=DocumentKind.choices
    )
    id_card_number = models.CharField(_("identity card number"), max_length=20, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=20, blank=True)
    residence_permit_number = models.CharField(
        _("residence permit number"), max_length=30, blank=True
    )
    subject = models.TextField(_("subject"), max_length=1000)
    interpreter = models.CharField(
        _("interpreter"), max_length=16, choices=Interpreter.choices, blank=True, default=""
    )
    delivery_method = models.CharField(
        _("delivery of the document"), max_length=8, choices=DeliveryMethod.choices
    )
    # The manual's «ειδικές απαιτήσεις», in every category (an interpreter is category 3's own).
    special_requirements = models.TextField(
        _("special requirements"), max_length=1000, blank=True, default=""
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    # Category 2: the legal representative books for a business.
    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    business_tax_id = models.CharField(_("business tax number"), max_length=9, blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    # The language of the citizen's emails: the page's language when they booked or last changed.
    language = models.CharField(_("language"), max_length=8, default="el")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("declared details")
        verbose_name_plural = _("declared details")

    def __str__(self) -> str:
        return f"details of {self.appointment_id}"


class ChangeKind(models.TextChoices):
    MOVED = "moved", _("Moved by the KEP")
    REASSIGNED = "reassigned", _("Given to another employee")
    CANCELLED_BY_KEP = "cancelled_by_kep", _("Cancelled by the KEP")


class AppointmentChange(models.Model):
    """A change the KEP made to a booked appointment (E4), with the reason given.

    The audit log records the same change without the reason (free text may hold personal
    data); this row is what the employee's history of the appointment shows.
    """

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    from_starts_at = models.DateTimeField(_("time before"))
    to_starts_at = models.DateTimeField(_("time after"), null=True, blank=True)
    from_employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee before"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    to_employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee after"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"), max_length=1000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("appointment change")
        verbose_name_plural = _("appointment changes")

    def __str__(self) -> str:
        return f"{self.kind} {self.appointment_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached the citizen")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CitizenCallTask(models.Model):
    """Phone the citizen about a change the KEP made (E4: told by email and by phone).

    Open until an employee of the KEP records how the call went.
    """

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.CASCADE,
        related_name="call_tasks",
    )
    change = models.ForeignKey(
        AppointmentChange,
        verbose_name=_("change"),
        on_delete=models.CASCADE,
        related_name="call_tasks",
        null=True,
        blank=True,
    )
    kep = models.ForeignKey(Kep, verbose_name=_("KEP"), on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        related_name="call_tasks",
    )
    created_at = models.DateTimeField(_("created"))
    due = models.DateTimeField(_("call by"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=CallOutcome.choices, blank=True, default=""
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["due", "id"]
        verbose_name = _("call to the citizen")
        verbose_name_plural = _("calls to citizens")
        indexes = [
            models.Index(fields=["kep", "done_at", "due"], name="call_task_kep_open"),
            models.Index(fields=["employee", "done_at", "due"], name="call_task_employee_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, outcome="")
                | (Q(done_at__isnull=False) & ~Q(outcome="")),
                name="call_task_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"call task {self.pk} for {self.appointment_id}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None
