from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracebureau.core.choices import Classification
from tracebureau.interchange.persons import FIELDS
from tracebureau.registry.choices import Category, Side
from tracebureau.timeline.models import Source

FIELD_LABELS = {
    "record_id": _("The list's own id for the person"),
    "family_name": _("Family name"),
    "given_names": _("Given names"),
    "patronymic": _("Patronymic"),
    "full_name": _("Full name (family, given, patronymic)"),
    "birth_date": _("Date of birth"),
    "place_of_birth": _("Place of birth"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "power_served": _("Power served"),
    "category": _("Category"),
    "side": _("Side"),
    "agency": _("Agency (its code)"),
    "rank": _("Rank"),
    "unit": _("Unit"),
    "service_number": _("Service number"),
    "identity_disc": _("Identity disc"),
    "call_sign": _("Call sign"),
    "mother_maiden_name": _("Mother's maiden name"),
    "next_of_kin": _("Next of kin"),
    "correspondence_address": _("Address for correspondence"),
}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PersonsUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    system = forms.CharField(
        label=_("Where the list comes from"),
        max_length=200,
        help_text=_("The registry or office that keeps it: its ids are remembered under this name."),
    )
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.none())
    category = forms.ChoiceField(
        label=_("Category, where a row does not say"), choices=Category.choices, initial=Category.MISSING
    )
    side = forms.ChoiceField(
        label=_("Side, where a row does not say"), choices=Side.choices, initial=Side.OWN
    )
    classification = forms.ChoiceField(
        label=_("Classification of new records"),
        choices=Classification.choices,
        initial=Classification.RESTRICTED,
    )

    def __init__(self, *args: Any, sources: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]  # a ModelChoiceField


class MappingForm(forms.Form):
    """Which column holds what: one choice of the file's columns per field."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(h, h) for h in headers]
        for name in FIELDS:
            self.fields[name] = forms.ChoiceField(label=FIELD_LABELS[name], choices=choices, required=False)

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in FIELDS if self.cleaned_data.get(name)}


class PfifImportForm(forms.Form):
    file = forms.FileField(label=_("PFIF 1.4 XML file"))
    dry_run = forms.BooleanField(
        label=_("Dry run: show what it would do, commit nothing"), required=False, initial=True
    )
