from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracebureau.core.choices import Classification
from tracebureau.lists.choices import RECORD_FIELDS
from tracebureau.registry.choices import Category
from tracebureau.timeline.choices import Credibility, EventKind
from tracebureau.timeline.models import Source

LIST_EVENT_KINDS = [(k, label) for k, label in EventKind.choices if k != EventKind.RETRACTION]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("List (CSV or XLSX)"), help_text=_("The first row names the columns."))
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.none())
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    event_kind = forms.ChoiceField(
        label=_("What the list reports"),
        choices=LIST_EVENT_KINDS,
        initial=EventKind.PROOF_OF_LIFE,
        help_text=_("Accepting a row records this on the person's timeline."),
    )
    credibility = forms.TypedChoiceField(
        label=_("Credibility"), choices=Credibility.choices, coerce=int, initial=Credibility.POSSIBLY_TRUE
    )
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.RESTRICTED
    )

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        self.fields["received_on"].initial = timezone.localdate()


class MappingForm(forms.Form):
    """One choice per engine field: which of the file's columns holds it (or none)."""

    def __init__(
        self, *args: Any, headers: list[str], initial_mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the list —")), *((h, h) for h in headers if h)]
        for name, label in RECORD_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=initial_mapping.get(name, "")
            )

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] for name, _label in RECORD_FIELDS if self.cleaned_data.get(name)
        }


class CreatePersonForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.MISSING)
