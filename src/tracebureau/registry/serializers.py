"""How persons look in the REST API, and what the API accepts before it calls the services."""

from __future__ import annotations

import calendar
import re
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracebureau.core.api import MaskedSerializer, VisibleRelatedField
from tracebureau.registry.choices import Script, Transliteration
from tracebureau.registry.models import Agency, NameVariant, Person, PersonMerge
from tracebureau.registry.selectors import agencies_visible, persons_changeable
from tracebureau.timeline.selectors import sources_visible
from tracebureau.timeline.serializers import StatusSerializer

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
BIRTH_FIELDS = ("birth_year", "birth_month", "birth_day")
IDENTITY_FIELDS = [
    "family_name", "given_names", "patronymic", "mother_maiden_name", "birth_date",
    "place_of_birth", "sex", "nationality", "power_served", "category", "side", "agency", "rank",
    "unit", "service_number", "identity_disc", "call_sign", "next_of_kin",
    "correspondence_address", "distinguishing_marks", "classification", "detrimental_to_disclose",
]


def _agencies_visible(*, user: Any) -> QuerySet[Agency]:
    return agencies_visible(user=user)


class AgencyCodeField(serializers.SlugRelatedField):
    """An agency given and shown by its code ("navy"), as the list filter takes it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self) -> QuerySet[Agency]:
        return _agencies_visible(user=self.context["request"].user)


@extend_schema_field({"type": "string", "pattern": _PARTIAL_DATE.pattern, "example": "1998-03"})
class PartialDateField(serializers.Field):
    """A date of birth to the precision known: "1998", "1998-03" or "1998-03-12".

    Read from and written to the three birth_* model fields (source="*"); an empty string or
    null clears them.
    """

    def to_representation(self, person: Person) -> str | None:
        return person.birth_date_display or None

    def to_internal_value(self, data: Any) -> dict[str, int | None]:
        if data in (None, ""):
            return dict.fromkeys(BIRTH_FIELDS)
        match = _PARTIAL_DATE.match(str(data))
        if not match:
            raise serializers.ValidationError("Use YYYY, YYYY-MM or YYYY-MM-DD.")
        year, month, day = (int(part) if part else None for part in match.groups())
        _check_partial_date(year, month, day)
        return dict(zip(BIRTH_FIELDS, (year, month, day), strict=True))


def _check_partial_date(year: Any, month: int | None, day: int | None) -> None:
    if month is not None and not 1 <= month <= 12:
        raise serializers.ValidationError(f"There is no month {month}.")
    if day is not None and month is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise serializers.ValidationError(f"{year}-{month:02d} has no day {day}.")


class NameVariantSerializer(serializers.ModelSerializer):
    # DRF's Field has an attribute `source`; the stubs take this API field for it.
    source = VisibleRelatedField(  # type: ignore[assignment]
        selector=sources_visible, allow_null=True, required=False
    )
    script = serializers.ChoiceField(choices=Script.choices, required=False)

    class Meta:
        model = NameVariant
        fields = [
            "id", "person", "family_name", "given_names", "patronymic", "script",
            "transliteration", "source", "recorded_at",
        ]
        read_only_fields = ["id", "person", "recorded_at"]
        extra_kwargs = {"transliteration": {"choices": Transliteration.choices}}


class PersonListSerializer(MaskedSerializer, serializers.ModelSerializer):
    """A row of the list: who the person is and, in brief, what is known of them."""

    birth_date = PartialDateField(source="*", read_only=True)
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id", "full_name", "family_name", "given_names", "patronymic", "birth_date",
            "category", "side", "agency", "service_number", "call_sign", "merged_into",
            "version", "status", "withheld",
        ]

    @extend_schema_field(StatusSerializer)
    def get_status(self, person: Person) -> dict[str, Any]:
        return StatusSerializer(self.context["statuses"][person.pk]).data


class PersonDetailSerializer(MaskedSerializer, serializers.ModelSerializer):
    """The whole record: identity fields, every spelling, and the status derived from the
    timeline (merged records included)."""

    birth_date = PartialDateField(source="*", read_only=True)
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    name_variants = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id", "full_name", *IDENTITY_FIELDS, "merged_into", "version", "created_at",
            "updated_at", "name_variants", "status", "withheld",
        ]

    @extend_schema_field(NameVariantSerializer(many=True))
    def get_name_variants(self, person: Person) -> Any:
        return NameVariantSerializer(self.context["name_variants"], many=True).data

    @extend_schema_field(StatusSerializer)
    def get_status(self, person: Person) -> dict[str, Any]:
        return StatusSerializer(self.context["status"]).data


class PersonCreateSerializer(serializers.ModelSerializer):
    """The identity fields a person is registered with; the services check the rest."""

    birth_date = PartialDateField(source="*", required=False)
    agency = AgencyCodeField(required=False, allow_null=True)

    class Meta:
        model = Person
        fields = IDENTITY_FIELDS


class PersonUpdateSerializer(PersonCreateSerializer):
    """A partial edit. `version` is the version the client read, so that a colleague's edit
    made in the meantime is kept, or a clash on the same field is refused (409)."""

    version = serializers.IntegerField(min_value=1)

    class Meta(PersonCreateSerializer.Meta):
        fields = [*IDENTITY_FIELDS, "version"]
        # Not DRF's partial=True: that would also stop requiring `version`.
        extra_kwargs = {name: {"required": False} for name in ("family_name", "category")}

    # drf-spectacular marks every PATCH body partial (all optional) unless the serializer says
    # otherwise; this one never is, so the schema shows `version` as required, as it is.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass


class MergeSerializer(serializers.Serializer):
    absorb = VisibleRelatedField(
        selector=persons_changeable, help_text="The record to show as part of this one."
    )
    reason = serializers.CharField()


class UnmergeSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PersonMergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonMerge
        fields = ["id", "keep", "absorb", "action", "reason", "by", "at"]
        read_only_fields = fields


class AutocompleteSerializer(serializers.ModelSerializer):
    birth_date = PartialDateField(source="*", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "full_name", "birth_date"]
        read_only_fields = fields
