"""What a family may be told: the five-level status of their relative and the date it last
changed, derived from the timeline the family-facing policy lets through (no detrimental
records), and never a death (STATUS.md: a death is told in person, never on the scale)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from tracebureau.timeline.status import RETRACTION, StatusEvent, derive_status


@dataclass(frozen=True)
class FamilyStatus:
    level: int
    since: dt.date | None


def family_status(events: Sequence[StatusEvent]) -> FamilyStatus:
    """The level a family may be told, and since when it has been that level: the day of the
    earliest event from which every later timeline gives the same level. Corrections always
    count (a retracted report never set a level)."""
    corrections = [e for e in events if e.kind == RETRACTION or e.corrects_id is not None]
    ordinary = sorted((e for e in events if e not in corrections), key=lambda e: (e.occurred_on, e.id))
    final = derive_status(events).family_level
    since: dt.date | None = None
    for i, event in enumerate(ordinary):
        level = derive_status([*ordinary[: i + 1], *corrections]).family_level
        if level != final:
            since = None
        elif since is None:
            since = event.occurred_on
    return FamilyStatus(final, since)
