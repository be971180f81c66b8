"""Forms of the KEPs, hours, categories and worklist pages. They only parse what was typed;
the rules (unique code, overlapping hours, a call longer than an opening…) are the services'.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keplive.catalogue.parameters import LIMITS
from keplive.directory.models import Municipality

REQUIRED = {"required": _("This field is required.")}
TIME = {"required": _("This field is required."), "invalid": _("Type a time like 08:00.")}
DATE = {"required": _("This field is required."), "invalid": _("Type a date like 24/11/2026.")}


def _time_field(label: Any, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        error_messages=TIME,
    )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages=DATE,
    )


class KepSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by code, name or city"), required=False, max_length=100)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name_el"),
        required=False,
        empty_label=_("All municipalities"),
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )


class KepForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        error_messages=REQUIRED,
        help_text=_("Unique, for example 0071."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name_el"),
        empty_label=_("Choose a municipality"),
        error_messages={
            "required": _("Choose a municipality."),
            "invalid_choice": _("Choose a municipality from the list."),
        },
    )
    name_el = forms.CharField(label=_("Name (Greek)"), max_length=200, error_messages=REQUIRED)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, error_messages=REQUIRED)
    address = forms.CharField(label=_("Address"), max_length=200, error_messages=REQUIRED)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=8,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    city = forms.CharField(label=_("City"), max_length=100, error_messages=REQUIRED)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)
    email = forms.CharField(
        label=_("Contact email"),
        max_length=254,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    protocol_email = forms.CharField(
        label=_("Protocol email"),
        max_length=254,
        error_messages=REQUIRED,
        help_text=_("Where applications for the municipality are filed."),
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    is_kep_eke = forms.BooleanField(
        label=_("KEP-EKE (Point of Single Contact): also serves businesses"), required=False
    )


class IntervalForm(forms.Form):
    """One opening interval; a row left empty is ignored."""

    opens = _time_field(_("Opens"), required=False)
    closes = _time_field(_("Closes"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if (opens is None) != (closes is None) and not self.errors:
            missing = "closes" if opens is not None else "opens"
            self.add_error(missing, _("Give both the opening and the closing time."))
        return cleaned


IntervalFormSet = forms.formset_factory(IntervalForm, extra=0, max_num=6, absolute_max=6)


def interval_formset(
    *, data: Any = None, intervals: list[tuple[dt.time, dt.time]] | None = None
) -> Any:
    # As text: the shared field template writes the value as it is, and a time input wants HH:MM.
    initial = [{"opens": f"{o:%H:%M}", "closes": f"{c:%H:%M}"} for o, c in (intervals or [])]
    # Always room for two more intervals than the day has now (up to six).
    initial += [{}] * max(0, min(6, len(initial) + 2) - len(initial))
    return IntervalFormSet(data=data, initial=None if data is not None else initial, prefix="i")


class ExceptionForm(forms.Form):
    date = _date_field(_("Date"))
    closed = forms.BooleanField(label=_("Closed all day"), required=False)
    opens = _time_field(_("Opens (when not closed)"), required=False)
    closes = _time_field(_("Closes (when not closed)"), required=False)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        closed, opens, closes = cleaned.get("closed"), cleaned.get("opens"), cleaned.get("closes")
        if closed and (opens or closes):
            raise forms.ValidationError(
                _("Either the KEP is closed all day, or give its hours that day: not both.")
            )
        if not closed and (opens is None or closes is None):
            raise forms.ValidationError(
                _("Tick “Closed all day”, or give both the opening and closing time.")
            )
        return cleaned


class HolidayForm(forms.Form):
    date = _date_field(_("Date"))
    name = forms.CharField(label=_("Name of the holiday"), max_length=200, error_messages=REQUIRED)


def _number(label: Any, name: str, help_text: Any = "") -> forms.IntegerField:
    lowest, highest = LIMITS[name]
    message = _("Give a whole number from %(lowest)d to %(highest)d.") % {
        "lowest": lowest,
        "highest": highest,
    }
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        error_messages={"required": _("This field is required."), "invalid": message},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class CategoryParametersForm(forms.Form):
    call_minutes = _number(_("Call length (minutes)"), "call_minutes")
    buffer_minutes = _number(
        _("Pause after each call (minutes)"),
        "buffer_minutes",
        _("The employee is kept free this long after each call."),
    )
    step_minutes = _number(
        _("Slot grid (minutes)"),
        "step_minutes",
        _("Times offered start on multiples of this from midnight."),
    )
    min_notice_minutes = _number(
        _("Minimum notice (minutes)"),
        "min_notice_minutes",
        _("How long before the call a citizen may book at the latest."),
    )
    horizon_days = _number(
        _("Booking horizon (days)"), "horizon_days", _("How many days ahead citizens may book.")
    )
    window_start = _time_field(_("Citizen window from"))
    window_end = _time_field(_("Citizen window until"))


class ReassignForm(forms.Form):
    employee = forms.TypedChoiceField(
        label=_("Employee free at that time"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an employee."),
            "invalid_choice": _("Choose one of the employees listed."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (recorded with the change)"), max_length=500, error_messages=REQUIRED
    )

    def __init__(self, *args: Any, employees: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reassign_%s")  # the move form shares the page
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [(e.pk, str(e)) for e in employees]  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New time"),
        input_formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"],
        error_messages={
            "required": _("Choose a new time."),
            "invalid": _("Choose one of the free times listed."),
        },
    )
    reason = forms.CharField(
        label=_("Reason (told to the citizen)"), max_length=500, error_messages=REQUIRED
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "move_%s")  # the reassign form shares the page
        super().__init__(*args, **kwargs)
