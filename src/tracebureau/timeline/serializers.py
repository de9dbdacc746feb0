"""How events, places, sources and derived status look in the REST API, and what it accepts."""

from __future__ import annotations

from collections.abc import Sequence

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracebureau.core.api import MAX_ID, MaskedSerializer, VisibleRelatedField
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import persons_for_events
from tracebureau.timeline.choices import EventKind, Situation
from tracebureau.timeline.models import BulkEvent, Event, Place, Source
from tracebureau.timeline.selectors import places_visible, sources_visible
from tracebureau.timeline.status import DerivedStatus

# What the client may say about an event; the rest (grading copy, corrections) the services set.
EVENT_INPUT_FIELDS = [
    "kind", "occurred_on", "occurred_time", "precision", "place", "source", "reliability",
    "credibility", "note", "classification", "detrimental_to_disclose",
]


class ConflictPairSerializer(serializers.Serializer):
    death = serializers.IntegerField(help_text="The death report.")
    sign_of_life = serializers.IntegerField(help_text="The later sign of life that outranks it.")


class StatusSerializer(serializers.Serializer):
    """The status derived from a timeline, with the ids of the events that justify it."""

    situation = serializers.ChoiceField(choices=Situation.choices)
    level = serializers.IntegerField(
        allow_null=True, help_text="1-5 on the family scale; null for a death."
    )
    family_level = serializers.IntegerField(
        help_text="What a family may be told before a liaison officer has seen them."
    )
    basis = serializers.IntegerField(source="basis_id", allow_null=True)
    icrc_basis = serializers.IntegerField(source="icrc_basis_id", allow_null=True)
    last_place = serializers.IntegerField(source="last_place_id", allow_null=True)
    last_sign_of_life = serializers.IntegerField(source="last_sign_of_life_id", allow_null=True)
    unconfirmed = serializers.ListField(child=serializers.IntegerField(), source="unconfirmed_ids")
    void = serializers.ListField(child=serializers.IntegerField(), source="void_ids")
    conflicts = serializers.SerializerMethodField()

    @extend_schema_field(ConflictPairSerializer(many=True))
    def get_conflicts(self, status: DerivedStatus) -> list[dict[str, int]]:
        return [{"death": death, "sign_of_life": sign} for death, sign in status.conflicts]


class EventSerializer(MaskedSerializer, serializers.ModelSerializer):
    """An event as recorded; `occurred_display` shows its date to the precision known."""

    class Meta:
        model = Event
        fields = [
            "id", "person", *EVENT_INPUT_FIELDS, "occurred_display", "grade", "corrects",
            "correction", "reason", "bulk", "recorded_by", "recorded_at", "withheld",
        ]
        read_only_fields = fields


class TimelineEventSerializer(EventSerializer):
    role = serializers.SerializerMethodField(
        help_text="void: retracted or superseded; basis: the event the situation rests on; "
        "unconfirmed: a weak report; correction: a retraction; counted: everything else."
    )

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "role"]
        read_only_fields = fields

    def get_role(self, event: Event) -> str:
        return event_role(event, self.context["status"])


def event_role(event: Event, status: DerivedStatus) -> str:
    if event.pk in status.void_ids:
        return "void"
    if event.pk == status.basis_id:
        return "basis"
    if event.pk in status.unconfirmed_ids:
        return "unconfirmed"
    return "correction" if event.kind == EventKind.RETRACTION else "counted"


class TimelineSerializer(serializers.Serializer):
    status = StatusSerializer()
    events = TimelineEventSerializer(many=True)


class EventCreateSerializer(serializers.ModelSerializer):
    person = VisibleRelatedField(selector=persons_for_events)
    place = VisibleRelatedField(selector=places_visible, allow_null=True, required=False)
    # DRF's Field has an attribute `source`; the stubs take this API field for it.
    source = VisibleRelatedField(selector=sources_visible)  # type: ignore[assignment]

    class Meta:
        model = Event
        fields = ["person", *EVENT_INPUT_FIELDS]
        # By default the event carries its source's grade (the services copy it).
        extra_kwargs = {"reliability": {"required": False}}


class SupersedeSerializer(EventCreateSerializer):
    """The corrected event: only the fields that change, and why."""

    reason = serializers.CharField()
    source = VisibleRelatedField(selector=sources_visible, required=False)  # type: ignore[assignment]

    class Meta(EventCreateSerializer.Meta):
        fields = ["reason", *EVENT_INPUT_FIELDS]
        extra_kwargs = {
            name: {"required": False}
            for name in ("kind", "occurred_on", "precision", "credibility", "reliability")
        }


class RetractSerializer(serializers.Serializer):
    reason = serializers.CharField()
    source = VisibleRelatedField(  # type: ignore[assignment]
        selector=sources_visible, required=False,
        help_text="Who says the event did not happen; by default the retracted event's source.",
    )


class BulkEventCreateSerializer(EventCreateSerializer):
    """One report about many persons; the persons are resolved in the order given, so an error
    can name its row."""

    label = serializers.CharField(max_length=200)  # type: ignore[assignment]  # as `source` above
    persons = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1
    )

    class Meta(EventCreateSerializer.Meta):
        fields = ["label", "persons", *EVENT_INPUT_FIELDS]

    def validate_persons(self, ids: Sequence[int]) -> list[Person]:
        found = persons_for_events(user=self.context["request"].user).in_bulk(ids)
        missing = [f"row {row}: no person #{pk}" for row, pk in enumerate(ids, 1) if pk not in found]
        if missing:
            raise serializers.ValidationError(missing)
        return [found[pk] for pk in ids]


class BulkEventSerializer(serializers.ModelSerializer):
    events = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True
    )

    class Meta:
        model = BulkEvent
        fields = ["id", "label", "recorded_by", "recorded_at", "events"]
        read_only_fields = fields


class PlaceSerializer(serializers.ModelSerializer):
    other_names = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False,
        help_text='Other spellings in lists and news ("Yelenovka").',
    )

    class Meta:
        model = Place
        fields = [
            "id", "name", "name_uk", "other_names", "kind", "control", "region", "latitude",
            "longitude",
        ]


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "name", "kind", "reliability", "description", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
