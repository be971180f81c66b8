"""The demo directory: municipalities, KEPs, hours, closures, employees and their logins.

``plan_demo_directory`` turns ``demo_data`` into a deterministic plan (one ``random.Random(2020)``
drives every choice); ``load_demo_directory`` writes the plan with natural keys, so a second load
changes nothing. The catalogue's ``load_demo`` calls it inside its own transaction, then adds the
services (the directory cannot import the catalogue).

What the loader owns: the rows of the demo municipalities, KEPs and ``e<KEP>-<n>`` employees.
Their weekly hours and availability are set to the plan; their dated rows (closures, local
holidays, absences) are set to the plan from today on, and past ones are left alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction

from keplive.accounts.models import Citizen, Role, User
from keplive.accounts.staff_login import ensure_totp_device
from keplive.directory import demo_data as data
from keplive.directory import naming
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

SEED = 2020
EMPLOYEE_TARGET = 870  # "870 trained employees" [seeds/003]
WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY)
T = dt.time


class DemoLoginsRefusedError(Exception):
    """Demo logins have a published password; a production deployment must never get them."""


# --- The plan ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KepPlan:
    code: str
    municipality_code: str
    name_el: str
    name_en: str
    address: str
    postal_code: str
    city: str
    phone: str
    email: str
    protocol_email: str
    is_kep_eke: bool
    hours: tuple[tuple[int, dt.time, dt.time], ...]
    is_main: bool


@dataclass(frozen=True, slots=True)
class EmployeePlan:
    username: str
    kep_code: str
    first_name: str
    last_name: str
    role: str
    availability: tuple[tuple[int, dt.time, dt.time, str], ...]
    absences: tuple[tuple[dt.datetime, dt.datetime, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ExceptionPlan:
    kep_code: str
    date: dt.date
    opens: dt.time | None
    closes: dt.time | None
    reason: str


@dataclass(frozen=True, slots=True)
class HolidayPlan:
    municipality_code: str
    date: dt.date
    name: str


@dataclass(frozen=True, slots=True)
class DirectoryPlan:
    municipalities: tuple[dict[str, Any], ...]
    keps: tuple[KepPlan, ...]
    exceptions: tuple[ExceptionPlan, ...]
    holidays: tuple[HolidayPlan, ...]
    employees: tuple[EmployeePlan, ...]

    @property
    def home_kep_code(self) -> str:
        """The main KEP of Athens, where the demo employee and supervisor work."""
        return next(
            k.code
            for k in self.keps
            if k.municipality_code == data.DEMO_HOME_MUNICIPALITY and k.is_main
        )


def municipality_joined_on() -> dict[str, dt.date]:
    """Municipality genitive name → the date of the first seed list that names it."""
    joined: dict[str, dt.date] = {}
    for day, names in data.SEED_LISTS:
        for raw in names:
            joined.setdefault(naming.canonical_municipality_name(raw), day)
    return joined


def afm_with_check_digit(first_eight: str) -> str:
    """Complete a Greek tax number (ΑΦΜ): the ninth digit is Σ dᵢ·2⁸⁻ⁱ mod 11 mod 10."""
    total = sum(int(digit) << (8 - i) for i, digit in enumerate(first_eight))
    return f"{first_eight}{total % 11 % 10}"


def _next_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= Weekday.SATURDAY:
        day += dt.timedelta(days=1)
    return day


def plan_demo_directory(*, today: dt.date, with_demo_logins: bool = False) -> DirectoryPlan:
    """The whole demo directory as data. The same ``today`` always gives the same plan."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    joined = municipality_joined_on()
    missing = set(joined) - {m.genitive for m in data.MUNICIPALITIES}
    if missing:  # pragma: no cover - guards the hand-written table
        raise ValueError(f"Seed municipalities without a demo row: {sorted(missing)}")

    municipalities = tuple(
        {
            "code": m.code,
            "name_el": naming.municipality_name_el(m.genitive),
            "name_en": f"Municipality of {m.short_en}",
            "region": m.region,
            "is_participating": True,
            "joined_on": joined[m.genitive],
        }
        for m in data.MUNICIPALITIES
    )

    keps: list[KepPlan] = []
    for municipality in data.MUNICIPALITIES:
        branches = data.BRANCHES.get(municipality.code, ())
        sites: list[tuple[str | None, str | None, str, str]] = [
            (
                "Κεντρικό" if branches else None,
                "Central" if branches else None,
                municipality.city,
                municipality.postal_code,
            )
        ]
        sites += [(el, en, city or municipality.city, pc) for el, en, city, pc in branches]
        for index, (suffix_el, suffix_en, city, postal_code) in enumerate(sites):
            code = f"{len(keps) + 1:04d}"
            name_el = f"ΚΕΠ Δήμου {municipality.genitive}"
            name_en = f"KEP of {municipality.short_en}"
            if suffix_el:
                name_el = f"{name_el} – {suffix_el}"
                name_en = f"{name_en} – {suffix_en}"
            digits = 10 - len(municipality.area_code)
            phone = f"{municipality.area_code}{rng.randrange(10 ** (digits - 1), 10**digits)}"
            hours = [(day, T(7, 30), T(15, 0)) for day in WEEKDAYS]
            if rng.random() < 0.10:
                hours += [
                    (Weekday.TUESDAY, T(17, 0), T(20, 0)),
                    (Weekday.THURSDAY, T(17, 0), T(20, 0)),
                ]
            if rng.random() < 0.04:
                hours.append((Weekday.SATURDAY, T(8, 0), T(13, 0)))
            keps.append(
                KepPlan(
                    code=code,
                    municipality_code=municipality.code,
                    name_el=name_el,
                    name_en=name_en,
                    address=f"{rng.choice(data.STREETS)} {rng.randint(1, 180)}",
                    postal_code=postal_code,
                    city=city,
                    phone=phone,
                    email=f"kep.{code}@{data.DEMO_EMAIL_DOMAIN}",
                    protocol_email=f"protocol@{municipality.code}.{data.DEMO_EMAIL_DOMAIN}",
                    is_kep_eke=index == 0 and municipality.code in data.KEP_EKE_MUNICIPALITIES,
                    hours=tuple(sorted(hours)),
                    is_main=index == 0,
                )
            )

    exceptions = _plan_exceptions(rng, keps, today)
    holidays = _plan_holidays(rng, today)
    employees = _plan_employees(rng, keps, today)
    plan = DirectoryPlan(
        municipalities=municipalities,
        keps=tuple(keps),
        exceptions=exceptions,
        holidays=holidays,
        employees=employees,
    )
    if with_demo_logins:
        plan = _with_demo_staff(plan)
    return plan


def _plan_exceptions(
    rng: random.Random, keps: Sequence[KepPlan], today: dt.date
) -> tuple[ExceptionPlan, ...]:
    kinds = (
        (None, None, "Εργασίες συντήρησης του καταστήματος"),
        (None, None, "Απολύμανση χώρων"),
        (T(7, 30), T(12, 0), "Εκπαίδευση προσωπικού (λειτουργία έως 12:00)"),
        (T(9, 0), T(15, 0), "Μεταφορά εξοπλισμού (έναρξη 09:00)"),
    )
    chosen = rng.sample(list(keps), 18)
    plans = []
    for kep in sorted(chosen, key=lambda k: k.code):
        opens, closes, reason = rng.choice(kinds)
        day = _next_weekday(today + dt.timedelta(days=rng.randint(7, 42)))
        plans.append(ExceptionPlan(kep.code, day, opens, closes, reason))
    return tuple(plans)


def _plan_holidays(rng: random.Random, today: dt.date) -> tuple[HolidayPlan, ...]:
    plans = []
    for municipality in data.MUNICIPALITIES:
        name, month, day = data.PATRON_SAINTS.get(municipality.code) or rng.choice(data.FEAST_POOL)
        for year in (today.year, today.year + 1):
            plans.append(HolidayPlan(municipality.code, dt.date(year, month, day), name))
    return tuple(plans)


def _employee_counts(rng: random.Random, keps: Sequence[KepPlan]) -> list[int]:
    """3–8 people per KEP, more at the main KEP of a larger municipality; 870 in all."""
    branches = {code: len(rows) for code, rows in data.BRANCHES.items()}
    counts = []
    for kep in keps:
        size = branches.get(kep.municipality_code, 0)
        if kep.is_main and size >= 2:
            counts.append(rng.randint(6, 8))
        elif kep.is_main and size == 1:
            counts.append(rng.randint(5, 7))
        elif kep.is_main:
            counts.append(rng.randint(3, 6))
        else:
            counts.append(rng.randint(3, 5))
    order = list(range(len(keps)))
    rng.shuffle(order)
    while (gap := EMPLOYEE_TARGET - sum(counts)) != 0:
        step = 1 if gap > 0 else -1
        for i in order:
            if 3 <= counts[i] + step <= 8:
                counts[i] += step
                gap -= step
                if gap == 0:
                    break
    return counts


def _plan_employees(
    rng: random.Random, keps: Sequence[KepPlan], today: dt.date
) -> tuple[EmployeePlan, ...]:
    zone = ZoneInfo(settings.TIME_ZONE)
    employees: list[EmployeePlan] = []
    for kep, count in zip(keps, _employee_counts(rng, keps), strict=True):
        for index in range(1, count + 1):
            female = rng.random() < 0.6
            first = rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
            last = rng.choice(data.SURNAMES)[1 if female else 0]
            part_time = rng.random() < 0.10
            ends = T(11, 30) if part_time else T(14, 30)
            workstation = f"Θέση {index}"
            supervisor = index == 1 or (count >= 7 and index == 2)
            employees.append(
                EmployeePlan(
                    username=f"e{kep.code}-{index:02d}",
                    kep_code=kep.code,
                    first_name=first,
                    last_name=last,
                    role=Role.SUPERVISOR if supervisor else Role.EMPLOYEE,
                    availability=tuple((day, T(8, 0), ends, workstation) for day in WEEKDAYS),
                )
            )
    reasons = ("Κανονική άδεια", "Εκπαίδευση ΕΚΔΔΑ", "Αναρρωτική άδεια", "Άδεια γονικής μέριμνας")
    absent = sorted(rng.sample(range(len(employees)), 36))
    for i in absent:
        first_day = _next_weekday(today + dt.timedelta(days=rng.randint(3, 40)))
        last_day = first_day + dt.timedelta(days=rng.randint(0, 4))
        away_from = dt.datetime.combine(first_day, T(0, 0), tzinfo=zone)
        back_on = dt.datetime.combine(last_day + dt.timedelta(days=1), T(0, 0), tzinfo=zone)
        employees[i] = dataclasses.replace(
            employees[i], absences=((away_from, back_on, rng.choice(reasons)),)
        )
    return tuple(employees)


def _with_demo_staff(plan: DirectoryPlan) -> DirectoryPlan:
    home = plan.home_kep_code
    full_week = tuple((day, T(8, 0), T(14, 30), "Θέση demo") for day in WEEKDAYS)
    demo_staff = (
        EmployeePlan(data.DEMO_EMPLOYEE, home, "Ελένη", "Δημητρίου", Role.EMPLOYEE, full_week),
        EmployeePlan(
            data.DEMO_SUPERVISOR, home, "Γεώργιος", "Αντωνίου", Role.SUPERVISOR, full_week
        ),
    )
    return dataclasses.replace(plan, employees=plan.employees + demo_staff)


# --- Writing the plan ---------------------------------------------------------------------------


@dataclass(slots=True)
class Changes:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def __add__(self, other: Changes) -> Changes:
        return Changes(
            self.created + other.created, self.updated + other.updated, self.deleted + other.deleted
        )

    @property
    def any(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass(slots=True)
class DirectoryLoadResult:
    changes: dict[str, Changes] = field(default_factory=dict)
    demo_logins: list[DemoLogin] = field(default_factory=list)
    home_kep_code: str = ""


def sync_rows(
    model: type[models.Model],
    *,
    key: tuple[str, ...],
    rows: Sequence[Mapping[str, Any]],
    existing: Iterable[models.Model],
    delete_missing: bool = False,
    prepare: Callable[[Any], None] | None = None,
) -> Changes:
    """Make ``existing`` match ``rows`` by natural ``key``: bulk create, bulk update, delete.

    Only fields whose value differs are written, so a second call with the same rows writes
    nothing. ``prepare`` is called on each new instance before it is created.
    """
    current: dict[tuple[Any, ...], models.Model] = {}
    duplicates: list[Any] = []
    for obj in existing:
        k = tuple(getattr(obj, f) for f in key)
        if k in current:
            duplicates.append(obj.pk)
        else:
            current[k] = obj
    fields = [f for f in rows[0] if f not in key] if rows else []
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    wanted: set[tuple[Any, ...]] = set()
    for row in rows:
        k = tuple(row[f] for f in key)
        wanted.add(k)
        found = current.get(k)
        if found is None:
            new = model(**row)
            if prepare is not None:
                prepare(new)
            to_create.append(new)
            continue
        changed = False
        for name in fields:
            if getattr(found, name) != row[name]:
                setattr(found, name, row[name])
                changed = True
        if changed:
            to_update.append(found)
    model._default_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        model._default_manager.bulk_update(to_update, fields, batch_size=500)
    deleted = 0
    if delete_missing:
        stale = [obj.pk for k, obj in current.items() if k not in wanted] + duplicates
        if stale:
            deleted, _ = model._default_manager.filter(pk__in=stale).delete()
    return Changes(len(to_create), len(to_update), deleted)


def _refuse_demo_logins_in_production() -> None:
    if getattr(settings, "ENVIRONMENT", "") == "production" and not getattr(
        settings, "KEPLIVE_ALLOW_STANDINS", False
    ):
        raise DemoLoginsRefusedError(
            "Refusing to create demo logins with a published password in production."
        )


Progress = Callable[[str, Changes], None]


class _ReportingChanges(dict[str, Changes]):
    """Changes by table, passed to a progress callback as each table is written."""

    def __init__(self, progress: Progress | None) -> None:
        super().__init__()
        self._progress = progress

    def __setitem__(self, name: str, changes: Changes) -> None:
        super().__setitem__(name, changes)
        if self._progress is not None:
            self._progress(name, changes)


def load_demo_directory(
    *,
    today: dt.date,
    with_demo_logins: bool = False,
    plan: DirectoryPlan | None = None,
    progress: Progress | None = None,
) -> DirectoryLoadResult:
    """Write the demo directory; idempotent. Raises ``DemoLoginsRefusedError`` in production.

    ``progress`` is called with each table's name and changes as soon as it is written.
    """
    if with_demo_logins:
        _refuse_demo_logins_in_production()
    plan = plan or plan_demo_directory(today=today, with_demo_logins=with_demo_logins)
    changes = _ReportingChanges(progress)
    result = DirectoryLoadResult(changes=changes, home_kep_code=plan.home_kep_code)
    with transaction.atomic():
        mark_directory_changed()  # bulk writes below bypass the model signals
        municipality_codes = [m["code"] for m in plan.municipalities]
        changes["municipalities"] = sync_rows(
            Municipality,
            key=("code",),
            rows=plan.municipalities,
            existing=Municipality.objects.filter(code__in=municipality_codes),
        )
        municipality_ids = dict(
            Municipality.objects.filter(code__in=municipality_codes).values_list("code", "id")
        )
        kep_codes = [k.code for k in plan.keps]
        changes["KEPs"] = sync_rows(
            Kep,
            key=("code",),
            rows=[
                {
                    "code": k.code,
                    "municipality_id": municipality_ids[k.municipality_code],
                    "name_el": k.name_el,
                    "name_en": k.name_en,
                    "address": k.address,
                    "postal_code": k.postal_code,
                    "city": k.city,
                    "phone": k.phone,
                    "email": k.email,
                    "protocol_email": k.protocol_email,
                    "is_kep_eke": k.is_kep_eke,
                    "is_active": True,
                }
                for k in plan.keps
            ],
            existing=Kep.objects.filter(code__in=kep_codes),
        )
        kep_ids = dict(Kep.objects.filter(code__in=kep_codes).values_list("code", "id"))
        changes["opening hours"] = sync_rows(
            OpeningHours,
            key=("kep_id", "weekday", "opens"),
            rows=[
                {"kep_id": kep_ids[k.code], "weekday": day, "opens": opens, "closes": closes}
                for k in plan.keps
                for day, opens, closes in k.hours
            ],
            existing=OpeningHours.objects.filter(kep_id__in=kep_ids.values()),
            delete_missing=True,
        )
        changes["opening exceptions"] = sync_rows(
            OpeningException,
            key=("kep_id", "date", "opens"),
            rows=[
                {
                    "kep_id": kep_ids[e.kep_code],
                    "date": e.date,
                    "opens": e.opens,
                    "closes": e.closes,
                    "reason": e.reason,
                }
                for e in plan.exceptions
            ],
            existing=OpeningException.objects.filter(kep_id__in=kep_ids.values(), date__gte=today),
            delete_missing=True,
        )
        changes["local holidays"] = sync_rows(
            LocalHoliday,
            key=("municipality_id", "date"),
            rows=[
                {
                    "municipality_id": municipality_ids[h.municipality_code],
                    "date": h.date,
                    "name": h.name,
                }
                for h in plan.holidays
            ],
            existing=LocalHoliday.objects.filter(
                municipality_id__in=municipality_ids.values(),
                date__gte=today.replace(month=1, day=1),
            ),
            delete_missing=True,
        )
        _load_employees(plan, kep_ids=kep_ids, today=today, changes=changes)
        changes["citizens"] = _load_citizens()
        if with_demo_logins:
            result.demo_logins = _load_demo_logins(plan)
    return result


def _load_employees(
    plan: DirectoryPlan,
    *,
    kep_ids: Mapping[str, int],
    today: dt.date,
    changes: dict[str, Changes],
) -> None:
    usernames = [e.username for e in plan.employees]
    changes["users"] = sync_rows(
        User,
        key=("username",),
        rows=[
            {
                "username": e.username,
                "first_name": e.first_name,
                "last_name": e.last_name,
                "email": f"{e.username}@{data.DEMO_EMAIL_DOMAIN}",
                "role": e.role,
                "is_active": True,
            }
            for e in plan.employees
        ],
        existing=User.objects.filter(username__in=usernames),
        prepare=lambda user: user.set_unusable_password(),
    )
    user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    changes["employees"] = sync_rows(
        Employee,
        key=("user_id",),
        rows=[
            {"user_id": user_ids[e.username], "kep_id": kep_ids[e.kep_code], "is_active": True}
            for e in plan.employees
        ],
        existing=Employee.objects.filter(user_id__in=user_ids.values()),
    )
    employee_ids = dict(
        Employee.objects.filter(user_id__in=user_ids.values()).values_list("user__username", "id")
    )
    changes["availability"] = sync_rows(
        Availability,
        key=("employee_id", "weekday", "starts"),
        rows=[
            {
                "employee_id": employee_ids[e.username],
                "weekday": day,
                "starts": starts,
                "ends": ends,
                "workstation": workstation,
            }
            for e in plan.employees
            for day, starts, ends, workstation in e.availability
        ],
        existing=Availability.objects.filter(employee_id__in=employee_ids.values()),
        delete_missing=True,
    )
    zone = ZoneInfo(settings.TIME_ZONE)
    start_of_today = dt.datetime.combine(today, T(0, 0), tzinfo=zone)
    changes["absences"] = sync_rows(
        Absence,
        key=("employee_id", "starts_at"),
        rows=[
            {
                "employee_id": employee_ids[e.username],
                "starts_at": starts,
                "ends_at": ends,
                "reason": reason,
            }
            for e in plan.employees
            for starts, ends, reason in e.absences
        ],
        existing=Absence.objects.filter(
            employee_id__in=employee_ids.values(), starts_at__gte=start_of_today
        ),
        delete_missing=True,
    )


def _load_citizens() -> Changes:
    usernames = [c[0] for c in data.DEMO_CITIZENS]
    users = sync_rows(
        User,
        key=("username",),
        rows=[
            {
                "username": username,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@{data.DEMO_EMAIL_DOMAIN}",
                "role": Role.CITIZEN,
            }
            for username, _afm, first, last, _father in data.DEMO_CITIZENS
        ],
        existing=User.objects.filter(username__in=usernames),
        prepare=lambda user: user.set_unusable_password(),
    )
    user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    rows = [
        {
            "tax_id": afm_with_check_digit(afm),
            "user_id": user_ids[username],
            "first_name": first,
            "last_name": last,
            "father_name": father,
        }
        for username, afm, first, last, father in data.DEMO_CITIZENS
    ]
    citizens = sync_rows(
        Citizen,
        key=("tax_id",),
        rows=rows,
        existing=Citizen.objects.filter(tax_id__in=[r["tax_id"] for r in rows]),
    )
    return Changes(citizens.created, citizens.updated + users.updated, citizens.deleted)


def _load_demo_logins(plan: DirectoryPlan) -> list[DemoLogin]:
    """Give the demo staff the published password and second factor; create the ministry's
    demo administrator and auditor."""
    home = plan.home_kep_code
    logins = [
        DemoLogin(data.DEMO_EMPLOYEE, Role.EMPLOYEE, f"KEP {home}"),
        DemoLogin(data.DEMO_SUPERVISOR, Role.SUPERVISOR, f"KEP {home}"),
        DemoLogin(data.DEMO_ADMIN, Role.ADMINISTRATOR, "/administration/"),
        DemoLogin(data.DEMO_AUDITOR, Role.AUDITOR, "/administration/audit/"),
    ]
    ministry = {
        data.DEMO_ADMIN: (
            "Διαχειριστής",
            "Υπουργείου",
            {"role": Role.ADMINISTRATOR, "is_staff": True, "is_superuser": True},
        ),
        data.DEMO_AUDITOR: (
            "Ελεγκτής",
            "Υπουργείου",
            {"role": Role.AUDITOR, "is_staff": False, "is_superuser": False},
        ),
    }
    for username, (first_name, last_name, flags) in ministry.items():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@{data.DEMO_EMAIL_DOMAIN}",
            },
        )
        wanted = flags | {"is_active": True}
        if any(getattr(user, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(user, name, value)
            user.save(update_fields=list(wanted))
    for login in logins:
        user = User.objects.get(username=login.username)
        if not user.check_password(data.DEMO_PASSWORD):
            user.set_password(data.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        ensure_totp_device(user, key=data.DEMO_TOTP_KEYS[login.username])
    return logins
