"""Two releases set side by side must not single anyone out: the attack, tried for real."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tracebureau.core.models import User
from tracebureau.press import protection, selectors, services, statistics
from tracebureau.press.choices import TableKey
from tracebureau.press.models import Release
from tracebureau.press.tests.conftest import World
from tracebureau.reporting.disclosure import Protected
from tracebureau.reporting.tests.test_disclosure import solutions


def published_figures(release: Release, key: str) -> dict[str, Any]:
    table = release.tables.get(key=key)
    return protection.keyed(table.rows, table.columns, table.published)


def singled_out(before: dict[str, Any], after: dict[str, Any], k: int) -> dict[str, int]:
    """The attack: every figure published in both releases whose difference is 1 to k-1
    people, with no rounding to hide it (the tests publish exact counts)."""
    return {
        name: after[name] - before[name]
        for name in after
        if after[name] is not None
        and before.get(name) is not None
        and 0 < abs(after[name] - before[name]) < k
    }


def publish(release: Release, analyst: User, head: User, press: User) -> None:
    services.release_review(by=analyst, release=release)
    services.release_approve(by=head, release=release)
    services.release_publish(by=press, release=release)


@pytest.fixture
def bigger_world(world: World) -> World:
    world.add("held", 12, ("captured", "2022-06-10"))
    world.add("released", 10, ("captured", "2022-06-12"), ("released", "2022-09-21"))
    return world


def test_one_person_released_between_two_releases_cannot_be_singled_out(
    bigger_world: World, press_officer: User, analyst: User, head_of_press: User
) -> None:
    key = TableKey.BY_STATUS_AND_CATEGORY
    monday = services.release_draft(by=press_officer, title="Monday", tables=[key])
    publish(monday, analyst, head_of_press, press_officer)
    # One prisoner of war is released between the two releases.
    bigger_world.scenario.event(bigger_world.people["held"][0], "released", "2022-10-01")
    tuesday = services.release_draft(by=press_officer, title="Tuesday", tables=[key])

    # Without the check, the attack works: the Tuesday figures as they would have been.
    counted = statistics.count_tables([key], period="month")
    naive = protection.protect_release(counted, [], k=3, base=1)[0]
    naive_figures = protection.keyed(counted[0].rows, counted[0].columns, naive.published)
    assert singled_out(published_figures(monday, key), naive_figures, k=3) != {}

    # With it, nothing published in both releases moved by fewer than k people...
    assert singled_out(published_figures(monday, key), published_figures(tuesday, key), k=3) == {}
    view = selectors.table_view(tuesday.tables.get(key=key))
    held = [c for line in view.lines for c in line.cells if c.reason == "differencing"]
    assert held, "the cells that moved are held back, for that reason"
    assert tuesday.checks.get().risks  # and the check that held them is on record
    # ...and what was held back cannot be solved from Tuesday's own totals.
    table = tuesday.tables.get(key=key)
    published = Protected(
        cells=tuple(tuple(row) for row in table.published["cells"]),
        reasons=(),
        row_totals=tuple(table.published["row_totals"]),
        column_totals=tuple(table.published["column_totals"]),
        total=table.published["total"],
    )
    for where, values in solutions(published, bound=40).items():
        if isinstance(where[0], int) and table.counts[where[0]][where[1]]:
            assert len(values) >= 2, (where, values)


def test_publication_is_checked_again_against_releases_published_since_the_draft(
    bigger_world: World, press_officer: User, second_press_officer: User, analyst: User, head_of_press: User
) -> None:
    key = TableKey.BY_STATUS_AND_CATEGORY
    early = services.release_draft(by=press_officer, title="Drafted first", tables=[key])
    bigger_world.scenario.event(bigger_world.people["held"][0], "released", "2022-10-01")
    later = services.release_draft(by=second_press_officer, title="Drafted second", tables=[key])
    publish(later, analyst, head_of_press, press_officer)
    services.release_review(by=analyst, release=early)
    services.release_approve(by=head_of_press, release=early)
    with pytest.raises(ValidationError, match="single out"):
        services.release_publish(by=press_officer, release=early)
    check = early.checks.get(stage="publication")
    assert not check.passed and check.risks and check.against == [later.reference]
    assert selectors.state_of(early) == "approved"


def test_a_figure_held_back_in_one_table_is_held_back_where_it_stands_in_another(
    world: World, press_officer: User, settings: Any
) -> None:
    settings.TRACEBUREAU_PRESS_MIN_CELL = 5
    release = services.release_draft(
        by=press_officer,
        title="Both",
        tables=[TableKey.BY_STATUS_AND_CATEGORY, TableKey.BY_AGENCY_AND_STATUS],
    )
    by_category = selectors.table_view(release.tables.get(key=TableKey.BY_STATUS_AND_CATEGORY))
    by_agency = selectors.table_view(release.tables.get(key=TableKey.BY_AGENCY_AND_STATUS))
    situations = [key for key, _label in by_agency.columns]
    for line in by_category.lines:  # a situation's total by category is its total by agency
        agency_total = by_agency.totals[situations.index(line.key)]
        assert (line.total.value is None) == (agency_total.value is None), line.key
    assert by_category.total.value == by_agency.total.value
    # The one missing person: too few, held back in both.
    assert by_agency.totals[situations.index("missing")].value is None


def test_a_flow_total_is_held_back_with_the_situation_it_nearly_equals(
    world: World, press_officer: User, settings: Any
) -> None:
    """Two released later died: 8 were ever released, 6 are released now. Too few, the 6 are
    held back; the 8 would all but give them away, and are held back with them."""
    world.add("died", 2, ("captured", "2022-06-12"), ("released", "2022-09-21"), ("killed", "2023-02-01"))
    settings.TRACEBUREAU_PRESS_MIN_CELL = 7
    release = services.release_draft(
        by=press_officer,
        title="Both",
        tables=[TableKey.BY_STATUS_AND_CATEGORY, TableKey.FLOWS],
        period="year",
    )
    by_category = selectors.table_view(release.tables.get(key=TableKey.BY_STATUS_AND_CATEGORY))
    flows = selectors.table_view(release.tables.get(key=TableKey.FLOWS))
    released = next(line for line in by_category.lines if line.key == "released")
    assert released.total.value is None  # 6 people: fewer than 7
    column = [key for key, _label in flows.columns].index("released")
    assert flows.totals[column].true == 8
    assert flows.totals[column].value is None and flows.totals[column].reason == "linked"


def test_the_same_figure_is_compared_across_tables_of_different_releases(
    bigger_world: World, press_officer: User, analyst: User, head_of_press: User
) -> None:
    """Monday publishes our people released by situation and category; Tuesday, the same
    people by agency and situation. One more released between them is singled out all the
    same, unless the figure is compared as what it counts, not where it stands."""
    monday = services.release_draft(
        by=press_officer, title="Monday", tables=[TableKey.BY_STATUS_AND_CATEGORY]
    )
    publish(monday, analyst, head_of_press, press_officer)
    bigger_world.scenario.event(bigger_world.people["held"][0], "released", "2022-10-01")
    tuesday = services.release_draft(
        by=press_officer, title="Tuesday", tables=[TableKey.BY_AGENCY_AND_STATUS]
    )
    view = selectors.table_view(tuesday.tables.get())
    situations = [key for key, _label in view.columns]
    # Our people in custody went from 24 (Monday, a row total of the other table) to 23.
    in_custody = view.totals[situations.index("in_custody")]
    assert in_custody.true == 23 and in_custody.value is None and in_custody.reason == "differencing"
    assert tuesday.checks.get().risks == ["agency_status: *|in_custody"]


def test_only_the_press_centre_withdraws_a_release(world: World, press_officer: User, analyst: User) -> None:
    from django.core.exceptions import PermissionDenied

    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    with pytest.raises(PermissionDenied):
        services.release_withdraw(by=analyst, release=release, reason="Not mine to withdraw")


def test_a_zero_that_an_earlier_release_showed_as_a_few_is_an_unresolved_risk() -> None:
    """A 0 is always shown: if a release published with a smaller k said 5, the two together
    say that 3 to 7 left the cell, and no holding back can help. The check must say so."""
    from tracebureau.press.statistics import Table

    table = Table(
        TableKey.FLOWS,
        "period",
        "flow",
        [("2022", "")],
        [("captured", ""), ("released", "")],
        [[40, 0]],
        "",
        rows_add_up=False,
    )
    before = protection.Earlier(
        TableKey.FLOWS, {"2022|captured": 40, "2022|released": 5, "*|released": 5}, {}, k=3, base=1
    )
    [result] = protection.protect_release([table], [before], k=10, base=1)
    assert "2022|released" in result.unresolved and "*|released" in result.unresolved
