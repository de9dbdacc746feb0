"""The family status lookup's form: a reference number and a one-time code, as typed."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# "tr abcd 2345", "TRABCD2345", "TR-ABCD-2345": the same reference, read out on the phone.
_REFERENCE = re.compile(r"^TR([A-Z0-9]{4})([A-Z0-9]{4})$")


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=30,
        help_text=_("As in our letter or text message, e.g. TR-ABCD-2345."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label=_("One-time code"),
        max_length=30,
        help_text=_("The eight digits we gave you separately. Each code works once."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_reference(self) -> str:
        """Whatever spacing and case it was typed in, the reference as the bureau writes it, so that
        every spelling of one reference counts towards its lockout."""
        typed: str = self.cleaned_data["reference"]
        compact = re.sub(r"[\s\-–—]", "", typed).upper()
        match = _REFERENCE.match(compact)
        return f"TR-{match[1]}-{match[2]}" if match else typed.strip().upper()
