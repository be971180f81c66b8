"""Waitlist commands: ask to be told, remove the request, and the worker's offer engine; take
or decline an offer.

Lock order (ADR 0012, ADR 0027): the row a command starts from — the ``FreedTime`` the worker
claims, or the ``Offer`` the citizen answers — comes before the citizen, the appointments and
the employee, which the booking services lock in their own order underneath.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keplive.accounts.models import Citizen
from keplive.audit.services import SYSTEM, Origin, record_event
from keplive.booking import services as booking
from keplive.booking.declarations import can_take_sms, normalise_mobile_phone
from keplive.booking.eligibility import check_kep_serves
from keplive.booking.exceptions import (
    AppointmentNotChangeable,
    AppointmentNotFound,
    BookingError,
    SlotNoLongerFree,
    TimeNotOffered,
)
from keplive.booking.models import Appointment, Reference, Status
from keplive.booking.schedule_inputs import ATHENS, booking_horizon, local_date
from keplive.booking.scheduling import Slot
from keplive.booking.selectors import free_slots_for, upcoming_booking_count
from keplive.catalogue.models import Category, Service
from keplive.directory.models import Kep
from keplive.waitlist.messages import queue_offer_messages
from keplive.waitlist.models import (
    FreedTime,
    Offer,
    OfferRules,
    OfferStatus,
    PartOfDay,
    RequestStatus,
    Scope,
    WaitingRequest,
)

logger = logging.getLogger(__name__)

# How many waiting requests one freed time is tried against, at most (in the order asked).
CANDIDATES_PER_FREED_TIME = 500


class WaitlistError(BookingError):
    code = "waitlist_error"


class AlreadyWaiting(WaitlistError):
    code = "already_waiting"
    default_message = _(
        "You have already asked to be told of an earlier time for this appointment."
    )


class AlreadyWaitingForService(AlreadyWaiting):
    default_message = _("You have already asked to be told when a time frees up for this service.")


class InvalidContact(WaitlistError):
    code = "invalid_contact"
    default_message = _(
        "Enter an email address like name@example.gr, and a mobile number like 6912345678 or none."
    )


class RequestNotFound(WaitlistError):
    code = "waiting_request_not_found"
    default_message = _("We could not find this request.")


class InvalidWindow(WaitlistError):
    code = "invalid_window"
    default_message = _("Choose at least one weekday, and a date that is still to come.")


class ScopeNotAllowed(WaitlistError):
    code = "scope_not_allowed"
    default_message = _(
        "Services of your municipality are served only at its KEPs: choose this KEP or any "
        "KEP of the municipality."
    )


def allowed_scopes(category: Category) -> list[Scope]:
    """Where a request in ``category`` may be offered a time: category 4 (municipal services)
    only at the KEPs of the municipality; category 2 anywhere, but only KEP-EKEs are ever
    offered (``_requests_for``); the other categories anywhere."""
    if category.municipal:
        return [Scope.KEP, Scope.MUNICIPALITY]
    return [Scope.KEP, Scope.MUNICIPALITY, Scope.ANY]


def rules() -> OfferRules:
    """The ministry's offer rules (the one row, created with the defaults when missing)."""
    found, _created = OfferRules.objects.get_or_create(pk=1)
    return found


def audit_subject(request: WaitingRequest) -> tuple[str, object]:
    """What an audit event about the request names: its appointment, or — a request made before
    booking (ADR 0028) — the request itself."""
    if request.appointment_id is None:
        return "waiting_request", request.public_id
    return "appointment", request.appointment.reference  # type: ignore[union-attr]


def _clean_window(
    *, weekdays: str, scope: str, part_of_day: str, before: dt.date | None, now: dt.datetime
) -> str:
    weekdays = "".join(sorted({d for d in weekdays if d in "1234567"}))
    if (
        not weekdays
        or scope not in Scope.values
        or part_of_day not in PartOfDay.values
        or (before is not None and before <= local_date(now))
    ):
        raise InvalidWindow()
    return weekdays


# --- The citizen's requests -------------------------------------------------------------------


def ask_to_be_told(
    *,
    citizen: Citizen,
    reference: Reference,
    now: dt.datetime,
    scope: str = Scope.KEP,
    weekdays: str = "12345",
    part_of_day: str = PartOfDay.ANY,
    before: dt.date | None = None,
    origin: Origin = SYSTEM,
) -> WaitingRequest:
    """'Tell me if an earlier time frees up' for one of the citizen's upcoming bookings."""
    weekdays = _clean_window(
        weekdays=weekdays, scope=scope, part_of_day=part_of_day, before=before, now=now
    )
    with transaction.atomic():
        try:
            appointment = (
                Appointment.objects.select_related("kep", "category")
                .filter(citizen=citizen, status=Status.BOOKED)
                .get(reference=reference)
            )
        except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
            raise AppointmentNotFound() from exc
        if appointment.starts_at <= now:
            raise AppointmentNotChangeable(_("This appointment has already started."))
        if scope not in allowed_scopes(appointment.category):
            raise ScopeNotAllowed()
        if WaitingRequest.objects.filter(
            appointment=appointment, status=RequestStatus.ACTIVE
        ).exists():
            raise AlreadyWaiting()
        request = WaitingRequest(
            citizen=citizen,
            appointment=appointment,
            kep=appointment.kep,
            municipality_id=appointment.kep.municipality_id,
            service_id=appointment.service_id,
            category=appointment.category,
            scope=scope,
            weekdays=weekdays,
            part_of_day=part_of_day,
            before=before,
            created_at=now,
        )
        try:
            with transaction.atomic():
                request.save(force_insert=True)
        except IntegrityError as exc:  # the same request sent twice at once
            raise AlreadyWaiting() from exc
        record_event(
            action="waitlist.requested",
            actor=citizen.user,
            origin=origin,
            object_type="appointment",
            object_id=appointment.reference,
            details={"request": str(request.public_id), "scope": scope},
        )
        return request


def ask_for_service(
    *,
    citizen: Citizen,
    kep: Kep,
    service: Service,
    category: Category,
    now: dt.datetime,
    scope: str = Scope.KEP,
    weekdays: str = "12345",
    part_of_day: str = PartOfDay.ANY,
    before: dt.date | None = None,
    email: str = "",
    mobile_phone: str = "",
    language: str = "el",
    origin: Origin = SYSTEM,
) -> WaitingRequest:
    """'Tell me when a time frees up' for a service at a KEP, asked from the times page before
    booking (ADR 0028): no appointment; an offer is a hold the citizen books through the usual
    details step. One active request per service and category (a partial unique index).
    There is no declaration yet, so the request carries where to send the offer."""
    weekdays = _clean_window(
        weekdays=weekdays, scope=scope, part_of_day=part_of_day, before=before, now=now
    )
    if scope not in allowed_scopes(category):
        raise ScopeNotAllowed()
    email = email.strip()
    phone = ""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidContact() from exc
    if mobile_phone.strip():
        phone = normalise_mobile_phone(mobile_phone) or ""
        if not can_take_sms(phone):
            raise InvalidContact()
    check_kep_serves(kep=kep, service=service, category=category)
    with transaction.atomic():
        if WaitingRequest.objects.filter(
            citizen=citizen,
            service=service,
            category=category,
            appointment__isnull=True,
            status=RequestStatus.ACTIVE,
        ).exists():
            raise AlreadyWaitingForService()
        request = WaitingRequest(
            citizen=citizen,
            appointment=None,
            kep=kep,
            municipality_id=kep.municipality_id,
            service=service,
            category=category,
            scope=scope,
            weekdays=weekdays,
            part_of_day=part_of_day,
            before=before,
            email=email,
            mobile_phone=phone,
            language=language if language in ("el", "en") else "el",
            created_at=now,
        )
        try:
            with transaction.atomic():
                request.save(force_insert=True)
        except IntegrityError as exc:  # the same request sent twice at once
            raise AlreadyWaitingForService() from exc
        record_event(
            action="waitlist.requested",
            actor=citizen.user,
            origin=origin,
            object_type="waiting_request",
            object_id=request.public_id,
            details={
                "kep": kep.code,
                "service": service.code,
                "category": category.pk,
                "scope": scope,
            },
        )
        return request


def remove_request(
    *, citizen: Citizen, public_id: Reference, now: dt.datetime, origin: Origin = SYSTEM
) -> WaitingRequest:
    """The citizen no longer waits; an open offer of theirs is declined (its time offered on)."""
    with transaction.atomic():
        try:
            request = (
                WaitingRequest.objects.select_for_update(no_key=True, of=("self",))
                .select_related("appointment")
                .get(public_id=public_id, citizen=citizen)
            )
        except (WaitingRequest.DoesNotExist, ValueError, TypeError) as exc:
            raise RequestNotFound() from exc
        if request.status != RequestStatus.ACTIVE:
            return request
        request.status = RequestStatus.REMOVED
        request.ended_at = now
        request.email = request.mobile_phone = ""
        request.save(update_fields=["status", "ended_at", "email", "mobile_phone"])
        for offer in Offer.objects.filter(request=request, status=OfferStatus.PENDING):
            _close_offer(offer, OfferStatus.DECLINED, now=now)
        object_type, object_id = audit_subject(request)
        record_event(
            action="waitlist.removed",
            actor=citizen.user,
            origin=origin,
            object_type=object_type,
            object_id=object_id,
            details={"request": str(request.public_id)},
        )
        return request


# --- Freed times: the hook and the worker -----------------------------------------------------


def note_freed_time(
    *, kep: Kep, freed_from: dt.datetime, now: dt.datetime, until: dt.date | None = None
) -> FreedTime | None:
    """Record, in the caller's transaction, that time at ``kep`` became free; the worker offers
    it after the commit. Nothing is written when nobody waits for a time at that KEP."""
    if not _requests_for(kep).exists():
        return None
    freed = FreedTime.objects.create(kep=kep, freed_from=freed_from, until=until, created_at=now)
    transaction.on_commit(_process_soon, robust=True)
    return freed


def note_hours_changed(*, kep: Kep, now: dt.datetime) -> FreedTime | None:
    """A directory change at ``kep`` (hours added, an absence ended, availability widened) may
    have opened times on any day: the worker looks at the next ``OfferRules.days_ahead`` days."""
    until = local_date(now) + dt.timedelta(days=rules().days_ahead)
    return note_freed_time(kep=kep, freed_from=now, now=now, until=until)


def _process_soon() -> None:
    from keplive.waitlist.tasks import process_freed_times_soon_task

    process_freed_times_soon_task()


def _requests_for(kep: Kep) -> QuerySet[WaitingRequest]:
    """Active requests whose scope includes ``kep`` (the category rules: category 2 only at a
    KEP-EKE, category 4 only in its municipality — checked again per request)."""
    scope = (
        Q(scope=Scope.KEP, kep=kep)
        | Q(scope=Scope.MUNICIPALITY, municipality_id=kep.municipality_id)
        | (
            Q(scope=Scope.ANY)
            & (Q(category__municipal=False) | Q(municipality_id=kep.municipality_id))
        )
    )
    if not kep.is_kep_eke:
        scope &= Q(category__kep_eke_only=False)
    return WaitingRequest.objects.filter(scope, status=RequestStatus.ACTIVE)


@dataclass
class ProcessCounts:
    freed_times: int = 0
    offers: int = 0
    expired: int = 0
    ended: int = 0


def expire_offers(*, now: dt.datetime) -> int:
    """Close every open offer whose window ran out (its hold stopped counting at that moment;
    the booking worker releases it, and that release offers the time to the next in line)."""
    expired = 0
    with transaction.atomic():
        for offer in (
            Offer.objects.select_for_update(no_key=True, of=("self",), skip_locked=True)
            .select_related("kep", "request", "hold")
            .filter(status=OfferStatus.PENDING, expires_at__lte=now)
            .order_by("pk")[:500]
        ):
            if offer.request.appointment_id is None and offer.hold.status == Status.BOOKED:
                # Booked through the details step by a path that did not tell us (ADR 0028).
                _fulfil(offer, now=now)
                continue
            offer.status = OfferStatus.EXPIRED
            offer.answered_at = now
            offer.save(update_fields=["status", "answered_at"])
            # Whoever releases the hold, the time goes to the next in line.
            note_freed_time(kep=offer.kep, freed_from=offer.starts_at, now=now)
            expired += 1
    return expired


def end_stale_requests(*, now: dt.datetime) -> int:
    """Requests whose appointment passed, was cancelled or moved away, or whose window closed
    (a request without appointment ends only with its window: ADR 0028)."""
    today = local_date(now)
    stale = WaitingRequest.objects.filter(status=RequestStatus.ACTIVE).filter(
        (
            Q(appointment__isnull=False)
            & (~Q(appointment__status=Status.BOOKED) | Q(appointment__starts_at__lte=now))
        )
        | Q(before__lte=today)
    )
    return stale.update(status=RequestStatus.ENDED, ended_at=now, email="", mobile_phone="")


def process_freed_times(*, now: dt.datetime, limit: int = 100) -> ProcessCounts:
    """The worker: offer each recorded freed time to the requests it fits, one freed time per
    transaction, each claimed with ``SKIP LOCKED`` so two workers never process the same one.
    During the quiet hours nothing is offered (the freed times wait until the morning)."""
    counts = ProcessCounts()
    counts.expired = expire_offers(now=now)
    counts.ended = end_stale_requests(now=now)
    current = rules()
    if current.is_quiet(now.astimezone(ATHENS).time()):
        return counts
    for _attempt in range(limit):
        with transaction.atomic():
            freed = (
                FreedTime.objects.select_for_update(no_key=True, of=("self",), skip_locked=True)
                .select_related("kep", "kep__municipality")
                .filter(processed_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if freed is None:
                break
            made = _offer_freed_time(freed, rules=current, now=now)
            freed.processed_at = now
            freed.offers_made = made
            freed.save(update_fields=["processed_at", "offers_made"])
        counts.freed_times += 1
        counts.offers += made
    return counts


def _offers_today(citizen_id: int, now: dt.datetime) -> int:
    local = now.astimezone(ATHENS)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Offer.objects.filter(citizen_id=citizen_id, created_at__gte=midnight).count()


def _offer_freed_time(freed: FreedTime, *, rules: OfferRules, now: dt.datetime) -> int:
    kep = freed.kep
    first_day = max(local_date(freed.freed_from), local_date(now))
    last_day = max(freed.until or first_day, first_day)
    candidates = (
        _requests_for(kep)
        .filter(
            Q(appointment__isnull=True)
            | Q(appointment__status=Status.BOOKED, appointment__starts_at__gt=now)
        )
        .filter(Q(before__isnull=True) | Q(before__gt=first_day))
        .exclude(offers__status=OfferStatus.PENDING)
        .select_related("appointment", "citizen", "service", "category", "kep")
        .order_by("created_at", "pk")[:CANDIDATES_PER_FREED_TIME]
    )
    # A cancelled or released time: the slots starting within one call and pause of it (the
    # time that became free, not the times that were free all along); hours added (``until``):
    # every slot of those days.
    whole_days = freed.until is not None
    free: dict[tuple[int, int], list[Slot]] = {}
    made = 0
    for request in candidates:
        if _offers_today(request.citizen_id, now) >= rules.max_offers_per_day:
            continue
        appointment = request.appointment
        # A request made before booking: any time in the window, but only to a citizen who may
        # still book one more (the booking service checks it again when the hold is confirmed).
        if appointment is None and (
            upcoming_booking_count(citizen=request.citizen, now=now)
            >= settings.KEPLIVE_MAX_ACTIVE_BOOKINGS
        ):
            continue
        key = (request.service_id, request.category_id)
        if key not in free:
            try:
                check_kep_serves(kep=kep, service=request.service, category=request.category)
            except BookingError:
                free[key] = []
                continue
            _first, horizon_end = booking_horizon(category=request.category, now=now)
            end = min(last_day, horizon_end)
            if appointment is not None:
                end = min(end, local_date(appointment.starts_at))
            free[key] = (
                free_slots_for(
                    kep=kep,
                    service=request.service,
                    category=request.category,
                    start=first_day,
                    end=end,
                    now=now,
                )
                if end >= first_day
                else []
            )
        already = set(
            Offer.objects.filter(request=request, kep=kep).values_list("starts_at", flat=True)
        )
        category = request.category
        window_end = freed.freed_from + dt.timedelta(
            minutes=category.call_minutes + category.buffer_minutes
        )
        for slot in free[key]:
            if (appointment is not None and slot.start >= appointment.starts_at) or (
                not whole_days and slot.start >= window_end
            ):
                break
            if slot.start < freed.freed_from:
                continue
            if slot.start in already or not request.accepts(slot.start.astimezone(ATHENS)):
                continue
            offer = _make_offer(request, kep=kep, slot=slot, rules=rules, now=now)
            if offer is not None:
                made += 1
                free.pop(key, None)  # the hold took a time: computed again for the next one
                break
            if Offer.objects.filter(request=request, status=OfferStatus.PENDING).exists():
                # Another worker offered this request a time meanwhile (at another KEP of
                # its scope): one open offer per request, the next request's turn.
                break
    return made


def _make_offer(
    request: WaitingRequest, *, kep: Kep, slot: Slot, rules: OfferRules, now: dt.datetime
) -> Offer | None:
    """Hold ``slot`` for the request's citizen and record the offer, in one savepoint: a lost
    race (the guard, or another worker's offer to the same request) leaves nothing behind."""
    try:
        with transaction.atomic():
            hold = booking.hold_for_offer(
                citizen=request.citizen,
                kep=kep,
                service=request.service,
                category=request.category,
                starts_at=slot.start,
                now=now,
                minutes=rules.offer_minutes,
            )
            offer = Offer.objects.create(
                request=request,
                citizen=request.citizen,
                hold=hold,
                kep=kep,
                starts_at=hold.starts_at,
                previous_starts_at=(
                    request.appointment.starts_at if request.appointment is not None else None
                ),
                created_at=now,
                # A hold always has its expiry (a check constraint); the same value, typed.
                expires_at=hold.hold_expires_at or now + dt.timedelta(minutes=rules.offer_minutes),
            )
            queue_offer_messages(offer, now=now)
            object_type, object_id = audit_subject(request)
            record_event(
                action="waitlist.offered",
                object_type=object_type,
                object_id=object_id,
                details={
                    "offer": str(offer.public_id),
                    "kep": kep.code,
                    "starts_at": offer.starts_at.isoformat(),
                },
            )
    except (SlotNoLongerFree, TimeNotOffered, IntegrityError):
        return None
    return offer


# --- Answering an offer -----------------------------------------------------------------------


class Answer(StrEnum):
    TAKEN = "taken"
    DECLINED = "declined"
    CLOSED = "closed"  # already answered, or expired
    GONE = "gone"  # the time was booked by someone else meanwhile
    DETAILS = "details"  # a request made before booking: on to the details step (ADR 0028)
    AT_LIMIT = "at_limit"  # ... but the citizen may not book one more now


@dataclass(frozen=True)
class AnswerResult:
    answer: Answer
    offer: Offer
    appointment: Appointment


def _lock_offer(public_id: Reference) -> Offer:
    try:
        return (
            Offer.objects.select_for_update(no_key=True, of=("self",))
            .select_related(
                "request", "request__appointment", "citizen", "citizen__user", "kep", "hold"
            )
            .get(public_id=public_id)
        )
    except (Offer.DoesNotExist, ValueError, TypeError) as exc:
        raise RequestNotFound() from exc


def _close_offer(offer: Offer, status: OfferStatus, *, now: dt.datetime) -> None:
    offer.status = status
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    if status != OfferStatus.TAKEN:
        # Already released (expired, or the citizen held another time): nothing to give back.
        with contextlib.suppress(AppointmentNotFound):
            booking.release_hold(
                hold_reference=offer.hold.reference, citizen=offer.citizen, now=now
            )


def take_offer(*, public_id: Reference, now: dt.datetime, origin: Origin = SYSTEM) -> AnswerResult:
    """Move the citizen's appointment to the offered time (same reference, update email with the
    new ICS; the old time is freed and offered on). When the offer is closed, or its time was
    meanwhile taken, nothing changes and the answer says which."""
    with transaction.atomic():
        offer = _lock_offer(public_id)
        appointment = offer.request.appointment
        if appointment is None or offer.previous_starts_at is None:  # asked before booking
            return _take_service_offer(offer, now=now, origin=origin)
        if offer.status != OfferStatus.PENDING:
            return AnswerResult(Answer.CLOSED, offer, appointment)
        if offer.expires_at <= now:
            _close_offer(offer, OfferStatus.EXPIRED, now=now)
            return AnswerResult(Answer.CLOSED, offer, appointment)
        from_kep = appointment.kep
        try:
            with transaction.atomic():
                # An offer at another KEP of the request's scope moves the booking there: the
                # same row and reference, the category rules checked again, an employee
                # chosen afresh, the update email's ICS naming the new KEP (ADR 0023).
                moved = booking.reschedule_appointment(
                    reference=appointment.reference,
                    citizen=offer.citizen,
                    starts_at=offer.starts_at,
                    now=now,
                    kep=offer.kep,
                    origin=origin,
                )
        except (AppointmentNotChangeable, AppointmentNotFound):
            _close_offer(offer, OfferStatus.GONE, now=now)
            return AnswerResult(Answer.CLOSED, offer, appointment)
        except BookingError:
            # The time was booked meanwhile, or that KEP no longer serves the service in the
            # category (or the declaration no longer fits it): nothing moves.
            _close_offer(offer, OfferStatus.GONE, now=now)
            return AnswerResult(Answer.GONE, offer, appointment)
        offer.status = OfferStatus.TAKEN
        offer.answered_at = now
        offer.days_earlier = (
            local_date(offer.previous_starts_at) - local_date(moved.starts_at)
        ).days
        offer.save(update_fields=["status", "answered_at", "days_earlier"])
        request = offer.request
        request.status = RequestStatus.FULFILLED
        request.ended_at = now
        request.save(update_fields=["status", "ended_at"])
        record_event(
            action="waitlist.taken",
            actor=offer.citizen.user,
            origin=origin,
            object_type="appointment",
            object_id=moved.reference,
            details={"offer": str(offer.public_id), "days_earlier": offer.days_earlier}
            | ({"from_kep": from_kep.code, "kep": moved.kep.code} if moved.kep != from_kep else {}),
        )
        return AnswerResult(Answer.TAKEN, offer, moved)


def _take_service_offer(offer: Offer, *, now: dt.datetime, origin: Origin) -> AnswerResult:
    """Taking an offer made to a request without appointment (ADR 0028): the hold is the
    citizen's time; they book it through the details step every booking uses, before the hold
    runs out. The offer stays open until then; ``offer_hold_confirmed`` fulfils it. The caller
    has checked that the logged-in citizen is the offer's."""
    hold = offer.hold
    if offer.status != OfferStatus.PENDING:
        return AnswerResult(Answer.CLOSED, offer, hold)
    if offer.expires_at <= now:
        _close_offer(offer, OfferStatus.EXPIRED, now=now)
        return AnswerResult(Answer.CLOSED, offer, hold)
    if hold.status == Status.BOOKED:  # booked already: the details step said so
        _fulfil(offer, now=now)
        return AnswerResult(Answer.DETAILS, offer, hold)
    if hold.status != Status.HELD:  # released meanwhile (another time held)
        _close_offer(offer, OfferStatus.GONE, now=now)
        return AnswerResult(Answer.GONE, offer, hold)
    if upcoming_booking_count(citizen=offer.citizen, now=now) >= (
        settings.KEPLIVE_MAX_ACTIVE_BOOKINGS
    ):
        return AnswerResult(Answer.AT_LIMIT, offer, hold)
    record_event(
        action="waitlist.taking",
        actor=offer.citizen.user,
        origin=origin,
        object_type="waiting_request",
        object_id=offer.request.public_id,
        details={"offer": str(offer.public_id), "hold": str(hold.reference)},
    )
    return AnswerResult(Answer.DETAILS, offer, hold)


def _fulfil(offer: Offer, *, now: dt.datetime) -> None:
    offer.status = OfferStatus.TAKEN
    offer.answered_at = now
    offer.save(update_fields=["status", "answered_at"])
    request = offer.request
    request.status = RequestStatus.FULFILLED
    request.ended_at = now
    request.email = request.mobile_phone = ""
    request.save(update_fields=["status", "ended_at", "email", "mobile_phone"])
    record_event(
        action="waitlist.taken",
        actor=offer.citizen.user,
        object_type="appointment",
        object_id=offer.hold.reference,
        details={"offer": str(offer.public_id), "request": str(request.public_id)},
    )


def offer_hold_confirmed(*, hold: Appointment, now: dt.datetime) -> Offer | None:
    """Called in the transaction that confirmed ``hold`` (the details step): when the hold was
    an open offer's, the offer is taken and its request fulfilled. One query when it was not."""
    offer = (
        Offer.objects.select_for_update(no_key=True, of=("self",))
        .select_related("request", "citizen__user", "hold")
        .filter(hold=hold, status__in=(OfferStatus.PENDING, OfferStatus.EXPIRED))
        .first()
    )
    if offer is None or offer.hold.status != Status.BOOKED:
        return None
    _fulfil(offer, now=now)
    return offer


def decline_offer(
    *, public_id: Reference, now: dt.datetime, origin: Origin = SYSTEM
) -> AnswerResult:
    """The citizen keeps their time; the held time is released and offered to the next."""
    with transaction.atomic():
        offer = _lock_offer(public_id)
        appointment = offer.request.appointment or offer.hold
        if offer.status != OfferStatus.PENDING or offer.expires_at <= now:
            return AnswerResult(Answer.CLOSED, offer, appointment)
        _close_offer(offer, OfferStatus.DECLINED, now=now)
        object_type, object_id = audit_subject(offer.request)
        record_event(
            action="waitlist.declined",
            actor=offer.citizen.user,
            origin=origin,
            object_type=object_type,
            object_id=object_id,
            details={"offer": str(offer.public_id)},
        )
        return AnswerResult(Answer.DECLINED, offer, appointment)
