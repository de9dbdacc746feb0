"""Disclosure control for figures meant for the public: primary and secondary suppression of a
table with its totals, rounding and "more than" phrasing, and the differencing check between
two releases. Plain Python, no Django, so that its rules are read and tested on their own;
the press workflow (issue 8) is to apply it to the figures it derives from the registry.

The aim, for a two-way table published with its row, column and grand totals: every hidden
cell of somebody (not zero) keeps at least two possible values given everything published.
Primary suppression hides the small cells (1 to k-1) and withholds the totals of 1 to k-1
people; secondary suppression then hides, in any line published with its total and left with
a single hidden cell, the smallest other non-zero cell of that line, or withholds the line's
total where none is left; and since the totals of one kind add up to the grand total, a
withheld total never stands alone. Hidden cells then lie on cycles along which values shift up
and down by one without changing a published total. The tests check the aim by solving the
published totals for the hidden cells, on a worked table and on generated ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Protected:
    """A table as it may be published: `cells[r][c]` is None where suppressed, and `reasons`
    says why ("primary": too few people; "secondary": would let a hidden cell be recovered).
    A total of 1 to k-1 people is itself too few to publish, and is None too."""

    cells: tuple[tuple[int | None, ...], ...]
    reasons: tuple[tuple[str, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None


def protect(table: Sequence[Sequence[int]], *, k: int = 10) -> Protected:
    """Suppress what must not be published in `table` (counts, rows × columns)."""
    counts = [list(row) for row in table]
    if (
        not counts
        or any(len(row) != len(counts[0]) for row in counts)
        or any(v < 0 for row in counts for v in row)
    ):
        raise ValueError("a table is a non-empty rectangle of counts, none negative")
    reasons = [["" if not 0 < v < k else PRIMARY for v in row] for row in counts]
    row_totals = [_small(sum(row), k) for row in counts]
    column_totals = [_small(sum(col), k) for col in zip(*counts, strict=True)]
    _pair_withheld(row_totals)
    _pair_withheld(column_totals)
    while _add_secondary(counts, reasons, row_totals, column_totals):
        pass
    return Protected(
        cells=tuple(
            tuple(None if why else v for v, why in zip(row, why_row, strict=True))
            for row, why_row in zip(counts, reasons, strict=True)
        ),
        reasons=tuple(tuple(row) for row in reasons),
        row_totals=tuple(row_totals),
        column_totals=tuple(column_totals),
        total=_small(sum(sum(row) for row in counts), k),
    )


def _small(total: int, k: int) -> int | None:
    return None if 0 < total < k else total


def _pair_withheld(totals: list[int | None]) -> None:
    """The totals of one kind add up to the grand total: one withheld alone could be
    recomputed, so a second (the smallest other) is withheld with it."""
    others = [i for i, t in enumerate(totals) if t]
    if sum(t is None for t in totals) == 1 and others:
        totals[min(others, key=lambda i: totals[i] or 0)] = None


def _add_secondary(
    counts: list[list[int]],
    reasons: list[list[str]],
    row_totals: list[int | None],
    column_totals: list[int | None],
) -> bool:
    """Hide one more cell (or withhold one more total) where a line published with its total
    has exactly one hidden cell; False when none needs it. A line whose total is withheld
    gives nothing away, and one of nobody (total 0) holds nobody to protect."""
    rows, columns = range(len(counts)), range(len(counts[0]))
    lines = [(row_totals, r, [(r, c) for c in columns]) for r in rows if row_totals[r]]
    lines += [(column_totals, c, [(r, c) for r in rows]) for c in columns if column_totals[c]]
    for totals, index, line in lines:
        hidden = [cell for cell in line if reasons[cell[0]][cell[1]]]
        candidates = [cell for cell in line if not reasons[cell[0]][cell[1]] and counts[cell[0]][cell[1]]]
        if len(hidden) != 1:
            continue
        if not candidates:
            # Only zeros left: a hidden zero covers nothing (its crossing line may show it is
            # zero), so the line's total is withheld instead.
            totals[index] = None
            _pair_withheld(totals)
            return True
        r, c = min(candidates, key=lambda cell: counts[cell[0]][cell[1]])  # the smallest loses least
        reasons[r][c] = SECONDARY
        return True
    return False


def round_to(value: int, base: int = 5) -> int:
    """The nearest multiple of `base` (halves up): 12 → 10, 13 → 15."""
    return int((value + base / 2) // base * base)


@dataclass(frozen=True)
class Phrase:
    """How a count is said in a release: "more than 200", or "about 40"."""

    qualifier: str  # "more_than" or "about"
    value: int


def phrase(value: int, *, step: int = 100, base: int = 5) -> Phrase:
    """At or above `step`, the multiple of `step` below it ("more than 200" for 258); below,
    the count rounded to `base` ("about 40" for 38). Exactly a multiple of `step` is "about"."""
    if value >= step and value % step:
        return Phrase("more_than", value // step * step)
    return Phrase("about", round_to(value, base))


def differencing_risks(
    previous: Mapping[str, int | None], current: Mapping[str, int | None], *, k: int = 10
) -> list[str]:
    """The cells, published in both releases, whose difference is 1 to k-1 people: set side
    by side, the two releases would single those few out ("one more released since Monday").
    The new release must not go out with such a cell as it is."""
    return sorted(
        key
        for key, now in current.items()
        if now is not None and previous.get(key) is not None and 0 < abs(now - previous[key]) < k  # type: ignore[operator]
    )
