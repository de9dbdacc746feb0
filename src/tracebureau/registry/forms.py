"""Forms of the registry pages. They check what a browser can get wrong (types, required
fields); every rule of the domain is the services' job, and their errors are put back on the
form by `add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tracebureau.core.errors import ConflictError
from tracebureau.registry.models import Person

PERSON_FIELDSETS = [
    (_("Identity"), ["family_name", "given_names", "patronymic", "mother_maiden_name", "sex",
                     "nationality", "distinguishing_marks"]),
    (_("Birth"), ["birth_year", "birth_month", "birth_day", "place_of_birth"]),
    (_("Service"), ["category", "side", "power_served", "agency", "rank", "unit",
                    "service_number", "identity_disc", "call_sign"]),
    (_("Contact and next of kin"), ["next_of_kin", "correspondence_address"]),
    (_("Record"), ["classification", "detrimental_to_disclose"]),
]
PERSON_FIELDS = [name for _title, names in PERSON_FIELDSETS for name in names]


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form: each message on the field it names (after
    `aliases`, service name -> form field), anything else at the top of the form."""
    if isinstance(error, ConflictError):
        form.add_error(None, _(
            "A colleague changed the same field of this record since you opened it. "
            "Their value is kept; check it and apply your change again if it is still needed."
        ))
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = (aliases or {}).get(name, name)
        form.add_error(field if field in form.fields else None, messages)


class BareLabels:
    """Labels without Django's trailing colon: the page layout already sets them apart."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, service number, call sign or date of birth"), required=False,
        widget=forms.TextInput(attrs={"type": "search", "aria-describedby": "search-help",
                                      "placeholder": _("e.g. Kozatskyi, Козацький, 1998-03")}),
    )


class PersonForm(BareLabels, forms.ModelForm):
    """Identity fields of a person. When editing, `expected_version` carries the version the
    form was opened at, so a colleague's change made meanwhile is detected, not overwritten."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "next_of_kin": forms.Textarea(attrs={"rows": 3}),
            "correspondence_address": forms.Textarea(attrs={"rows": 3}),
            "distinguishing_marks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Editing without the version the form was opened at would skip the conflict check.
        self.fields["expected_version"].required = self.instance.pk is not None

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in PERSON_FIELDSETS]

    def _post_clean(self) -> None:
        # The services validate the whole record (and know the rules the model cannot state,
        # such as a day of birth needing its month); validating twice would report twice.
        pass

    def changes(self) -> dict[str, Any]:
        """The fields the user changed, from the version the form was opened at."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in PERSON_FIELDS}


class MergeForm(BareLabels, forms.Form):
    other = forms.IntegerField(
        label=_("Number of the other record"), min_value=1,
        help_text=_("That record is merged into this one. Both histories are kept; the merge can be undone."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(BareLabels, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class BreakGlassForm(BareLabels, forms.Form):
    person = forms.IntegerField(label=_("Record number"), min_value=1)
    reason = forms.CharField(
        label=_("Why you need this record now"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your name, the record and this reason go into the audit log, which auditors review."),
    )
