"""Alphabetical order as people read it, in Greek or English (issue 14, item 10).

The database orders by code point, which puts «Έδεσσας» (Έ, U+0388) before «Αθηνών» (Α, U+0391),
and final sigma before sigma. ``alphabetical`` sorts by the name as shown in the active
language, compared without accents and case, with final sigma as sigma; Latin letters (an
English list, or a Latin code inside a Greek name) keep their own order. Ties keep the exact
spelling's order, so the result is stable from one request to the next.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def collation_key(text: str) -> tuple[str, str]:
    """``"Έδεσσας"`` → ``("εδεσσασ", "Έδεσσας")``: accents and case ignored, then the spelling."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ς", "σ")
    return bare.strip(), text


def alphabetical(items: Iterable[T], *, name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by ``name(item)`` (the name shown in the active language)."""
    return sorted(items, key=lambda item: collation_key(str(name(item))))
