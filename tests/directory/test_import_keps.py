"""Importing a KEP directory from CSV: all rows or none, every problem with its line number."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from keplive.audit.models import AuditEvent
from keplive.directory.importing import (
    KepImportError,
    import_keps_from_csv,
    parse_weekly_hours,
)
from keplive.directory.models import Kep, Municipality, OpeningHours, Weekday

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "keps.csv"
HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]


def example_lines() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").splitlines()


def write(tmp_path: Path, lines: list[str], name: str = "keps.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_keps", *args, stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(Municipality.objects.values_list("code", "name_el")),
        sorted(Kep.objects.values_list("code", "name_el", "postal_code", "is_active")),
        sorted(OpeningHours.objects.values_list("kep__code", "weekday", "opens", "closes")),
    )


def row(**changes: str) -> dict[str, str]:
    """A valid row as a mapping, with ``changes`` applied."""
    values = {
        "code": "0950",
        "municipality_code": "volou",
        "municipality_name_el": "Δήμος Βόλου",
        "municipality_name_en": "Municipality of Volos",
        "name_el": "ΚΕΠ Δήμου Βόλου",
        "name_en": "KEP of Volos",
        "address": "Ερμού 85",
        "postal_code": "38221",
        "city": "Βόλος",
        "phone": "2421050000",
        "email": "kep.0950@demo.keplive.gr",
        "protocol_email": "protocol@volou.demo.keplive.gr",
        "is_kep_eke": "0",
        "is_active": "1",
        "hours": "Mon-Fri 07:30-15:00",
    }
    return values | changes


def problems_of(**changes: str) -> list[str]:
    with pytest.raises(KepImportError) as caught:
        import_keps_from_csv(rows=[row(**changes)])
    return [str(p) for p in caught.value.problems]


# --- The command on files -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_example_file_imports_its_municipalities_keps_and_hours():
    output = run(str(EXAMPLE))

    assert "validated 5 rows" in output
    assert "imported: 5 created, 0 updated" in output
    assert Municipality.objects.count() == 3
    assert Kep.objects.count() == 5
    patras = Kep.objects.get(code="0901")
    assert patras.is_kep_eke
    assert patras.is_active
    assert patras.municipality.name_el == "Δήμος Πατρέων"
    assert patras.opening_hours.count() == 7
    assert patras.opening_hours.filter(weekday=Weekday.THURSDAY, opens=dt.time(17)).exists()
    assert Kep.objects.get(code="0903").opening_hours.filter(weekday=Weekday.SATURDAY).exists()
    assert not Kep.objects.get(code="0904").is_kep_eke
    assert Kep.objects.get(code="0904").opening_hours.count() == 0
    assert Kep.objects.get(code="0905").opening_hours.count() == 5  # "Δευ-Παρ"


@pytest.mark.django_db
def test_a_bad_row_at_line_4_is_reported_and_nothing_is_written(tmp_path):
    run(str(EXAMPLE))
    before = snapshot()
    lines = example_lines()
    lines[1] = lines[1].replace("ΚΕΠ Δήμου Πατρέων – Κεντρικό", "Μετονομασία")  # a valid change
    lines[3] = lines[3].replace("38221", "3822")  # line 4: a four-digit postal code
    lines.append(lines[5].replace("kep.0905@", "kep.0906").replace("0905", "0906"))  # line 7

    with pytest.raises(CommandError) as caught:
        run(str(write(tmp_path, lines)))

    message = str(caught.value)
    assert "Nothing imported: 2 problems" in message
    assert "line 4: postal_code '3822' is not 5 digits" in message
    assert "line 7: email 'kep.0906demo.keplive.gr' is not a valid e-mail address" in message
    assert snapshot() == before


@pytest.mark.django_db
def test_a_bad_row_in_a_fresh_directory_leaves_it_empty(tmp_path):
    lines = example_lines()
    lines[3] = lines[3].replace(",false,true,", ",maybe,true,")

    with pytest.raises(CommandError, match="line 4: is_kep_eke 'maybe' is not one of"):
        run(str(write(tmp_path, lines)))

    assert Municipality.objects.count() == 0
    assert Kep.objects.count() == 0
    assert OpeningHours.objects.count() == 0


@pytest.mark.django_db
def test_a_dry_run_validates_and_counts_but_writes_nothing():
    output = run(str(EXAMPLE), "--dry-run")

    assert "validated 5 rows" in output
    assert "would have imported: 5 created" in output
    assert Municipality.objects.count() == 0
    assert Kep.objects.count() == 0
    assert not AuditEvent.objects.filter(action="keps.imported").exists()


@pytest.mark.django_db
def test_reimporting_updates_changed_keps_and_hours_and_leaves_the_rest(tmp_path):
    run(str(EXAMPLE))
    lines = example_lines()
    lines[2] = lines[2].replace("Αγίου Νικολάου 12", "Αγίου Νικολάου 14")
    lines[5] = lines[5].replace("Δευ-Παρ 07:30-15:00", "Mon-Fri 08:00-14:00")

    output = run(str(write(tmp_path, lines)))

    assert "imported: 0 created, 2 updated, 3 unchanged KEPs" in output
    assert Kep.objects.get(code="0902").address == "Αγίου Νικολάου 14"
    assert set(Kep.objects.get(code="0905").opening_hours.values_list("opens", "closes")) == {
        (dt.time(8), dt.time(14))
    }
    assert Kep.objects.count() == 5


@pytest.mark.django_db
def test_an_import_that_changes_something_is_audited():
    run(str(EXAMPLE))
    run(str(EXAMPLE))

    events = AuditEvent.objects.filter(action="keps.imported")
    assert events.count() == 1
    assert events.get().details["created"] == 5


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_gets_a_clear_error(tmp_path):
    path = tmp_path / "latin.csv"
    text = "\n".join(example_lines()[:3]) + "\n"
    path.write_bytes(text.encode("cp1253"))  # Greek Windows, as Excel saves it

    with pytest.raises(CommandError, match=r"line 2: the file is not UTF-8 text"):
        run(str(path))
    assert Kep.objects.count() == 0


@pytest.mark.django_db
def test_a_file_missing_a_column_names_the_column(tmp_path):
    lines = [line.split(",", 1)[1] for line in example_lines()[:2]]  # drop "code"

    with pytest.raises(CommandError, match=r"line 1: missing columns: code"):
        run(str(write(tmp_path, lines)))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (HEADER.encode() + b"\n", "the file has a header but no rows"),
        (HEADER.encode() + b",fax\n", "line 1: unknown columns: fax"),
    ],
)
def test_empty_or_odd_files_get_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=expected):
        run(str(path))


@pytest.mark.django_db
def test_a_missing_file_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run(str(tmp_path / "nowhere.csv"))


@pytest.mark.django_db
def test_a_file_with_a_byte_order_mark_and_windows_line_ends_imports(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(example_lines()).encode() + b"\r\n")

    assert "imported: 5 created" in run(str(path))


@pytest.mark.django_db
def test_a_row_with_too_few_fields_is_reported(tmp_path):
    lines = example_lines()[:3]
    lines[2] = lines[2].rsplit(",", 3)[0]

    with pytest.raises(CommandError, match=r"line 3: has 12 fields"):
        run(str(write(tmp_path, lines)))


# --- The service on rows ------------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_can_be_given_directly_and_the_result_counts_them():
    result = import_keps_from_csv(rows=[row(), row(code="0951", hours="")])

    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    assert result.municipalities_created == 1
    assert Kep.objects.get(code="0951").opening_hours.count() == 0


@pytest.mark.django_db
def test_a_postal_code_written_with_a_space_is_normalised():
    import_keps_from_csv(rows=[row(postal_code="382 21")])

    assert Kep.objects.get(code="0950").postal_code == "38221"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name_el": ""}, "line 2: missing name_el"),
        ({"email": "not-an-address"}, "line 2: email 'not-an-address' is not a valid e-mail"),
        ({"protocol_email": "x@"}, "line 2: protocol_email 'x@' is not a valid e-mail"),
        ({"postal_code": "ABCDE"}, "line 2: postal_code 'ABCDE' is not 5 digits"),
        ({"is_active": "perhaps"}, "line 2: is_active 'perhaps' is not one of"),
        ({"hours": "Mon-Fri 7.30-15"}, "line 2: hours: '7.30-15' is not a time range"),
        ({"hours": "Mon-Fri 15:00-07:30"}, "line 2: hours: '15:00-07:30' closes before it opens"),
        ({"hours": "Fri-Mon 08:00-12:00"}, "line 2: hours: day range 'Fri-Mon' runs backwards"),
        ({"hours": "Funday 08:00-12:00"}, "line 2: hours: unknown days 'Funday'"),
        ({"municipality_code": "Βόλος"}, "line 2: municipality_code 'Βόλος' must be a slug"),
        ({"phone": "call us"}, "line 2: phone 'call us' is not a telephone number"),
    ],
)
def test_each_kind_of_bad_value_is_named(changes, expected):
    problems = problems_of(**changes)

    assert any(p.startswith(expected) for p in problems), problems
    assert Kep.objects.count() == 0


@pytest.mark.django_db
def test_greek_boolean_words_are_understood():
    import_keps_from_csv(rows=[row(is_kep_eke="ΝΑΙ", is_active="όχι")])

    kep = Kep.objects.get(code="0950")
    assert kep.is_kep_eke is True
    assert kep.is_active is False


@pytest.mark.django_db
def test_a_kep_code_repeated_in_the_file_is_reported_at_its_second_line():
    with pytest.raises(KepImportError) as caught:
        import_keps_from_csv(rows=[row(), row(name_el="Άλλο")])

    assert [str(p) for p in caught.value.problems] == [
        "line 3: KEP code 0950 already appears on line 2"
    ]


@pytest.mark.django_db
def test_one_municipality_code_with_two_names_is_reported():
    with pytest.raises(KepImportError, match="line 3: municipality volou is named differently"):
        import_keps_from_csv(rows=[row(), row(code="0951", municipality_name_el="Δήμος Βόλου 2")])


@pytest.mark.django_db
def test_a_municipality_name_owned_by_another_code_is_reported():
    Municipality.objects.create(code="volos", name_el="Δήμος Βόλου", name_en="Volos")

    with pytest.raises(KepImportError, match="already belongs to municipality volos"):
        import_keps_from_csv(rows=[row()])


@pytest.mark.django_db
def test_every_bad_row_is_listed_in_line_order():
    rows = [row(), row(code="0951", email="bad"), row(code="0952"), row(code="0953", city="")]

    with pytest.raises(KepImportError) as caught:
        import_keps_from_csv(rows=rows)

    assert [p.line for p in caught.value.problems] == [3, 5]


# --- Weekly hours -------------------------------------------------------------------------------


def test_weekly_hours_accept_ranges_lists_and_split_shifts():
    hours = parse_weekly_hours(
        "Mon-Fri 07:30-15:00; Tue,Thu 17:00-20:00; Sat 08:00-10:00, 11:00-13:00"
    )

    assert len(hours) == 5 + 2 + 2
    assert (Weekday.TUESDAY, dt.time(17), dt.time(20)) in hours
    assert (Weekday.SATURDAY, dt.time(11), dt.time(13)) in hours
    assert hours == tuple(sorted(hours))


def test_weekly_hours_accept_greek_days_and_en_dashes():
    assert parse_weekly_hours("Δευ–Τετ 08:00–14:00") == tuple(
        (day, dt.time(8), dt.time(14)) for day in (0, 1, 2)
    )


@pytest.mark.parametrize(
    "text",
    ["Mon-Fri 08:00-12:00; Mon 11:00-13:00", "Mon 25:00-26:00", "Mon-Fri", "; ;", "08:00-12:00"],
)
def test_weekly_hours_reject_overlaps_impossible_times_and_missing_parts(text):
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies with the mistake
        parse_weekly_hours(text)
