"""Totals over the persons a user may see, and the releases they may read."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet

from tracebureau.core.policy import visible_to
from tracebureau.registry.choices import Category, Side
from tracebureau.registry.selectors import persons_visible
from tracebureau.reporting.models import StatisticsRelease
from tracebureau.timeline.choices import Situation
from tracebureau.timeline.selectors import situation_counts

# A count below this is published as "fewer than 5": a single released prisoner in a small
# category can be identified by his family, and so by the other side.
MIN_CELL = 5


def totals(*, user: Any) -> dict[str, Any]:
    """Live totals over every (unmerged) person of ours the user sees: by derived situation and
    category. The other side's people we hold are not "ours released" when exchanged back."""
    persons = persons_visible(user=user).filter(merged_into__isnull=True, side=Side.OWN)
    situations = situation_counts(user=user, persons=persons)
    categories = Counter(
        dict(persons.order_by().values_list("category").annotate(n=Count("pk")).values_list("category", "n"))
    )
    return {
        "total": sum(categories.values()),
        "by_situation": {value: situations.get(value, 0) for value in Situation.values},
        "by_category": {value: categories.get(value, 0) for value in Category.values},
    }


def suppress(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures as they may be published: counts from 1 to MIN_CELL - 1 become None."""

    def cell(count: int) -> int | None:
        return None if 0 < count < MIN_CELL else count

    return {
        "total": cell(figures["total"]),
        **{key: {k: cell(v) for k, v in figures[key].items()} for key in ("by_situation", "by_category")},
    }


def releases_visible(*, user: Any) -> QuerySet[StatisticsRelease]:
    return visible_to(StatisticsRelease.objects.select_related("released_by"), user)


def chart_rows(counts: dict[str, int | None], labels: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for a horizontal bar chart: label, count (None = suppressed), bar width in percent."""
    largest = max((c for c in counts.values() if c), default=0)
    return [
        {
            "key": key,
            "label": labels.get(key, key),
            "count": count,
            "width": round(100 * count / largest, 1) if count and largest else 0,
        }
        for key, count in counts.items()
    ]
