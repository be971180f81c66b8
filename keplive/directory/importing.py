"""Import a KEP directory from CSV (A3: administrators add KEPs): all rows or none.

The file is UTF-8 (a BOM is accepted), comma-separated, with a header row::

    code,municipality_code,municipality_name_el,municipality_name_en,name_el,name_en,address,
    postal_code,city,phone,email,protocol_email,is_kep_eke,is_active[,hours]

Municipalities are matched by ``municipality_code`` and KEPs by ``code``: new ones are created,
existing ones updated. ``hours`` ("Mon-Fri 07:30-15:00; Tue,Thu 17:00-20:00") replaces the KEP's
weekly opening hours; left empty, the hours stay as they are. Every row is validated before
anything is written, and every problem is reported with its line number (the header is line 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from keplive.audit.services import record_event
from keplive.directory.models import Kep, Municipality, OpeningHours, Weekday
from keplive.directory.versioning import mark_directory_changed

REQUIRED_COLUMNS = (
    "code",
    "municipality_code",
    "municipality_name_el",
    "municipality_name_en",
    "name_el",
    "name_en",
    "address",
    "postal_code",
    "city",
    "phone",
    "email",
    "protocol_email",
    "is_kep_eke",
    "is_active",
)
OPTIONAL_COLUMNS = ("hours",)
# Columns that must have a value on every row.
REQUIRED_VALUES = tuple(c for c in REQUIRED_COLUMNS if c != "phone")

TRUE_WORDS = frozenset({"1", "true", "yes", "ναι", "ναί"})
FALSE_WORDS = frozenset({"0", "false", "no", "όχι", "οχι"})

DAY_NAMES = {
    "mon": Weekday.MONDAY,
    "tue": Weekday.TUESDAY,
    "wed": Weekday.WEDNESDAY,
    "thu": Weekday.THURSDAY,
    "fri": Weekday.FRIDAY,
    "sat": Weekday.SATURDAY,
    "sun": Weekday.SUNDAY,
    "δευ": Weekday.MONDAY,
    "τρι": Weekday.TUESDAY,
    "τετ": Weekday.WEDNESDAY,
    "πεμ": Weekday.THURSDAY,
    "πέμ": Weekday.THURSDAY,
    "παρ": Weekday.FRIDAY,
    "σαβ": Weekday.SATURDAY,
    "σάβ": Weekday.SATURDAY,
    "κυρ": Weekday.SUNDAY,
}

_DASH = r"\s*[-–]\s*"
_TIME = r"(\d{1,2}):(\d{2})"
_INTERVAL = re.compile(rf"^{_TIME}{_DASH}{_TIME}$")
_GROUP = re.compile(r"^(?P<days>[^\d]+?)\s+(?P<times>\d.*)$")
# Marks a line whose number of fields differs from the header's.
_FIELD_COUNT = "\0field count"
_KEP_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,19}$")

Hours = tuple[tuple[int, dt.time, dt.time], ...]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one line of the file (line 1 is the header; 0: the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line > 0 else self.message


class KepImportError(Exception):
    """The file cannot be imported. Nothing was written; ``problems`` says why, line by line."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True, slots=True)
class KepRow:
    """One valid row, normalised."""

    line: int
    code: str
    municipality_code: str
    municipality_name_el: str
    municipality_name_en: str
    name_el: str
    name_en: str
    address: str
    postal_code: str
    city: str
    phone: str
    email: str
    protocol_email: str
    is_kep_eke: bool
    is_active: bool
    hours: Hours | None  # None: leave the KEP's hours as they are

    def kep_fields(self) -> dict[str, Any]:
        return {
            "name_el": self.name_el,
            "name_en": self.name_en,
            "address": self.address,
            "postal_code": self.postal_code,
            "city": self.city,
            "phone": self.phone,
            "email": self.email,
            "protocol_email": self.protocol_email,
            "is_kep_eke": self.is_kep_eke,
            "is_active": self.is_active,
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    municipalities_created: int
    municipalities_updated: int
    dry_run: bool


# --- Reading ------------------------------------------------------------------------------------


def read_kep_csv(*, file: str | Path | BinaryIO) -> list[tuple[int, dict[str, str]]]:
    """The rows of a KEP CSV with their line numbers. Raises ``KepImportError`` on a bad file."""
    if isinstance(file, str | Path):
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise KepImportError([RowProblem(0, f"cannot read {file}: {exc.strerror}")]) from exc
    else:
        raw = file.read()
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KepImportError(
            [RowProblem(line, "the file is not UTF-8 text; save it as CSV UTF-8 and try again")]
        ) from exc
    if not text.strip():
        raise KepImportError([RowProblem(1, "the file is empty; a header row is required")])

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
        _check_header(header)
        rows = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            line = reader.line_num
            if len(values) != len(header):
                rows.append((line, {_FIELD_COUNT: str(len(values))}))
                continue
            rows.append((line, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        raise KepImportError([RowProblem(reader.line_num, f"not valid CSV: {exc}")]) from exc
    if not rows:
        raise KepImportError([RowProblem(1, "the file has a header but no rows")])
    return rows


def _check_header(header: Sequence[str]) -> None:
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(RowProblem(1, f"missing columns: {', '.join(missing)}"))
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        problems.append(RowProblem(1, f"unknown columns: {', '.join(unknown) or '(empty)'}"))
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        problems.append(RowProblem(1, f"repeated columns: {', '.join(repeated)}"))
    if problems:
        raise KepImportError(problems)


# --- Validating ---------------------------------------------------------------------------------


def parse_weekly_hours(text: str) -> Hours:
    """Parse "Mon-Fri 07:30-15:00; Tue,Thu 17:00-20:00" into (weekday, opens, closes) rows.

    Days: Mon…Sun or Δευ…Κυρ, as ranges ("Mon-Fri") or lists ("Tue,Thu"); several intervals a
    day are allowed ("Mon 08:00-12:00, 17:00-20:00"). Raises ``ValueError`` with the reason.
    """
    hours: list[tuple[int, dt.time, dt.time]] = []
    for group in (part.strip() for part in text.split(";")):
        if not group:
            continue
        match = _GROUP.match(group)
        if not match:
            raise ValueError(f"'{group}' needs days and times, e.g. 'Mon-Fri 07:30-15:00'")
        days = _parse_days(match["days"])
        for interval in (i.strip() for i in match["times"].split(",")):
            opens, closes = _parse_interval(interval)
            hours += [(day, opens, closes) for day in days]
    if not hours:
        raise ValueError("no opening hours given")
    hours.sort()
    for (day_a, _, closes_a), (day_b, opens_b, _) in itertools.pairwise(hours):
        if day_a == day_b and opens_b < closes_a:
            raise ValueError(f"overlapping hours on {Weekday(day_a).name.title()}")
    return tuple(hours)


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        ends = [name.lower() for name in re.split(_DASH, part)]
        if len(ends) > 2 or any(name not in DAY_NAMES for name in ends):
            raise ValueError(f"unknown days '{part}' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
        start, end = DAY_NAMES[ends[0]], DAY_NAMES[ends[-1]]
        if end < start:
            raise ValueError(f"day range '{part}' runs backwards")
        days += [day for day in range(start, end + 1) if day not in days]
    return days


def _parse_interval(text: str) -> tuple[dt.time, dt.time]:
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a time range like 07:30-15:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        opens, closes = dt.time(h1, m1), dt.time(h2, m2)
    except ValueError as exc:
        raise ValueError(f"'{text}' has an impossible time") from exc
    if opens >= closes:
        raise ValueError(f"'{text}' closes before it opens")
    return opens, closes


def _parse_bool(value: str) -> bool | None:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _max_length(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length)


_LENGTHS = {
    "code": _max_length(Kep, "code"),
    "municipality_code": _max_length(Municipality, "code"),
    "municipality_name_el": _max_length(Municipality, "name_el"),
    "municipality_name_en": _max_length(Municipality, "name_en"),
    "name_el": _max_length(Kep, "name_el"),
    "name_en": _max_length(Kep, "name_en"),
    "address": _max_length(Kep, "address"),
    "city": _max_length(Kep, "city"),
    "phone": _max_length(Kep, "phone"),
    "email": _max_length(Kep, "email"),
    "protocol_email": _max_length(Kep, "protocol_email"),
}


def _validate_row(line: int, raw: Mapping[str, str]) -> tuple[KepRow | None, list[str]]:
    if _FIELD_COUNT in raw:
        return None, [f"has {raw[_FIELD_COUNT]} fields, not as many as the header"]
    values = {name: (raw.get(name) or "").strip() for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS}
    errors: list[str] = []
    missing = [name for name in REQUIRED_VALUES if not values[name]]
    if missing:
        errors.append(f"missing {', '.join(missing)}")
    for name, limit in _LENGTHS.items():
        if len(values[name]) > limit:
            errors.append(f"{name} is longer than {limit} characters")
    if values["code"] and not _KEP_CODE.match(values["code"]):
        errors.append(f"code '{values['code']}' may hold only letters, digits, '.', '-' and '_'")
    if values["municipality_code"]:
        try:
            validate_slug(values["municipality_code"])
        except ValidationError:
            errors.append(
                f"municipality_code '{values['municipality_code']}' must be a slug "
                "(Latin letters, digits, '-' and '_')"
            )
    postal_code = values["postal_code"].replace(" ", "")
    if values["postal_code"] and not re.fullmatch(r"\d{5}", postal_code):
        errors.append(f"postal_code '{values['postal_code']}' is not 5 digits")
    if values["phone"] and not _PHONE.match(values["phone"]):
        errors.append(f"phone '{values['phone']}' is not a telephone number")
    for name in ("email", "protocol_email"):
        if values[name]:
            try:
                validate_email(values[name])
            except ValidationError:
                errors.append(f"{name} '{values[name]}' is not a valid e-mail address")
    flags: dict[str, bool | None] = {}
    for name in ("is_kep_eke", "is_active"):
        flags[name] = _parse_bool(values[name]) if values[name] else None
        if values[name] and flags[name] is None:
            errors.append(f"{name} '{values[name]}' is not one of 1/0, true/false, ναι/όχι")
    hours: Hours | None = None
    if values["hours"]:
        try:
            hours = parse_weekly_hours(values["hours"])
        except ValueError as exc:
            errors.append(f"hours: {exc}")
    if errors:
        return None, errors
    return (
        KepRow(
            line=line,
            code=values["code"],
            municipality_code=values["municipality_code"],
            municipality_name_el=values["municipality_name_el"],
            municipality_name_en=values["municipality_name_en"],
            name_el=values["name_el"],
            name_en=values["name_en"],
            address=values["address"],
            postal_code=postal_code,
            city=values["city"],
            phone=values["phone"],
            email=values["email"],
            protocol_email=values["protocol_email"],
            is_kep_eke=bool(flags["is_kep_eke"]),
            is_active=bool(flags["is_active"]),
            hours=hours,
        ),
        [],
    )


def validate_kep_rows(*, rows: Iterable[tuple[int, Mapping[str, str]]]) -> list[KepRow]:
    """Check every row and the rows against each other and the database; all problems at once."""
    problems: list[RowProblem] = []
    valid: list[KepRow] = []
    first_line_of_code: dict[str, int] = {}
    municipality_names: dict[str, tuple[int, str, str]] = {}
    municipality_of_name: dict[str, tuple[int, str]] = {}
    for line, raw in rows:
        row, errors = _validate_row(line, raw)
        problems += [RowProblem(line, error) for error in errors]
        if row is None:
            continue
        if row.code in first_line_of_code:
            problems.append(
                RowProblem(
                    line,
                    f"KEP code {row.code} already appears on line {first_line_of_code[row.code]}",
                )
            )
            continue
        first_line_of_code[row.code] = line
        names = (row.municipality_name_el, row.municipality_name_en)
        seen = municipality_names.setdefault(row.municipality_code, (line, *names))
        if seen[1:] != names:
            problems.append(
                RowProblem(
                    line,
                    f"municipality {row.municipality_code} is named differently on line {seen[0]}",
                )
            )
            continue
        other = municipality_of_name.setdefault(
            row.municipality_name_el, (line, row.municipality_code)
        )
        if other[1] != row.municipality_code:
            problems.append(
                RowProblem(
                    line,
                    f"municipality name '{row.municipality_name_el}' is used with code "
                    f"{other[1]} on line {other[0]}",
                )
            )
            continue
        valid.append(row)

    # A municipality's Greek name is unique: it must not belong to another code already.
    taken = dict(
        Municipality.objects.filter(name_el__in=list(municipality_of_name)).values_list(
            "name_el", "code"
        )
    )
    for row in valid:
        owner = taken.get(row.municipality_name_el)
        if owner is not None and owner != row.municipality_code:
            problems.append(
                RowProblem(
                    row.line,
                    f"municipality name '{row.municipality_name_el}' already belongs to "
                    f"municipality {owner}",
                )
            )
    if problems:
        raise KepImportError(sorted(problems, key=lambda p: p.line))
    return valid


# --- Writing ------------------------------------------------------------------------------------


def import_keps_from_csv(
    *,
    file: str | Path | BinaryIO | None = None,
    rows: Iterable[Mapping[str, str]] | None = None,
    dry_run: bool = False,
    actor: Any = None,
) -> ImportResult:
    """Create or update the municipalities and KEPs of a CSV file, all rows or none.

    Give ``file`` (a path or a binary file) or ``rows`` (mappings of column → text, as if read
    after a header; the first is line 2). Raises ``KepImportError`` listing every problem; then
    nothing is written. ``dry_run`` validates and counts, then rolls back.
    """
    if (file is None) == (rows is None):
        raise TypeError("Give either file or rows.")
    if file is not None:
        numbered = read_kep_csv(file=file)
    else:
        numbered = [(line, dict(row)) for line, row in enumerate(rows or (), start=2)]
        if not numbered:
            raise KepImportError([RowProblem(1, "no rows to import")])
        _check_header([c.strip().lower() for c in numbered[0][1]])
    valid = validate_kep_rows(rows=numbered)

    with transaction.atomic():
        mark_directory_changed()  # bulk writes below bypass the model signals
        municipalities, municipality_changes = _write_municipalities(valid)
        created = updated = unchanged = 0
        existing = {kep.code: kep for kep in Kep.objects.filter(code__in=[r.code for r in valid])}
        for row in valid:
            municipality = municipalities[row.municipality_code]
            kep = existing.get(row.code)
            if kep is None:
                kep = Kep.objects.create(
                    code=row.code, municipality=municipality, **row.kep_fields()
                )
                if row.hours is not None:
                    _replace_hours(kep, row.hours)
                created += 1
                continue
            wanted = {"municipality_id": municipality.id, **row.kep_fields()}
            changed_fields = [name for name, value in wanted.items() if getattr(kep, name) != value]
            for name in changed_fields:
                setattr(kep, name, wanted[name])
            if changed_fields:
                kep.save(update_fields=changed_fields)
            hours_changed = row.hours is not None and _replace_hours(kep, row.hours)
            if changed_fields or hours_changed:
                updated += 1
            else:
                unchanged += 1
        result = ImportResult(
            rows=len(valid),
            created=created,
            updated=updated,
            unchanged=unchanged,
            municipalities_created=municipality_changes[0],
            municipalities_updated=municipality_changes[1],
            dry_run=dry_run,
        )
        if dry_run:
            transaction.set_rollback(True)
        elif created or updated or any(municipality_changes):
            record_event(
                action="keps.imported",
                actor=actor,
                object_type="directory",
                details={
                    "rows": result.rows,
                    "created": created,
                    "updated": updated,
                    "municipalities_created": result.municipalities_created,
                    "municipalities_updated": result.municipalities_updated,
                },
            )
    return result


def _write_municipalities(
    rows: Sequence[KepRow],
) -> tuple[dict[str, Municipality], tuple[int, int]]:
    wanted = {r.municipality_code: (r.municipality_name_el, r.municipality_name_en) for r in rows}
    found = {m.code: m for m in Municipality.objects.filter(code__in=list(wanted))}
    created = updated = 0
    for code, (name_el, name_en) in wanted.items():
        municipality = found.get(code)
        if municipality is None:
            found[code] = Municipality.objects.create(code=code, name_el=name_el, name_en=name_en)
            created += 1
        elif (municipality.name_el, municipality.name_en) != (name_el, name_en):
            municipality.name_el, municipality.name_en = name_el, name_en
            municipality.save(update_fields=["name_el", "name_en"])
            updated += 1
    return found, (created, updated)


def _replace_hours(kep: Kep, hours: Hours) -> bool:
    """Set the KEP's weekly hours to exactly ``hours``; True if anything changed."""
    current = tuple(sorted(kep.opening_hours.values_list("weekday", "opens", "closes")))
    if current == hours:
        return False
    kep.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(kep=kep, weekday=day, opens=opens, closes=closes)
        for day, opens, closes in hours
    )
    return True
