"""The formula check: do the two lists keep the agreed formula? Pure Python, so the rule is
read and tested on its own; services.transition refuses an agreement that breaks it unless
the coordinator overrides, with a reason, and the override is counted.

A formula has up to three parts, all of which must hold:

* a ratio, ours to theirs ("1 to 1", or "1 to 2" when one side gives two for one);
* an agreed number for a side ("50 to 50");
* agreed numbers per category ("the 10 seriously wounded, 10 for 10").

People agreed by number but not yet named (bodies, usually) count with the named ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    category: str
    ours: int
    theirs: int


@dataclass(frozen=True)
class Formula:
    ratio_ours: int = 1
    ratio_theirs: int = 1
    total_ours: int | None = None
    total_theirs: int | None = None
    terms: Sequence[Term] = ()


@dataclass(frozen=True)
class Breach:
    """One way the lists break the formula; `code` and `values` make the message."""

    code: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class Balance:
    ours: int
    theirs: int
    # How many of theirs the ratio asks for our number, and the difference from the list.
    theirs_for_ours: float
    breaches: tuple[Breach, ...]

    @property
    def kept(self) -> bool:
        return not self.breaches


def balance(
    formula: Formula,
    ours: Mapping[str, int],
    theirs: Mapping[str, int],
    *,
    unnamed_ours: int = 0,
    unnamed_theirs: int = 0,
) -> Balance:
    """The two lists' counts (per category) against the formula."""
    total_ours = sum(ours.values()) + unnamed_ours
    total_theirs = sum(theirs.values()) + unnamed_theirs
    breaches: list[Breach] = []
    if total_ours == 0 and total_theirs == 0:
        breaches.append(Breach("empty", {}))
    if total_ours * formula.ratio_theirs != total_theirs * formula.ratio_ours:
        breaches.append(
            Breach(
                "ratio",
                {
                    "ours": total_ours,
                    "theirs": total_theirs,
                    "ratio_ours": formula.ratio_ours,
                    "ratio_theirs": formula.ratio_theirs,
                },
            )
        )
    for side, agreed, listed in (
        ("ours", formula.total_ours, total_ours),
        ("theirs", formula.total_theirs, total_theirs),
    ):
        if agreed is not None and agreed != listed:
            breaches.append(Breach(f"total_{side}", {"agreed": agreed, "listed": listed}))
    for term in formula.terms:
        for side, agreed, counts in (("ours", term.ours, ours), ("theirs", term.theirs, theirs)):
            listed = counts.get(term.category, 0)
            if listed != agreed:
                breaches.append(
                    Breach(f"term_{side}", {"category": term.category, "agreed": agreed, "listed": listed})
                )
    return Balance(
        ours=total_ours,
        theirs=total_theirs,
        theirs_for_ours=total_ours * formula.ratio_theirs / formula.ratio_ours,
        breaches=tuple(breaches),
    )
