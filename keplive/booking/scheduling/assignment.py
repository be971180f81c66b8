"""Choosing an employee for a slot and proposing alternatives."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from datetime import datetime

from ._timeline import require_aware, to_us
from .model import Slot

__all__ = ["choose_employee", "nearest_slots"]


def choose_employee(*, candidates: Sequence[int], booked_minutes: Mapping[int, int]) -> int:
    """Fair assignment (P1): the candidate with the fewest booked minutes.

    A candidate missing from ``booked_minutes`` counts as 0 minutes; ties are
    broken by the lowest employee id, so the choice is deterministic. Raises
    ValueError when there is no candidate.
    """
    if not candidates:
        raise ValueError("choose_employee needs at least one candidate")
    return min(candidates, key=lambda candidate: (booked_minutes.get(candidate, 0), candidate))


def nearest_slots(*, slots: Sequence[Slot], target: datetime, limit: int = 3) -> list[Slot]:
    """The ``limit`` slots whose start is closest in time to ``target``.

    Distance is the absolute real time between ``slot.start`` and ``target``;
    on equal distance the earlier slot wins. The chosen slots are returned
    sorted by start. Used to offer alternatives when the requested time is no
    longer free.
    """
    require_aware(target, "target")
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise TypeError(f"limit must be an int, got {type(limit).__name__}")
    if limit < 0:
        raise ValueError(f"limit must be non-negative, got {limit}")
    if limit == 0 or not slots:
        return []
    target_us = to_us(target)

    def distance(slot: Slot) -> tuple[int, int]:
        start = to_us(slot.start)
        return abs(start - target_us), start

    chosen = heapq.nsmallest(limit, slots, key=distance)
    chosen.sort(key=lambda slot: to_us(slot.start))
    return chosen
