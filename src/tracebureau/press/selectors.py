"""Reads of press releases: the press centre's, and the public's (published only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from tracebureau.core import policy
from tracebureau.press import statistics
from tracebureau.press.choices import ReleaseState, TableKey
from tracebureau.press.models import DisclosureCheck, Release, ReleaseStep, ReleaseTable
from tracebureau.reporting.disclosure import UNSUMMED


def _with_parts(releases: QuerySet[Release]) -> QuerySet[Release]:
    return releases.select_related("created_by").prefetch_related(
        Prefetch("steps", ReleaseStep.objects.select_related("by")),
        Prefetch("tables", ReleaseTable.objects.order_by("position")),
        Prefetch("checks", DisclosureCheck.objects.order_by("at", "pk")),
    )


def releases_visible(*, user: Any) -> QuerySet[Release]:
    return _with_parts(policy.visible_to(Release.objects.all(), user))


def published() -> QuerySet[Release]:
    """What the public page lists, the latest published first."""
    at = ReleaseStep.objects.filter(release=OuterRef("pk"), state=ReleaseState.PUBLISHED).values("at")[:1]
    releases = policy.public_releases(Release.objects.all()).distinct()
    return _with_parts(releases.annotate(published_on=Subquery(at)).order_by("-published_on", "-pk"))


def state_of(release: Release) -> str:
    steps = list(release.steps.all())
    return steps[-1].state if steps else ReleaseState.DRAFT


def step(release: Release, state: str) -> ReleaseStep | None:
    return next((s for s in release.steps.all() if s.state == state), None)


def published_at(release: Release) -> Any:
    done = step(release, ReleaseState.PUBLISHED)
    return done.at if done else None


@dataclass(frozen=True)
class Cell:
    value: int | None  # as published (rounded), None where held back
    true: int  # the true count: the press centre's eyes only
    reason: str  # why it is held back, "" if published


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    cells: list[Cell]
    total: Cell


@dataclass(frozen=True)
class TableView:
    table: ReleaseTable
    title: str
    columns: list[tuple[str, str]]
    lines: list[Line]
    totals: list[Cell]
    total: Cell
    # The exchanges' running count of our people home (alive and bodies), row by row, worked
    # out from published figures only (None where they do not tell it).
    running: list[int | None] | None = None

    @property
    def rows_add_up(self) -> bool:
        """False where no row total means anything (see statistics.Table.rows_add_up)."""
        return self.total.reason != UNSUMMED

    @property
    def held_back(self) -> int:
        cells = [c for line in self.lines for c in [*line.cells, line.total]] + [*self.totals, self.total]
        return sum(1 for c in cells if c.reason and c.reason != UNSUMMED)


def table_view(table: ReleaseTable) -> TableView:
    published, reasons, counts = table.published, table.reasons, table.counts
    row_sums = [sum(row) for row in counts]
    column_sums = [sum(col) for col in zip(*counts, strict=True)] if counts else []
    lines = [
        Line(
            key=key,
            label=statistics.label(table.row_dimension, key, stored),
            cells=[
                Cell(published["cells"][r][c], counts[r][c], reasons["cells"][r][c])
                for c in range(len(table.columns))
            ],
            total=Cell(published["row_totals"][r], row_sums[r], reasons["row_totals"][r]),
        )
        for r, (key, stored) in enumerate(table.rows)
    ]
    return TableView(
        table=table,
        title=str(dict(TableKey.choices).get(table.key, table.key)),
        columns=[
            (key, statistics.label(table.column_dimension, key, stored)) for key, stored in table.columns
        ],
        lines=lines,
        totals=[
            Cell(published["column_totals"][c], column_sums[c], reasons["column_totals"][c])
            for c in range(len(table.columns))
        ],
        total=Cell(published["total"], sum(row_sums), reasons["total"]),
        running=_running(table) if table.key == TableKey.EXCHANGES else None,
    )


def _running(table: ReleaseTable) -> list[int | None]:
    """All of ours home so far after each exchange, from what is published: a column's running
    sum is known at a row when no figure of it is held back up to there, or when all that are
    held back are, and its total is published (the total less the later figures)."""
    columns = [key for key, _label in table.columns]
    cells, totals = table.published["cells"], table.published["column_totals"]
    sums: list[list[int | None]] = []
    for key in statistics.EXCHANGE_HOME:
        c = columns.index(key)
        held = [r for r, row in enumerate(cells) if row[c] is None]
        sums.append(
            [
                sum(row[c] for row in cells[: i + 1])
                if not held or held[0] > i
                else totals[c] - sum(row[c] for row in cells[i + 1 :])
                if held[-1] <= i and totals[c] is not None
                else None
                for i in range(len(cells))
            ]
        )
    return [None if None in pair else sum(pair) for pair in zip(*sums, strict=True)]  # type: ignore[arg-type]


def csv_rows(release: Release) -> list[list[Any]]:
    """The published figures of every table, one figure per line: what the public CSV holds.
    A figure held back is left empty and marked, never guessed."""
    rows: list[list[Any]] = [["table", "row", "column", "value", "note"]]
    for table in release.tables.all():
        view = table_view(table)
        for line in view.lines:
            for (_key, label), cell in zip(view.columns, line.cells, strict=True):
                rows.append(_csv_line(view.title, line.label, label, cell))
            if view.rows_add_up:
                rows.append(_csv_line(view.title, line.label, "total", line.total))
        for (_key, label), cell in zip(view.columns, view.totals, strict=True):
            rows.append(_csv_line(view.title, "total", label, cell))
        if view.rows_add_up:
            rows.append(_csv_line(view.title, "total", "total", view.total))
    return rows


def _csv_line(title: str, row: str, column: str, cell: Cell) -> list[Any]:
    return [
        title,
        row,
        column,
        "" if cell.value is None else cell.value,
        "" if cell.value is not None else "not published",
    ]


def risks_said(release: Release, risks: list[str]) -> list[str]:
    """A check's risks ("status_category: released|prisoner_of_war") as the press centre reads
    them: "Our people by situation and category: Released, Prisoner of war"."""
    tables = {t.key: t for t in release.tables.all()}
    said = []
    for risk in risks:
        key, _sep, name = risk.partition(": ")
        table = tables.get(key)
        if table is None or "|" not in name:
            said.append(risk)
            continue
        row, column = name.split("|", 1)
        parts = [
            _said(table.row_dimension, table.rows, row, _("all rows")),
            _said(table.column_dimension, table.columns, column, _("total")),
        ]
        said.append(f"{dict(TableKey.choices).get(key, key)}: {', '.join(parts)}")
    return said


def _said(dimension: str, keys: list[list[str]], key: str, everything: Any) -> str:
    if key == "*":
        return str(everything)
    stored = next((label for k, label in keys if k == key), "")
    return statistics.label(dimension, key, stored)
