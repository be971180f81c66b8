"""The forms of the outcome pages. They only collect: every rule is in ``keplive.outcomes``, and
its refusals come back to the form on the field they concern."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keplive.booking.models import DeliveryMethod
from keplive.outcomes.exceptions import OutcomeError
from keplive.outcomes.models import Alternative, Result

OUTCOME_RESULTS = [
    (Result.COMPLETED.value, Result.COMPLETED.label),
    (Result.NO_SHOW.value, Result.NO_SHOW.label),
    (Result.CANCELLED_BY_KEP.value, Result.CANCELLED_BY_KEP.label),
]


class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=OUTCOME_RESULTS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the result of the appointment.")},
    )
    delivery_method = forms.ChoiceField(
        label=_("Delivery of the document, as confirmed with the citizen"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Completed appointments only. Confirm it with the citizen before ending."),
    )
    delivery_email = forms.CharField(
        label=_("Email for delivery"),
        max_length=254,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "email", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    delivery_address = forms.CharField(
        label=_("Postal address for delivery"),
        max_length=300,
        required=False,
        help_text=_("Street and number, postal code, city, e.g. Ερμού 10, 10563 Αθήνα."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a cancellation, the reason: the citizen is told it."),
    )


class NotServableForm(forms.Form):
    alternative = forms.ChoiceField(
        label=_("What should the citizen do instead?"),
        choices=Alternative.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the citizen should do instead.")},
    )
    note = forms.CharField(
        label=_("Message to the citizen"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional, but required for “Other”: it goes in the email to the citizen."),
    )


class WhiteApplicationForm(forms.Form):
    request_text = forms.CharField(
        label=_("The citizen's request"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Filled from what the citizen declared; edit it as agreed in the call."),
        error_messages={"required": _("Enter the citizen's request.")},
    )


def add_refusal(form: forms.Form, refusal: OutcomeError) -> None:
    """Show a refusal of the domain on its field, or above the form."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, str(refusal.message))
