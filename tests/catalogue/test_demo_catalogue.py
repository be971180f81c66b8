"""The demo service catalogue: real procedure names, five services per municipality."""

from __future__ import annotations

import re
from collections import Counter

from keplive.catalogue import demo_data
from keplive.catalogue.demo import plan_demo_catalogue
from keplive.catalogue.models import Service
from keplive.directory import demo_data as directory_data

CODE_MAX = Service._meta.get_field("code").max_length


def test_categories_1_and_3_share_52_distinct_procedures_with_documents():
    procedures = demo_data.PROCEDURES
    assert len(procedures) == 52
    assert len({p.slug for p in procedures}) == 52
    assert len({p.title_el for p in procedures}) == 52
    assert len({p.title_en for p in procedures}) == 52
    for procedure in procedures:
        assert procedure.description_el
        assert procedure.description_en
        assert procedure.documents_el
        assert len(procedure.documents_el) == len(procedure.documents_en)
        assert not procedure.alternative_el


def test_the_catalogue_carries_the_procedures_named_in_the_brief():
    titles = {p.title_el for p in demo_data.PROCEDURES}
    assert {
        "Έκδοση πιστοποιητικού οικογενειακής κατάστασης",
        "Έκδοση αντιγράφου ποινικού μητρώου γενικής χρήσης",
        "Χορήγηση ληξιαρχικής πράξης γέννησης",
        "Έκδοση πιστοποιητικού εγγυτέρων συγγενών",
        "Βεβαίωση ασφαλιστικής ενημερότητας",
        "Έκδοση Ευρωπαϊκής Κάρτας Ασφάλισης Ασθένειας (ΕΚΑΑ)",
        "Έκδοση πιστοποιητικού στρατολογικής κατάστασης τύπου Α",
        "Αίτηση χορήγησης κάρτας αναπηρίας",
        "Αίτηση για έκδοση δελτίου μετακίνησης ΑμεΑ",
    } <= titles


def test_procedures_that_need_presence_say_what_to_do_instead_in_both_languages():
    in_person = demo_data.IN_PERSON_PROCEDURES
    assert 5 <= len(in_person) <= 8
    assert "Θεώρηση γνησίου υπογραφής" in {p.title_el for p in in_person}
    for procedure in in_person:
        assert len(procedure.alternative_el) > 40
        assert len(procedure.alternative_en) > 40
    remote_titles = {p.title_el for p in demo_data.PROCEDURES}
    assert not remote_titles & {p.title_el for p in in_person}


def test_businesses_get_12_certificates_and_licensing_information():
    assert len(demo_data.BUSINESS_CERTIFICATES) == 12
    assert len({p.title_el for p in demo_data.BUSINESS_CERTIFICATES}) == 12
    assert len(demo_data.BUSINESS_LICENSING_INFO) >= 8
    assert all(p.title_el.startswith("Πληροφόρηση") for p in demo_data.BUSINESS_LICENSING_INFO)


def test_every_municipality_gets_exactly_five_services_of_its_own():
    plans = plan_demo_catalogue()
    municipal = [p for p in plans if p.municipality_code]
    per_municipality = Counter(p.municipality_code for p in municipal)
    assert set(per_municipality) == {m.code for m in directory_data.MUNICIPALITIES}
    assert set(per_municipality.values()) == {5}
    assert all(p.categories == (4,) for p in municipal)
    assert all(p.code.startswith(f"{p.municipality_code}-") for p in municipal)
    athens = [p for p in municipal if p.municipality_code == "athinaion"]
    assert all("{" not in p.description_el + p.description_en for p in athens)
    assert all("Δήμου Αθηναίων" in p.description_el for p in athens)


def test_municipalities_do_not_all_offer_the_same_five_services():
    plans = plan_demo_catalogue()
    offers = Counter(
        frozenset(p.code.split("-", 1)[1] for p in plans if p.municipality_code == m.code)
        for m in directory_data.MUNICIPALITIES
    )
    assert len(offers) > 20


def test_service_codes_are_unique_stable_ascii_slugs():
    plans = plan_demo_catalogue()
    codes = [p.code for p in plans]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z0-9-]+", code) and len(code) <= CODE_MAX for code in codes)
    assert plan_demo_catalogue() == plans


def test_only_the_in_person_procedures_are_not_remote_servable():
    plans = plan_demo_catalogue()
    not_remote = [p for p in plans if not p.remote_servable]
    assert {p.code for p in not_remote} == {p.slug for p in demo_data.IN_PERSON_PROCEDURES}
    assert all(p.alternative_el and p.alternative_en for p in not_remote)
    assert all(p.categories == (1, 3) for p in not_remote)
