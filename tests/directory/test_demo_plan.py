"""The demo directory plan: the seed municipalities, realistic KEPs and staff, deterministic."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from keplive.accounts.models import Role
from keplive.directory import demo_data, naming
from keplive.directory.demo import (
    EMPLOYEE_TARGET,
    afm_with_check_digit,
    municipality_joined_on,
    plan_demo_directory,
)
from keplive.directory.models import Weekday

TODAY = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture(scope="module")
def plan():
    return plan_demo_directory(today=TODAY)


def all_seed_names() -> list[str]:
    return [name for _, names in demo_data.SEED_LISTS for name in names]


def test_the_seed_lists_have_the_sizes_the_seeds_announce():
    sizes = [len(names) for _, names in demo_data.SEED_LISTS]
    assert sizes == [38, 34, 40]
    assert len(demo_data.MANUAL_2020_07) == 38


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Ηρακλείου(Αττικής)", "Ηρακλείου Αττικής"),
        ("Λυκόβρυσης-Πεύκης", "Λυκόβρυσης – Πεύκης"),
        ("Δήμος Βάρης- Βούλας – Βουλιαγμένης", "Βάρης – Βούλας – Βουλιαγμένης"),
        ("Αργινίου", "Αγρινίου"),
        ("Γ. Καραισκάκη", "Γεωργίου Καραϊσκάκη"),
        ("Δήμος Χαλκιδαίων", "Χαλκιδέων"),
        ("  Δήμος   Αθηναίων ", "Αθηναίων"),
    ],
)
def test_seed_spellings_resolve_to_the_official_name(raw, canonical):
    assert naming.canonical_municipality_name(raw) == canonical


def test_every_seed_municipality_has_exactly_one_demo_row():
    genitives = [m.genitive for m in demo_data.MUNICIPALITIES]
    assert len(genitives) == len(set(genitives))
    canonical = {naming.canonical_municipality_name(n) for n in all_seed_names()}
    assert canonical == set(genitives)
    assert len(canonical) == 112


def test_the_manual_names_the_same_municipalities_as_the_annex():
    annex = {naming.canonical_municipality_name(n) for n in demo_data.ANNEX_2020_07_21}
    manual = {naming.canonical_municipality_name(n) for n in demo_data.MANUAL_2020_07}
    assert manual == annex


def test_municipalities_join_on_the_date_of_the_first_list_naming_them():
    joined = municipality_joined_on()
    assert joined["Αχαρνών"] == dt.date(2020, 7, 21)
    assert joined["Αθηναίων"] == dt.date(2020, 11, 10)
    assert joined["Καλαμαριάς"] == dt.date(2020, 11, 23)


def test_municipality_codes_are_ascii_slugs_and_names_follow_one_convention(plan):
    codes = [m["code"] for m in plan.municipalities]
    assert len(codes) == len(set(codes))
    for municipality in plan.municipalities:
        assert re.fullmatch(r"[a-z0-9-]+", municipality["code"])
        assert municipality["name_el"].startswith("Δήμος ")
        assert municipality["name_en"].startswith("Municipality of ")
        assert municipality["region"]


def test_every_municipality_has_a_kep_and_the_total_is_about_180(plan):
    per_municipality = Counter(k.municipality_code for k in plan.keps)
    assert set(per_municipality) == {m["code"] for m in plan.municipalities}
    assert len(plan.keps) == 180
    assert per_municipality["athinaion"] >= 5
    for big in ("peristeriou", "kalamarias", "larisaion", "lamieon", "kalamatas", "kozanis"):
        assert per_municipality[big] >= 3


def test_exactly_nine_keps_are_kep_eke_each_the_main_kep_of_a_large_municipality(plan):
    eke = [k for k in plan.keps if k.is_kep_eke]
    assert len(eke) == 9
    assert all(k.is_main for k in eke)
    assert {k.municipality_code for k in eke} == set(demo_data.KEP_EKE_MUNICIPALITIES)


def test_kep_contact_details_are_plausible_and_on_the_demo_domain(plan):
    codes = [k.code for k in plan.keps]
    assert len(set(codes)) == len(codes)
    for kep in plan.keps:
        assert re.fullmatch(r"\d{4}", kep.code)
        assert re.fullmatch(r"\d{5}", kep.postal_code)
        assert re.fullmatch(r"2\d{9}", kep.phone)
        assert re.fullmatch(r".+\D \d{1,3}", kep.address)
        assert kep.email == f"kep.{kep.code}@demo.keplive.gr"
        assert kep.protocol_email == f"protocol@{kep.municipality_code}.demo.keplive.gr"


def test_most_keps_open_weekday_mornings_some_evenings_and_saturdays(plan):
    weekday_mornings = {(day, dt.time(7, 30), dt.time(15, 0)) for day in range(5)}
    assert all(weekday_mornings <= set(k.hours) for k in plan.keps)
    evenings = [k for k in plan.keps if (Weekday.TUESDAY, dt.time(17), dt.time(20)) in k.hours]
    saturdays = [k for k in plan.keps if any(day == Weekday.SATURDAY for day, *_ in k.hours)]
    assert 5 <= len(evenings) <= 35
    assert 1 <= len(saturdays) <= 15


def test_there_are_870_employees_three_to_eight_per_kep(plan):
    assert len(plan.employees) == EMPLOYEE_TARGET == 870
    per_kep = Counter(e.kep_code for e in plan.employees)
    assert set(per_kep) == {k.code for k in plan.keps}
    assert min(per_kep.values()) >= 3
    assert max(per_kep.values()) <= 8
    main_athens = plan.home_kep_code
    assert per_kep[main_athens] >= 6


def test_employee_usernames_are_kep_code_and_index_with_a_supervisor_per_kep(plan):
    usernames = [e.username for e in plan.employees]
    assert len(set(usernames)) == len(usernames)
    for employee in plan.employees:
        assert re.fullmatch(rf"e{employee.kep_code}-\d\d", employee.username)
    supervisors = Counter(e.kep_code for e in plan.employees if e.role == Role.SUPERVISOR)
    assert set(supervisors) == {k.code for k in plan.keps}
    assert max(supervisors.values()) <= 2


def test_employee_names_use_the_right_surname_form_for_their_first_name(plan):
    female_first = set(demo_data.FEMALE_FIRST_NAMES)
    male_surnames = {male for male, _ in demo_data.SURNAMES}
    female_surnames = {female for _, female in demo_data.SURNAMES}
    genders = Counter()
    for employee in plan.employees:
        female = employee.first_name in female_first
        genders[female] += 1
        assert employee.last_name in (female_surnames if female else male_surnames)
    assert genders[True] > 200
    assert genders[False] > 200


def test_availability_is_weekday_mornings_at_numbered_workstations_some_part_time(plan):
    part_time = 0
    for employee in plan.employees:
        index = int(employee.username.rsplit("-", 1)[1])
        assert [a[0] for a in employee.availability] == list(range(5))
        assert {a[3] for a in employee.availability} == {f"Θέση {index}"}
        assert {a[1] for a in employee.availability} == {dt.time(8, 0)}
        ends = {a[2] for a in employee.availability}
        assert ends in ({dt.time(14, 30)}, {dt.time(11, 30)})
        part_time += ends == {dt.time(11, 30)}
    assert 40 <= part_time <= 150


def test_absences_and_closures_fall_on_weekdays_in_the_coming_weeks(plan):
    absences = [a for e in plan.employees for a in e.absences]
    assert 20 <= len(absences) <= 60
    for starts, ends, reason in absences:
        assert starts.tzinfo is not None
        assert starts.date() > TODAY
        assert starts.date().weekday() < 5
        assert starts < ends <= starts + dt.timedelta(days=7)
        assert reason
    assert plan.exceptions
    for exception in plan.exceptions:
        assert TODAY < exception.date <= TODAY + dt.timedelta(days=50)
        assert exception.date.weekday() < 5
        assert (exception.opens is None) == (exception.closes is None)


def test_every_municipality_has_a_local_holiday_this_year_and_next(plan):
    by_municipality = Counter(h.municipality_code for h in plan.holidays)
    assert set(by_municipality.values()) == {2}
    athens = [h for h in plan.holidays if h.municipality_code == "athinaion"]
    assert [h.date for h in athens] == [dt.date(2026, 10, 3), dt.date(2027, 10, 3)]


def test_the_plan_is_the_same_every_time():
    assert plan_demo_directory(today=TODAY) == plan_demo_directory(today=TODAY)


def test_demo_staff_join_the_athens_central_kep_only_when_asked(plan):
    assert not {e.username for e in plan.employees} & {"demo.employee", "demo.supervisor"}
    with_logins = plan_demo_directory(today=TODAY, with_demo_logins=True)
    demo = {e.username: e for e in with_logins.employees if e.username.startswith("demo.")}
    assert set(demo) == {"demo.employee", "demo.supervisor"}
    assert {e.kep_code for e in demo.values()} == {with_logins.home_kep_code}
    home = next(k for k in with_logins.keps if k.code == with_logins.home_kep_code)
    assert home.municipality_code == "athinaion"
    assert home.name_el == "ΚΕΠ Δήμου Αθηναίων – Κεντρικό"


def _reference_afm_is_valid(afm: str) -> bool:
    digits = [int(c) for c in afm]
    total = sum(d * 2 ** (8 - i) for i, d in enumerate(digits[:8]))
    return len(afm) == 9 and total % 11 % 10 == digits[8]


@pytest.mark.parametrize("first_eight", ["12345678", "02468024", "09000000"])
def test_tax_numbers_get_a_valid_check_digit(first_eight):
    afm = afm_with_check_digit(first_eight)
    assert afm.startswith(first_eight)
    assert _reference_afm_is_valid(afm)


def test_the_published_example_tax_number_is_valid():
    assert afm_with_check_digit("12345678") == "123456783"
