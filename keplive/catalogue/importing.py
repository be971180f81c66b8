"""Import the service catalogue from CSV (the ministry loads the real lists): all rows or none.

The file is UTF-8 (a BOM is accepted), comma-separated, with a header row::

    code,categories,municipality_code,title_el,title_en[,description_el,description_en,
    documents_el,documents_en,remote_servable,alternative_el,alternative_en,is_active]

- ``categories``: the category numbers the service is offered in, separated by ``;`` or ``|``
  (``1;3`` for a procedure of categories 1 and 3, ``2`` for businesses, ``4`` for a municipal
  service). Category 4 stands alone and needs ``municipality_code`` (a municipality already in
  the directory); the other categories take none.
- ``documents_el`` / ``documents_en``: the documents to prepare, separated by ``|``.
- ``remote_servable`` (default yes): ``no`` lists the service with ``alternative_el`` (what to
  do instead, required then) and never books it (C11).
- ``is_active`` (default yes).

Services are matched by ``code``: new ones are created, existing ones updated (their categories
replaced); an imported service is real, no longer a demo sample. Services the file does not name
are left as they are. Every row is validated before anything is written, and every problem is
reported with its line number (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from keplive.audit.services import record_event
from keplive.catalogue.models import Category, CategoryKind, Service
from keplive.directory.importing import FALSE_WORDS, TRUE_WORDS, RowProblem
from keplive.directory.models import Municipality

REQUIRED_COLUMNS = ("code", "categories", "municipality_code", "title_el", "title_en")
OPTIONAL_COLUMNS = (
    "description_el",
    "description_en",
    "documents_el",
    "documents_en",
    "remote_servable",
    "alternative_el",
    "alternative_en",
    "is_active",
)
_FIELD_COUNT = "\0field count"
_CODE_LENGTH = Service._meta.get_field("code").max_length or 80
_TITLE_LENGTH = Service._meta.get_field("title_el").max_length or 250
_TEXT_LENGTH = 4000


class ServiceImportError(Exception):
    """The file cannot be imported. Nothing was written; ``problems`` says why, line by line."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One valid row, normalised."""

    line: int
    code: str
    categories: tuple[int, ...]
    municipality_code: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ServiceImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def read_service_csv(*, file: str | Path | BinaryIO) -> list[tuple[int, dict[str, str]]]:
    """The rows with their line numbers. Raises ``ServiceImportError`` on a bad file."""
    if isinstance(file, str | Path):
        try:
            raw: bytes | str = Path(file).read_bytes()
        except OSError as exc:
            raise ServiceImportError(
                [RowProblem(0, f"cannot read {file}: {exc.strerror}")]
            ) from exc
    else:
        raw = file.read()
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ServiceImportError(
            [RowProblem(line, "the file is not UTF-8 text; save it as CSV UTF-8 and try again")]
        ) from exc
    if not text.strip():
        raise ServiceImportError([RowProblem(1, "the file is empty; a header row is required")])
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        problems = []
        if missing:
            problems.append(RowProblem(1, f"missing columns: {', '.join(missing)}"))
        if unknown:
            problems.append(RowProblem(1, f"unknown columns: {', '.join(unknown)}"))
        if len(set(header)) != len(header):
            problems.append(RowProblem(1, "a column is named twice"))
        if problems:
            raise ServiceImportError(problems)
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            line = reader.line_num
            if len(values) != len(header):
                rows.append((line, {_FIELD_COUNT: str(len(values))}))
                continue
            rows.append((line, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        raise ServiceImportError([RowProblem(reader.line_num, f"not valid CSV: {exc}")]) from exc
    if not rows:
        raise ServiceImportError([RowProblem(1, "the file has a header but no rows")])
    return rows


def _flag(value: str, *, default: bool) -> bool | None:
    word = value.strip().casefold()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _documents(value: str) -> str:
    return "\n".join(part.strip() for part in value.replace("\n", "|").split("|") if part.strip())


def validate_service_rows(
    rows: Sequence[tuple[int, dict[str, str]]],
) -> tuple[list[ServiceRow], list[RowProblem]]:
    """Every row checked; the valid ones normalised, and every problem with its line."""
    municipalities = set(Municipality.objects.values_list("code", flat=True))
    valid: list[ServiceRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        if _FIELD_COUNT in raw:
            problems.append(
                RowProblem(line, f"{raw[_FIELD_COUNT]} fields; the header has a different number")
            )
            continue
        columns = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        value = {name: (raw.get(name) or "").strip() for name in columns}
        row_problems: list[str] = []
        code = value["code"]
        if not code:
            row_problems.append("code is empty")
        else:
            try:
                validate_slug(code)
            except ValidationError:
                row_problems.append(f"code {code!r}: only Latin letters, digits, '-' and '_'")
            if len(code) > _CODE_LENGTH:
                row_problems.append(f"code is longer than {_CODE_LENGTH} characters")
            if code in seen:
                row_problems.append(f"code {code!r} is already on line {seen[code]}")
            else:
                seen[code] = line
        numbers: list[int] = []
        for part in value["categories"].replace("|", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            if not (part.isdigit() and int(part) in CategoryKind.values):
                row_problems.append(f"category {part!r}: the categories are 1, 2, 3 and 4")
            elif int(part) not in numbers:
                numbers.append(int(part))
        municipality = value["municipality_code"]
        if not numbers and not any("category" in p for p in row_problems):
            row_problems.append("categories is empty: give 1, 2, 3 or 4 (e.g. 1;3)")
        if CategoryKind.MUNICIPAL in numbers:
            if len(numbers) > 1:
                row_problems.append("category 4 (municipal services) cannot share a row")
            if not municipality:
                row_problems.append("a municipal service (category 4) needs municipality_code")
            elif municipality not in municipalities:
                row_problems.append(
                    f"municipality {municipality!r} is not in the directory (import_keps first)"
                )
        elif municipality:
            row_problems.append("only municipal services (category 4) take a municipality_code")
        for name in ("title_el", "title_en"):
            if not value[name]:
                row_problems.append(f"{name} is empty")
            elif len(value[name]) > _TITLE_LENGTH:
                row_problems.append(f"{name} is longer than {_TITLE_LENGTH} characters")
        for name in OPTIONAL_COLUMNS:
            if len(value[name]) > _TEXT_LENGTH:
                row_problems.append(f"{name} is longer than {_TEXT_LENGTH} characters")
        remote = _flag(value["remote_servable"], default=True)
        active = _flag(value["is_active"], default=True)
        for name, flag in (("remote_servable", remote), ("is_active", active)):
            if flag is None:
                row_problems.append(f"{name} {value[name]!r}: write yes or no")
        if remote is False and not value["alternative_el"]:
            row_problems.append(
                "a service that cannot be served remotely needs alternative_el (what to do instead)"
            )
        if row_problems:
            problems.extend(RowProblem(line, message) for message in row_problems)
            continue
        valid.append(
            ServiceRow(
                line=line,
                code=code,
                categories=tuple(numbers),
                municipality_code=municipality,
                fields={
                    "title_el": value["title_el"],
                    "title_en": value["title_en"],
                    "description_el": value["description_el"],
                    "description_en": value["description_en"],
                    "documents_el": _documents(value["documents_el"]),
                    "documents_en": _documents(value["documents_en"]),
                    "remote_servable": bool(remote),
                    "alternative_el": value["alternative_el"],
                    "alternative_en": value["alternative_en"],
                    "is_active": bool(active),
                    "is_sample": False,
                },
            )
        )
    return valid, problems


def import_services_from_csv(
    *, file: str | Path | BinaryIO, dry_run: bool = False
) -> ServiceImportResult:
    """Create or update every service of the file, in one transaction, or nothing at all."""
    rows = read_service_csv(file=file)
    valid, problems = validate_service_rows(rows)
    if problems:
        raise ServiceImportError(problems)
    created = updated = unchanged = 0
    with transaction.atomic():
        municipality_ids = dict(Municipality.objects.values_list("code", "id"))
        categories = {category.number: category for category in Category.objects.all()}
        existing = {
            service.code: service
            for service in Service.objects.filter(
                code__in=[row.code for row in valid]
            ).prefetch_related("categories")
        }
        for row in valid:
            fields = row.fields | {
                "municipality_id": municipality_ids.get(row.municipality_code)
                if row.municipality_code
                else None
            }
            service = existing.get(row.code)
            if service is None:
                service = Service.objects.create(code=row.code, **fields)
                created += 1
            else:
                same_fields = all(getattr(service, name) == v for name, v in fields.items())
                same_categories = {c.pk for c in service.categories.all()} == set(row.categories)
                if same_fields and same_categories:
                    unchanged += 1
                    continue
                for name, new in fields.items():
                    setattr(service, name, new)
                service.save()
                updated += 1
            service.categories.set([categories[number] for number in row.categories])
        record_event(
            action="catalogue.imported",
            object_type="catalogue",
            object_id="services",
            details={"rows": len(valid), "created": created, "updated": updated},
        )
        if dry_run:
            transaction.set_rollback(True)
    return ServiceImportResult(
        rows=len(valid), created=created, updated=updated, unchanged=unchanged, dry_run=dry_run
    )
