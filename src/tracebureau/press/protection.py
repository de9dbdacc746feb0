"""Disclosure control over the tables of one release, and against the releases before it.

`reporting.disclosure` protects one table. A release holds several, and follows others:
* the same figure may stand in two tables (our people released, by situation and category and
  by agency and situation): held back in one, it must be held back in the other (LINKED);
* a figure published now and before must not prove that fewer than k people changed
  (DIFFERENCING; see disclosure.differencing_risks).
Both add cells and totals to hold back and protect the tables again, until nothing changes.
Plain Python; the service stores what it returns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from tracebureau.press.choices import TableKey
from tracebureau.press.statistics import Table
from tracebureau.registry.choices import Side
from tracebureau.reporting.disclosure import (
    DIFFERENCING,
    LINKED,
    SECONDARY,
    UNSUMMED,
    Protected,
    differencing_risks,
    pinned,
    protect,
    round_to,
)

Item = tuple[Any, ...]  # ("cell", r, c), ("row", r), ("column", c) or ("total",)


@dataclass
class Figures:
    """One table as it may be published (rounded; None where held back), why each figure is
    held back, and the differencing risks that made some of them so."""

    published: dict[str, Any]
    reasons: dict[str, Any]
    risks: list[str] = field(default_factory=list)
    # Risks that holding back cannot resolve: a figure now 0 (always shown, never hidden) that
    # an earlier release, published with a smaller k, showed as a few.
    unresolved: list[str] = field(default_factory=list)


def keyed(
    rows: Sequence[Sequence[str]], columns: Sequence[Sequence[str]], shape: Mapping[str, Any]
) -> dict[str, Any]:
    """A table's figures by name ("row|column", "row|*", "*|column", "*|*"), for comparing
    releases whose rows differ (a new agency, a new month)."""
    names: dict[str, Any] = {"*|*": shape["total"]}
    for r, (row, *_rest) in enumerate(rows):
        names[f"{row}|*"] = shape["row_totals"][r]
        for c, (column, *_more) in enumerate(columns):
            names[f"{row}|{column}"] = shape["cells"][r][c]
    for c, (column, *_more) in enumerate(columns):
        names[f"*|{column}"] = shape["column_totals"][c]
    return names


@dataclass(frozen=True)
class Earlier:
    """One table of a release published before: its figures by name and, where they count
    people, by what they count (so that the same figure under another table is compared too),
    with the smallest count and the rounding it was published with."""

    key: str
    figures: dict[str, Any]
    signed: dict[tuple[Any, ...], Any]
    k: int
    base: int


def earlier_of(table: Any, published: Mapping[str, Any], *, k: int, base: int) -> Earlier:
    """`table`: a statistics.Table or a stored ReleaseTable (key, dimensions, rows, columns)."""
    figures = keyed(table.rows, table.columns, published)
    names = _names(table)
    signed = {sig: figures[names[item]] for item, sig in _signatures(table, exact=True).items()}
    return Earlier(table.key, figures, signed, k, base)


def at_risk(
    table: Any, figures: Mapping[str, Any], earlier: Sequence[Earlier], *, k: int, base: int
) -> set[str]:
    """The names of `table`'s figures that, beside the same figure in an earlier release (in
    the same table or another), would prove a change of 1 to k-1 people."""
    names = _names(table)
    signs = {names[item]: sig for item, sig in _signatures(table, exact=True).items()}
    found: set[str] = set()
    for before in earlier:
        pairs = [(before.figures, figures)] if before.key == table.key else []
        shared = {name: before.signed[sig] for name, sig in signs.items() if sig in before.signed}
        pairs.append((shared, {name: figures[name] for name in shared}))
        for previous, current in pairs:
            found.update(
                differencing_risks(
                    previous, current, k=k, base=base, previous_k=before.k, previous_base=before.base
                )
            )
    return found


def protect_release(
    tables: Sequence[Table], earlier: Sequence[Earlier], *, k: int, base: int
) -> list[Figures]:
    """Protect `tables` together, and against every table of the releases published before."""
    forced: list[dict[Item, str]] = [{} for _table in tables]
    risks: list[set[str]] = [set() for _table in tables]
    while True:
        protected = [_protect(table, held, k) for table, held in zip(tables, forced, strict=True)]
        changed = _link(tables, protected, forced)
        for i, (table, result) in enumerate(zip(tables, protected, strict=True)):
            figures = keyed(table.rows, table.columns, _rounded(result, base))
            for name in at_risk(table, figures, earlier, k=k, base=base):
                risks[i].add(name)
                changed |= _hold(forced[i], _item(table, name), DIFFERENCING)
        if not changed:
            changed = _joint_audit(tables, protected, forced)
        if not changed:
            return [
                Figures(
                    _rounded(result, base),
                    _reasons(result),
                    sorted(found),
                    sorted(name for name in found if _is_zero(table, _item(table, name))),
                )
                for table, result, found in zip(tables, protected, risks, strict=True)
            ]


def _is_zero(table: Table, item: Item | None) -> bool:
    counts = table.counts
    value = {
        "cell": lambda i: counts[i[1]][i[2]],
        "row": lambda i: sum(counts[i[1]]),
        "column": lambda i: sum(row[i[1]] for row in counts),
        "total": lambda i: sum(map(sum, counts)),
    }
    return item is not None and value[item[0]](item) == 0


def _names(table: Any) -> dict[Item, str]:
    rows = [key for key, *_label in table.rows]
    columns = [key for key, *_label in table.columns]
    names: dict[Item, str] = {("total",): "*|*"}
    for r, row in enumerate(rows):
        names[("row", r)] = f"{row}|*"
        for c, column in enumerate(columns):
            names[("cell", r, c)] = f"{row}|{column}"
    for c, column in enumerate(columns):
        names[("column", c)] = f"*|{column}"
    return names


def _joint_audit(
    tables: Sequence[Table], protected: Sequence[Protected], forced: list[dict[Item, str]]
) -> bool:
    """Each table is audited on its own by `protect`; tables that share figures are audited
    here as one: a figure held back in two tables may have a range from one and another from
    the other that together leave one value. Where one is pinned, hide one more cell beside
    it (True); False when none is."""
    system = _System(tables, protected)
    if not system.links:
        return False
    for t, item in system.targets():
        if pinned(system.vector(t, item), system.a_eq, system.b_eq):
            return _hold(forced[t], _beside(tables[t], protected[t], item, forced[t]), SECONDARY)
    return False


class _System:
    """The published figures of linked tables as one linear system over their hidden cells
    (each at least 1), with the figures held back in several tables set equal."""

    def __init__(self, tables: Sequence[Table], protected: Sequence[Protected]) -> None:
        self.tables, self.protected = tables, protected
        self.index: dict[tuple[int, int, int], int] = {}
        for t, result in enumerate(protected):
            for r, row in enumerate(result.cells):
                for c, value in enumerate(row):
                    if value is None:
                        self.index[(t, r, c)] = len(self.index)
        self.a_eq: list[np.ndarray] = []
        self.b_eq: list[int] = []
        for t, result in enumerate(protected):
            for item in _lines(result):
                published = _published_value(result, item)
                if published is not None:
                    self._equation(self.vector(t, item), published - self._known(t, item))
        self.links = self._links()

    def _equation(self, vector: np.ndarray, value: int) -> None:
        self.a_eq.append(vector)
        self.b_eq.append(value)

    def _links(self) -> int:
        groups: dict[tuple[Any, ...], list[tuple[int, Item]]] = defaultdict(list)
        for t, table in enumerate(self.tables):
            for item, signature in _signatures(table, exact=True).items():
                if _held_back(self.protected[t], item):
                    groups[signature].append((t, item))
        count = 0
        for members in groups.values():
            for (t, item), (u, other) in pairwise(members):
                if t != u:
                    difference = self._known(u, other) - self._known(t, item)
                    self._equation(self.vector(t, item) - self.vector(u, other), difference)
                    count += 1
        return count

    def _cells(self, t: int, item: Item) -> list[tuple[int, int]]:
        result = self.protected[t]
        rows, columns = range(len(result.cells)), range(len(result.cells[0]))
        if item[0] == "cell":
            return [(item[1], item[2])]
        if item[0] == "row":
            return [(item[1], c) for c in columns]
        if item[0] == "column":
            return [(r, item[1]) for r in rows]
        return [(r, c) for r in rows for c in columns]

    def vector(self, t: int, item: Item) -> np.ndarray:
        vector = np.zeros(len(self.index))
        for r, c in self._cells(t, item):
            if (t, r, c) in self.index:
                vector[self.index[(t, r, c)]] = 1.0
        return vector

    def _known(self, t: int, item: Item) -> int:
        return sum(self.protected[t].cells[r][c] or 0 for r, c in self._cells(t, item))

    def targets(self) -> list[tuple[int, Item]]:
        found = []
        for t, result in enumerate(self.protected):
            counts = self.tables[t].counts
            found += [(t, ("cell", r, c)) for (u, r, c) in self.index if u == t and counts[r][c]]
            found += [(t, item) for item in _lines(result) if _secret_total(result, item)]
        return found


def _lines(result: Protected) -> list[Item]:
    return [
        *(("row", r) for r in range(len(result.row_totals))),
        *(("column", c) for c in range(len(result.column_totals))),
        ("total",),
    ]


def _published_value(result: Protected, item: Item) -> int | None:
    if item[0] == "row":
        return result.row_totals[item[1]]
    if item[0] == "column":
        return result.column_totals[item[1]]
    return result.total


def _secret_total(result: Protected, item: Item) -> bool:
    """A total held back that stands for people (not one never published since its columns
    do not add up, nor one of nobody)."""
    reason = {
        "row": lambda: result.row_total_reasons[item[1]],
        "column": lambda: result.column_total_reasons[item[1]],
        "total": lambda: result.total_reason,
    }[item[0]]()
    return bool(reason) and reason != UNSUMMED


def _beside(table: Table, result: Protected, item: Item, held: Mapping[Item, str]) -> Item | None:
    """The smallest published cell of somebody in the line of `item`, or else in the table."""
    rows, columns = range(len(table.counts)), range(len(table.counts[0]))
    line = {
        "cell": lambda: [(item[1], c) for c in columns] + [(r, item[2]) for r in rows],
        "row": lambda: [(item[1], c) for c in columns],
        "column": lambda: [(r, item[1]) for r in rows],
        "total": lambda: [(r, c) for r in rows for c in columns],
    }[item[0]]()
    everything = [(r, c) for r in rows for c in columns]
    for cells in (line, everything):
        open_cells = [(r, c) for r, c in cells if result.cells[r][c] is not None and table.counts[r][c]]
        if open_cells:
            r, c = min(open_cells, key=lambda cell: table.counts[cell[0]][cell[1]])
            return ("cell", r, c)
    return next((i for i in _lines(result) if _published_value(result, i) and i not in held), None)


def _protect(table: Table, held: Mapping[Item, str], k: int) -> Protected:
    return protect(
        table.counts,
        k=k,
        hide={(i[1], i[2]): why for i, why in held.items() if i[0] == "cell"},
        withhold_rows={i[1]: why for i, why in held.items() if i[0] == "row"},
        withhold_columns={i[1]: why for i, why in held.items() if i[0] == "column"},
        withhold_total=held.get(("total",), False),
        rows_add_up=table.rows_add_up,
    )


def _hold(held: dict[Item, str], item: Item | None, reason: str) -> bool:
    if item is None or item in held:
        return False
    held[item] = reason
    return True


def _item(table: Table, name: str) -> Item | None:
    row, column = name.split("|")
    rows = [key for key, _label in table.rows]
    columns = [key for key, _label in table.columns]
    if row == "*" and column == "*":
        return ("total",)
    if row == "*":
        return ("column", columns.index(column))
    if column == "*":
        return ("row", rows.index(row))
    return ("cell", rows.index(row), columns.index(column))


# Who each table of people counts: tables of one population share figures.
POPULATION = {
    TableKey.BY_STATUS_AND_CATEGORY: Side.OWN,
    TableKey.BY_AGENCY_AND_STATUS: Side.OWN,
    TableKey.BY_SIDE_AND_STATUS: "all",
}


def _signatures(table: Any, *, exact: bool = False) -> dict[Item, tuple[Any, ...]]:
    """What each figure counts, for the tables that count people: the population narrowed by
    the side (where a dimension is the side) and the other dimensions' values. Two figures
    with one signature are one figure (`exact`), or nearly (see APPROXIMATE)."""
    if table.key in APPROXIMATE:
        return {} if exact else _approximate_signatures(table)
    population = POPULATION.get(table.key)
    if population is None:
        return {}
    rows = [key for key, *_label in table.rows]
    columns = [key for key, *_label in table.columns]

    def sign(row: str | None, column: str | None) -> tuple[Any, ...]:
        narrowed, parts = population, []
        for dimension, value in ((table.row_dimension, row), (table.column_dimension, column)):
            if value is None:
                continue
            if dimension == "side":
                narrowed = Side.OWN if value == Side.OWN else f"{population}:{value}"
            else:
                parts.append((dimension, value))
        return (narrowed, *sorted(parts))

    signatures: dict[Item, tuple[Any, ...]] = {("total",): sign(None, None)}
    for r, row in enumerate(rows):
        signatures[("row", r)] = sign(row, None)
        for c, column in enumerate(columns):
            signatures[("cell", r, c)] = sign(row, column)
    for c, column in enumerate(columns):
        signatures[("column", c)] = sign(None, column)
    return signatures


# A flow column counts everyone it ever happened to; the situation counts those for whom it is
# the latest word; an exchange's column counts those who came home that way. They differ
# (someone released and later dead is in one, not the other) but are often equal, and an
# attacker may take them to be: a figure held back in one is held back in the others.
APPROXIMATE: dict[str, dict[str, tuple[Any, ...]]] = {
    TableKey.FLOWS: {
        "released": (Side.OWN, ("situation", "released")),
        "remains_repatriated": (Side.OWN, ("situation", "remains_repatriated")),
        "identified": (Side.OWN, ("situation", "identified")),
    },
    TableKey.EXCHANGES: {
        "returned": (Side.OWN, ("situation", "released")),
        "bodies": (Side.OWN, ("situation", "remains_repatriated")),
        "handed_over": (f"all:{Side.ADVERSARY}", ("situation", "released")),
    },
}


def _approximate_signatures(table: Any) -> dict[Item, tuple[Any, ...]]:
    links = APPROXIMATE[table.key]
    return {("column", c): links[key] for c, (key, *_label) in enumerate(table.columns) if key in links}


def _link(tables: Sequence[Table], protected: Sequence[Protected], forced: list[dict[Item, str]]) -> bool:
    """Hold back, in every table, a figure held back in another where it also stands."""
    groups: dict[tuple[Any, ...], list[tuple[int, Item]]] = defaultdict(list)
    for i, table in enumerate(tables):
        for item, signature in _signatures(table).items():
            groups[signature].append((i, item))
    changed = False
    for members in groups.values():
        if len(members) > 1 and any(_held_back(protected[i], item) for i, item in members):
            for i, item in members:
                if not _held_back(protected[i], item):
                    changed |= _hold(forced[i], item, LINKED)
    return changed


def _held_back(result: Protected, item: Item) -> bool:
    if item[0] == "cell":
        return result.cells[item[1]][item[2]] is None
    if item[0] == "row":
        return result.row_totals[item[1]] is None
    if item[0] == "column":
        return result.column_totals[item[1]] is None
    return result.total is None


def _round(value: int | None, base: int) -> int | None:
    return None if value is None else round_to(value, base)


def _rounded(result: Protected, base: int) -> dict[str, Any]:
    return {
        "cells": [[_round(v, base) for v in row] for row in result.cells],
        "row_totals": [_round(v, base) for v in result.row_totals],
        "column_totals": [_round(v, base) for v in result.column_totals],
        "total": _round(result.total, base),
    }


def _reasons(result: Protected) -> dict[str, Any]:
    return {
        "cells": [list(row) for row in result.reasons],
        "row_totals": list(result.row_total_reasons),
        "column_totals": list(result.column_total_reasons),
        "total": result.total_reason,
    }
