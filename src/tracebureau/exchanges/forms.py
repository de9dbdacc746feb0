"""Forms of the exchange pages. They check what a browser can get wrong; the rules of the
domain (the formula, the states, the lists) are the services'. Every form that changes an
exchange carries the version the page was showing: the optimistic lock."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracebureau.exchanges.choices import EntryCategory, ExchangeKind, ExchangeState, Outcome, Side
from tracebureau.exchanges.models import Exchange
from tracebureau.exchanges.services import TERM_FIELDS
from tracebureau.registry.forms import BareLabels
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import persons_by_reference
from tracebureau.timeline.selectors import places_visible

DATE = forms.DateInput(attrs={"type": "date"})
CATEGORY_CHOICES = [c for c in EntryCategory.choices if c[0] != EntryCategory.BODY]
EXCHANGE_FIELDS = ["reference", *TERM_FIELDS]


class Versioned(forms.Form):
    """A change to an exchange, made on the version the page showed. Several of these forms
    share a page, so each has its own prefix for element ids (`id_prefix`); names stay plain."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    id_prefix = "change"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ExchangeForm(BareLabels, forms.ModelForm):
    """The exchange and its formula; the counts per category are extra fields, two per
    category (ours, theirs), stored as the exchange's `terms`."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Exchange
        fields = EXCHANGE_FIELDS
        widgets = {"planned_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places_visible(user=user)  # type: ignore[attr-defined]
        self.fields["kind"].choices = ExchangeKind.choices  # type: ignore[attr-defined]  # no blank
        terms = {t["category"]: t for t in (self.instance.terms if self.instance.pk else [])}
        for category, label in EntryCategory.choices:
            for side, side_label in (("ours", _("ours")), ("theirs", _("theirs"))):
                self.fields[f"term_{category}_{side}"] = forms.IntegerField(
                    label=f"{label}, {side_label}",
                    min_value=0,
                    required=False,
                    initial=terms.get(category, {}).get(side),
                )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["reference"].disabled = True

    def term_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (label, self[f"term_{category}_ours"], self[f"term_{category}_theirs"])
            for category, label in EntryCategory.choices
        ]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in EXCHANGE_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        terms = []
        for category, label in EntryCategory.choices:
            ours, theirs = data.get(f"term_{category}_ours"), data.get(f"term_{category}_theirs")
            if ours is None and theirs is None:
                continue
            if ours is None or theirs is None:
                self.add_error(
                    f"term_{category}_ours",
                    _("Give both numbers for %(category)s, or neither.") % {"category": label},
                )
                continue
            terms.append({"category": category, "ours": ours, "theirs": theirs})
        data["terms"] = terms
        return data

    def changes(self) -> dict[str, Any]:
        fields = [f for f in EXCHANGE_FIELDS if f != "reference"]
        return {**{name: self.cleaned_data[name] for name in fields}, "terms": self.cleaned_data["terms"]}


class EntryForm(BareLabels, Versioned):
    id_prefix = "add"
    side = forms.ChoiceField(label=_("List"), choices=Side.choices)
    person = forms.CharField(
        label=_("Person"),
        max_length=60,
        help_text=_("The record number (#123) or the service number. Find it with the search."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES, initial=EntryCategory.OTHER)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    priority = forms.IntegerField(
        label=_("Place in the order"), min_value=1, required=False, help_text=_("Empty: at the end.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_person(self) -> Person:
        text = self.cleaned_data["person"].strip()
        found = persons_by_reference(user=self.user, references=[text]).get(text, [])
        if not found:
            raise forms.ValidationError(_("No such person (write #123 for record 123)."))
        if len(found) > 1:
            raise forms.ValidationError(_("Several persons have this number; give the record number (#123)."))
        return found[0]


class MoveForm(Versioned):
    id_prefix = "move"
    priority = forms.IntegerField(min_value=1)


class WithdrawForm(BareLabels, Versioned):
    id_prefix = "withdraw"
    reason = forms.CharField(
        label=_("Reason for taking off the list"), widget=forms.Textarea(attrs={"rows": 2})
    )


class TransitionForm(BareLabels, Versioned):
    id_prefix = "step"
    to_state = forms.ChoiceField(choices=ExchangeState.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was proposed, agreed or refused, by whom, and how it is known."),
    )
    override_formula = forms.BooleanField(
        label=_("Agree although the lists break the formula (the override is recorded and counted)"),
        required=False,
    )
    executed_on = forms.DateField(label=_("Executed on"), required=False, widget=DATE)


class ArrivalsForm(BareLabels, Versioned):
    id_prefix = "arrivals"
    file = forms.FileField(
        label=_("Arrivals list (CSV or XLSX)"),
        help_text=_(
            "One row per person who came back: name columns (or a full name), date of birth, and "
            "optionally a “registry number” (#123) and a “condition” (alive or deceased) column."
        ),
    )


class VerifyForm(BareLabels, Versioned):
    id_prefix = "verify"
    reason = forms.CharField(
        label=_("How the returns were verified"), widget=forms.Textarea(attrs={"rows": 2})
    )
    not_handed_over = forms.TypedMultipleChoiceField(
        label=_("Of theirs, not handed over"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args: Any, offered: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["not_handed_over"].choices = [(e.pk, str(e.person)) for e in offered]  # type: ignore[attr-defined]


class AmendForm(BareLabels, Versioned):
    id_prefix = "amend"
    person = forms.CharField(label=_("Person"), max_length=60, help_text=_("The record number (#123)."))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    reason = forms.CharField(
        label=_("What was wrong, and how it is known"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    clean_person = EntryForm.clean_person
