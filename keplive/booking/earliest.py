"""The earliest free time of each KEP per category: computing it live, and keeping the
``EarliestFreeTime`` index fresh.

Live computation looks a few days ahead first and widens the window only for the KEPs that
have nothing free yet, so a busy national directory costs a handful of queries per batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence

from django.db import transaction

from keplive.booking.models import EarliestFreeTime
from keplive.booking.schedule_inputs import (
    LONGEST_BLOCK,
    category_rules,
    kep_schedules,
    local_date,
)
from keplive.booking.scheduling import Interval, Slot, free_days, free_slots, overlaps
from keplive.booking.signals import time_freed
from keplive.catalogue.models import Category
from keplive.directory.models import Kep

# Days from today that each successive look covers.
WINDOWS = ((0, 2), (3, 9), (10, 400))
BATCH = 100


def _serves(kep: Kep, category: Category) -> bool:
    return kep.is_kep_eke or not category.kep_eke_only


def live_earliest(
    *, keps: Sequence[Kep], categories: Sequence[Category], now: dt.datetime
) -> dict[tuple[int, int], Slot | None]:
    """The first free slot of every (KEP, category) pair the KEP can serve, from live data."""
    today = local_date(now)
    found: dict[tuple[int, int], Slot | None] = {}
    pending = {(kep.pk, c.number) for kep in keps for c in categories if _serves(kep, c)}
    by_id = {kep.pk: kep for kep in keps}
    rules = {c.number: category_rules(c) for c in categories}
    horizon = max((c.horizon_days for c in categories), default=0)
    for first, last in WINDOWS:
        if not pending or first > horizon:
            break
        start, end = today + dt.timedelta(days=first), today + dt.timedelta(days=min(last, horizon))
        waiting = sorted({kep_id for kep_id, _ in pending})
        schedules = kep_schedules(keps=[by_id[k] for k in waiting], start=start, end=end, now=now)
        for kep_id, number in sorted(pending):
            schedule = schedules[kep_id]
            days = free_days(
                calendar=schedule.calendar,
                employees=schedule.employees,
                rules=rules[number],
                start=start,
                end=end,
                now=now,
            )
            if days:
                slots = free_slots(
                    calendar=schedule.calendar,
                    employees=schedule.employees,
                    rules=rules[number],
                    start=days[0],
                    end=days[0],
                    now=now,
                )
                found[(kep_id, number)] = slots[0]
                pending.discard((kep_id, number))
    for key in pending:
        found[key] = None
    return found


def refresh_earliest_free_times(
    *,
    keps: Iterable[Kep],
    now: dt.datetime,
    categories: Collection[Category] | None = None,
) -> int:
    """Recompute and store the index rows of ``keps``; returns how many rows were written."""
    chosen = list(categories) if categories is not None else list(Category.objects.all())
    kep_list = list(keps)
    written = 0
    for offset in range(0, len(kep_list), BATCH):
        batch = kep_list[offset : offset + BATCH]
        results = live_earliest(keps=batch, categories=chosen, now=now)
        rows = [
            EarliestFreeTime(
                kep_id=kep_id,
                category_id=number,
                starts_at=slot.start if slot else None,
                refreshed_at=now,
            )
            # In key order, as every writer of these rows: two refreshes never wait on each
            # other's rows in opposite orders (ADR 0012).
            for (kep_id, number), slot in sorted(results.items())
        ]
        with transaction.atomic():
            EarliestFreeTime.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["kep", "category"],
                update_fields=["starts_at", "refreshed_at"],
            )
        written += len(rows)
    return written


def refresh_if_affected(
    *,
    kep: Kep,
    now: dt.datetime,
    taken: Interval | None = None,
    freed_from: dt.datetime | None = None,
) -> int:
    """Refresh only the index rows a change can move: a taken range that overlaps the call
    and pause at a category's indexed earliest time, or a freed time before (or near) it."""
    affected = []
    for row in EarliestFreeTime.objects.filter(kep=kep).select_related("category"):
        category = row.category
        if row.starts_at is None:
            if freed_from is not None:
                affected.append(category)
            continue
        at_earliest = Interval(
            start=row.starts_at,
            end=row.starts_at
            + dt.timedelta(minutes=category.call_minutes + category.buffer_minutes),
        )
        if (taken is not None and overlaps(taken, at_earliest)) or (
            freed_from is not None and freed_from - LONGEST_BLOCK < row.starts_at
        ):
            affected.append(category)
    if not affected:
        return 0
    return refresh_earliest_free_times(keps=[kep], now=now, categories=affected)


def refresh_after_commit(
    *,
    kep: Kep,
    now: dt.datetime,
    taken: Interval | None = None,
    freed_from: dt.datetime | None = None,
) -> None:
    """Once the current transaction commits, refresh the KEP's index rows the change affects.

    ``robust``: the change has committed, so a failed refresh is logged and the request still
    succeeds; the worker's ten-minute refresh and the selector's live check cover the row.

    Every command that frees time calls this with ``freed_from``: it is also where
    ``signals.time_freed`` is sent, in the caller's transaction (the waitlist listens)."""
    if freed_from is not None:
        time_freed.send(sender=Kep, kep=kep, freed_from=freed_from, now=now)
    transaction.on_commit(
        lambda: refresh_if_affected(kep=kep, now=now, taken=taken, freed_from=freed_from),
        robust=True,
    )


def refresh_taken_after_commit(
    *, kep: Kep, now: dt.datetime, taken: Interval, earliest: Mapping[int, Interval]
) -> None:
    """As ``refresh_after_commit(taken=…)``, with the KEP's index rows read already (in the
    booking's own read, ``booking_sql``): only a booking that takes a category's indexed
    earliest time (its call and pause, ``earliest``) refreshes anything after COMMIT; any
    other costs no statement at all (ADR 0030)."""
    affected = [number for number, at in earliest.items() if overlaps(taken, at)]
    if not affected:
        return
    transaction.on_commit(
        lambda: refresh_earliest_free_times(
            keps=[kep], now=now, categories=list(Category.objects.filter(pk__in=affected))
        ),
        robust=True,
    )
