"""Names and codes for what an application creates: the municipality's canonical Greek name, the
key applications are compared by, and ASCII codes for the directory and the catalogue."""

from __future__ import annotations

import re
import unicodedata

from keplive.directory.naming import canonical_municipality_name, municipality_name_el

# ELOT 743, simplified: enough for readable ASCII codes ("Δήμος Κω" → "ko").
_DIGRAPHS = {"ου": "ou", "μπ": "b", "ντ": "nt", "γκ": "gk", "αι": "ai", "ει": "ei", "οι": "oi"}
_LETTERS = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        "a v g d e z i th i k l m n x o p r s s t y f ch ps o".split(),  # noqa: SIM905
        strict=True,
    )
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_PREFIX = re.compile(r"^\s*δ[ηή]μο[σς]\s+", re.IGNORECASE)


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def genitive_name(raw: str) -> str:
    """The official genitive name: "ΔΗΜΟΣ Κω", "Δήμος Κω" and "Κω" all give "Κω"."""
    return canonical_municipality_name(_PREFIX.sub("", raw.strip()))


def stored_municipality_name(raw: str) -> str:
    """How the directory writes the name: "Κω" or "Δήμος Κω" → "Δήμος Κω"."""
    return municipality_name_el(genitive_name(raw))


def name_key(raw: str) -> str:
    """What two names of one municipality have in common, however a person typed them."""
    return without_accents(genitive_name(raw)).casefold().replace("ς", "σ")


def slug_code(text: str, *, max_length: int = 48) -> str:
    """An ASCII code from Greek or Latin text: "Δήμος Κω" → "dimos-ko"."""
    lowered = without_accents(text).casefold()
    for greek, latin in _DIGRAPHS.items():
        lowered = lowered.replace(greek, latin)
    latin = "".join(_LETTERS.get(ch, ch) for ch in lowered)
    return _NOT_SLUG.sub("-", latin).strip("-")[:max_length].strip("-") or "x"
