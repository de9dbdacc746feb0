"""Forms of the family liaison's pages. They check what a browser can get wrong (a choice, a
length, an email address); the rules about families (kinship, consents, what may be told) are
the services'. Several forms share the inquiry page, so each has its own prefix for element
ids (`id_prefix`) while the names stay plain."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from tracebureau.families import messages
from tracebureau.families.choices import Channel, ConsentKind, InquiryState, Language
from tracebureau.families.models import Inquiry, Requester
from tracebureau.lists.services import normalise_birth_date
from tracebureau.registry.forms import BareLabels

REQUESTER_FIELDS = ["family_name", "given_names", "patronymic", "phone", "email", "address", "language"]
REQUEST_FIELDS = ["relationship", "channel"]
SOUGHT_FIELDS = [
    "sought_family_name",
    "sought_given_names",
    "sought_patronymic",
    "sought_birth_date",
    "sought_unit",
    "last_contact_on",
    "last_contact_place",
    "circumstances",
]
WIDGETS: dict[str, type[forms.Widget] | forms.Widget] = {
    "address": forms.Textarea(attrs={"rows": 2}),
    "last_contact_on": forms.DateInput(attrs={"type": "date"}),
    "circumstances": forms.Textarea(attrs={"rows": 3}),
}


class Prefixed(BareLabels, forms.Form):
    """A form on a page with others: element ids start with `id_prefix`."""

    id_prefix = "inquiry"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class InquiryForm(BareLabels, forms.Form):
    """A first call: who asks and how to reach them (unless a known requester asks again), who
    they are to the person sought, that person as the family describes them, and consents.
    The requester's fields are named `requester_<field>`, as the service names their errors."""

    def __init__(self, *args: Any, with_requester: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_requester = with_requester
        if with_requester:
            requester = fields_for_model(Requester, fields=REQUESTER_FIELDS, widgets=WIDGETS)
            for name in REQUESTER_FIELDS:
                self.fields[f"requester_{name}"] = requester[name]
        self.fields.update(fields_for_model(Inquiry, fields=REQUEST_FIELDS + SOUGHT_FIELDS, widgets=WIDGETS))
        self.fields["sought_birth_date"].help_text = _(
            "As the family says it: 12.03.1998, 1998-03-12, 03.1998 or 1998."
        )
        self.fields["consent_contact"] = forms.BooleanField(
            label=ConsentKind.CONTACT.label, required=False, initial=True
        )
        self.fields["consent_dna"] = forms.BooleanField(label=ConsentKind.DNA.label, required=False)

    def clean_sought_birth_date(self) -> str:
        """Checked here as well as by the service, so that a bad date shows with the other
        errors of the form rather than after they are fixed."""
        text: str = self.cleaned_data["sought_birth_date"]
        try:
            normalise_birth_date(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text

    def requester_fields(self) -> list[Any]:
        return [self[f"requester_{name}"] for name in REQUESTER_FIELDS] if self.with_requester else []

    def request_fields(self) -> list[Any]:
        return [self[name] for name in REQUEST_FIELDS]

    def sought_fields(self) -> list[Any]:
        return [self[name] for name in SOUGHT_FIELDS]

    def consent_fields(self) -> list[Any]:
        return [self["consent_contact"], self["consent_dna"]]

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `inquiry_create`, from the cleaned data."""
        data = dict(self.cleaned_data)
        requester = {name: data.pop(f"requester_{name}") for name in REQUESTER_FIELDS if self.with_requester}
        return {"requester": requester, **data}


class KinshipForm(Prefixed):
    id_prefix = "kinship"
    document = forms.CharField(
        label=_("Document seen"),
        max_length=300,
        help_text=_("Which document shows the relationship, e.g. the son's birth certificate."),
    )


class LinkForm(Prefixed):
    id_prefix = "link"
    person = forms.IntegerField(widget=forms.HiddenInput)


class OpenPersonForm(Prefixed):
    id_prefix = "open"


class ConveyForm(Prefixed):
    id_prefix = "convey"
    template = forms.ChoiceField(label=_("Message"), choices=[(t.code, t.label) for t in messages.TEMPLATES])
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class ConsentForm(Prefixed):
    """Give or withdraw one consent; the kind names the form, so each kind has its own ids."""

    kind = forms.ChoiceField(choices=ConsentKind.choices, widget=forms.HiddenInput)
    given = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.id_prefix = f"consent_{kind}"
        super().__init__(*args, **kwargs)


class StepForm(Prefixed):
    id_prefix = "step"
    state = forms.ChoiceField(label=_("Move the request to"), choices=InquiryState.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CodeForm(Prefixed):
    id_prefix = "code"
