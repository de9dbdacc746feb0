"""Charts of a release's tables, as SVG geometry for the templates: one horizontal bar per row,
its published cells stacked in column order, and the part of a published row total that no
published cell accounts for drawn hatched ("not shown separately"). Nothing held back is drawn
as if known, and the bars use the rounded figures the table shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEFT = 170  # room for the row labels
WIDTH = 720
BAR = 16
GAP = 8


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
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
    sizes = [_drawn(line) for line in view.lines]
    largest = max(sizes, default=0)
    if not largest:
        return None
    scale = (WIDTH - LEFT - 60) / largest
    bars = []
    for i, line in enumerate(view.lines):
        x, segments = float(LEFT), []
        for c, ((_key, label), cell) in enumerate(zip(view.columns, line.cells, strict=True)):
            if cell.value:
                segments.append(
                    Segment(round(x, 1), round(cell.value * scale, 1), f"s{c % 8}", label, cell.value)
                )
                x += cell.value * scale
        rest = _drawn(line) - sum(c.value or 0 for c in line.cells)
        if rest > 0:
            segments.append(Segment(round(x, 1), round(rest * scale, 1), "unshown", "", rest))
            x += rest * scale
        bars.append(Bar(GAP + i * (BAR + GAP), line.label, segments, line.total.value, round(x + 4, 1)))
    legend = [(f"s{c % 8}", label) for c, (_key, label) in enumerate(view.columns)]
    return Chart(WIDTH, GAP + len(bars) * (BAR + GAP), LEFT, bars, legend)


def _drawn(line: Any) -> int:
    published = sum(c.value or 0 for c in line.cells)
    return max(published, line.total.value or 0)
