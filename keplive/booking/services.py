"""Booking commands: hold a time, confirm it, book directly, reschedule, cancel, release.

Each service owns its transaction, so a failure leaves nothing half-written. The database guard
(exclusion constraint / triggers) is the final arbiter of "no two blocking rows of one employee
overlap"; these services pick a free employee fairly, try to take the time, and turn a guard
violation into ``SlotNoLongerFree`` carrying the nearest free alternatives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext_lazy as _

from keplive.accounts.models import Citizen
from keplive.audit.models import AuditEvent
from keplive.audit.services import SYSTEM, Origin, prepare_event, record_event
from keplive.booking import booking_sql, codes
from keplive.booking.declarations import Declaration, clean_declaration
from keplive.booking.earliest import refresh_after_commit, refresh_taken_after_commit
from keplive.booking.eligibility import check_kep_serves
from keplive.booking.emails import EmailKind, queue_appointment_email
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    SlotNoLongerFree,
    TimeNotOffered,
    TooManyActiveBookings,
)
from keplive.booking.locks import (
    lock_appointments,
    lock_citizen,
    lock_employee_time,
    release_expired_holds_of,
)
from keplive.booking.models import Appointment, AppointmentDetails, Reference, Status
from keplive.booking.schedule_inputs import (
    ATHENS,
    KepSchedule,
    assemble_schedule,
    booked_minutes,
    booking_horizon,
    category_rules,
    kep_directories,
    kep_schedules,
    local_date,
)
from keplive.booking.scheduling import (
    Interval,
    Slot,
    blocked_interval,
    choose_employee,
    free_slots,
)
from keplive.booking.selectors import nearest_free_slots
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Kep

OVERLAP_GUARD = "appointment_no_overlap"
# PostgreSQL checks an exclusion constraint after inserting the index entry, so two transactions
# inserting conflicting rows at the same instant could each wait for the other. The employee's
# row lock (``locks.lock_employee_time``) makes the second wait for the first instead, so this
# does not happen; were it to, the aborted attempt lost the race exactly as with a violation.
DEADLOCK_DETECTED = "40P01"


def _lost_the_race(error: DatabaseError) -> bool:
    if isinstance(error, IntegrityError):
        return OVERLAP_GUARD in str(error)
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimeNotOffered(reason="invalid", message=_("The time must include its time zone."))


def _slot_at(
    *,
    kep: Kep,
    service: Service,
    category: Category,
    starts_at: dt.datetime,
    now: dt.datetime,
    ignore_appointment_ids: Sequence[int] = (),
    schedule: KepSchedule | None = None,
    day_free: list[Slot] | None = None,
) -> Slot:
    """The free slot starting exactly at ``starts_at``, or the reason there is none.

    ``schedule``: the KEP's schedule of that day when the caller has read it already;
    ``day_free``: a list the day's free times are put in (the alternatives of a lost race)."""
    _require_aware(starts_at)
    # Compare instants in UTC: equality between different zones is unreliable in a folded hour.
    starts_at = starts_at.astimezone(dt.UTC)
    check_kep_serves(kep=kep, service=service, category=category)

    day_slots: list[Slot] | None = None  # the day's free times, once read

    def alternatives() -> list[Slot]:
        return nearest_free_slots(
            kep=kep,
            service=service,
            category=category,
            target=max(starts_at, now),
            now=now,
            ignore_appointment_ids=ignore_appointment_ids,
            day_slots=day_slots,
        )

    if starts_at <= now:
        raise TimeNotOffered(
            reason="past", message=_("This time has already passed."), alternatives=alternatives()
        )
    if starts_at < now + dt.timedelta(minutes=category.min_notice_minutes):
        raise TimeNotOffered(
            reason="too_soon",
            message=_("Appointments must be booked at least %(hours)s hours ahead.")
            % {"hours": f"{category.min_notice_minutes / 60:g}"},
            alternatives=alternatives(),
        )
    day = local_date(starts_at)
    _first_day, last_day = booking_horizon(category=category, now=now)
    if day > last_day:
        raise TimeNotOffered(
            reason="beyond_horizon",
            message=_("Appointments can be booked up to %(days)d days ahead.")
            % {"days": category.horizon_days},
            alternatives=alternatives(),
        )
    # The day's schedule is read once: for its closures (national and local holidays, from the
    # cached directory), its free times and, when the time is not among them, for whether it
    # would be offered at all (taken vs never offered).
    if schedule is None:
        schedule = kep_schedules(
            keps=[kep], start=day, end=day, now=now, ignore_appointment_ids=ignore_appointment_ids
        )[kep.pk]
    if day in schedule.calendar.closed_dates:
        raise TimeNotOffered(
            reason="closed_day",
            message=_("The KEP is closed on that day (holiday)."),
            alternatives=alternatives(),
        )

    day_slots = free_slots(
        calendar=schedule.calendar,
        employees=schedule.employees,
        rules=category_rules(category),
        start=day,
        end=day,
        now=now,
    )
    if day_free is not None:
        day_free.extend(day_slots)
    for slot in day_slots:
        if slot.start == starts_at:
            return slot

    local = starts_at.astimezone(ATHENS)
    minutes = local.hour * 60 + local.minute
    on_grid = local.second == 0 and local.microsecond == 0 and minutes % category.step_minutes == 0
    call_end = (local + dt.timedelta(minutes=category.call_minutes)).time()
    in_window = category.window_start <= local.time() and call_end <= category.window_end
    if (
        not on_grid
        or not in_window
        or not _offered_when_free(schedule, category=category, starts_at=starts_at, now=now)
    ):
        raise TimeNotOffered(
            reason="outside_hours",
            message=_(
                "This time is outside the hours the KEP offers. Times run from %(start)s to "
                "%(end)s."
            )
            % {"start": f"{category.window_start:%H:%M}", "end": f"{category.window_end:%H:%M}"},
            alternatives=alternatives(),
        )
    raise SlotNoLongerFree(alternatives=alternatives())


def _offered_when_free(
    schedule: KepSchedule, *, category: Category, starts_at: dt.datetime, now: dt.datetime
) -> bool:
    """Would ``starts_at`` be offered if nobody had booked anything? (taken vs never offered)"""
    day = local_date(starts_at)
    empty = [replace(employee, blocked=()) for employee in schedule.employees]
    return any(
        slot.start == starts_at
        for slot in free_slots(
            calendar=schedule.calendar,
            employees=empty,
            rules=category_rules(category),
            start=day,
            end=day,
            now=now,
        )
    )


def _fair_order(
    *,
    candidates: Sequence[int],
    around: dt.datetime,
    prefer: int | None = None,
    minutes: Mapping[int, int] | None = None,
) -> list[int]:
    """Candidates in trying order: ``prefer`` first, then the fewest minutes booked
    (``minutes``, when the caller has read them already)."""
    if minutes is None:
        minutes = booked_minutes(employee_ids=candidates, around=around)
    remaining = list(candidates)
    ordered: list[int] = []
    if prefer is not None and prefer in remaining:
        ordered.append(prefer)
        remaining.remove(prefer)
    while remaining:
        chosen = choose_employee(candidates=remaining, booked_minutes=minutes)
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def _take_time(
    *,
    appointment: Appointment,
    slot: Slot,
    category: Category,
    prefer_employee: int | None = None,
) -> bool:
    """Save ``appointment`` at ``slot`` with the first candidate employee the guard accepts.

    Each attempt locks the employee's row in its own savepoint (lock order: ``locks``), so a
    concurrent attempt on the same employee waits and then meets a clean violation; a lost
    attempt's savepoint is rolled back, which gives the employee's row lock back at once."""
    blocked = blocked_interval(
        start=slot.start, call_minutes=category.call_minutes, buffer_minutes=category.buffer_minutes
    )
    appointment.starts_at = slot.start
    appointment.ends_at = slot.end
    appointment.blocked_until = blocked.end
    for employee_id in _fair_order(
        candidates=slot.employee_ids, around=slot.start, prefer=prefer_employee
    ):
        appointment.employee_id = employee_id
        try:
            with transaction.atomic():
                lock_employee_time(employee_id)
                appointment.save()
        except (IntegrityError, OperationalError) as error:
            if not _lost_the_race(error):
                raise
            continue
        return True
    return False


def _blocked_range(appointment: Appointment) -> Interval:
    return Interval(start=appointment.starts_at, end=appointment.blocked_until)


def _release_expired_holds(*, kep: Kep, now: dt.datetime) -> None:
    release_expired_holds_of(now=now, kep_id=kep.pk)


def _check_booking_limit(
    *, citizen: Citizen, now: dt.datetime, excluding: int | None = None
) -> None:
    limit = settings.KEPLIVE_MAX_ACTIVE_BOOKINGS
    active = Appointment.objects.filter(citizen=citizen, status=Status.BOOKED, starts_at__gt=now)
    if excluding is not None:
        active = active.exclude(pk=excluding)
    if active.count() >= limit:
        raise TooManyActiveBookings(limit=limit)


def _lock_citizen(citizen: Citizen) -> None:
    """Serialise one citizen's booking commands, so the booking limit cannot be raced."""
    lock_citizen(citizen.pk)


def _new_appointment(
    *,
    citizen: Citizen,
    kep: Kep,
    service: Service,
    category: Category,
    starts_at: dt.datetime,
    now: dt.datetime,
    status: Status,
    hold_minutes: int | None = None,
) -> Appointment:
    _release_expired_holds(kep=kep, now=now)
    slot = _slot_at(kep=kep, service=service, category=category, starts_at=starts_at, now=now)
    appointment = Appointment(
        citizen=citizen,
        kep=kep,
        service=service,
        category=category,
        status=status,
        hold_expires_at=(
            now + dt.timedelta(minutes=hold_minutes or settings.KEPLIVE_HOLD_MINUTES)
            if status == Status.HELD
            else None
        ),
    )
    if not _take_time(appointment=appointment, slot=slot, category=category):
        raise SlotNoLongerFree(
            alternatives=nearest_free_slots(
                kep=kep, service=service, category=category, target=starts_at, now=now
            )
        )
    refresh_after_commit(kep=kep, now=now, taken=_blocked_range(appointment))
    return appointment


def hold_slot(
    *,
    citizen: Citizen,
    kep: Kep,
    service: Service,
    category: Category,
    starts_at: dt.datetime,
    now: dt.datetime,
    origin: Origin = SYSTEM,
) -> Appointment:
    """Hold a free time for the citizen for ``KEPLIVE_HOLD_MINUTES`` while the form is filled.

    A citizen holds one time at a time: a new hold releases the previous one.
    """
    with transaction.atomic():
        _lock_citizen(citizen)
        _release_holds_of(citizen, now=now)
        _check_booking_limit(citizen=citizen, now=now)
        return _new_appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            starts_at=starts_at,
            now=now,
            status=Status.HELD,
        )


def hold_for_offer(
    *,
    citizen: Citizen,
    kep: Kep,
    service: Service,
    category: Category,
    starts_at: dt.datetime,
    now: dt.datetime,
    minutes: int,
) -> Appointment:
    """Hold a free time for ``minutes`` for a citizen who is offered it to move a booking they
    have (the waitlist). Unlike ``hold_slot`` the citizen's other holds and the booking limit are
    left alone: taking the offer moves an existing booking (``reschedule_appointment``), it adds
    none. The same database guard decides a race; ``SlotNoLongerFree`` when the time is gone."""
    with transaction.atomic():
        _lock_citizen(citizen)
        return _new_appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            starts_at=starts_at,
            now=now,
            status=Status.HELD,
            hold_minutes=minutes,
        )


def release_hold(*, hold_reference: Reference, citizen: Citizen, now: dt.datetime) -> None:
    """Give a held time back (the citizen went back or chose another time)."""
    with transaction.atomic():
        try:
            hold = lock_appointments(Appointment.objects.select_related("kep")).get(
                reference=hold_reference, citizen=citizen, status=Status.HELD
            )
        except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
            raise AppointmentNotFound() from exc
        hold.status = Status.RELEASED
        hold.save(update_fields=["status", "updated_at"])
        refresh_after_commit(kep=hold.kep, now=now, freed_from=hold.starts_at)


def _release_holds_of(citizen: Citizen, *, now: dt.datetime) -> None:
    """A citizen holds one time at a time: their holds give way to what they do now. The times
    that were still held are free again — the earliest-time index and the waitlist are told, as
    for any released hold (``refresh_after_commit``); the citizen is already locked."""
    held = list(
        Appointment.objects.filter(citizen=citizen, status=Status.HELD).values_list(
            "pk", "kep_id", "starts_at", "hold_expires_at"
        )
    )
    if not held:
        return
    Appointment.objects.filter(pk__in=[pk for pk, *_rest in held]).update(
        status=Status.RELEASED, updated_at=now
    )
    earliest_freed: dict[int, dt.datetime] = {}
    for _pk, kep_id, starts_at, expires_at in held:
        if expires_at is not None and expires_at > now:  # an expired hold blocked nothing
            earliest_freed[kep_id] = min(starts_at, earliest_freed.get(kep_id, starts_at))
    for kep in Kep.objects.filter(pk__in=earliest_freed):
        refresh_after_commit(kep=kep, now=now, freed_from=earliest_freed[kep.pk])


def release_expired_holds(*, now: dt.datetime) -> int:
    """Release every hold whose time ran out (the worker runs this every minute)."""
    with transaction.atomic():
        released = 0
        earliest_freed: dict[int, dt.datetime] = {}
        # In batches, each in id order; a hold another transaction has locked is being
        # confirmed or released by it, and is skipped.
        while batch := release_expired_holds_of(now=now, batch=500):
            for kep_id, (count, starts_at) in batch.items():
                released += count
                earliest_freed[kep_id] = min(starts_at, earliest_freed.get(kep_id, starts_at))
        for kep in Kep.objects.filter(pk__in=earliest_freed):
            refresh_after_commit(kep=kep, now=now, freed_from=earliest_freed[kep.pk])
        return released


def _booked_event_fields(
    appointment: Appointment, *, citizen: Citizen, origin: Origin
) -> dict[str, Any]:
    """The ``appointment.booked`` audit event, the same whichever path booked it."""
    return {
        "action": "appointment.booked",
        "actor": citizen.user,
        "origin": origin,
        "object_type": "appointment",
        "object_id": appointment.reference,
        "details": {
            "kep": appointment.kep.code,
            "service": appointment.service.code,
            "category": appointment.category_id,
            "starts_at": appointment.starts_at.isoformat(),
        },
    }


def _audit_booked(appointment: Appointment, *, citizen: Citizen, origin: Origin) -> None:
    record_event(**_booked_event_fields(appointment, citizen=citizen, origin=origin))


def _save_declaration(
    appointment: Appointment, declaration: Declaration, *, now: dt.datetime
) -> AppointmentDetails:
    clean = clean_declaration(
        declaration, category=appointment.category, service=appointment.service
    )
    details, _created = AppointmentDetails.objects.update_or_create(
        appointment=appointment,
        defaults={name: getattr(clean, name) for name in Declaration.field_names()}
        | {"consent_at": now},
    )
    appointment.details = details
    return details


def _has_details(appointment: Appointment) -> bool:
    return AppointmentDetails.objects.filter(appointment=appointment).exists()


def confirm_hold(
    *,
    hold_reference: Reference,
    citizen: Citizen,
    now: dt.datetime,
    declaration: Declaration | None = None,
    origin: Origin = SYSTEM,
) -> Appointment:
    """Turn the citizen's hold into a booking, with what they declared (C4, C5).

    The declaration is checked first (``InvalidDeclaration``), so a bad form books nothing and
    keeps the hold. The confirmation email (C6) is queued in the same transaction.

    A hold that ran out but still stands (nobody took the time) is booked all the same; one
    that was released is retried at the same time, and ``SlotNoLongerFree`` (with alternatives)
    says when that time has gone meanwhile.
    """
    with transaction.atomic():
        _lock_citizen(citizen)
        try:
            hold = lock_appointments(
                Appointment.objects.select_related(
                    "kep", "kep__municipality", "service", "category"
                )
            ).get(reference=hold_reference, citizen=citizen)
        except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
            raise AppointmentNotFound() from exc
        if hold.status == Status.BOOKED:
            return hold  # the same confirmation sent twice
        if hold.status == Status.CANCELLED:
            raise AppointmentNotChangeable()
        if declaration is not None:
            # Fail on a bad declaration before anything is written.
            clean_declaration(declaration, category=hold.category, service=hold.service)
        _check_booking_limit(citizen=citizen, now=now)
        if hold.status == Status.RELEASED:
            appointment = _new_appointment(
                citizen=citizen,
                kep=hold.kep,
                service=hold.service,
                category=hold.category,
                starts_at=hold.starts_at,
                now=now,
                status=Status.BOOKED,
            )
        else:
            if hold.starts_at <= now:
                raise AppointmentNotChangeable(_("This time has already passed."))
            # A new version of a blocking row is checked against the guard again: the employee's
            # time is locked first, as for every write of a blocking range.
            lock_employee_time(hold.employee_id)
            hold.status = Status.BOOKED
            hold.hold_expires_at = None
            hold.save(update_fields=["status", "hold_expires_at", "updated_at"])
            appointment = hold
        if declaration is not None:
            _save_declaration(appointment, declaration, now=now)
            queue_appointment_email(appointment, EmailKind.CONFIRMED, now=now)
        _audit_booked(appointment, citizen=citizen, origin=origin)
        return appointment


def book_appointment(
    *,
    citizen: Citizen,
    kep: Kep,
    service: Service,
    category: Category,
    starts_at: dt.datetime,
    now: dt.datetime,
    declaration: Declaration | None = None,
    origin: Origin = SYSTEM,
) -> Appointment:
    """Book a free time in one step (no hold): for integrators and tests."""
    if declaration is not None:
        clean_declaration(declaration, category=category, service=service)
    if connection.vendor == "postgresql":
        return _book_in_two_statements(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            starts_at=starts_at,
            now=now,
            declaration=declaration,
            origin=origin,
        )
    with transaction.atomic():
        _lock_citizen(citizen)
        _check_booking_limit(citizen=citizen, now=now)
        appointment = _new_appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            starts_at=starts_at,
            now=now,
            status=Status.BOOKED,
        )
        if declaration is not None:
            _save_declaration(appointment, declaration, now=now)
            queue_appointment_email(appointment, EmailKind.CONFIRMED, now=now)
        _audit_booked(appointment, citizen=citizen, origin=origin)
        return appointment


def _booked_event(appointment: Appointment, *, citizen: Citizen, origin: Origin) -> AuditEvent:
    return prepare_event(**_booked_event_fields(appointment, citizen=citizen, origin=origin))


RACE_ATTEMPTS = 8


class _LostToAnotherBooking(Exception):
    """The INSERT lost its employee's time to a concurrent booking while other employees were
    still free at that time: the attempt is rolled back (its employee lock with it) and made
    again from a fresh read."""


def _book_in_two_statements(
    *,
    citizen: Citizen,
    kep: Kep,
    service: Service,
    category: Category,
    starts_at: dt.datetime,
    now: dt.datetime,
    declaration: Declaration | None,
    origin: Origin,
) -> Appointment:
    """``book_appointment`` on PostgreSQL: the same checks, locks and guard in two statements
    between BEGIN and COMMIT (``booking_sql``; ADR 0030).

    An attempt holds at most one employee's lock. Trying the next employee after a lost race in
    the same transaction would hold two, taken in each transaction's own fair order — two such
    transactions deadlocked (60 bookings at once on three times, CI, 8 December). A lost race
    therefore rolls the attempt back and reads again; the fresh read no longer offers the
    employee just taken; after ``RACE_ATTEMPTS`` the last attempt refuses on a lost race."""
    attempt = 1
    while True:
        try:
            return _book_attempt(
                citizen=citizen,
                kep=kep,
                service=service,
                category=category,
                starts_at=starts_at,
                now=now,
                declaration=declaration,
                origin=origin,
                last=attempt > RACE_ATTEMPTS,
            )
        except _LostToAnotherBooking:  # never raised by the last attempt
            attempt += 1


def _book_attempt(
    *,
    citizen: Citizen,
    kep: Kep,
    service: Service,
    category: Category,
    starts_at: dt.datetime,
    now: dt.datetime,
    declaration: Declaration | None,
    origin: Origin,
    last: bool = False,
) -> Appointment:
    _require_aware(starts_at)
    limit = settings.KEPLIVE_MAX_ACTIVE_BOOKINGS
    day = local_date(starts_at)
    directory = kep_directories(keps=[kep], start=day, end=day, now=now)[kep.pk]
    with transaction.atomic():
        read = booking_sql.read_for_booking(
            citizen_id=citizen.pk,
            kep_id=kep.pk,
            day=day,
            starts_at=starts_at.astimezone(dt.UTC),
            employee_ids=[employee.employee_id for employee in directory.employees],
            now=now,
        )
        if read.active >= limit:
            raise TooManyActiveBookings(limit=limit)
        if read.expired_holds:
            # Rare (the worker releases them every minute): they still stand in the guard's way.
            _release_expired_holds(kep=kep, now=now)
        day_free: list[Slot] = []
        slot = _slot_at(
            kep=kep,
            service=service,
            category=category,
            starts_at=starts_at,
            now=now,
            schedule=assemble_schedule(kep, directory, read.blocked),
            day_free=day_free,
        )
        blocked = blocked_interval(
            start=slot.start,
            call_minutes=category.call_minutes,
            buffer_minutes=category.buffer_minutes,
        )
        appointment = Appointment(
            citizen=citizen,
            kep=kep,
            service=service,
            category=category,
            status=Status.BOOKED,
            starts_at=slot.start,
            ends_at=slot.end,
            blocked_until=blocked.end,
        )
        event = _booked_event(appointment, citizen=citizen, origin=origin)
        candidates = _fair_order(
            candidates=slot.employee_ids, around=slot.start, minutes=read.booked_minutes
        )
        while candidates:
            appointment.employee_id = candidates[0]
            inserted = booking_sql.insert_booking(
                appointment=appointment, event=event, limit=limit, now=now
            )
            if inserted.appointment_id is not None:
                break
            if inserted.active >= limit:
                raise TooManyActiveBookings(limit=limit)
            if inserted.code_taken:
                appointment.code = codes.new_code()  # the same employee again
                continue
            candidates.pop(0)  # lost the race for this employee
            if candidates:
                if not last:
                    raise _LostToAnotherBooking()  # rolled back: one employee lock at most
                candidates.clear()
        else:
            # Lost to concurrent bookings: the alternatives come from the day as read (without
            # the lost time) when no other day's time can be nearer, as for any refusal.
            raise SlotNoLongerFree(
                alternatives=nearest_free_slots(
                    kep=kep,
                    service=service,
                    category=category,
                    target=starts_at,
                    now=now,
                    day_slots=[free for free in day_free if free.start != slot.start],
                )
            )
        refresh_taken_after_commit(
            kep=kep, now=now, taken=_blocked_range(appointment), earliest=read.earliest
        )
        if declaration is not None:
            _save_declaration(appointment, declaration, now=now)
            queue_appointment_email(appointment, EmailKind.CONFIRMED, now=now)
        return appointment


def _lock_own_booking(*, reference: Reference, citizen: Citizen, now: dt.datetime) -> Appointment:
    try:
        appointment = lock_appointments(
            Appointment.objects.select_related("kep", "kep__municipality", "service", "category")
        ).get(reference=reference, citizen=citizen)
    except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
        raise AppointmentNotFound() from exc
    if appointment.status != Status.BOOKED:
        raise AppointmentNotChangeable()
    if appointment.starts_at <= now:
        raise AppointmentNotChangeable(_("This appointment has already started."))
    return appointment


def reschedule_appointment(
    *,
    reference: Reference,
    citizen: Citizen,
    starts_at: dt.datetime,
    now: dt.datetime,
    kep: Kep | None = None,
    service: Service | None = None,
    origin: Origin = SYSTEM,
) -> Appointment:
    """Move the citizen's appointment to another free time — at the same KEP for the same
    service, or at another ``kep`` and/or for another ``service`` of the same category.

    Another KEP or service is a new booking under the same reference (its history and links
    stay): the KEP must serve the service in the category as for any booking (category 4: a
    KEP of the service's municipality; category 2: a KEP-EKE), the declaration must still meet
    the rules for the new service, and the employee is chosen afresh at the new KEP.

    The citizen is sent an update email with the ICS at the new time and place (a new
    SEQUENCE), and the reminder is due again for the new time.

    The old time is released and the new one taken in one statement of one transaction, so the
    citizen never ends up with both or neither. The same employee is kept when free.
    """
    with transaction.atomic():
        _lock_citizen(citizen)
        appointment = _lock_own_booking(reference=reference, citizen=citizen, now=now)
        previous_start, previous_kep = appointment.starts_at, appointment.kep
        previous_service = appointment.service
        new_kep = kep if kep is not None else appointment.kep
        new_service = service if service is not None else appointment.service
        moved_place = new_kep.pk != previous_kep.pk or new_service.pk != previous_service.pk
        if moved_place:
            _check_declaration_still_holds(appointment, service=new_service)
        # The citizen's own hold on the new time (taken while choosing it) gives way; any other
        # hold of theirs (an open waitlist offer, say) is freed for the next in line.
        _release_holds_of(citizen, now=now)
        move_to_time(appointment, starts_at=starts_at, now=now, kep=new_kep, service=new_service)
        details: dict[str, str | int] = {
            "from": previous_start.isoformat(),
            "to": appointment.starts_at.isoformat(),
        }
        if new_kep.pk != previous_kep.pk:
            details |= {"from_kep": previous_kep.code, "kep": new_kep.code}
        if new_service.pk != previous_service.pk:
            details |= {"from_service": previous_service.code, "service": new_service.code}
        record_event(
            action="appointment.rescheduled",
            actor=citizen.user,
            origin=origin,
            object_type="appointment",
            object_id=appointment.reference,
            details=details,
        )
        if _has_details(appointment):
            queue_appointment_email(appointment, EmailKind.UPDATED, now=now)
        if new_kep.pk == previous_kep.pk:
            refresh_after_commit(
                kep=appointment.kep,
                now=now,
                taken=_blocked_range(appointment),
                freed_from=previous_start,
            )
        else:
            refresh_after_commit(kep=previous_kep, now=now, freed_from=previous_start)
            refresh_after_commit(kep=new_kep, now=now, taken=_blocked_range(appointment))
        return appointment


def _check_declaration_still_holds(appointment: Appointment, *, service: Service) -> None:
    """What the citizen declared must meet the rules of the service they move to (for example,
    pick-up at the KEP is for municipal services only); ``InvalidDeclaration`` otherwise."""
    stored = AppointmentDetails.objects.filter(appointment_id=appointment.pk).first()
    if stored is None:
        return
    declaration = Declaration(**{name: getattr(stored, name) for name in Declaration.field_names()})
    clean_declaration(declaration, category=appointment.category, service=service)


def move_to_time(
    appointment: Appointment,
    *,
    starts_at: dt.datetime,
    now: dt.datetime,
    kep: Kep | None = None,
    service: Service | None = None,
) -> None:
    """Move a locked, booked ``appointment`` to ``starts_at`` at its KEP (or at ``kep``, for
    ``service``: the citizen's move to another KEP or service of the category), within the
    caller's transaction: the one step the citizen's reschedule and the KEP's move share. The
    same employee is kept when free at the same KEP; the old time is released and the new one
    taken in one update under the database guard (the employee's row locked first, as for every
    blocking range); the ICS sequence is bumped and the reminder is due again. Raises
    ``SlotNoLongerFree`` with the nearest free times when nobody is free then, and the
    eligibility errors when ``kep`` may not serve ``service`` in the category."""
    kep = kep if kep is not None else appointment.kep
    service = service if service is not None else appointment.service
    same_kep = kep.pk == appointment.kep_id
    _release_expired_holds(kep=kep, now=now)
    slot = _slot_at(
        kep=kep,
        service=service,
        category=appointment.category,
        starts_at=starts_at,
        now=now,
        ignore_appointment_ids=[appointment.pk],
    )
    appointment.kep = kep
    appointment.service = service
    appointment.sequence += 1
    appointment.reminder_sent_at = None
    if not _take_time(
        appointment=appointment,
        slot=slot,
        category=appointment.category,
        prefer_employee=appointment.employee_id if same_kep else None,
    ):
        raise SlotNoLongerFree(
            alternatives=nearest_free_slots(
                kep=kep,
                service=service,
                category=appointment.category,
                target=starts_at,
                now=now,
                ignore_appointment_ids=[appointment.pk],
            )
        )


def cancel_appointment(
    *, reference: Reference, citizen: Citizen, now: dt.datetime, origin: Origin = SYSTEM
) -> Appointment:
    """Cancel the citizen's upcoming appointment; its time becomes free at once."""
    with transaction.atomic():
        appointment = _lock_own_booking(reference=reference, citizen=citizen, now=now)
        appointment.status = Status.CANCELLED
        appointment.cancelled_at = now
        appointment.sequence += 1
        appointment.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        record_event(
            action="appointment.cancelled",
            actor=citizen.user,
            origin=origin,
            object_type="appointment",
            object_id=appointment.reference,
            details={"starts_at": appointment.starts_at.isoformat()},
        )
        if _has_details(appointment):
            queue_appointment_email(appointment, EmailKind.CANCELLED, now=now)
        refresh_after_commit(kep=appointment.kep, now=now, freed_from=appointment.starts_at)
        return appointment


def update_declaration(
    *,
    reference: Reference,
    citizen: Citizen,
    declaration: Declaration,
    now: dt.datetime,
    origin: Origin = SYSTEM,
) -> Appointment:
    """Change what the citizen declared for an upcoming appointment; an update email follows."""
    with transaction.atomic():
        appointment = _lock_own_booking(reference=reference, citizen=citizen, now=now)
        _save_declaration(appointment, declaration, now=now)
        appointment.sequence += 1
        appointment.save(update_fields=["sequence", "updated_at"])
        record_event(
            action="appointment.details_changed",
            actor=citizen.user,
            origin=origin,
            object_type="appointment",
            object_id=appointment.reference,
        )
        queue_appointment_email(appointment, EmailKind.UPDATED, now=now)
        return appointment
