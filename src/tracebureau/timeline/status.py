"""Derived status: what a person's timeline says about them now, and why.

A pure function of the events (no Django, no database), so it can be recomputed at any time,
tested exhaustively and explained line by line. The rules are those of STATUS.md:

1. Events are ordered by when they happened, not when they were recorded. An event known only
   to the month or year sorts at the start of that period, before day-dated events of that day;
   a date without a time sorts at the start of its day. For equal times a later stage wins
   (buried > identified > remains repatriated > deceased > released > in custody > missing),
   then the better-graded report.
2. A retracted or superseded event no longer counts; undoing a correction restores it.
3. A weak report (source E/F or credibility 5/6) is shown as unconfirmed and changes nothing.
4. A sign of life dated after a death report wins over it, and the conflict is flagged.
5. The family scale (1-5) never exceeds what the sources support: level 4 needs an
   ICRC-sourced report within the current spell of custody. Deaths are never conveyed on the
   scale: they are told in person, so the family level stays at the level before the death.

Example:
    >>> from datetime import date
    >>> e = StatusEvent(id=1, kind="captured", occurred_on=date(2022, 5, 17), precision="day",
    ...                 reliability="B", credibility=2)
    >>> derive_status([e]).situation
    'in_custody'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time

__all__ = [
    "DEATH_SITUATIONS",
    "EVENT_SITUATION",
    "SIGN_OF_LIFE_KINDS",
    "DerivedStatus",
    "StatusEvent",
    "derive_status",
    "is_weak",
]

# Situations, in the order of their stage (STATUS.md rule 1).
UNKNOWN = "unknown"
MISSING = "missing"
IN_CUSTODY = "in_custody"
RELEASED = "released"
DECEASED = "deceased"
REMAINS_REPATRIATED = "remains_repatriated"
IDENTIFIED = "identified"
BURIED = "buried"

STAGE = {
    UNKNOWN: 0,
    MISSING: 1,
    IN_CUSTODY: 2,
    RELEASED: 3,
    DECEASED: 4,
    REMAINS_REPATRIATED: 5,
    IDENTIFIED: 6,
    BURIED: 7,
}
DEATH_SITUATIONS = frozenset({DECEASED, REMAINS_REPATRIATED, IDENTIFIED, BURIED})

# Which situation each kind of event establishes; kinds not listed inform without changing it.
EVENT_SITUATION: dict[str, str] = {
    "reported_missing": MISSING,
    "captured": IN_CUSTODY,
    "proof_of_life": IN_CUSTODY,
    "contact": IN_CUSTODY,
    "health_report": IN_CUSTODY,
    "hospitalised": IN_CUSTODY,
    "evacuated": IN_CUSTODY,
    "transferred": IN_CUSTODY,
    "icrc_visit": IN_CUSTODY,
    # An escaped prisoner is out of custody and not known to be home: whereabouts unknown.
    "escaped": MISSING,
    "released": RELEASED,
    "returned": RELEASED,
    "killed": DECEASED,
    "died_in_custody": DECEASED,
    "remains_located": DECEASED,
    "remains_repatriated": REMAINS_REPATRIATED,
    "identified": IDENTIFIED,
    "buried": BURIED,
}
SIGN_OF_LIFE_KINDS = frozenset(
    {
        "captured",
        "proof_of_life",
        "contact",
        "health_report",
        "hospitalised",
        "evacuated",
        "transferred",
        "icrc_visit",
        "escaped",
        "released",
        "returned",
    }
)
RETRACTION = "retraction"

# An escape leaves custody but goes back down the stages (to "missing"): on the same day as a
# capture or a transfer it comes after them, not before.
_TIE_STAGE = {"escaped": STAGE[IN_CUSTODY] + 0.5}
_PRECISION_RANK = {"before": 0, "year": 1, "month": 2, "day": 3, "exact": 3, "after": 4}
_RELIABILITY = "ABCDEF"
_WEAK_RELIABILITY = frozenset("EF")
_WEAK_CREDIBILITY = frozenset({5, 6})

FAMILY_LEVEL = {UNKNOWN: 1, MISSING: 2, RELEASED: 5}


@dataclass(frozen=True)
class StatusEvent:
    """The facts of one event that the status depends on."""

    id: int
    kind: str
    occurred_on: date
    precision: str
    reliability: str
    credibility: int
    occurred_time: time | None = None
    source_is_icrc: bool = False
    place_id: int | None = None
    corrects_id: int | None = None


@dataclass(frozen=True)
class DerivedStatus:
    """The situation, the family-scale level and the events that justify them."""

    situation: str
    # 1-5 on the family scale; None for a death, which is never conveyed on the scale.
    level: int | None
    # What a family may be told before a liaison officer has seen them in person.
    family_level: int
    basis_id: int | None = None
    icrc_basis_id: int | None = None
    last_place_id: int | None = None
    last_sign_of_life_id: int | None = None
    unconfirmed_ids: tuple[int, ...] = ()
    void_ids: tuple[int, ...] = ()
    # (death report, later sign of life) pairs for a person to review.
    conflicts: tuple[tuple[int, int], ...] = field(default=())

    @property
    def is_death(self) -> bool:
        return self.situation in DEATH_SITUATIONS


def is_weak(event: StatusEvent) -> bool:
    """An E/F source or a 5/6 credibility: shown as unconfirmed, never changes the situation."""
    return event.reliability in _WEAK_RELIABILITY or event.credibility in _WEAK_CREDIBILITY


def _sort_key(event: StatusEvent) -> tuple[object, ...]:
    minutes = (
        -1 if event.occurred_time is None else event.occurred_time.hour * 60 + event.occurred_time.minute
    )
    seconds = 0 if event.occurred_time is None else event.occurred_time.second
    stage = _TIE_STAGE.get(event.kind) or STAGE[EVENT_SITUATION.get(event.kind, UNKNOWN)]
    strength = -(_RELIABILITY.index(event.reliability) + event.credibility)
    # The last elements only make the order total, from content rather than recording order.
    return (
        event.occurred_on,
        _PRECISION_RANK[event.precision],
        minutes,
        seconds,
        stage,
        strength,
        event.kind,
        event.place_id or 0,
        event.source_is_icrc,
        event.id,
    )


def _void_ids(events: Sequence[StatusEvent]) -> set[int]:
    """Events cancelled by a correction that itself still counts."""
    by_id = {e.id: e for e in events}
    corrections: dict[int, list[StatusEvent]] = {}
    for e in events:
        if e.corrects_id is not None:
            corrections.setdefault(e.corrects_id, []).append(e)
    memo: dict[int, bool] = {}

    def void(event_id: int) -> bool:
        if event_id not in memo:
            memo[event_id] = False  # corrections point to earlier rows, so no cycle; guard anyway
            memo[event_id] = any(not void(c.id) for c in corrections.get(event_id, ()))
        return memo[event_id]

    return {i for i in by_id if void(i)}


def derive_status(events: Iterable[StatusEvent]) -> DerivedStatus:
    """The status a timeline establishes. See the module docstring for the rules."""
    all_events = list(events)
    void = _void_ids(all_events)
    live = [e for e in all_events if e.id not in void and e.kind != RETRACTION]
    weak = [e for e in live if is_weak(e)]
    strong = sorted((e for e in live if not is_weak(e)), key=_sort_key)
    return _derive_from(
        strong,
        has_information=bool(live),
        information_besides_deaths=any(EVENT_SITUATION.get(e.kind) not in DEATH_SITUATIONS for e in live),
        unconfirmed=tuple(sorted(e.id for e in weak)),
        void=tuple(sorted(void)),
    )


def _derive_from(
    strong: list[StatusEvent],
    *,
    has_information: bool,
    information_besides_deaths: bool = False,
    unconfirmed: tuple[int, ...] = (),
    void: tuple[int, ...] = (),
) -> DerivedStatus:
    situational = [e for e in strong if e.kind in EVENT_SITUATION]
    basis = situational[-1] if situational else None
    situation = EVENT_SITUATION[basis.kind] if basis else UNKNOWN
    icrc = _icrc_basis(situational) if situation == IN_CUSTODY else None
    level = _level(situation, icrc, has_information=has_information)
    if level is None:
        assert basis is not None
        before = strong[: strong.index(basis)]
        family_level = _derive_from(
            [e for e in before if EVENT_SITUATION.get(e.kind) not in DEATH_SITUATIONS],
            # A death report alone must not lift the family from "no information".
            has_information=information_besides_deaths,
        ).family_level
    else:
        family_level = level
    places = [e for e in strong if e.place_id is not None]
    signs = [e for e in strong if e.kind in SIGN_OF_LIFE_KINDS]
    return DerivedStatus(
        situation=situation,
        level=level,
        family_level=family_level,
        basis_id=basis.id if basis else None,
        icrc_basis_id=icrc.id if icrc else None,
        last_place_id=places[-1].place_id if places else None,
        last_sign_of_life_id=signs[-1].id if signs else None,
        unconfirmed_ids=unconfirmed,
        void_ids=void,
        conflicts=_conflicts(strong),
    )


def _icrc_basis(situational: list[StatusEvent]) -> StatusEvent | None:
    """The latest ICRC-sourced report within the current, unbroken spell of custody."""
    for event in reversed(situational):
        if EVENT_SITUATION[event.kind] != IN_CUSTODY:
            return None
        if event.source_is_icrc:  # the ICRC itself said so, not someone reporting a visit
            return event
    return None


def _level(situation: str, icrc: StatusEvent | None, *, has_information: bool) -> int | None:
    if situation in DEATH_SITUATIONS:
        return None
    if situation == IN_CUSTODY:
        return 4 if icrc else 3
    if situation == UNKNOWN and has_information:
        return 2  # "information exists; captivity not established"
    return FAMILY_LEVEL[situation]


def _conflicts(strong: list[StatusEvent]) -> tuple[tuple[int, int], ...]:
    found: list[tuple[int, int]] = []
    for i, death in enumerate(strong):
        if EVENT_SITUATION.get(death.kind) not in DEATH_SITUATIONS:
            continue
        for later in strong[i + 1 :]:
            if later.kind in SIGN_OF_LIFE_KINDS and _sort_key(later)[:4] > _sort_key(death)[:4]:
                found.append((death.id, later.id))
    return tuple(found)
