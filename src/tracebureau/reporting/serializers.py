from __future__ import annotations

from rest_framework import serializers

from tracebureau.reporting.models import StatisticsRelease


class FiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField(allow_null=True, help_text="null: fewer than 5, suppressed")
    by_situation = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    by_category = serializers.DictField(child=serializers.IntegerField(allow_null=True))


class StatisticsReleaseSerializer(serializers.ModelSerializer):
    figures = FiguresSerializer()
    released_by: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = StatisticsRelease
        fields = ["id", "title", "note", "figures", "released_by", "released_at"]
        read_only_fields = fields
