"""The disclosure rules, tried the way an attacker would: solving the published totals for the
hidden cells, and setting two releases side by side."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracebureau.reporting.disclosure import Protected, differencing_risks, phrase, protect, round_to

# Persons by situation (rows) and agency (columns); the 3 and the 7 are too few to publish.
TABLE = [
    [120, 3, 45],
    [60, 25, 7],
    [15, 30, 18],
]


def solutions(published: Protected, bound: int = 60) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden cell can take, given the published cells and totals: the
    attack, by search. A hidden cell is at least 1 (a zero is shown). A cell in no line with a
    published total is free and skipped; the others take each value up to what their lines
    leave room for (or `bound`), pruned as soon as a line overflows, and kept when every
    published total is met exactly. Each withheld total's possible values are returned too,
    under the key ("row", r) or ("column", c), where all its hidden cells are constrained."""
    cells = published.cells
    hidden = [(r, c) for r, row in enumerate(cells) for c, v in enumerate(row) if v is None]
    lines: list[tuple[int, list[tuple[int, int]]]] = []
    for r, total in enumerate(published.row_totals):
        if total is not None:
            lines.append((total - sum(v or 0 for v in cells[r]), [(r, c) for c in range(len(cells[r]))]))
    for c, total in enumerate(published.column_totals):
        if total is not None:
            lines.append((total - sum(row[c] or 0 for row in cells), [(r, c) for r in range(len(cells))]))
    if published.total is not None:
        lines.append((published.total - sum(v or 0 for row in cells for v in row), hidden))
    constrained = [cell for cell in hidden if any(cell in members for _room, members in lines)]
    found: dict[Any, set[int]] = {cell: set() for cell in constrained}
    withheld = [(("row", r), [(r, c) for c in range(len(cells[r]))])
                for r, t in enumerate(published.row_totals) if t is None]
    withheld += [(("column", c), [(r, c) for r in range(len(cells))])
                 for c, t in enumerate(published.column_totals) if t is None]
    withheld = [(key, line) for key, line in withheld
                if all(cells[r][col] is not None or (r, col) in constrained for r, col in line)]
    values: dict[tuple[int, int], int] = {}

    def fits(complete: bool) -> bool:
        for room, members in lines:
            placed = [values[m] for m in members if m in values]
            open_cells = [m for m in members if m in constrained and m not in values]
            if sum(placed) > room or (not open_cells and sum(placed) != room):
                return False
        return True

    def search(i: int) -> None:
        if i == len(constrained):
            for cell in constrained:
                found[cell].add(values[cell])
            for key, line in withheld:
                found.setdefault(key, set()).add(sum(values.get(m, cells[m[0]][m[1]] or 0) for m in line))
            if published.total is None and len(constrained) == len(hidden):
                everything = [(r, c) for r in range(len(cells)) for c in range(len(cells[r]))]
                found.setdefault(("total",), set()).add(
                    sum(values.get(m, cells[m[0]][m[1]] or 0) for m in everything)
                )
            return
        cell = constrained[i]
        top = min([bound] + [room for room, members in lines if cell in members])
        for value in range(1, top + 1):
            values[cell] = value
            if fits(complete=False):
                search(i + 1)
            del values[cell]

    search(0)
    return found


def test_small_cells_are_suppressed_first_and_for_a_reason() -> None:
    published = protect(TABLE, k=10)
    assert published.reasons[0][1] == "primary" and published.reasons[1][2] == "primary"
    assert published.cells[0][1] is None and published.cells[1][2] is None
    assert published.row_totals == (168, 92, 63) and published.total == 323


def test_primary_suppression_alone_is_solved_from_the_totals() -> None:
    """Without secondary suppression the attack recovers the 3 from its row total."""
    naive = Protected(
        cells=((120, None, 45), (60, 25, None), (15, 30, 18)),
        reasons=(),
        row_totals=(168, 92, 63),
        column_totals=(195, 58, 70),
        total=323,
    )
    assert solutions(naive)[(0, 1)] == {3}


def test_no_hidden_cell_can_be_recovered_from_the_totals() -> None:
    published = protect([[12, 3, 11], [14, 25, 7], [15, 2, 18]], k=10)
    assert any(why == "secondary" for row in published.reasons for why in row)
    for cell, values in solutions(published).items():
        assert len(values) >= 2, f"{cell} is recoverable: {values}"


def safe(table: list[list[int]], published: Protected) -> None:
    """Every hidden cell of somebody, and every withheld total of somebody, keeps at least two
    possible values. (A hidden zero may be known: it tells nothing about anyone; a total of
    columns that do not add up is never published, nor secret.)"""
    for key, values in solutions(published).items():
        if key[0] == "row":
            people = sum(table[key[1]])
            secret = published.row_total_reasons[key[1]] != "unsummed"
        elif key[0] == "column":
            people, secret = sum(row[key[1]] for row in table), True
        elif key[0] == "total":
            people, secret = sum(map(sum, table)), published.total_reason != "unsummed"
        else:
            people, secret = table[key[0]][key[1]], True
        assert len(values) >= 2 or not people or not secret, (table, key, values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 14), min_size=3, max_size=3), min_size=2, max_size=3))
def test_any_small_table_keeps_its_hidden_cells_hidden(table: list[list[int]]) -> None:
    safe(table, protect(table, k=5))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(5, 14), min_size=3, max_size=3), min_size=2, max_size=3),
    st.data(),
)
def test_cells_and_totals_held_back_for_differencing_stay_hidden(table: list[list[int]], data: Any) -> None:
    """Whatever the differencing check holds back (cells, line totals, the grand total) is
    protected like a small cell: not recoverable from what the release does publish."""
    cells = [(r, c) for r in range(len(table)) for c in range(3)]
    hide = data.draw(st.sets(st.sampled_from(cells), max_size=2))
    rows = data.draw(st.sets(st.integers(0, len(table) - 1), max_size=1))
    columns = data.draw(st.sets(st.integers(0, 2), max_size=1))
    published = protect(table, k=5, hide=hide, withhold_rows=rows, withhold_columns=columns,
                        withhold_total=data.draw(st.booleans()))
    assert all(published.reasons[r][c] == "differencing" for r, c in hide)
    safe(table, published)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 14), min_size=3, max_size=3), min_size=2, max_size=3))
def test_a_table_whose_columns_do_not_add_up_publishes_no_row_total(table: list[list[int]]) -> None:
    published = protect(table, k=5, rows_add_up=False)
    assert published.row_totals == (None,) * len(table) and published.total is None
    assert "paired" not in published.column_total_reasons  # no grand total to recompute one from
    safe(table, published)


def test_a_withheld_grand_total_is_not_left_as_what_published_totals_pin_down() -> None:
    """Found in review: rows 1 and 3 withheld, their hidden cells pinned to 18 by column 1's
    total, gave the grand total (234) away."""
    table = [[5, 50, 3], [20, 15, 20], [3, 50, 20], [30, 3, 15]]
    published = protect(table, k=5, withhold_total=True)
    assert published.total is None
    safe(table, published)


def test_a_withheld_grand_total_is_not_left_as_the_sum_of_published_totals() -> None:
    published = protect([[40, 30], [20, 50]], k=10, withhold_total=True)
    assert published.total is None and published.total_reason == "differencing"
    assert None in published.row_totals and None in published.column_totals
    safe([[40, 30], [20, 50]], published)


def test_counts_are_rounded_and_phrased_as_the_press_says_them() -> None:
    assert [round_to(v) for v in (12, 13, 0, 202)] == [10, 15, 0, 200]
    assert phrase(258) == phrase(201) and phrase(258).qualifier == "more_than" and phrase(258).value == 200
    assert (phrase(38).qualifier, phrase(38).value) == ("about", 40)


def test_a_differencing_attack_is_caught_before_the_release() -> None:
    monday = {"released": 120, "in_custody": 311, "missing": None}
    # One more person released by Tuesday: published exactly, the two releases single him out.
    tuesday = {"released": 121, "in_custody": 310, "missing": None}
    assert differencing_risks(monday, tuesday) == ["in_custody", "released"]
    # A change of k or more singles nobody out.
    assert differencing_risks(monday, {"released": 130, "in_custody": 301}) == []


def test_rounded_figures_are_compared_as_the_ranges_they_stand_for() -> None:
    # Published rounded to fives: 120 and 120 may be no change at all.
    assert differencing_risks({"released": 120}, {"released": 120}, base=5) == []
    # 120 then 125 proves a change of 1 to 9 people (118..122 to 123..127).
    assert differencing_risks({"released": 120}, {"released": 125}, base=5) == ["released"]
    # 120 then 130 may be a change of 10 or more.
    assert differencing_risks({"released": 120}, {"released": 130}, base=5) == []
    # A figure first published (0 before) tells that there are at least k: nothing singled out.
    assert differencing_risks({"released": 0}, {"released": 10}, base=5) == []
