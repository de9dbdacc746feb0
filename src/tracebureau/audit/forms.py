from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracebureau.audit.choices import AuditAction


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class AuditSearchForm(forms.Form):
    """The auditor's filters. `until` is exclusive, so consecutive ranges do not overlap."""

    person = forms.IntegerField(label=_("Person number"), required=False, min_value=1)
    username = forms.CharField(label=_("Username"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any")), *AuditAction.choices]
    )
    since = forms.DateTimeField(label=_("From"), required=False, widget=_DateTimeInput())
    until = forms.DateTimeField(label=_("To"), required=False, widget=_DateTimeInput())

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until <= since:
            self.add_error("until", _("The end of the range must come after its start."))
        return cleaned

    def filters(self) -> dict:
        """The filters for selectors.entries_search, from a valid form."""
        data = self.cleaned_data
        return {
            "person_id": data["person"], "username": data["username"].strip(), "action": data["action"],
            "since": data["since"], "until": data["until"],
        }
