"""Who came back: the outcome of each person from the two lists and the arrivals list. Pure
Python; the exchange page shows it before verification and services.verify records it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from tracebureau.exchanges.choices import Condition, Outcome


@dataclass(frozen=True)
class Listed:
    entry_id: int
    person_id: int


@dataclass(frozen=True)
class Arrived:
    row_id: int
    person_id: int | None  # None: a body nobody could name yet
    condition: str


@dataclass(frozen=True)
class Planned:
    outcome: str
    person_id: int | None
    entry_id: int | None = None
    row_id: int | None = None


def plan(
    requested: Sequence[Listed],
    offered: Sequence[Listed],
    arrived: Sequence[Arrived],
    *,
    not_handed_over: Collection[int] = (),
) -> list[Planned]:
    """One outcome per person on our list (returned, returned deceased or not returned), one
    per arrival who was on no list (substituted if alive, returned deceased if a body, named
    or not), and one per person on their list (handed over or not)."""
    by_person = {a.person_id: a for a in arrived if a.person_id is not None}
    listed = {entry.person_id for entry in requested}
    result: list[Planned] = []
    for entry in requested:
        came = by_person.get(entry.person_id)
        if came is None:
            result.append(Planned(Outcome.NOT_RETURNED, entry.person_id, entry_id=entry.entry_id))
        else:
            outcome = Outcome.DECEASED if came.condition == Condition.DECEASED else Outcome.RETURNED
            result.append(Planned(outcome, entry.person_id, entry_id=entry.entry_id, row_id=came.row_id))
    for came in arrived:
        if came.person_id is None or came.person_id not in listed:
            # Bodies are returned, not substituted: a body exchange lists them by number.
            outcome = Outcome.DECEASED if came.condition == Condition.DECEASED else Outcome.SUBSTITUTED
            result.append(Planned(outcome, came.person_id, row_id=came.row_id))
    for entry in offered:
        outcome = Outcome.NOT_HANDED_OVER if entry.entry_id in not_handed_over else Outcome.HANDED_OVER
        result.append(Planned(outcome, entry.person_id, entry_id=entry.entry_id))
    return result
