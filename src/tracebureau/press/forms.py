from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from tracebureau.press.choices import Period, TableKey


class DraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    note = forms.CharField(
        label=_("Note published with the figures"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    tables = forms.MultipleChoiceField(
        label=_("Tables"),
        choices=TableKey.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[TableKey.BY_STATUS_AND_CATEGORY, TableKey.FLOWS, TableKey.EXCHANGES],
    )
    period = forms.ChoiceField(
        label=_("Period of the tables over time"), choices=Period.choices, initial=Period.QUARTER
    )
    min_cell = forms.IntegerField(
        label=_("Smallest count published"),
        min_value=2,
        help_text=_(
            "Counts from 1 to one less than this are never published. It may be raised, not lowered."
        ),
    )
    rounding = forms.IntegerField(
        label=_("Round counts to the nearest"),
        min_value=1,
        help_text=_("It may be raised, not lowered."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, floor in (
            ("min_cell", settings.TRACEBUREAU_PRESS_MIN_CELL),
            ("rounding", settings.TRACEBUREAU_PRESS_ROUNDING),
        ):
            # Said at once, with any other mistake on the form, not after they are mended.
            self.fields[name].initial = floor
            self.fields[name].widget.attrs["min"] = floor
            self.fields[name].validators.append(MinValueValidator(floor))


class StepForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Why it is withdrawn"), widget=forms.Textarea(attrs={"rows": 2}))
