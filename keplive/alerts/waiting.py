"""Nobody left waiting (A7; seed 004).

``raise_waiting_alerts`` (the worker, every minute) finds each booked appointment that started
``KEPLIVE_WAITING_ALERT_MINUTES`` (3) or more minutes ago and whose call no employee has opened
(no ``Call``, or ``Call.opened_at`` empty), while the citizen can still be served (until the
join link stops working, ``LINK_OVERRUN`` after the slot's end). For each it raises one
``WaitingAlert`` — the row is inserted under its "one per appointment and start time"
constraint, so two workers never raise it twice — and, in the same transaction, emails the
KEP's supervisors and the administrators, one message each.

An open alert resolves itself when the call is opened (by anyone), the appointment is
cancelled or moved, or the citizen can no longer be served ("missed"). An employee of the KEP
resolves it by taking the appointment over (``take_over_waiting_alert``), which reassigns it
through ``keplive.booking.staff_changes.reassign_appointment``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from keplive.accounts.models import Role, User
from keplive.alerts.emails import queue_waiting_alert
from keplive.alerts.exceptions import WaitingAlertNotFound, WaitingAlertResolved
from keplive.alerts.models import Resolution, WaitingAlert
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.models import Appointment, Status
from keplive.booking.staff_changes import reassign_appointment
from keplive.calls.models import Call
from keplive.calls.services import LINK_OVERRUN
from keplive.directory.models import Employee, Kep

logger = logging.getLogger(__name__)

BATCH = 500


def waiting_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.KEPLIVE_WAITING_ALERT_MINUTES)


def alert_recipients(kep: Kep) -> list[tuple[str, bool]]:
    """Who is told: ``(address, is_supervisor)`` for each active supervisor of the KEP, then each
    active administrator, each address once."""
    supervisors = (
        User.objects.filter(
            role=Role.SUPERVISOR, is_active=True, employee__kep=kep, employee__is_active=True
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    administrators = (
        User.objects.filter(role=Role.ADMINISTRATOR, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    seen: set[str] = set()
    recipients: list[tuple[str, bool]] = []
    for addresses, supervisor in ((supervisors, True), (administrators, False)):
        for address in addresses:
            if address.lower() not in seen:
                seen.add(address.lower())
                recipients.append((address, supervisor))
    return recipients


def _due(now: dt.datetime) -> list[Appointment]:
    opened = Call.objects.filter(appointment=OuterRef("pk"), opened_at__isnull=False)
    raised = WaitingAlert.objects.filter(
        appointment=OuterRef("pk"), starts_at=OuterRef("starts_at")
    )
    return list(
        Appointment.objects.filter(
            status=Status.BOOKED,
            starts_at__lte=now - waiting_after(),
            ends_at__gt=now - LINK_OVERRUN,
        )
        .filter(~Exists(opened), ~Exists(raised))
        .select_related("kep", "service", "category", "employee__user")
        .order_by("starts_at", "pk")[:BATCH]
    )


def raise_waiting_alerts(*, now: dt.datetime) -> int:
    """Resolve what resolved itself, then raise (and email) each new alert due at ``now``;
    return how many were raised."""
    resolve_waiting_alerts(now=now)
    minutes = settings.KEPLIVE_WAITING_ALERT_MINUTES
    raised = 0
    for appointment in _due(now):
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        alert = WaitingAlert.objects.create(
                            appointment=appointment,
                            kep_id=appointment.kep_id,
                            employee_id=appointment.employee_id,
                            starts_at=appointment.starts_at,
                            raised_at=now,
                        )
                except IntegrityError:
                    continue  # a rival run raised it a moment ago
                recipients = alert_recipients(appointment.kep)
                for address, supervisor in recipients:
                    queue_waiting_alert(
                        appointment=appointment,
                        minutes=minutes,
                        to=address,
                        supervisor=supervisor,
                        cause=alert,
                    )
                record_event(
                    action="alert.waiting_raised",
                    object_type="appointment",
                    object_id=appointment.reference,
                    details={
                        "alert": alert.pk,
                        "kep": appointment.kep.code,
                        "recipients": len(recipients),
                    },
                )
        except Exception:
            logger.exception("waiting alert for appointment %s not raised", appointment.pk)
            continue
        raised += 1
        if not recipients:
            logger.warning("waiting alert %s: nobody to email at KEP %s", alert.pk, alert.kep_id)
    if raised:
        logger.info("raised %d waiting alerts", raised)
    return raised


def _resolution(alert: WaitingAlert, *, now: dt.datetime) -> str:
    appointment = alert.appointment
    if appointment.status != Status.BOOKED:
        return Resolution.CANCELLED
    if appointment.starts_at != alert.starts_at:
        return Resolution.MOVED
    if Call.objects.filter(appointment=appointment, opened_at__isnull=False).exists():
        return Resolution.OPENED
    if appointment.ends_at + LINK_OVERRUN <= now:
        return Resolution.MISSED
    return ""


def _resolve(
    alert: WaitingAlert,
    resolution: str,
    *,
    now: dt.datetime,
    taken_over_by: Employee | None = None,
    actor: Any = None,
    origin: Origin = SYSTEM,
) -> bool:
    changed = WaitingAlert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
        resolved_at=now, resolution=resolution, taken_over_by=taken_over_by
    )
    if changed:
        alert.resolved_at, alert.resolution, alert.taken_over_by = now, resolution, taken_over_by
        record_event(
            action="alert.waiting_resolved",
            actor=actor,
            origin=origin,
            object_type="appointment",
            object_id=alert.appointment.reference,
            details={
                "alert": alert.pk,
                "resolution": resolution,
                "taken_over_by": taken_over_by.pk if taken_over_by else None,
            },
        )
    return bool(changed)


def resolve_waiting_alerts(*, now: dt.datetime) -> int:
    """Close the open alerts whose call was opened, whose appointment was cancelled or moved, or
    whose citizen can no longer be served; return how many."""
    resolved = 0
    for alert in WaitingAlert.objects.filter(resolved_at__isnull=True).select_related(
        "appointment"
    ):
        resolution = _resolution(alert, now=now)
        if resolution:
            with transaction.atomic():
                resolved += _resolve(alert, resolution, now=now)
    return resolved


def take_over_waiting_alert(
    *, alert_id: int, employee: Employee, actor: Any, origin: Origin, now: dt.datetime
) -> Appointment:
    """``employee`` takes over the appointment of an open alert of their own KEP: it is
    reassigned to them and the alert resolved. Another KEP's alert is ``WaitingAlertNotFound``,
    like a missing one; a resolved one is ``WaitingAlertResolved``. The reassignment's own
    refusals (a busy or inactive employee, an appointment no longer booked) propagate and
    change nothing. The assigned employee "taking over" their own appointment changes nothing:
    opening the call resolves the alert."""
    with transaction.atomic():
        alert = (
            WaitingAlert.objects.select_for_update(no_key=True, of=("self",))
            .select_related("appointment")
            .filter(pk=alert_id, kep_id=employee.kep_id)
            .first()
        )
        if alert is None or not employee.is_active:
            raise WaitingAlertNotFound()
        resolution = alert.resolution or _resolution(alert, now=now)
        if resolution:
            _resolve(alert, resolution, now=now)  # kept: the refusal below follows the commit
        elif alert.appointment.employee_id == employee.pk:
            return alert.appointment
        else:
            appointment = _reassign(alert, employee=employee, actor=actor, origin=origin, now=now)
    if resolution:
        raise WaitingAlertResolved()
    return appointment


def _reassign(
    alert: WaitingAlert, *, employee: Employee, actor: Any, origin: Origin, now: dt.datetime
) -> Appointment:
    with transaction.atomic():
        appointment = reassign_appointment(
            reference=alert.appointment.reference,
            to_employee=employee,
            reason=_("Taken over: nobody had opened the call %(minutes)d minutes after its start.")
            % {"minutes": settings.KEPLIVE_WAITING_ALERT_MINUTES},
            actor=actor,
            origin=origin,
            now=now,
        )
        _resolve(
            alert,
            Resolution.TAKEN_OVER,
            now=now,
            taken_over_by=employee,
            actor=actor,
            origin=origin,
        )
        return appointment
