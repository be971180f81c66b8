"""The interpreter digest (E12; seed 003 Art. 2.8).

Every day at ``KEPLIVE_INTERPRETER_DIGEST_TIME`` (Greek time, 18:00 by default, before the
19:00 the rules require) one email to ``KEPLIVE_INTERPRETER_DIGEST_TO`` (the National Institute
for the Deaf) lists the next day's booked appointments whose citizen asked for an interpreter,
each with its time, KEP, kind of interpretation, service and the interpreter's own join link.

- **Exactly once a day**: the ``InterpreterDigest`` row (``for_date`` unique) is inserted in
  the transaction that queues the email; a rival run's insert fails and it sends nothing.
- **Sent even when there is nothing**: "no requests tomorrow". The Institute then always gets
  one email a day, and a missing one means something is wrong rather than "nothing to do".
- **Late is better than never**: a worker that was down at 18:00 sends the digest as soon as it
  runs again the same day.
- **Addenda**: a request for a day whose digest went already (booked later, or moved into
  that day) is sent in a short addendum of its own, once (``InterpreterDigestEntry``, unique
  per digest, appointment and time). A request already sent that no longer stands (cancelled,
  moved to another time) gets a short withdrawal, once. Only calls still ahead are followed.

The worker runs ``send_interpreter_digests`` every minute; it does nothing before the time.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from keplive.alerts.emails import (
    InterpreterRequest,
    queue_interpreter_addendum,
    queue_interpreter_digest,
    queue_interpreter_withdrawal,
)
from keplive.alerts.models import InterpreterDigest, InterpreterDigestEntry
from keplive.audit.services import record_event
from keplive.booking.models import Appointment, Interpreter, Status
from keplive.booking.schedule_inputs import ATHENS

logger = logging.getLogger(__name__)


def digest_time() -> dt.time:
    """``KEPLIVE_INTERPRETER_DIGEST_TIME`` as a time (checked at start-up: ``HH:MM``)."""
    return dt.time.fromisoformat(settings.KEPLIVE_INTERPRETER_DIGEST_TIME)


def digest_due_at(for_date: dt.date) -> dt.datetime:
    """When the digest of ``for_date``'s requests goes: the day before, at the digest time."""
    return dt.datetime.combine(for_date - dt.timedelta(days=1), digest_time(), tzinfo=ATHENS)


def next_digest_date(*, now: dt.datetime) -> dt.date:
    """The day whose digest is the next to go: tomorrow's, unless it went already (then the
    day after's)."""
    tomorrow = now.astimezone(ATHENS).date() + dt.timedelta(days=1)
    if InterpreterDigest.objects.filter(for_date=tomorrow).exists():
        return tomorrow + dt.timedelta(days=1)
    return tomorrow


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=ATHENS)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=ATHENS)


def interpreter_requests(
    *, day: dt.date, after: dt.datetime | None = None
) -> list[InterpreterRequest]:
    """The booked appointments of the local ``day`` with an interpreter request, earliest first
    (only those starting after ``after`` when given)."""
    start, end = _day_bounds(day)
    appointments = Appointment.objects.filter(
        status=Status.BOOKED, starts_at__gte=start, starts_at__lt=end
    ).exclude(details__interpreter=Interpreter.NONE)
    if after is not None:
        appointments = appointments.filter(starts_at__gt=after)
    return [
        InterpreterRequest(appointment=appointment, interpreter=appointment.details.interpreter)
        for appointment in appointments.filter(details__isnull=False)
        .select_related("kep", "service", "details")
        .order_by("starts_at", "kep__code", "pk")
    ]


@dataclass(frozen=True, slots=True)
class DigestRun:
    """What one run did: the digest it sent (if it was due), addenda and withdrawals."""

    digest: InterpreterDigest | None = None
    addenda: int = 0
    withdrawals: int = 0


def send_interpreter_digests(*, now: dt.datetime) -> DigestRun:
    """Send the next day's digest when it is due at ``now``, and the addenda and withdrawals of
    the digests already sent for today and tomorrow."""
    digest = send_interpreter_digest(now=now)
    addenda = withdrawals = 0
    today = now.astimezone(ATHENS).date()
    for sent in InterpreterDigest.objects.filter(
        for_date__in=[today, today + dt.timedelta(days=1)]
    ).order_by("for_date"):
        addenda += _send_addenda(sent, now=now)
        withdrawals += _send_withdrawals(sent, now=now)
    return DigestRun(digest=digest, addenda=addenda, withdrawals=withdrawals)


def send_interpreter_digest(*, now: dt.datetime, early: bool = False) -> InterpreterDigest | None:
    """The digest of tomorrow's requests, if its time has come at ``now`` (or at once when
    ``early``: ``manage.py send_interpreter_digest``) and it has not gone yet; None otherwise.
    Requests booked after an early digest follow as addenda, as after the usual one."""
    local = now.astimezone(ATHENS)
    for_date = local.date() + dt.timedelta(days=1)
    if now < digest_due_at(for_date) and not early:
        return None
    if InterpreterDigest.objects.filter(for_date=for_date).exists():
        return None
    to = settings.KEPLIVE_INTERPRETER_DIGEST_TO
    try:
        with transaction.atomic():
            requests = interpreter_requests(day=for_date)
            try:
                with transaction.atomic():
                    digest = InterpreterDigest.objects.create(
                        for_date=for_date, sent_at=now, recipient=to, count=len(requests)
                    )
            except IntegrityError:
                return None  # a rival run sent it a moment ago
            message = queue_interpreter_digest(
                for_date=for_date, requests=requests, to=to, cause=digest
            )
            digest.message = message
            digest.save(update_fields=["message"])
            InterpreterDigestEntry.objects.bulk_create(
                InterpreterDigestEntry(
                    digest=digest,
                    appointment=request.appointment,
                    kep_id=request.appointment.kep_id,
                    starts_at=request.appointment.starts_at,
                    interpreter=request.interpreter,
                    added_at=now,
                    message=message,
                )
                for request in requests
            )
            record_event(
                action="alert.interpreter_digest_sent",
                object_type="interpreter_digest",
                object_id=digest.pk,
                details={"for_date": for_date.isoformat(), "count": len(requests)},
            )
    except IntegrityError:
        return None
    logger.info("interpreter digest for %s queued with %d requests", for_date, len(requests))
    return digest


def _send_addenda(digest: InterpreterDigest, *, now: dt.datetime) -> int:
    sent_already = set(digest.entries.values_list("appointment_id", "starts_at"))
    sent = 0
    for request in interpreter_requests(day=digest.for_date, after=now):
        appointment = request.appointment
        if (appointment.pk, appointment.starts_at) in sent_already:
            continue
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        entry = InterpreterDigestEntry.objects.create(
                            digest=digest,
                            appointment=appointment,
                            kep_id=appointment.kep_id,
                            starts_at=appointment.starts_at,
                            interpreter=request.interpreter,
                            addendum=True,
                            added_at=now,
                        )
                except IntegrityError:
                    continue  # a rival run sent this addendum a moment ago
                entry.message = queue_interpreter_addendum(
                    for_date=digest.for_date, request=request, to=digest.recipient, cause=entry
                )
                entry.save(update_fields=["message"])
                record_event(
                    action="alert.interpreter_addendum_sent",
                    object_type="appointment",
                    object_id=appointment.reference,
                    details={"for_date": digest.for_date.isoformat()},
                )
        except Exception:
            logger.exception("interpreter addendum for appointment %s not queued", appointment.pk)
            continue
        sent += 1
    return sent


def _send_withdrawals(digest: InterpreterDigest, *, now: dt.datetime) -> int:
    """The requests sent for ``digest``'s day that no longer stand at their time."""
    standing = Appointment.objects.filter(status=Status.BOOKED).exclude(
        details__interpreter=Interpreter.NONE
    )
    sent = 0
    entries = (
        digest.entries.filter(withdrawn_at__isnull=True, starts_at__gt=now)
        .select_related("appointment", "appointment__kep")
        .order_by("starts_at", "pk")
    )
    for entry in entries:
        if standing.filter(pk=entry.appointment_id, starts_at=entry.starts_at).exists():
            continue
        try:
            with transaction.atomic():
                claimed = InterpreterDigestEntry.objects.filter(
                    pk=entry.pk, withdrawn_at__isnull=True
                ).update(withdrawn_at=now)
                if not claimed:
                    continue
                queue_interpreter_withdrawal(
                    for_date=digest.for_date,
                    appointment=entry.appointment,
                    starts_at=entry.starts_at,
                    to=digest.recipient,
                    cause=entry,
                )
                record_event(
                    action="alert.interpreter_withdrawal_sent",
                    object_type="appointment",
                    object_id=entry.appointment.reference,
                    details={"for_date": digest.for_date.isoformat()},
                )
        except Exception:
            logger.exception("interpreter withdrawal for entry %s not queued", entry.pk)
            continue
        sent += 1
    return sent
