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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog

PRIMARY = "primary"  # too few people: 1 to k-1
SECONDARY = "secondary"  # would let a hidden cell or withheld total be recovered
DIFFERENCING = "differencing"  # set beside an earlier release, would single a few people out
PAIRED = "paired"  # a total withheld with another, since totals of one kind add up
LINKED = "linked"  # the same figure is held back in another table of the release
UNSUMMED = "unsummed"  # a row total of columns that do not add up (captured + released ...)


@dataclass(frozen=True)
class Protected:
    """A table as it may be published: `cells[r][c]` is None where suppressed, and `reasons`
    says why (PRIMARY, SECONDARY, DIFFERENCING); totals likewise, with their own reasons
    (PRIMARY, PAIRED, SECONDARY, DIFFERENCING) and "" where published."""

    cells: tuple[tuple[int | None, ...], ...]
    reasons: tuple[tuple[str, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    row_total_reasons: tuple[str, ...] = ()
    column_total_reasons: tuple[str, ...] = ()
    total_reason: str = ""


@dataclass
class _Totals:
    """The totals of one kind (rows or columns), and why each is withheld ("" if published)."""

    values: list[int]
    why: list[str]

    def withheld(self, i: int) -> bool:
        return bool(self.why[i])

    def withhold(self, i: int, reason: str) -> bool:
        if self.why[i] or not self.values[i]:
            return False
        self.why[i] = reason
        return True

    def published(self) -> list[int | None]:
        return [None if why else v for v, why in zip(self.values, self.why, strict=True)]

    def pair(self, grand_withheld: bool) -> bool:
        """Totals of one kind add up to the grand total: one withheld alone could be recomputed
        from it, so the smallest other non-zero one is withheld with it; and a withheld grand
        total could be recomputed from totals all published. True if it withheld one."""
        count = sum(bool(w) for w in self.why)
        others = [i for i, v in enumerate(self.values) if v and not self.why[i]]
        if others and (count == 1 or (grand_withheld and count == 0)):
            self.withhold(min(others, key=lambda i: self.values[i]), PAIRED)
            return True
        return False


def protect(
    table: Sequence[Sequence[int]],
    *,
    k: int = 10,
    hide: Collection[tuple[int, int]] | Mapping[tuple[int, int], str] = (),
    withhold_rows: Collection[int] | Mapping[int, str] = (),
    withhold_columns: Collection[int] | Mapping[int, str] = (),
    withhold_total: bool | str = False,
    rows_add_up: bool = True,
) -> Protected:
    """Suppress what must not be published in `table` (counts, rows × columns). `hide` and the
    `withhold_*` arguments add cells and totals that must not go out for another reason (the
    differencing check, by default, or the reason they map to): they are protected like the
    small ones. Where the columns are not parts of one whole (`rows_add_up=False`: people
    captured, released, identified in a month), no row total and no grand total is published,
    and none is an equation an attacker could use."""
    counts = [list(row) for row in table]
    if (
        not counts
        or any(len(row) != len(counts[0]) for row in counts)
        or any(v < 0 for row in counts for v in row)
    ):
        raise ValueError("a table is a non-empty rectangle of counts, none negative")
    forced = _why(hide)
    reasons = [
        [PRIMARY if 0 < v < k else forced.get((r, c), "") if v else "" for c, v in enumerate(row)]
        for r, row in enumerate(counts)
    ]
    rows = _totals([sum(row) for row in counts], k, _why(withhold_rows))
    columns = _totals([sum(col) for col in zip(*counts, strict=True)], k, _why(withhold_columns))
    total_why = withhold_total if isinstance(withhold_total, str) else DIFFERENCING if withhold_total else ""
    grand = _totals([sum(rows.values)], k, {0: total_why} if total_why else {})
    if not rows_add_up:
        rows.why = [UNSUMMED] * len(rows.values)
        grand.why = [UNSUMMED]
    while (
        (rows_add_up and (rows.pair(grand.withheld(0)) or columns.pair(grand.withheld(0))))
        or _add_secondary(counts, reasons, rows, columns)
        or _audit(counts, reasons, rows, columns, grand)
    ):
        pass
    return Protected(
        cells=tuple(
            tuple(None if why else v for v, why in zip(row, why_row, strict=True))
            for row, why_row in zip(counts, reasons, strict=True)
        ),
        reasons=tuple(tuple(row) for row in reasons),
        row_totals=tuple(rows.published()),
        column_totals=tuple(columns.published()),
        total=grand.published()[0],
        row_total_reasons=tuple(rows.why),
        column_total_reasons=tuple(columns.why),
        total_reason=grand.why[0],
    )


def _why(forced: Collection[Any] | Mapping[Any, str]) -> Mapping[Any, str]:
    return forced if isinstance(forced, Mapping) else dict.fromkeys(forced, DIFFERENCING)


def _totals(values: list[int], k: int, forced: Mapping[int, str]) -> _Totals:
    why = [PRIMARY if 0 < v < k else forced.get(i, "") if v else "" for i, v in enumerate(values)]
    return _Totals(values, why)


def _add_secondary(
    counts: list[list[int]], reasons: list[list[str]], rows: _Totals, columns: _Totals
) -> bool:
    """Hide one more cell (or withhold one more total) where a line gives a hidden value away;
    False when none does. A line published with its total gives away its one hidden cell; a
    line whose total is withheld gives the total away if none of its cells of somebody is
    hidden. A line of nobody (total 0) holds nobody to protect."""
    n_rows, n_columns = len(counts), len(counts[0])
    lines = [(rows, r, [(r, c) for c in range(n_columns)]) for r in range(n_rows) if rows.values[r]]
    lines += [(columns, c, [(r, c) for r in range(n_rows)]) for c in range(n_columns) if columns.values[c]]
    for totals, index, line in lines:
        if totals.why[index] == UNSUMMED:
            continue  # not a figure anyone sees, nor an equation
        hidden = [(r, c) for r, c in line if reasons[r][c] and counts[r][c]]
        candidates = [(r, c) for r, c in line if not reasons[r][c] and counts[r][c]]
        withheld = totals.withheld(index)
        if withheld and hidden:
            continue  # the total is unknown while a cell of somebody in it is
        if not withheld and sum(bool(reasons[r][c]) for r, c in line) != 1:
            continue  # nothing hidden, or at least two hidden cells sharing what the total says
        if not candidates:
            if withheld:
                continue  # every cell of somebody is hidden already
            # Only zeros left: a hidden zero covers nothing (its crossing line may show it is
            # zero), so the line's total is withheld instead.
            totals.withhold(index, SECONDARY)
            return True
        r, c = min(candidates, key=lambda cell: counts[cell[0]][cell[1]])  # the smallest loses least
        reasons[r][c] = SECONDARY
        return True
    return False


def _audit(
    counts: list[list[int]], reasons: list[list[str]], rows: _Totals, columns: _Totals, grand: _Totals
) -> bool:
    """The attacker's check, as a statistics office audits a table: bound every hidden cell and
    every withheld total by linear programming over what is published (hidden cells are at
    least 1, since a zero is always shown). Where one is pinned to a single value, hide the
    smallest published cell of somebody beside it and return True; False when all are safe.
    The constraints are a transportation problem, whose bounds are whole numbers."""
    hidden = [(r, c) for r, row in enumerate(reasons) for c, why in enumerate(row) if why]
    if not hidden:
        return False
    position = {cell: i for i, cell in enumerate(hidden)}
    a_eq, b_eq = [], []
    lines = [(rows, r, [(r, c) for c in range(len(counts[0]))]) for r in range(len(counts))]
    lines += [(columns, c, [(r, c) for r in range(len(counts))]) for c in range(len(counts[0]))]
    for totals, index, line in lines:
        if not totals.withheld(index):
            a_eq.append(_indicator(position, line))
            b_eq.append(totals.values[index] - sum(counts[r][c] for r, c in line if (r, c) not in position))
    if not grand.withheld(0):
        a_eq.append(np.ones(len(hidden)))
        published = sum(v for row in counts for v in row) - sum(counts[r][c] for r, c in hidden)
        b_eq.append(grand.values[0] - published)
    targets = [([cell], [cell]) for cell in hidden if counts[cell[0]][cell[1]]]
    targets += [([cell for cell in line if cell in position], line) for totals, index, line in lines
                if totals.withheld(index) and totals.values[index] and totals.why[index] != UNSUMMED]
    if grand.withheld(0) and grand.values[0] and grand.why[0] != UNSUMMED:
        # Held back for differencing or linking, the grand total must not be the sum of what
        # the published line totals leave over either.
        targets.append((hidden, [cell for row in lines[: len(counts)] for cell in row[2]]))
    for members, line in targets:
        # A withheld total over published cells only is given away by their sum.
        if not members or pinned(_indicator(position, members), a_eq, b_eq):
            return _hide_beside(counts, reasons, line, (rows, columns, grand))
    return False


def _indicator(position: Mapping[tuple[int, int], int], cells: Sequence[tuple[int, int]]) -> np.ndarray:
    vector = np.zeros(len(position))
    for cell in cells:
        if cell in position:
            vector[position[cell]] = 1.0
    return vector


def pinned(objective: np.ndarray, a_eq: Sequence[np.ndarray], b_eq: Sequence[int]) -> bool:
    """Whether the published equations leave `objective · hidden` a single possible value."""
    kwargs = {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq)} if a_eq else {}
    low = linprog(objective, bounds=(1, None), method="highs", **kwargs)
    high = linprog(-objective, bounds=(1, None), method="highs", **kwargs)
    if low.status == 3 or high.status == 3:  # unbounded: free
        return False
    return bool(low.success and high.success and -high.fun - low.fun < 1 - 1e-6)


def _hide_beside(
    counts: list[list[int]], reasons: list[list[str]], line: Sequence[tuple[int, int]],
    totals: Sequence[_Totals],
) -> bool:
    """Hide the smallest published cell of somebody in `line`, or else in the whole table; with
    none left anywhere, withhold every total (then nothing is pinned). False if nothing changed."""
    cells = [(r, c) for r, c in line if not reasons[r][c] and counts[r][c]]
    if not cells:
        cells = [(r, c) for r, row in enumerate(counts) for c, v in enumerate(row) if v and not reasons[r][c]]
    if cells:
        r, c = min(cells, key=lambda cell: counts[cell[0]][cell[1]])
        reasons[r][c] = SECONDARY
        return True
    changed = [kind.withhold(i, SECONDARY) for kind in totals for i in range(len(kind.values))]
    return any(changed)


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
    previous: Mapping[str, int | None],
    current: Mapping[str, int | None],
    *,
    k: int = 10,
    base: int = 1,
    previous_k: int | None = None,
    previous_base: int | None = None,
) -> list[str]:
    """The figures, published in both releases, whose change the two together prove to be of
    1 to k-1 people ("one more released since Monday"): set side by side, they would single
    those few out. Published figures are rounded to `base`, so each stands for a range of true
    counts (and one published above zero for at least k); a change is proven small when every
    difference the two ranges allow is. The earlier release is read with its own k and rounding
    (`previous_k`, `previous_base`; by default the current ones)."""
    risks = []
    for key, now in current.items():
        before = previous.get(key)
        if now is None or before is None:
            continue
        then = _true_range(before, previous_k or k, previous_base or base)
        low, high = _true_range(now, k, base)[0] - then[1], _true_range(now, k, base)[1] - then[0]
        if (low >= 1 and high <= k - 1) or (low >= -(k - 1) and high <= -1):
            risks.append(key)
    return sorted(risks)


def _true_range(published: int, k: int, base: int) -> tuple[int, int]:
    """The true counts a published figure can stand for (rounded to the nearest `base`)."""
    if published == 0:
        return 0, 0
    return max(k, published - base // 2), published + (base - 1) // 2
