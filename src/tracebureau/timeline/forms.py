"""Forms of the timeline pages. The services hold the rules (no future dates, a time only
with the exact precision, ...); these forms only parse what was typed and offer the choices
the user may pick from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracebureau.core.choices import Classification
from tracebureau.registry.forms import BareLabels
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import persons_by_reference
from tracebureau.timeline.choices import Credibility, EventKind, Precision, Reliability
from tracebureau.timeline.models import Place, Source
from tracebureau.timeline.selectors import places_visible, sources_visible

EVENT_FIELDS = [
    "kind", "occurred_on", "occurred_time", "precision", "place", "source", "reliability",
    "credibility", "note", "classification",
]


class EventForm(BareLabels, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in EventKind.choices if c[0] != EventKind.RETRACTION]
    )
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a month or a year, any day in it; it is stored at the start of the period."),
    )
    occurred_time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Only with the exact precision."),
    )
    precision = forms.ChoiceField(label=_("Precision"), choices=Precision.choices, initial=Precision.DAY)
    # The choices depend on who is asking: set in __init__ through the policy.
    place: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Place"), queryset=Place.objects.none(), required=False
    )
    source: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.none())
    reliability = forms.ChoiceField(
        label=_("Source reliability"), required=False,
        choices=[("", _("As graded for the source")), *Reliability.choices],
        help_text=_("Override only when this report is graded differently from its source."),
    )
    credibility = forms.TypedChoiceField(
        label=_("Credibility"), choices=Credibility.choices, coerce=int, initial=Credibility.PROBABLY_TRUE
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.RESTRICTED
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_visible(user=user)  # type: ignore[attr-defined]
        self.fields["source"].queryset = sources_visible(user=user)  # type: ignore[attr-defined]

    # How the page groups the fields: what happened and when; who said so and how sure it is.
    def what_fields(self) -> list[forms.BoundField]:
        return self._bound(["kind", "occurred_on", "occurred_time", "precision", "place"])

    def who_fields(self) -> list[forms.BoundField]:
        return self._bound(["source", "reliability", "credibility", "classification"])

    def text_fields(self) -> list[forms.BoundField]:
        return self._bound(["note", "reason"])

    def _bound(self, names: list[str]) -> list[forms.BoundField]:
        return [self[name] for name in names if name in self.fields]

    def event_fields(self) -> dict[str, Any]:
        """The cleaned fields as the services take them (an empty override means "none")."""
        fields = {name: self.cleaned_data[name] for name in EVENT_FIELDS if name in self.fields}
        fields["reliability"] = fields.get("reliability") or None
        return fields


class RetractForm(BareLabels, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this report no longer counts. The event stays visible, struck through."),
    )


class SupersedeForm(EventForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 3}),
    )


class BulkEventForm(EventForm):
    label = forms.CharField(
        label=_("Label"), max_length=200,
        help_text=_("What was reported, e.g. “211 evacuated to Olenivka on 2022-05-17”."),
    )
    persons = forms.CharField(
        label=_("Persons"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One record number or service number per line."),
    )
    field_order = ["label", "persons"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["classification"]  # a bulk event takes each event's default
        self.user = user

    def clean_persons(self) -> list[tuple[int, Person]]:
        """(line number, person) for each non-empty line; any unknown line fails them all."""
        lines = [(n, text.strip()) for n, text in enumerate(self.cleaned_data["persons"].splitlines(), 1)]
        lines = [(n, text) for n, text in lines if text]
        found, errors = [], []
        resolved = persons_by_reference(user=self.user, references=[text for _n, text in lines])
        for number, text in lines:
            matches = resolved[text]
            if len(matches) == 1:
                found.append((number, matches[0]))
            elif not matches:
                errors.append(_("Line %(n)s (%(text)s): no such person.") % {"n": number, "text": text})
            else:
                errors.append(_("Line %(n)s (%(text)s): matches several persons; give the record number.")
                              % {"n": number, "text": text})
        if errors:
            raise forms.ValidationError(errors)
        return found
