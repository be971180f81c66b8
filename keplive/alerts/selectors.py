"""Reading the alerts: the open waiting alerts (the workspace's alerts page, its badge and the
administration dashboard) and the interpreter digests as one KEP sees them.

Neither holds a citizen's personal data: an alert names the appointment by its time, service
and assigned employee; a digest entry by its time, service and kind of interpretation. The
interpreter requests of a KEP are still sensitive (they tell of a disability), so listing them
is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, QuerySet

from keplive.alerts.emails import InterpreterRequest
from keplive.alerts.interpreters import digest_due_at, interpreter_requests, next_digest_date
from keplive.alerts.models import InterpreterDigest, InterpreterDigestEntry, WaitingAlert
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking.models import Appointment, Interpreter, Status
from keplive.booking.schedule_inputs import ATHENS
from keplive.calls.models import Call
from keplive.calls.services import LINK_OVERRUN
from keplive.catalogue.models import CategoryKind
from keplive.directory.models import Employee, Kep


def _open_alerts(*, now: dt.datetime, kep: Kep | int | None = None) -> QuerySet[WaitingAlert]:
    opened = Call.objects.filter(appointment=OuterRef("appointment"), opened_at__isnull=False)
    alerts = WaitingAlert.objects.filter(
        resolved_at__isnull=True,
        appointment__status=Status.BOOKED,
        appointment__ends_at__gt=now - LINK_OVERRUN,
    ).filter(~Exists(opened), appointment__starts_at=F("starts_at"))
    if kep is not None:
        alerts = alerts.filter(kep=kep)
    return alerts


def open_waiting_alerts(*, now: dt.datetime, kep: Kep | int | None = None) -> list[WaitingAlert]:
    """The alerts still open at ``now`` (of one KEP, or all), earliest appointment first. An
    alert whose call has meanwhile been opened, or whose appointment was cancelled or moved,
    is left out even before the worker's next run closes it."""
    return list(
        _open_alerts(now=now, kep=kep)
        .select_related(
            "kep", "employee__user", "appointment", "appointment__service", "appointment__category"
        )
        .order_by("starts_at", "pk")
    )


def open_waiting_alert_count(*, now: dt.datetime, kep: Kep | int) -> int:
    """How many alerts are open at the KEP (the badge on the workspace pages)."""
    return _open_alerts(now=now, kep=kep).count()


def recent_waiting_alerts(*, kep: Kep | int, since: dt.datetime) -> list[WaitingAlert]:
    """The KEP's alerts resolved since ``since``, latest first: what happened to them."""
    return list(
        WaitingAlert.objects.filter(kep=kep, resolved_at__gte=since)
        .select_related(
            "employee__user", "taken_over_by__user", "appointment", "appointment__service"
        )
        .order_by("-resolved_at", "-pk")
    )


@dataclass(frozen=True, slots=True)
class DigestForKep:
    """One digest as a KEP sees it: only its own rows."""

    digest: InterpreterDigest
    entries: list[InterpreterDigestEntry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NextDigest:
    for_date: dt.date
    due_at: dt.datetime
    # The KEP's requests it would list if it went now.
    requests: int
    # Those requests, earliest first (time, service, kind: no personal data).
    entries: list[InterpreterRequest] = field(default_factory=list)


def interpreter_digests_for_kep(
    *, employee: Employee, origin: Origin = SYSTEM, limit: int = 14
) -> list[DigestForKep]:
    """The last ``limit`` digests, each with the employee's KEP's rows only (audited)."""
    digests = list(InterpreterDigest.objects.order_by("-for_date")[:limit])
    entries = (
        InterpreterDigestEntry.objects.filter(digest__in=digests, kep_id=employee.kep_id)
        .select_related("appointment", "appointment__service")
        .order_by("starts_at", "pk")
    )
    by_digest: dict[int, list[InterpreterDigestEntry]] = {}
    for entry in entries:
        by_digest.setdefault(entry.digest_id, []).append(entry)
    record_event(
        action="interpreter_digests.listed",
        actor=employee.user,
        origin=origin,
        object_type="kep",
        object_id=employee.kep_id,
        details={"digests": len(digests), "entries": sum(map(len, by_digest.values()))},
    )
    return [DigestForKep(digest=digest, entries=by_digest.get(digest.pk, [])) for digest in digests]


def next_interpreter_digest(*, now: dt.datetime, kep: Kep | int | None = None) -> NextDigest:
    """The next digest to go: its day, when it goes, and how many of the KEP's requests (or all)
    it would list as things stand."""
    for_date = next_digest_date(now=now)
    kep_id = kep.pk if isinstance(kep, Kep) else kep
    requests = [
        request
        for request in interpreter_requests(day=for_date)
        if kep_id is None or request.appointment.kep_id == kep_id
    ]
    return NextDigest(
        for_date=for_date,
        due_at=digest_due_at(for_date),
        requests=len(requests),
        entries=requests,
    )


def interpreter_request_candidates(
    *, now: dt.datetime, kep: Kep | int, until: dt.date
) -> list[Appointment]:
    """The KEP's booked appointments still ahead, up to the local day ``until`` (the page: two
    weeks ahead; a later list picks a request up when its day comes), in the category
    for people with hearing disabilities (the only one offering an interpreter), with declared
    details and no interpreter request: those an employee may add to the list. Earliest first."""
    kep_id = kep.pk if isinstance(kep, Kep) else kep
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=ATHENS)
    return list(
        Appointment.objects.filter(
            kep_id=kep_id,
            status=Status.BOOKED,
            starts_at__gt=now,
            starts_at__lt=end,
            category__number=CategoryKind.DISABILITY,
            details__isnull=False,
            details__interpreter=Interpreter.NONE,
        )
        .select_related("service", "employee__user")
        .order_by("starts_at", "pk")
    )


__all__ = [
    "DigestForKep",
    "NextDigest",
    "interpreter_digests_for_kep",
    "interpreter_request_candidates",
    "next_interpreter_digest",
    "open_waiting_alert_count",
    "open_waiting_alerts",
    "recent_waiting_alerts",
]
