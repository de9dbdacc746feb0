from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracebureau.identification.models import CustodyEntry, ReferenceSample, RemainsCase, Repatriation
from tracebureau.identification.services import parse_profile

DATE = forms.DateInput(attrs={"type": "date"})
PROFILE_HELP = _("One marker per line or separated by “;”, as “D3S1358 15/16”. A homozygote is 15/15.")


class RepatriationForm(forms.ModelForm):
    class Meta:
        model = Repatriation
        fields = [
            "title",
            "arrived_on",
            "route",
            "counterpart",
            "exchange_reference",
            "bodies_reported",
            "note",
        ]
        widgets = {"arrived_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}


class RemainsCaseForm(forms.ModelForm):
    class Meta:
        model = RemainsCase
        fields = [
            "reference",
            "found_place",
            "found_by",
            "found_on",
            "tags_and_documents",
            "personal_effects",
            "note",
            "classification",
        ]
        widgets = {
            "found_on": DATE,
            "tags_and_documents": forms.Textarea(attrs={"rows": 3}),
            "personal_effects": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class CustodyForm(forms.ModelForm):
    class Meta:
        model = CustodyEntry
        fields = ["at", "released_by", "received_by", "place", "note"]
        widgets = {"at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class ProfileField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})

    def clean(self, value: Any) -> dict[str, list[str]]:  # type: ignore[override]
        return parse_profile(super().clean(value))


class ProfileFileForm(forms.Form):
    file = forms.FileField(
        label=_("Post-mortem profiles (CSV)"),
        help_text=_(
            "Columns id,marker,allele1,allele2; the id is the case number. New case numbers open new cases."
        ),
    )


class RemainsProfileForm(forms.Form):
    markers = ProfileField(label=_("Profile"), help_text=PROFILE_HELP)
    lab_reference = forms.CharField(label=_("Laboratory reference"), max_length=120, required=False)


class ReferenceSampleForm(forms.ModelForm):
    markers = ProfileField(label=_("Profile"), help_text=PROFILE_HELP)
    lab_reference = forms.CharField(label=_("Laboratory reference"), max_length=120, required=False)
    consent_confirmed = forms.BooleanField(
        label=_(
            "The donor consented, in writing, to the use of this sample for identifying this person only."
        ),
    )

    class Meta:
        model = ReferenceSample
        fields = ["sample_code", "donor_name", "donor_sex", "relationship", "consent_given_on"]
        widgets = {"consent_given_on": DATE}

    def clean_consent_given_on(self) -> Any:
        day = self.cleaned_data["consent_given_on"]
        if day and day > timezone.localdate():
            raise ValidationError(_("Consent cannot be dated in the future."))
        return day


class FrequencyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("The population and the laboratory's database.")
    )
    file = forms.FileField(label=_("Frequencies (CSV)"), help_text=_("Columns marker,allele,freq."))


class PreliminaryForm(forms.Form):
    person = forms.IntegerField(label=_("Person number"), min_value=1)
    basis = forms.CharField(
        label=_("What it rests on"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The identity disc, the document or the effects found with the body."),
    )


class DecideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BurialForm(forms.Form):
    buried_on = forms.DateField(label=_("Buried on"), widget=DATE)
    place = forms.CharField(label=_("Where"), max_length=300)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why, or who asked"), max_length=500)


class NotificationForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was said, to whom, where"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
