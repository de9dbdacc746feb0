from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracebureau.registry.forms import BareLabels


class ReleaseForm(BareLabels, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("For example: “Figures for the briefing of 20 May”."))
    note = forms.CharField(label=_("Note for the press office"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
