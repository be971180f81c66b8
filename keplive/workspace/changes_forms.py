"""The forms of the KEP's changes: moving an appointment (E4) and recording a phone call."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keplive.booking.models import CallOutcome
from keplive.booking.staff_changes import REASON_MAX_LENGTH, MoveReason


class MoveForm(forms.Form):
    """The phone call made first (seed 002: the citizen is told by phone before the move), the
    day whose free times are listed and the urgent reason. The chosen time is a radio button of
    the page (``starts_at``), checked by the booking service itself. The phone call and the
    reason are required only to move (the view checks them), not to show a day's times."""

    phone_outcome = forms.ChoiceField(
        label=_("How did the call go?"),
        choices=CallOutcome.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    phone_note = forms.CharField(
        label=_("Note on the call (optional)"),
        help_text=_("For example, the time the citizen agreed to. Not sent to the citizen."),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX_LENGTH}),
        error_messages={"max_length": _("The note can be at most 1000 characters.")},
    )
    reason_code = forms.ChoiceField(
        label=_("Urgent reason"),
        choices=MoveReason.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Enter the day."),
            "invalid": _("Enter the day as a date, for example 25/11/2026."),
        },
    )
    reason = forms.CharField(
        label=_("More about the reason"),
        help_text=_(
            "The citizen reads it in the email after the reason chosen above. Required for "
            "another urgent need. Do not write personal data."
        ),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REASON_MAX_LENGTH}),
        error_messages={"max_length": _("The reason can be at most 1000 characters.")},
    )


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the call go?"),
        choices=CallOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how the call went."),
            "invalid_choice": _("Choose how the call went."),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX_LENGTH}),
        error_messages={"max_length": _("The note can be at most 1000 characters.")},
    )
