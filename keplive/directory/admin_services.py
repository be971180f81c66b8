"""What the ministry's administrators change in the directory (issue 6 items 3 and 4): KEPs
(add, edit, deactivate, reactivate, remove), weekly opening hours per weekday (split shifts),
dated exceptions (closed, or other hours), local holidays, and each employee's weekly
availability (with workstation) and absences (P3).

Each command validates everything first, then writes in one transaction with its audit event,
so a refused change leaves nothing half-written. A refusal raises ``DirectoryChangeRefused``
carrying clear messages (per field when there is one).

The directory sits below booking and the catalogue, so these commands know nothing of
appointments or categories: the caller passes what they need (``shortest_minutes``, the
longest call a KEP's categories need) and finds the appointments a change strands
(``keplive.worklist.changes`` does both). Saves and deletes here go through the model, so the
directory version is bumped by the signal hooks; bulk writes call ``mark_directory_changed``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keplive.audit.services import Origin, record_event
from keplive.directory.models import (
    Absence,
    Availability,
    Employee,
    Kep,
    LocalHoliday,
    Municipality,
    OpeningException,
    OpeningHours,
    Weekday,
)
from keplive.directory.versioning import mark_directory_changed

Interval = tuple[dt.time, dt.time]

KEP_FIELDS = (
    "code",
    "municipality",
    "name_el",
    "name_en",
    "address",
    "postal_code",
    "city",
    "phone",
    "email",
    "protocol_email",
    "is_kep_eke",
)
_KEP_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")
_POSTAL_CODE = re.compile(r"^\d{5}$")


class DirectoryChangeRefused(Exception):
    """A change that was not made. ``errors`` maps a field name ("" for the whole change) to
    its messages, already translated."""

    def __init__(self, errors: Mapping[str, Sequence[str]] | Sequence[str] | str) -> None:
        if isinstance(errors, str):
            errors = {"": [errors]}
        elif not isinstance(errors, Mapping):
            errors = {"": list(errors)}
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in errors.items() if v}
        super().__init__("; ".join(m for messages in self.errors.values() for m in messages))

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]


def _lock_kep(kep_id: int) -> Kep | None:
    """One editor of a KEP's directory data (its row, hours, exceptions, its employees'
    availability and absences) at a time. ``FOR NO KEY UPDATE``: unlike ``FOR UPDATE`` it does
    not block the foreign-key checks of the bookings committing meanwhile, which refer to the
    KEP (and to its employees, which are therefore not locked here: ADR 0012)."""
    return Kep.objects.select_for_update(no_key=True).filter(pk=kep_id).first()


# --- KEPs -------------------------------------------------------------------------------


def normalise_postal_code(value: str) -> str:
    return "".join(value.split())


def kep_value_errors(values: Mapping[str, Any], *, kep: Kep | None = None) -> dict[str, list[str]]:
    """Every problem of a KEP's values (``KEP_FIELDS``), per field; empty when they are fine."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    required = ("code", "municipality", "name_el", "name_en", "address", "postal_code", "city")
    for name in (*required, "email", "protocol_email"):
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            add(name, _("This field is required."))
    others = Kep.objects.exclude(pk=kep.pk) if kep is not None else Kep.objects.all()
    code = (values.get("code") or "").strip()
    if code:
        if not _KEP_CODE.match(code) or len(code) > 16:
            add(
                "code",
                _("The code may hold up to 16 letters, digits, dots, dashes and underscores."),
            )
        elif others.filter(code__iexact=code).exists():
            add("code", _("Another KEP already has the code %(code)s.") % {"code": code})
    municipality = values.get("municipality")
    if municipality is not None and not isinstance(municipality, Municipality):
        add("municipality", _("Choose a municipality from the list."))
    postal_code = normalise_postal_code(values.get("postal_code") or "")
    if postal_code and not _POSTAL_CODE.match(postal_code):
        add("postal_code", _("The postal code has 5 digits, for example 10552."))
    phone = (values.get("phone") or "").strip()
    if phone and not _PHONE.match(phone):
        add("phone", _("Type a phone number of digits, for example 2101234567."))
    for name in ("email", "protocol_email"):
        value = (values.get(name) or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                add(name, _("Type an email address like name@example.gr."))
    for name, limit in (
        ("name_el", 200),
        ("name_en", 200),
        ("address", 200),
        ("city", 100),
        ("email", 254),
        ("protocol_email", 254),
    ):
        if len(values.get(name) or "") > limit:
            add(name, _("At most %(limit)d characters.") % {"limit": limit})
    return errors


def _clean_kep_values(values: Mapping[str, Any], *, kep: Kep | None) -> dict[str, Any]:
    errors = kep_value_errors(values, kep=kep)
    if errors:
        raise DirectoryChangeRefused(errors)
    cleaned = {name: values.get(name) for name in KEP_FIELDS}
    for name in ("code", "name_el", "name_en", "address", "city", "phone", "email"):
        cleaned[name] = (cleaned[name] or "").strip()
    cleaned["protocol_email"] = (cleaned["protocol_email"] or "").strip()
    cleaned["postal_code"] = normalise_postal_code(cleaned["postal_code"] or "")
    cleaned["is_kep_eke"] = bool(cleaned["is_kep_eke"])
    return cleaned


def _code_taken() -> DirectoryChangeRefused:
    return DirectoryChangeRefused({"code": [_("Another KEP already has this code.")]})


def create_kep(*, values: Mapping[str, Any], actor: Any, origin: Origin, now: dt.datetime) -> Kep:
    """Add a KEP, active, with no hours yet (it offers nothing until it has hours)."""
    cleaned = _clean_kep_values(values, kep=None)
    try:
        with transaction.atomic():
            kep = Kep.objects.create(**cleaned, is_active=True)
            record_event(
                action="kep.created",
                actor=actor,
                origin=origin,
                object_type="kep",
                object_id=kep.pk,
                details={"code": kep.code},
            )
    except IntegrityError as error:  # the same code added at the same moment
        raise _code_taken() from error
    return kep


def update_kep(
    *, kep: Kep, values: Mapping[str, Any], actor: Any, origin: Origin, now: dt.datetime
) -> list[str]:
    """Change a KEP's details; returns the names of the fields that changed."""
    cleaned = _clean_kep_values(values, kep=kep)
    changed = [name for name, value in cleaned.items() if getattr(kep, name) != value]
    if not changed:
        return []
    try:
        with transaction.atomic():
            locked = Kep.objects.select_for_update(no_key=True).get(pk=kep.pk)
            for name in changed:
                setattr(locked, name, cleaned[name])
            locked.save(update_fields=changed)
            record_event(
                action="kep.updated",
                actor=actor,
                origin=origin,
                object_type="kep",
                object_id=kep.pk,
                details={"fields": changed},
            )
    except IntegrityError as error:
        raise _code_taken() from error
    for name in changed:
        setattr(kep, name, cleaned[name])
    return changed


def set_kep_active(*, kep: Kep, active: bool, actor: Any, origin: Origin, now: dt.datetime) -> bool:
    """Deactivate (no longer offered for new bookings) or reactivate a KEP; True if it changed.

    Appointments already booked stay booked: the caller lists them in the conflict worklist.
    """
    with transaction.atomic():
        locked = Kep.objects.select_for_update(no_key=True).get(pk=kep.pk)
        if locked.is_active == active:
            return False
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        record_event(
            action="kep.reactivated" if active else "kep.deactivated",
            actor=actor,
            origin=origin,
            object_type="kep",
            object_id=kep.pk,
        )
    kep.is_active = active
    return True


def remove_kep(*, kep: Kep, actor: Any, origin: Origin, now: dt.datetime) -> None:
    """Delete a KEP that never had appointments nor employees, with its hours and exceptions.

    Anything still pointing at it (appointments, past or future; employees) refuses the
    removal as a whole, suggesting deactivation instead.
    """
    employees = kep.employees.count()
    if employees:
        raise DirectoryChangeRefused(
            ngettext(
                "The KEP cannot be removed: %(count)d employee still belongs to it. "
                "Deactivate it instead, or move the employee to another KEP first.",
                "The KEP cannot be removed: %(count)d employees still belong to it. "
                "Deactivate it instead, or move the employees to another KEP first.",
                employees,
            )
            % {"count": employees}
        )
    try:
        with transaction.atomic():
            kep_id, code = kep.pk, kep.code
            Kep.objects.select_for_update().filter(pk=kep_id).first()
            kep.delete()
            record_event(
                action="kep.removed",
                actor=actor,
                origin=origin,
                object_type="kep",
                object_id=kep_id,
                details={"code": code},
            )
    except (ProtectedError, RestrictedError) as error:
        raise DirectoryChangeRefused(
            _(
                "The KEP cannot be removed: it has appointments (past or future). "
                "Deactivate it instead: it stops being offered and its appointments are kept."
            )
        ) from error


# --- Hours ------------------------------------------------------------------------------


def _minutes(opens: dt.time, closes: dt.time) -> int:
    return (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)


def interval_errors(intervals: Sequence[Interval], *, shortest_minutes: int) -> list[str]:
    """What is wrong with one day's opening intervals: inverted or empty, overlapping each
    other, or shorter than the longest call the KEP offers (``shortest_minutes``)."""
    errors: list[str] = []
    for opens, closes in intervals:
        if opens >= closes:
            errors.append(
                _("%(opens)s–%(closes)s: the KEP must open before it closes.")
                % {"opens": f"{opens:%H:%M}", "closes": f"{closes:%H:%M}"}
            )
        elif _minutes(opens, closes) < shortest_minutes:
            errors.append(
                _(
                    "%(opens)s–%(closes)s is shorter than a call: the KEP's longest call lasts "
                    "%(minutes)d minutes."
                )
                % {
                    "opens": f"{opens:%H:%M}",
                    "closes": f"{closes:%H:%M}",
                    "minutes": shortest_minutes,
                }
            )
    valid = sorted((o, c) for o, c in intervals if o < c)
    for index, (opens, closes) in enumerate(valid[1:], start=1):
        # Compared with every earlier interval still open then, not only the one before.
        for earlier_opens, earlier_closes in valid[:index]:
            if opens < earlier_closes:
                errors.append(
                    _("%(first)s and %(second)s overlap: give separate, non-overlapping intervals.")
                    % {
                        "first": f"{earlier_opens:%H:%M}–{earlier_closes:%H:%M}",
                        "second": f"{opens:%H:%M}–{closes:%H:%M}",
                    }
                )
    return errors


def weekly_hours(kep: Kep) -> dict[int, list[Interval]]:
    """The KEP's weekly intervals per weekday (0 = Monday), each day sorted."""
    days: dict[int, list[Interval]] = {day: [] for day in Weekday.values}
    for weekday, opens, closes in kep.opening_hours.order_by("weekday", "opens").values_list(
        "weekday", "opens", "closes"
    ):
        days[weekday].append((opens, closes))
    return days


def set_weekday_hours(
    *,
    kep: Kep,
    weekday: int,
    intervals: Sequence[Interval],
    shortest_minutes: int,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> bool:
    """Replace a weekday's intervals as a whole (no intervals: closed that weekday); True if
    anything changed. Refused as a whole when any interval is wrong."""
    if weekday not in Weekday.values:
        raise DirectoryChangeRefused(_("Choose a day of the week."))
    errors = interval_errors(intervals, shortest_minutes=shortest_minutes)
    if errors:
        raise DirectoryChangeRefused(errors)
    wanted = sorted(intervals)
    with transaction.atomic():
        _lock_kep(kep.pk)
        rows = kep.opening_hours.filter(weekday=weekday)
        current = sorted(rows.values_list("opens", "closes"))
        if current == wanted:
            return False
        rows.delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(kep=kep, weekday=weekday, opens=opens, closes=closes)
            for opens, closes in wanted
        )
        mark_directory_changed()
        record_event(
            action="kep.hours_changed",
            actor=actor,
            origin=origin,
            object_type="kep",
            object_id=kep.pk,
            details={
                "weekday": weekday,
                "before": [f"{o:%H:%M}-{c:%H:%M}" for o, c in current],
                "after": [f"{o:%H:%M}-{c:%H:%M}" for o, c in wanted],
            },
        )
    return True


def add_opening_exception(
    *,
    kep: Kep,
    date: dt.date,
    opens: dt.time | None,
    closes: dt.time | None,
    reason: str,
    shortest_minutes: int,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
    today: dt.date,
) -> OpeningException:
    """Close the KEP on ``date`` (no times) or open it then for ``opens``–``closes`` instead of
    its weekly hours; several intervals on one date make a split day."""
    errors: dict[str, list[str]] = {}
    if date < today:
        errors["date"] = [_("The date has passed: give today or a later date.")]
    if (opens is None) != (closes is None):
        errors[""] = [_("Give both opening and closing time, or neither for a closed day.")]
    elif opens is not None and closes is not None:
        problems = interval_errors([(opens, closes)], shortest_minutes=shortest_minutes)
        if problems:
            errors[""] = problems
    if len(reason) > 200:
        errors["reason"] = [_("At most %(limit)d characters.") % {"limit": 200}]
    if errors:
        raise DirectoryChangeRefused(errors)
    with transaction.atomic():
        _lock_kep(kep.pk)
        existing = list(kep.opening_exceptions.filter(date=date))
        if any(row.opens is None for row in existing):
            raise DirectoryChangeRefused(
                _("The KEP is already closed on that date: remove that exception first.")
            )
        if opens is None and existing:
            raise DirectoryChangeRefused(
                _("That date already has other hours: remove them first to close the day.")
            )
        if opens is not None and closes is not None:
            day: list[Interval] = [(opens, closes)]
            day += [(row.opens, row.closes) for row in existing if row.opens and row.closes]
            problems = interval_errors(day, shortest_minutes=shortest_minutes)
            if problems:
                raise DirectoryChangeRefused(problems)
        exception = OpeningException.objects.create(
            kep=kep, date=date, opens=opens, closes=closes, reason=reason.strip()
        )
        record_event(
            action="kep.exception_added",
            actor=actor,
            origin=origin,
            object_type="kep",
            object_id=kep.pk,
            details={
                "date": date.isoformat(),
                "hours": f"{opens:%H:%M}-{closes:%H:%M}" if opens and closes else "closed",
            },
        )
    return exception


def remove_opening_exception(
    *, exception: OpeningException, actor: Any, origin: Origin, now: dt.datetime
) -> None:
    with transaction.atomic():
        kep_id, date = exception.kep_id, exception.date
        exception.delete()
        record_event(
            action="kep.exception_removed",
            actor=actor,
            origin=origin,
            object_type="kep",
            object_id=kep_id,
            details={"date": date.isoformat()},
        )


def add_local_holiday(
    *,
    municipality: Municipality,
    date: dt.date,
    name: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
    today: dt.date,
) -> LocalHoliday:
    """A local closure of every KEP of a municipality (the patron saint's day)."""
    errors: dict[str, list[str]] = {}
    if date < today:
        errors["date"] = [_("The date has passed: give today or a later date.")]
    if not name.strip():
        errors["name"] = [_("This field is required.")]
    elif len(name) > 200:
        errors["name"] = [_("At most %(limit)d characters.") % {"limit": 200}]
    if municipality.local_holidays.filter(date=date).exists():
        errors["date"] = [_("The municipality already has a local holiday on that date.")]
    if errors:
        raise DirectoryChangeRefused(errors)
    try:
        with transaction.atomic():
            holiday = LocalHoliday.objects.create(
                municipality=municipality, date=date, name=name.strip()
            )
            record_event(
                action="municipality.holiday_added",
                actor=actor,
                origin=origin,
                object_type="municipality",
                object_id=municipality.pk,
                details={"date": date.isoformat()},
            )
    except IntegrityError as error:
        raise DirectoryChangeRefused(
            {"date": [_("The municipality already has a local holiday on that date.")]}
        ) from error
    return holiday


def remove_local_holiday(
    *, holiday: LocalHoliday, actor: Any, origin: Origin, now: dt.datetime
) -> None:
    with transaction.atomic():
        municipality_id, date = holiday.municipality_id, holiday.date
        holiday.delete()
        record_event(
            action="municipality.holiday_removed",
            actor=actor,
            origin=origin,
            object_type="municipality",
            object_id=municipality_id,
            details={"date": date.isoformat()},
        )


# --- Employees' availability and absences (P3) ------------------------------------------

# One interval of an employee's weekday: from, until, workstation ("" when none is named).
AvailabilityInterval = tuple[dt.time, dt.time, str]


def availability_errors(intervals: Sequence[AvailabilityInterval]) -> list[str]:
    """What is wrong with one weekday's availability: an interval that does not start before it
    ends, intervals overlapping each other (touching is fine), a workstation name too long."""
    errors: list[str] = []
    for starts, ends, workstation in intervals:
        if starts >= ends:
            errors.append(
                _("%(starts)s–%(ends)s: the availability must start before it ends.")
                % {"starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}"}
            )
        if len(workstation.strip()) > 50:
            errors.append(_("A workstation has at most %(limit)d characters.") % {"limit": 50})
    valid = sorted((s, e) for s, e, _w in intervals if s < e)
    for index, (starts, ends) in enumerate(valid[1:], start=1):
        for earlier_starts, earlier_ends in valid[:index]:
            if starts < earlier_ends:
                errors.append(
                    _("%(first)s and %(second)s overlap: give separate, non-overlapping intervals.")
                    % {
                        "first": f"{earlier_starts:%H:%M}–{earlier_ends:%H:%M}",
                        "second": f"{starts:%H:%M}–{ends:%H:%M}",
                    }
                )
    return errors


def weekly_availability(employee: Employee) -> dict[int, list[AvailabilityInterval]]:
    """The employee's weekly intervals per weekday (0 = Monday), each day sorted."""
    days: dict[int, list[AvailabilityInterval]] = {day: [] for day in Weekday.values}
    rows = employee.availability.order_by("weekday", "starts").values_list(
        "weekday", "starts", "ends", "workstation"
    )
    for weekday, starts, ends, workstation in rows:
        days[weekday].append((starts, ends, workstation))
    return days


def set_weekday_availability(
    *,
    employee: Employee,
    weekday: int,
    intervals: Sequence[AvailabilityInterval],
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> bool:
    """Replace the employee's availability on a weekday as a whole (no intervals: no calls that
    weekday); True if anything changed. Refused as a whole when any interval is wrong."""
    if weekday not in Weekday.values:
        raise DirectoryChangeRefused(_("Choose a day of the week."))
    errors = availability_errors(intervals)
    if errors:
        raise DirectoryChangeRefused(errors)
    wanted = sorted((s, e, w.strip()) for s, e, w in intervals)
    with transaction.atomic():
        _lock_kep(employee.kep_id)
        rows = employee.availability.filter(weekday=weekday)
        current = sorted(rows.values_list("starts", "ends", "workstation"))
        if current == wanted:
            return False
        rows.delete()
        Availability.objects.bulk_create(
            Availability(
                employee=employee, weekday=weekday, starts=starts, ends=ends, workstation=station
            )
            for starts, ends, station in wanted
        )
        mark_directory_changed()
        record_event(
            action="employee.availability_changed",
            actor=actor,
            origin=origin,
            object_type="employee",
            object_id=employee.pk,
            details={
                "kep": employee.kep_id,
                "weekday": weekday,
                "before": [f"{s:%H:%M}-{e:%H:%M}" for s, e, _w in current],
                "after": [f"{s:%H:%M}-{e:%H:%M}" for s, e, _w in wanted],
            },
        )
    return True


def add_absence(
    *,
    employee: Employee,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    actor: Any,
    origin: Origin,
    now: dt.datetime,
) -> Absence:
    """The employee takes no calls in [starts_at, ends_at). It may have started already (a
    sickness told in the morning) but must end in the future. Its reason is kept on the row,
    never in the audit log (it may say something about the employee's health)."""
    errors: dict[str, list[str]] = {}
    if starts_at >= ends_at:
        errors["ends_at"] = [_("The absence must end after it starts.")]
    elif ends_at <= now:
        errors["ends_at"] = [_("The absence has already ended: give an end in the future.")]
    if len(reason) > 200:
        errors["reason"] = [_("At most %(limit)d characters.") % {"limit": 200}]
    if errors:
        raise DirectoryChangeRefused(errors)
    with transaction.atomic():
        _lock_kep(employee.kep_id)
        absence = Absence.objects.create(
            employee=employee, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
        )
        record_event(
            action="employee.absence_added",
            actor=actor,
            origin=origin,
            object_type="employee",
            object_id=employee.pk,
            details={
                "kep": employee.kep_id,
                "absence": absence.pk,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
    return absence


def remove_absence(*, absence: Absence, actor: Any, origin: Origin, now: dt.datetime) -> None:
    with transaction.atomic():
        employee_id, absence_id = absence.employee_id, absence.pk
        starts_at, ends_at = absence.starts_at, absence.ends_at
        absence.delete()
        record_event(
            action="employee.absence_removed",
            actor=actor,
            origin=origin,
            object_type="employee",
            object_id=employee_id,
            details={
                "absence": absence_id,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
            },
        )
