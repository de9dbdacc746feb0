"""How press releases look in the REST API, and what the API accepts before it calls the services.

Two views of a release: the press centre's (true counts, what is held back and why, the steps
and the disclosure checks) and the public's (the published figures of a published release,
nothing else). The public serializers never read `counts` or `reasons`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracebureau.press import selectors
from tracebureau.press.choices import Period, ReleaseState, TableKey
from tracebureau.press.models import DisclosureCheck, Release, ReleaseStep, ReleaseTable

SUMMARY_FIELDS = ["id", "reference", "title", "period", "state", "as_of", "created_at"]


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


# --- shared -----------------------------------------------------------------------------------------


class KeyLabelSerializer(serializers.Serializer):
    """A row or a column of a table: its key, and how it is called."""

    key = serializers.CharField()
    # DRF's Field has an attribute `label`; the stubs take this API field for it.
    label = serializers.CharField()  # type: ignore[assignment]


class PublishedFiguresSerializer(serializers.Serializer):
    """A table's figures, rounded: null where held back."""

    cells = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(allow_null=True))
    )
    row_totals = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    column_totals = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    total = serializers.IntegerField(allow_null=True)


class ReasonsSerializer(serializers.Serializer):
    """Why each figure is held back ("primary", "secondary", "paired", "differencing" or
    "linked"); "" where it is published."""

    cells = serializers.ListField(child=serializers.ListField(child=serializers.CharField(allow_blank=True)))
    row_totals = serializers.ListField(child=serializers.CharField(allow_blank=True))
    column_totals = serializers.ListField(child=serializers.CharField(allow_blank=True))
    total = serializers.CharField(allow_blank=True)


class HeadlineSerializer(serializers.Serializer):
    """A total said in words: "more than 200 bodies returned"."""

    table = serializers.ChoiceField(choices=TableKey.choices)
    column = serializers.CharField()
    qualifier = serializers.CharField()
    value = serializers.IntegerField()


class _TableBase(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()
    columns = serializers.SerializerMethodField()
    published = PublishedFiguresSerializer(read_only=True)

    def _view(self, table: ReleaseTable) -> selectors.TableView:
        """The table's view, made once per table for all the fields that read it."""
        view = getattr(table, "_view", None)
        if view is None:
            view = table._view = selectors.table_view(table)  # type: ignore[attr-defined]
        return view

    def get_title(self, table: ReleaseTable) -> str:
        return self._view(table).title

    @extend_schema_field(KeyLabelSerializer(many=True))
    def get_rows(self, table: ReleaseTable) -> Any:
        return [{"key": line.key, "label": line.label} for line in self._view(table).lines]

    @extend_schema_field(KeyLabelSerializer(many=True))
    def get_columns(self, table: ReleaseTable) -> Any:
        return [{"key": key, "label": label} for key, label in self._view(table).columns]


# --- the press centre's -----------------------------------------------------------------------------


class StaffTableSerializer(_TableBase):
    counts = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        read_only=True,
        help_text="The true counts, cell by cell: never published.",
    )
    reasons = ReasonsSerializer(read_only=True)
    held_back = serializers.SerializerMethodField(help_text="How many figures are held back.")

    class Meta:
        model = ReleaseTable
        fields = [
            "key",
            "title",
            "row_dimension",
            "column_dimension",
            "rows",
            "columns",
            "published",
            "reasons",
            "counts",
            "held_back",
            "definition",
            "queries",
        ]
        read_only_fields = fields

    def get_held_back(self, table: ReleaseTable) -> int:
        return self._view(table).held_back


class ReleaseStepSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = ReleaseStep
        fields = ["state", "note", "by", "at"]
        read_only_fields = fields

    def get_by(self, step: ReleaseStep) -> str:
        return _name(step.by)


class DisclosureCheckSerializer(serializers.ModelSerializer):
    against = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="References of the releases compared with."
    )
    risks = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Figures the comparison would single out."
    )

    class Meta:
        model = DisclosureCheck
        fields = ["stage", "against", "risks", "passed", "at"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [*SUMMARY_FIELDS, "created_by"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=ReleaseState.choices))
    def get_state(self, release: Release) -> str:
        return str(selectors.state_of(release))

    def get_created_by(self, release: Release) -> str:
        return _name(release.created_by)


class ReleaseDetailSerializer(ReleaseSerializer):
    """A release as the press centre sees it: true counts, what is held back and why, every
    step and every disclosure check."""

    headlines = HeadlineSerializer(many=True, read_only=True)
    tables = StaffTableSerializer(many=True, read_only=True)
    steps = ReleaseStepSerializer(many=True, read_only=True)
    checks = DisclosureCheckSerializer(many=True, read_only=True)

    class Meta:
        model = Release
        fields = [
            *SUMMARY_FIELDS,
            "created_by",
            "note",
            "min_cell",
            "rounding",
            "phrase_step",
            "headlines",
            "tables",
            "steps",
            "checks",
        ]
        read_only_fields = fields


# --- the public's -----------------------------------------------------------------------------------


class PublicTableSerializer(_TableBase):
    """A table as published: the rounded figures, null where held back; no true count, and no
    reason (a reason would tell which figures are small)."""

    class Meta:
        model = ReleaseTable
        fields = ["key", "title", "rows", "columns", "published", "definition"]
        read_only_fields = fields


class PublicReleaseSerializer(serializers.ModelSerializer):
    published_at = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = ["reference", "title", "period", "as_of", "published_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField())
    def get_published_at(self, release: Release) -> Any:
        at = selectors.published_at(release)
        return serializers.DateTimeField().to_representation(at) if at else None


class PublicReleaseDetailSerializer(PublicReleaseSerializer):
    headlines = HeadlineSerializer(many=True, read_only=True)
    tables = PublicTableSerializer(many=True, read_only=True)

    class Meta:
        model = Release
        fields = ["reference", "title", "note", "period", "as_of", "published_at", "headlines", "tables"]
        read_only_fields = fields


# --- writes -----------------------------------------------------------------------------------------


class ReleaseDraftSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Published with the figures."
    )
    tables = serializers.ListField(
        child=serializers.ChoiceField(choices=TableKey.choices), help_text="The tables, in order, each once."
    )
    period = serializers.ChoiceField(choices=Period.choices, default=Period.MONTH)
    min_cell = serializers.IntegerField(
        min_value=1, required=False, help_text="The smallest count published; may be raised, not lowered."
    )
    rounding = serializers.IntegerField(min_value=1, required=False, help_text="Round counts to the nearest.")


class StepNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="Why the release is withdrawn.")
