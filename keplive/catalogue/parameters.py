"""The slot parameters of a category (issue 6 item 4; P3, P5): call length, pause after each
call, slot grid, minimum notice, horizon and the citizen window.

``update_category_parameters`` validates every value first and writes them in one transaction
with an audit event, or refuses the change as a whole (``ParametersRefused``, messages per
field). A call that no longer fits in any opening interval of a KEP that offers the category
is refused: that KEP would silently offer nothing. Appointments already booked keep their
times; the caller (``keplive.worklist.changes``) lists the ones a narrower window strands.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keplive.audit.services import Origin, record_event
from keplive.catalogue.models import Category
from keplive.directory.models import Kep, OpeningHours

PARAMETER_FIELDS = (
    "call_minutes",
    "buffer_minutes",
    "step_minutes",
    "min_notice_minutes",
    "horizon_days",
    "window_start",
    "window_end",
)

# (lowest, highest) of each number, as the model's validators say.
LIMITS: dict[str, tuple[int, int]] = {
    "call_minutes": (5, 240),
    "buffer_minutes": (0, 120),
    "step_minutes": (5, 240),
    "min_notice_minutes": (0, 60 * 24 * 14),
    "horizon_days": (1, 180),
}


class ParametersRefused(Exception):
    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in errors.items() if v}
        super().__init__("; ".join(m for messages in self.errors.values() for m in messages))


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def keps_offering(category: Category) -> Sequence[Kep]:
    """The active KEPs that offer the category (category 2: KEP-EKE only)."""
    keps = Kep.objects.filter(is_active=True)
    if category.kep_eke_only:
        keps = keps.filter(is_kep_eke=True)
    return list(keps.order_by("code"))


def keps_without_room(
    *, category: Category, call_minutes: int, window_start: dt.time, window_end: dt.time
) -> list[tuple[Kep, int]]:
    """KEPs offering the category whose every opening interval, within the citizen window, is
    shorter than the call: (KEP, its longest such opening in minutes). KEPs without any hours
    are left out (they offer nothing yet anyway)."""
    keps = {kep.pk: kep for kep in keps_offering(category)}
    longest: dict[int, int] = defaultdict(int)
    start, end = _minutes(window_start), _minutes(window_end)
    for kep_id, opens, closes in OpeningHours.objects.filter(kep_id__in=list(keps)).values_list(
        "kep_id", "opens", "closes"
    ):
        inside = min(_minutes(closes), end) - max(_minutes(opens), start)
        longest[kep_id] = max(longest[kep_id], inside, 0)
    return [
        (keps[kep_id], minutes)
        for kep_id, minutes in sorted(longest.items(), key=lambda item: keps[item[0]].code)
        if minutes < call_minutes
    ]


def parameter_errors(category: Category, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every problem of the new parameters, per field; empty when they are fine."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name, (lowest, highest) in LIMITS.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            add(name, _("Type a whole number."))
        elif not lowest <= value <= highest:
            add(
                name,
                _("Give a number from %(lowest)d to %(highest)d.")
                % {"lowest": lowest, "highest": highest},
            )
    window_start, window_end = values.get("window_start"), values.get("window_end")
    for name, value in (("window_start", window_start), ("window_end", window_end)):
        if not isinstance(value, dt.time):
            add(name, _("Type a time like 08:00."))
    if errors:
        return errors
    if not isinstance(window_start, dt.time) or not isinstance(window_end, dt.time):
        return errors  # reported above
    call = values["call_minutes"]
    if window_start >= window_end:
        add("window_end", _("The citizen window must start before it ends."))
        return errors
    window = _minutes(window_end) - _minutes(window_start)
    if call > window:
        add(
            "call_minutes",
            _("A call of %(call)d minutes is longer than the citizen window (%(window)d minutes).")
            % {"call": call, "window": window},
        )
        return errors
    short = keps_without_room(
        category=category, call_minutes=call, window_start=window_start, window_end=window_end
    )
    if short:
        kep, minutes = short[0]
        add(
            "call_minutes",
            ngettext(
                "A call of %(call)d minutes is longer than every opening of %(count)d KEP within "
                "the citizen window (for example %(kep)s: %(minutes)d minutes), so it would offer "
                "no time. Shorten the call or widen the hours first.",
                "A call of %(call)d minutes is longer than every opening of %(count)d KEPs within "
                "the citizen window (for example %(kep)s: %(minutes)d minutes), so they would "
                "offer no time. Shorten the call or widen the hours first.",
                len(short),
            )
            % {"call": call, "count": len(short), "kep": kep.code, "minutes": minutes},
        )
    return errors


def update_category_parameters(
    *, category: Category, values: Mapping[str, Any], actor: Any, origin: Origin, now: dt.datetime
) -> list[str]:
    """Set the category's parameters; returns the names of those that changed."""
    errors = parameter_errors(category, values)
    if errors:
        raise ParametersRefused(errors)
    with transaction.atomic():
        # Not FOR UPDATE: that would block the foreign-key checks of every booking's COMMIT.
        locked = Category.objects.select_for_update(no_key=True).get(pk=category.pk)
        changed = [name for name in PARAMETER_FIELDS if getattr(locked, name) != values[name]]
        if not changed:
            return []
        before = {name: str(getattr(locked, name)) for name in changed}
        for name in changed:
            setattr(locked, name, values[name])
        locked.save(update_fields=changed)
        record_event(
            action="category.parameters_changed",
            actor=actor,
            origin=origin,
            object_type="category",
            object_id=category.pk,
            details={
                "before": before,
                "after": {name: str(values[name]) for name in changed},
            },
        )
    for name in changed:
        setattr(category, name, values[name])
    return changed
