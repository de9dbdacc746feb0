from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tracebureau.identification.models import MatchCandidate, RemainsCase, Repatriation


class RepatriationSerializer(serializers.ModelSerializer):
    remains_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Repatriation
        fields = [
            "id",
            "title",
            "arrived_on",
            "route",
            "counterpart",
            "exchange_reference",
            "bodies_reported",
            "remains_count",
        ]
        read_only_fields = fields


class CandidateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MatchCandidate
        fields = ["rank", "person", "log10_lr"]
        read_only_fields = fields


class RemainsCaseSerializer(serializers.ModelSerializer):
    """A remains case with where it stands and the latest match run's candidates. Never the
    DNA profile: genetic data is read on its audited page only."""

    state = serializers.SerializerMethodField()
    person = serializers.SerializerMethodField(help_text="The person identified, proposed or presumed.")
    candidates = serializers.SerializerMethodField()

    class Meta:
        model = RemainsCase
        fields = [
            "id",
            "reference",
            "repatriation",
            "found_place",
            "found_by",
            "found_on",
            "classification",
            "state",
            "person",
            "candidates",
        ]
        read_only_fields = fields

    def _status(self, case: RemainsCase) -> Any:
        return self.context["statuses"](case)

    def get_state(self, case: RemainsCase) -> str:
        return str(self._status(case).state)

    def get_person(self, case: RemainsCase) -> int | None:
        person = self._status(case).person
        return person.pk if person else None

    def get_candidates(self, case: RemainsCase) -> list[dict[str, Any]]:
        return CandidateSerializer(self.context["candidates"](case), many=True).data  # type: ignore[return-value]
