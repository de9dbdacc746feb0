"""Filters of the events list in the REST API."""

from __future__ import annotations

import django_filters as filters

from tracebureau.core.api import WholeNumberFilter
from tracebureau.timeline.choices import EventKind
from tracebureau.timeline.models import Event


class EventFilter(filters.FilterSet):
    # Plain ids, not model choices: the queryset is already limited to what the caller may see,
    # so an id they may not see simply finds nothing.
    person = WholeNumberFilter(field_name="person_id", label="Person id (own record only).")
    kind = filters.ChoiceFilter(choices=EventKind.choices)
    source = WholeNumberFilter(field_name="source_id", label="Source id.")
    place = WholeNumberFilter(field_name="place_id", label="Place id.")
    bulk = WholeNumberFilter(field_name="bulk_id", label="Bulk event id.")
    occurred_after = filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = Event
        fields = ["person", "kind", "source", "place", "bulk", "occurred_after", "occurred_before"]
