"""Importing the service catalogue from CSV (issue 14, item 8): all rows or none, every problem
with its line number, services per category and municipality, imported services no longer
demo samples."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from keplive.audit.models import AuditEvent
from keplive.catalogue.importing import ServiceImportError, import_services_from_csv
from keplive.catalogue.models import Service
from tests.factories import MunicipalityFactory, ServiceFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "services.csv"
HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture(autouse=True)
def volos():
    return MunicipalityFactory(code="volou")


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "services.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_services", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return sorted(
        (s.code, s.title_el, s.municipality_id, tuple(sorted(c.pk for c in s.categories.all())))
        for s in Service.objects.prefetch_related("categories")
    )


def test_the_example_file_imports_services_per_category_and_municipality(volos):
    before = Service.objects.count()
    output = run(str(EXAMPLE))
    assert "5 created" in output
    assert Service.objects.count() == before + 5
    family = Service.objects.get(code="family-status-certificate")
    assert sorted(c.pk for c in family.categories.all()) == [1, 3]
    assert family.documents_el.splitlines()[0].startswith("Δελτίο αστυνομικής ταυτότητας")
    assert len(family.documents_el.splitlines()) == 2
    parking = Service.objects.get(code="volou-parking-permit")
    assert parking.municipality == volos
    assert [c.pk for c in parking.categories.all()] == [4]
    passport = Service.objects.get(code="passport-issue")
    assert not passport.remote_servable
    assert passport.alternative_el.startswith("Κλείστε ραντεβού")
    assert not Service.objects.filter(is_sample=True, code__in=["volou-parking-permit"]).exists()
    assert AuditEvent.objects.filter(action="catalogue.imported").count() == 1


def test_reimporting_updates_a_sample_into_the_real_entry_and_leaves_the_rest(tmp_path):
    ServiceFactory(code="licensing-info-food-shop", title_el="Παλιός τίτλος", is_sample=True)
    untouched = ServiceFactory(code="not-in-the-file")
    output = run(str(EXAMPLE))
    assert "4 created, 1 updated" in output
    real = Service.objects.get(code="licensing-info-food-shop")
    assert real.title_el.startswith("Πληροφόρηση για αδειοδότηση")
    assert not real.is_sample
    assert [c.pk for c in real.categories.all()] == [2]
    assert Service.objects.filter(pk=untouched.pk).exists()
    assert "5 unchanged" in run(str(EXAMPLE))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("bad code!,1,,Τίτλος,Title", "only Latin letters"),
        ("x-1,5,,Τίτλος,Title", "the categories are 1, 2, 3 and 4"),
        ("x-1,,,Τίτλος,Title", "categories is empty"),
        ("x-1,4,,Τίτλος,Title", "needs municipality_code"),
        ("x-1,4,nowhere,Τίτλος,Title", "is not in the directory"),
        ("x-1,1;4,volou,Τίτλος,Title", "cannot share a row"),
        ("x-1,1,volou,Τίτλος,Title", "only municipal services"),
        ("x-1,1,,,Title", "title_el is empty"),
    ],
)
def test_each_bad_row_is_named_by_its_line_and_nothing_is_written(tmp_path, line, message):
    lines = [
        "code,categories,municipality_code,title_el,title_en",
        "good-one,1;3,,Καλή υπηρεσία,A good service",
        line,
    ]
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run(str(write(tmp_path, lines)))
    assert "line 3: " in str(refused.value)
    assert message in str(refused.value)
    assert snapshot() == before  # the good line 2 was not written either


def test_every_problem_is_listed_at_once(tmp_path):
    lines = [
        "code,categories,municipality_code,title_el,title_en,remote_servable",
        "a,1,,Α,A,maybe",
        "b,1,,Β,B,no",
        "a,2,,Γ,C,yes",
        "c,1,,Δ",
    ]
    with pytest.raises(ServiceImportError) as refused:
        import_services_from_csv(file=write(tmp_path, lines))
    text = [str(problem) for problem in refused.value.problems]
    assert any(p.startswith("line 2:") and "remote_servable" in p for p in text)
    assert any(p.startswith("line 3:") and "alternative_el" in p for p in text)
    assert any(p.startswith("line 4:") and "already on line 2" in p for p in text)
    assert any(p.startswith("line 5:") and "fields" in p for p in text)


def test_a_dry_run_validates_and_counts_but_writes_nothing():
    before = snapshot()
    assert "would have imported: 5 created" in run(str(EXAMPLE), "--dry-run")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"code,categories\n", "missing columns"),
        (HEADER.encode() + b"\n", "a header but no rows"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        ((HEADER + ",colour\n").encode(), "unknown columns: colour"),
    ],
)
def test_odd_files_get_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        run(str(path))
    assert expected in str(refused.value)


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path):
    with pytest.raises(CommandError) as refused:
        run(str(tmp_path / "nowhere.csv"))
    assert "cannot read" in str(refused.value)
