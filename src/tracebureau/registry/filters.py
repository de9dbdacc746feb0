"""Filters of the persons list in the REST API."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet

from tracebureau.core.api import WholeNumberFilter
from tracebureau.registry.choices import Category, Side
from tracebureau.registry.models import Person
from tracebureau.registry.selectors import person_search


class PersonFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="search",
        label="Any spelling of the name (Cyrillic or Latin), service number, call sign or date of birth.",
    )
    agency = filters.CharFilter(field_name="agency__code", label="Agency code, e.g. navy.")
    category = filters.ChoiceFilter(choices=Category.choices)
    side = filters.ChoiceFilter(choices=Side.choices)
    birth_year = WholeNumberFilter()
    service_number = filters.CharFilter(lookup_expr="iexact")
    include_merged = filters.BooleanFilter(
        method="keep_all", label="Also list records merged into another (hidden by default)."
    )

    class Meta:
        model = Person
        fields = ["q", "agency", "category", "side", "birth_year", "service_number", "include_merged"]

    def filter_queryset(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        queryset = super().filter_queryset(queryset)
        # A merged record is shown through the one it was merged into, unless asked for.
        if not self.form.cleaned_data.get("include_merged"):
            queryset = queryset.filter(merged_into__isnull=True)
        return queryset

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        found = person_search(user=self.request.user, query=value, include_merged=True)
        return queryset.filter(pk__in=found.values("pk"))

    def keep_all(self, queryset: QuerySet[Person], name: str, value: Any) -> QuerySet[Person]:
        return queryset  # applied in filter_queryset, where the default is known
