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
from typing import Any

from tracebureau.press.choices import TableKey
from tracebureau.press.statistics import Table
from tracebureau.registry.choices import Side
from tracebureau.reporting.disclosure import LINKED, Protected, differencing_risks, protect, round_to

Item = tuple[Any, ...]  # ("cell", r, c), ("row", r), ("column", c) or ("total",)


@dataclass
class Figures:
    """One table as it may be published (rounded; None where held back), why each figure is
    held back, and the differencing risks that made some of them so."""

    published: dict[str, Any]
    reasons: dict[str, Any]
    risks: list[str] = field(default_factory=list)


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


def protect_release(
    tables: Sequence[Table], earlier: Mapping[str, Sequence[dict[str, Any]]], *, k: int, base: int
) -> list[Figures]:
    """Protect `tables` together; `earlier` holds, for each table key, the keyed figures of
    every release published before (see `keyed`)."""
    forced: list[dict[Item, str]] = [{} for _table in tables]
    risks: list[set[str]] = [set() for _table in tables]
    while True:
        protected = [_protect(table, held, k) for table, held in zip(tables, forced, strict=True)]
        changed = _link(tables, protected, forced)
        for i, (table, result) in enumerate(zip(tables, protected, strict=True)):
            figures = keyed(table.rows, table.columns, _rounded(result, base))
            for previous in earlier.get(table.key, ()):
                for name in differencing_risks(previous, figures, k=k, base=base):
                    risks[i].add(name)
                    changed |= _hold(forced[i], _item(table, name), "differencing")
        if not changed:
            return [
                Figures(_rounded(result, base), _reasons(result), sorted(found))
                for result, found in zip(protected, risks, strict=True)
            ]


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


def _signatures(table: Table) -> dict[Item, tuple[Any, ...]]:
    """What each figure counts, for the tables that count people: the population narrowed by
    the side (where a dimension is the side) and the other dimensions' values. Two figures
    with one signature are one figure."""
    if table.key in APPROXIMATE:
        return _approximate_signatures(table)
    if not table.population:
        return {}
    rows = [key for key, _label in table.rows]
    columns = [key for key, _label in table.columns]

    def sign(row: str | None, column: str | None) -> tuple[Any, ...]:
        population, parts = table.population, []
        for dimension, value in ((table.row_dimension, row), (table.column_dimension, column)):
            if value is None:
                continue
            if dimension == "side":
                population = Side.OWN if value == Side.OWN else f"{table.population}:{value}"
            else:
                parts.append((dimension, value))
        return (population, *sorted(parts))

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


def _approximate_signatures(table: Table) -> dict[Item, tuple[Any, ...]]:
    links = APPROXIMATE[table.key]
    return {("column", c): links[key] for c, (key, _label) in enumerate(table.columns) if key in links}


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
