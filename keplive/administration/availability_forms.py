"""Forms of an employee's availability and absences (issue 6 item 4, P3). They only parse what
was typed; the rules (overlaps, an absence that ends before it starts…) are the services'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keplive.administration.keps_forms import _date_field, _time_field


class AvailabilityIntervalForm(forms.Form):
    """One interval of a weekday; a row left empty is ignored."""

    starts = _time_field(_("From"), required=False)
    ends = _time_field(_("Until"), required=False)
    workstation = forms.CharField(
        label=_("Workstation (optional)"),
        max_length=50,
        required=False,
        error_messages={"max_length": _("A workstation has at most 50 characters.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if (starts is None) != (ends is None) and not self.errors:
            missing = "ends" if starts is not None else "starts"
            self.add_error(missing, _("Give both the start and the end time."))
        if starts is None and ends is None and cleaned.get("workstation") and not self.errors:
            self.add_error("starts", _("Give the times of the workstation's interval."))
        return cleaned


AvailabilityFormSet = forms.formset_factory(
    AvailabilityIntervalForm, extra=0, max_num=6, absolute_max=6
)


def availability_formset(
    *, data: Any = None, intervals: list[tuple[dt.time, dt.time, str]] | None = None
) -> Any:
    # As text: the shared field template writes the value as it is, and a time input wants HH:MM.
    initial: list[dict[str, str]] = [
        {"starts": f"{s:%H:%M}", "ends": f"{e:%H:%M}", "workstation": w}
        for s, e, w in (intervals or [])
    ]
    # Always room for two more intervals than the day has now (up to six).
    initial += [{}] * max(0, min(6, len(initial) + 2) - len(initial))
    return AvailabilityFormSet(data=data, initial=None if data is not None else initial, prefix="a")


class AbsenceForm(forms.Form):
    """An absence from a date (and time) until a date (and time); without times it covers
    whole days, from the start of the first to the end of the last."""

    starts_date = _date_field(_("From date"))
    starts_time = _time_field(_("From time (optional: the start of the day)"), required=False)
    ends_date = _date_field(_("Until date"))
    ends_time = _time_field(_("Until time (optional: the end of the day)"), required=False)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        zone = timezone.get_current_timezone()
        starts_time = cleaned.get("starts_time") or dt.time(0, 0)
        cleaned["starts_at"] = dt.datetime.combine(cleaned["starts_date"], starts_time, zone)
        if cleaned.get("ends_time") is not None:
            ends = dt.datetime.combine(cleaned["ends_date"], cleaned["ends_time"], zone)
        elif cleaned["ends_date"] < dt.date.max:
            ends = dt.datetime.combine(cleaned["ends_date"] + dt.timedelta(days=1), dt.time(), zone)
        else:
            self.add_error("ends_date", _("Type a date like 24/11/2026."))
            return cleaned
        cleaned["ends_at"] = ends
        return cleaned
