"""Releasing totals to the press office."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tracebureau.core import policy
from tracebureau.core.policy import Can
from tracebureau.reporting.models import StatisticsRelease
from tracebureau.reporting.selectors import suppress, totals


@transaction.atomic
def release_create(*, by: Any, title: str, note: str = "") -> StatisticsRelease:
    """Freeze the releasing analyst's current totals, small counts suppressed, for the press."""
    policy.require(by, Can.RELEASE_STATISTICS)
    if not title.strip():
        raise ValidationError({"title": _("Give the release a title (what the figures are for).")})
    release = StatisticsRelease(
        title=title.strip(), note=note.strip(), figures=suppress(totals(user=by)), released_by=by
    )
    release.full_clean()
    release.save()
    return release
