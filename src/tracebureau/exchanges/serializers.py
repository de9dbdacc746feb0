"""How exchanges look in the REST API, and what the API accepts before it calls the services.

Every write carries `expected_version`, the exchange's version the client last read: the
services refuse (409) a write made on an older one.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracebureau.core.api import MAX_ID, VisibleRelatedField
from tracebureau.exchanges.choices import EntryCategory, ExchangeState, Outcome, Side
from tracebureau.exchanges.models import Exchange, ExchangeEntry
from tracebureau.exchanges.services import TERM_FIELDS
from tracebureau.lists.tables import MAX_BYTES
from tracebureau.registry.selectors import persons_visible
from tracebureau.timeline.selectors import places_visible

SUMMARY_FIELDS = [
    "id", "reference", "title", "kind", "counterpart", "mediator", "state", "version",
    "planned_on", "executed_on", "place", "classification",
]
FORMULA_FIELDS = [
    "ratio_ours", "ratio_theirs", "total_ours", "total_theirs", "unnamed_ours", "unnamed_theirs",
    "terms", "note",
]


class ExpectedVersion(serializers.Serializer):
    expected_version = serializers.IntegerField(
        min_value=1, help_text="The exchange's `version` you read; a stale one is refused with 409."
    )


# --- reads ------------------------------------------------------------------------------------------


class ExchangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exchange
        fields = SUMMARY_FIELDS
        read_only_fields = fields


class TermSerializer(serializers.Serializer):
    """An agreed count per category: "10 seriously wounded for 10"."""

    category = serializers.ChoiceField(choices=EntryCategory.choices)
    ours = serializers.IntegerField(min_value=0)
    theirs = serializers.IntegerField(min_value=0)


class BalanceSerializer(serializers.Serializer):
    """The lists against the formula (all entries: the balance is the exchange's, not the reader's)."""

    ours = serializers.IntegerField()
    theirs = serializers.IntegerField()
    kept = serializers.BooleanField()
    breaches = serializers.ListField(child=serializers.CharField())


class EntrySerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = ExchangeEntry
        fields = ["id", "side", "person", "person_name", "priority", "category", "reason"]
        read_only_fields = fields


class OutcomeLineSerializer(serializers.Serializer):
    """A person's outcome: recorded once verified, as planned from the arrivals list before."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    # DRF's Field has an attribute `label`; the stubs take this API field for it.
    label = serializers.CharField()  # type: ignore[assignment]
    person = serializers.IntegerField(source="person.pk", allow_null=True, default=None)
    person_name = serializers.CharField(source="person.full_name", allow_null=True, default=None)
    entry = serializers.IntegerField(source="entry.pk", allow_null=True, default=None)
    arrival_row = serializers.IntegerField(
        source="row.number", allow_null=True, default=None, help_text="The line of the arrivals list."
    )
    arrival_name = serializers.CharField(
        source="row.name", allow_null=True, default=None, help_text="The name as written on that line."
    )
    amended = serializers.BooleanField()


class StepSerializer(serializers.Serializer):
    """One step of the negotiation: drafted, a transition, an arrivals list, an amendment."""

    at = serializers.DateTimeField()
    who = serializers.SerializerMethodField()
    what = serializers.CharField()
    reason = serializers.CharField()
    breaches = serializers.ListField(child=serializers.CharField())

    def get_who(self, step: Any) -> str:
        return str(step.who.get_full_name() or step.who.get_username())


class ExchangeDetailSerializer(serializers.ModelSerializer):
    """An exchange with its formula balance, both lists, the outcomes and the negotiation so
    far; the view computes those through the selectors and passes them in the context."""

    terms = TermSerializer(many=True, read_only=True)
    formula = serializers.SerializerMethodField()
    requested = serializers.SerializerMethodField(help_text="Our people requested, in order of priority.")
    offered = serializers.SerializerMethodField(help_text="Their people offered, in order of priority.")
    outcomes = serializers.SerializerMethodField()
    negotiation = serializers.SerializerMethodField()

    class Meta:
        model = Exchange
        fields = [
            *SUMMARY_FIELDS, *FORMULA_FIELDS, "formula", "requested", "offered", "outcomes", "negotiation",
        ]
        read_only_fields = fields

    @extend_schema_field(BalanceSerializer)
    def get_formula(self, exchange: Exchange) -> Any:
        return BalanceSerializer(self.context["formula"]).data

    @extend_schema_field(EntrySerializer(many=True))
    def get_requested(self, exchange: Exchange) -> Any:
        return EntrySerializer(self.context["requested"], many=True).data

    @extend_schema_field(EntrySerializer(many=True))
    def get_offered(self, exchange: Exchange) -> Any:
        return EntrySerializer(self.context["offered"], many=True).data

    @extend_schema_field(OutcomeLineSerializer(many=True))
    def get_outcomes(self, exchange: Exchange) -> Any:
        return OutcomeLineSerializer(self.context["outcomes"], many=True).data

    @extend_schema_field(StepSerializer(many=True))
    def get_negotiation(self, exchange: Exchange) -> Any:
        return StepSerializer(self.context["negotiation"], many=True).data


# --- writes -----------------------------------------------------------------------------------------


class ExchangeCreateSerializer(serializers.ModelSerializer):
    place = VisibleRelatedField(selector=places_visible, allow_null=True, required=False)
    terms = TermSerializer(many=True, required=False)

    class Meta:
        model = Exchange
        fields = ["reference", *TERM_FIELDS, "terms"]
        # The service checks uniqueness with the rest, so that every error comes back at once.
        extra_kwargs: dict[str, dict[str, Any]] = {"reference": {"validators": []}}


class EntryAddSerializer(ExpectedVersion):
    side = serializers.ChoiceField(choices=Side.choices)
    person = VisibleRelatedField(selector=persons_visible)
    category = serializers.ChoiceField(choices=EntryCategory.choices)
    reason = serializers.CharField(help_text="Why this person is on the list, and at this place.")
    priority = serializers.IntegerField(
        min_value=1, required=False, help_text="The place in the list's order (1 first); the end if left out."
    )


class EntryWithdrawSerializer(ExpectedVersion):
    entry = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The entry's id (in `requested` or `offered`)."
    )
    reason = serializers.CharField(help_text="Why the person comes off the list.")


class TransitionSerializer(ExpectedVersion):
    to_state = serializers.ChoiceField(choices=ExchangeState.choices)
    reason = serializers.CharField(help_text="What was agreed, proposed or refused, and by whom.")
    override_formula = serializers.BooleanField(
        default=False, help_text="Agree although the lists break the formula (recorded and counted)."
    )
    executed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required to mark the exchange executed."
    )


class ArrivalsUploadSerializer(ExpectedVersion):
    file = serializers.FileField(help_text="The list of who came back: CSV or XLSX, with a header row.")
    column_mapping = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Field -> column of the file (family_name, given_names, registry_number, ...); "
        "guessed from the headers if left out.",
    )

    def validate_file(self, file: Any) -> Any:
        if file.size > MAX_BYTES:
            raise serializers.ValidationError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB.")
        return file


class VerifySerializer(ExpectedVersion):
    reason = serializers.CharField(help_text="How the returns were verified.")
    not_handed_over = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Ids of entries on the offered list whose person was not handed over.",
    )
