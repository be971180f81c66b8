"""Municipalities' names as people write them: the seeds' spellings, the applications of
municipalities to join, an import file. Production code (onboarding, importing) and the demo
both normalise through here."""

from __future__ import annotations

import re

# Seed spellings (after dash and bracket clean-up) → the municipality's official genitive name.
NAME_ALIASES = {
    "Ελληνικού": "Ελληνικού – Αργυρούπολης",
    "Αμπελοκήπων Μενεμένης": "Αμπελοκήπων – Μενεμένης",
    "Νεάπολης – Συκέων": "Νεάπολης – Συκεών",
    "Χαλκιδαιών": "Χαλκιδέων",
    "Χαλκιδαίων": "Χαλκιδέων",
    "Βριλησσιών": "Βριλησσίων",
    "Βριλησίων": "Βριλησσίων",
    "Αγίων Αναργύρων": "Αγίων Αναργύρων – Καματερού",
    "Άρτας": "Αρταίων",
    "Ξυλοκάστρου": "Ξυλοκάστρου – Ευρωστίνης",
    "Αργινίου": "Αγρινίου",
    "Κεντρικής Κέρκυρας": "Κεντρικής Κέρκυρας και Διαποντίων Νήσων",
    "Μίνωα Πεδιάδας": "Μινώα Πεδιάδας",
    "Ακτίου Βόνιτσας": "Ακτίου – Βόνιτσας",
    "Γ. Καραισκάκη": "Γεωργίου Καραϊσκάκη",
    "Διδυμότειχου": "Διδυμοτείχου",
    "Μαρκοπούλου": "Μαρκοπούλου Μεσογαίας",
    "Μονεμβασιάς": "Μονεμβασίας",
    "Νικ. Σκουφά": "Νικολάου Σκουφά",
}

_DASH = re.compile(r"\s*[-–—]\s*")
_SPACE = re.compile(r"\s+")


def canonical_municipality_name(raw: str) -> str:
    """The official genitive name ("Αθηναίων") of a municipality as a seed or a person wrote it."""
    name = raw.strip()
    name = name.removeprefix("Δήμος ").strip()
    name = name.replace("(", " ").replace(")", " ")
    name = _DASH.sub(" – ", name)
    name = _SPACE.sub(" ", name).strip()
    return NAME_ALIASES.get(name, name)


def municipality_name_el(genitive: str) -> str:
    """The stored Greek name: "Δήμος Αθηναίων"."""
    return f"Δήμος {genitive}"
