"""Press releases: figures counted from the timelines, held back where they could identify
someone, and the workflow from draft to publication."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tracebureau.core.errors import AppendOnlyError
from tracebureau.core.models import User
from tracebureau.press import selectors, services
from tracebureau.press.choices import ReleaseState, TableKey
from tracebureau.press.models import Release
from tracebureau.press.tests.conftest import World


def figures(release: Release, key: str) -> selectors.TableView:
    return selectors.table_view(release.tables.get(key=key))


def cell(view: selectors.TableView, row: str, column: str) -> selectors.Cell:
    line = next(line for line in view.lines if line.key == row)
    return line.cells[[key for key, _label in view.columns].index(column)]


def publish(release: Release, *, reviewer: User, head: User, publisher: User) -> None:
    services.release_review(by=reviewer, release=release)
    services.release_approve(by=head, release=release)
    services.release_publish(by=publisher, release=release)


def test_the_figures_are_counted_from_the_timelines(world: World, press_officer: User) -> None:
    release = services.release_draft(
        by=press_officer, title="Weekly", tables=[TableKey.BY_STATUS_AND_CATEGORY]
    )
    view = figures(release, TableKey.BY_STATUS_AND_CATEGORY)
    assert cell(view, "in_custody", "prisoner_of_war").true == 8
    assert cell(view, "released", "prisoner_of_war").true == 6
    assert cell(view, "in_custody", "civilian_detainee").true == 4
    assert view.total.true == 19 and view.total.value == 19
    assert view.table.queries and "registry_person" in view.table.queries[0]


def test_the_flows_count_each_person_once_in_the_period_of_the_first_event(
    world: World, press_officer: User
) -> None:
    person = world.people["held"][0]
    world.scenario.event(person, "captured", "2022-07-02")  # a second report of the same capture
    release = services.release_draft(by=press_officer, title="Flows", tables=[TableKey.FLOWS], period="month")
    view = figures(release, TableKey.FLOWS)
    assert [line.key for line in view.lines] == ["2022-06", "2022-07", "2022-08", "2022-09"]
    assert cell(view, "2022-06", "captured").true == 18
    assert cell(view, "2022-07", "captured").true == 0
    assert cell(view, "2022-09", "released").true == 6
    # Captured and released in a month are not parts of a whole: no row total, no grand total.
    assert not view.rows_add_up and view.total.value is None
    assert all(line.total.value is None for line in view.lines) and view.totals[0].value == 18


def test_detrimental_and_negotiation_sensitive_records_are_left_out(
    world: World, press_officer: User, analyst: User
) -> None:
    import datetime as dt

    from tracebureau.registry import services as registry
    from tracebureau.timeline import services as timeline

    held = world.people["held"][0]
    registry.person_update(
        by=world.scenario.by,
        person=held,
        changes={"detrimental_to_disclose": True},
        expected_version=held.version,
    )
    # A release known only to the negotiators does not count as released in public.
    timeline.event_record(
        person=world.people["held"][1],
        kind="released",
        occurred_on=dt.date(2022, 9, 21),
        precision="day",
        source=world.scenario.intel,
        credibility=2,
        by=analyst,
        classification="negotiation_sensitive",
    )
    release = services.release_draft(
        by=press_officer, title="Weekly", tables=[TableKey.BY_STATUS_AND_CATEGORY]
    )
    view = figures(release, TableKey.BY_STATUS_AND_CATEGORY)
    assert cell(view, "in_custody", "prisoner_of_war").true == 7
    assert cell(view, "released", "prisoner_of_war").true == 6
    assert view.total.true == 18


def test_small_counts_are_held_back_with_their_reason(
    world: World, press_officer: User, settings: Any
) -> None:
    settings.TRACEBUREAU_PRESS_MIN_CELL = 5
    release = services.release_draft(
        by=press_officer, title="Weekly", tables=[TableKey.BY_STATUS_AND_CATEGORY]
    )
    view = figures(release, TableKey.BY_STATUS_AND_CATEGORY)
    civilians = cell(view, "in_custody", "civilian_detainee")
    assert civilians.value is None and civilians.reason == "primary" and civilians.true == 4
    missing = cell(view, "missing", "prisoner_of_war")
    assert missing.value is None and missing.reason == "primary"
    # The civilians' column total (4) is held back too, and cannot be recomputed from the rest.
    assert view.totals[[k for k, _l in view.columns].index("civilian_detainee")].value is None
    assert any(c.reason == "secondary" for line in view.lines for c in line.cells) or any(
        c.reason in ("paired", "secondary") for c in view.totals
    )


def test_counts_are_rounded_and_said_in_words(world: World, press_officer: User, settings: Any) -> None:
    settings.TRACEBUREAU_PRESS_MIN_CELL = 5
    settings.TRACEBUREAU_PRESS_ROUNDING = 5
    settings.TRACEBUREAU_PRESS_PHRASE_STEP = 10
    world.add("more", 7, ("captured", "2022-06-20"))
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS], period="year")
    view = figures(release, TableKey.FLOWS)
    assert cell(view, "2022", "captured").true == 25 and cell(view, "2022", "captured").value == 25
    assert cell(view, "2022", "released").true == 6 and cell(view, "2022", "released").value == 5
    # Said from the published 25, never from the true count: "more than 20".
    assert {
        "table": "flows",
        "column": "captured",
        "qualifier": "more_than",
        "value": 20,
    } in release.headlines
    with pytest.raises(ValidationError, match="no more than"):
        services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS], rounding=10)


def test_the_release_goes_from_draft_to_published_with_each_step_recorded(
    world: World, press_officer: User, analyst: User, head_of_press: User
) -> None:
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    assert selectors.state_of(release) == ReleaseState.DRAFT
    with pytest.raises(ValidationError, match="colleague"):
        services.release_review(by=press_officer, release=release)
    with pytest.raises(ValidationError, match="cannot be approved"):
        services.release_approve(by=head_of_press, release=release)
    services.release_review(by=analyst, release=release, note="Figures checked against the registry.")
    with pytest.raises(PermissionDenied):
        services.release_approve(by=press_officer, release=release)
    services.release_approve(by=head_of_press, release=release)
    services.release_publish(by=press_officer, release=release)
    release.refresh_from_db()
    steps = [(s.state, s.by) for s in release.steps.all()]
    assert steps == [("reviewed", analyst), ("approved", head_of_press), ("published", press_officer)]
    assert [c.stage for c in release.checks.all()] == ["draft", "publication"]
    assert list(selectors.published()) == [release]


def test_a_published_release_never_changes(
    world: World, press_officer: User, analyst: User, head_of_press: User
) -> None:
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    publish(release, reviewer=analyst, head=head_of_press, publisher=press_officer)
    with pytest.raises(ValidationError):
        services.release_withdraw(by=head_of_press, release=release, reason="Changed our mind")
    release.title = "Something else"
    with pytest.raises(AppendOnlyError):
        release.save()
    table = release.tables.first()
    with pytest.raises(AppendOnlyError):
        type(table).objects.filter(pk=table.pk).update(counts=[[0]])


def test_a_withdrawn_draft_goes_no_further(world: World, press_officer: User, analyst: User) -> None:
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    with pytest.raises(ValidationError):
        services.release_withdraw(by=press_officer, release=release, reason=" ")
    services.release_withdraw(by=press_officer, release=release, reason="Wrong period")
    with pytest.raises(ValidationError):
        services.release_review(by=analyst, release=release)


def test_bad_parameters_are_named(world: World, press_officer: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.release_draft(
            by=press_officer, title=" ", tables=["nonsense"], period="week", min_cell=2, rounding=0
        )
    assert set(error.value.message_dict) == {"title", "tables", "period", "min_cell", "rounding"}
    assert not Release.objects.exists()


def test_those_outside_the_press_centre_draft_nothing(world: World, case_officer: User) -> None:
    with pytest.raises(PermissionDenied):
        services.release_draft(by=case_officer, title="Weekly", tables=[TableKey.FLOWS])


def test_whoever_reviewed_a_release_does_not_approve_it(
    world: World, press_officer: User, head_of_press: User, analyst: User
) -> None:
    release = services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS])
    services.release_review(by=head_of_press, release=release)
    with pytest.raises(ValidationError, match="reviewed"):
        services.release_approve(by=head_of_press, release=release)


def test_rounding_may_be_made_coarser_never_finer(world: World, press_officer: User, settings: Any) -> None:
    settings.TRACEBUREAU_PRESS_MIN_CELL = 10
    settings.TRACEBUREAU_PRESS_ROUNDING = 5
    with pytest.raises(ValidationError) as error:
        services.release_draft(by=press_officer, title="Weekly", tables=[TableKey.FLOWS], rounding=1)
    assert set(error.value.message_dict) == {"rounding"}
    assert (
        services.release_draft(
            by=press_officer, title="Weekly", tables=[TableKey.FLOWS], rounding=10
        ).rounding
        == 10
    )


def test_the_public_list_shows_the_latest_published_first(
    world: World, press_officer: User, second_press_officer: User, analyst: User, head_of_press: User
) -> None:
    first = services.release_draft(by=press_officer, title="Drafted first", tables=[TableKey.FLOWS])
    second = services.release_draft(by=second_press_officer, title="Drafted second", tables=[TableKey.FLOWS])
    publish(second, reviewer=analyst, head=head_of_press, publisher=press_officer)
    publish(first, reviewer=analyst, head=head_of_press, publisher=press_officer)
    assert list(selectors.published()) == [first, second]
