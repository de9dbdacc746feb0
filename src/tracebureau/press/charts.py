"""Charts of a release's tables, as SVG geometry for the templates.

Where the columns are parts of one whole (our people by situation and category), each row is
one bar, its published cells stacked in column order, and the part of a published row total
that no published cell accounts for is drawn grey ("not shown separately"). Where they are not
(captured, released ... in a month), each row has one thin bar per column, side by side, since
stacking them would draw a sum that means nothing. Nothing held back is drawn as if known, and
the bars use the rounded figures the table shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEFT = 170  # room for the row labels
WIDTH = 720
BAR = 16
GAP = 8
THIN = 7  # one column's bar, where the columns do not add up


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    series: str  # "s0".."s7" by column, or "unshown"
    label: str
    value: int


@dataclass(frozen=True)
class Bar:
    y: float
    label: str
    segments: list[Segment]
    total: int | None
    end: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bars: list[Bar]
    legend: list[tuple[str, str]]  # (series, label)


def chart(view: Any) -> Chart | None:
    """The chart of a selectors.TableView; None if it has nothing published to draw."""
    stacked = view.rows_add_up
    sizes = [
        _drawn(line) if stacked else max((c.value or 0 for c in line.cells), default=0) for line in view.lines
    ]
    largest = max(sizes, default=0)
    if not largest:
        return None
    scale = (WIDTH - LEFT - 60) / largest
    height = BAR if stacked else THIN * len(view.columns)
    bars, y = [], float(GAP)
    for line in view.lines:
        segments = _stacked(view, line, y, scale) if stacked else _side_by_side(view, line, y, scale)
        end = max((s.x + s.width for s in segments), default=LEFT)
        bars.append(Bar(y, line.label, segments, line.total.value, round(end + 4, 1)))
        y += height + GAP
    legend = [(f"s{c % 8}", label) for c, (_key, label) in enumerate(view.columns)]
    return Chart(WIDTH, round(y), LEFT, bars, legend)


def _stacked(view: Any, line: Any, y: float, scale: float) -> list[Segment]:
    x, segments = float(LEFT), []
    for c, ((_key, label), cell) in enumerate(zip(view.columns, line.cells, strict=True)):
        if cell.value:
            segments.append(
                Segment(round(x, 1), y, round(cell.value * scale, 1), BAR, f"s{c % 8}", label, cell.value)
            )
            x += cell.value * scale
    rest = _drawn(line) - sum(c.value or 0 for c in line.cells)
    if rest > 0:
        segments.append(Segment(round(x, 1), y, round(rest * scale, 1), BAR, "unshown", "", rest))
    return segments


def _side_by_side(view: Any, line: Any, y: float, scale: float) -> list[Segment]:
    return [
        Segment(
            float(LEFT), y + c * THIN, round(cell.value * scale, 1), THIN - 1, f"s{c % 8}", label, cell.value
        )
        for c, ((_key, label), cell) in enumerate(zip(view.columns, line.cells, strict=True))
        if cell.value
    ]


def _drawn(line: Any) -> int:
    published = sum(c.value or 0 for c in line.cells)
    return max(published, line.total.value or 0)
