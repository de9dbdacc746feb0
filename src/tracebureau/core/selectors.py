"""Reads every app shares."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

Row = TypeVar("Row", bound=Model)


def get_or_404(rows: QuerySet[Row], pk: Any, what: str) -> Row:
    """The row of an already policy-filtered queryset, or the same 404 whether it does not exist,
    may not be seen, or the id is not a number (so a 404 never tells them apart)."""
    try:
        return rows.get(pk=int(pk))
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {what}.") from None
