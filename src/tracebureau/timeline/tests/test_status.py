"""Derived status: exact cases a reader can check by hand, then the invariants of STATUS.md as
properties over random timelines."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tracebureau.timeline.status import (
    EVENT_SITUATION,
    DerivedStatus,
    StatusEvent,
    derive_status,
    is_weak,
)

D = dt.date


def ev(id: int, kind: str, on: str, grade: str = "B2", **kw: object) -> StatusEvent:
    return StatusEvent(
        id=id,
        kind=kind,
        occurred_on=D.fromisoformat(on),
        precision=kw.pop("precision", "day"),  # type: ignore[arg-type]
        reliability=grade[0],
        credibility=int(grade[1]),
        **kw,  # type: ignore[arg-type]
    )


def test_it_is_unknown_with_no_events() -> None:
    status = derive_status([])
    assert (status.situation, status.level, status.family_level) == ("unknown", 1, 1)


def test_it_is_missing_then_in_custody_then_released() -> None:
    events = [ev(1, "reported_missing", "2022-04-01"), ev(2, "captured", "2022-05-17")]
    assert derive_status(events).situation == "in_custody"
    assert derive_status(events).level == 3
    assert derive_status([*events, ev(3, "released", "2022-09-21")]).level == 5


def test_it_orders_by_event_time_not_recording_order() -> None:
    late_recorded_early_event = ev(9, "reported_missing", "2022-04-01")
    status = derive_status([ev(1, "captured", "2022-05-17"), late_recorded_early_event])
    assert status.situation == "in_custody"
    assert status.basis_id == 1


def test_it_needs_an_icrc_source_for_level_4() -> None:
    capture = ev(1, "captured", "2022-05-17")
    icrc_notice = ev(2, "transferred", "2022-06-01", "A1", source_is_icrc=True)
    assert derive_status([capture]).level == 3
    status = derive_status([capture, icrc_notice])
    assert (status.level, status.icrc_basis_id) == (4, 2)
    assert derive_status([capture, ev(3, "icrc_visit", "2022-06-02", source_is_icrc=True)]).level == 4
    # A visit reported by someone else is not the ICRC's own confirmation.
    assert derive_status([capture, ev(4, "icrc_visit", "2022-06-02", "B2")]).level == 3


def test_it_forgets_the_icrc_confirmation_of_an_earlier_spell_of_custody() -> None:
    events = [
        ev(1, "icrc_visit", "2022-06-01"),
        ev(2, "released", "2022-09-21"),
        ev(3, "captured", "2023-01-10"),
    ]
    assert derive_status(events).level == 3


def test_it_lets_a_later_stage_win_on_the_same_day() -> None:
    status = derive_status([ev(1, "released", "2022-09-21"), ev(2, "captured", "2022-09-21")])
    assert status.situation == "released"


def test_it_sorts_a_month_before_the_days_of_that_month() -> None:
    month_report = ev(1, "killed", "2022-05-01", precision="month")
    day_report = ev(2, "captured", "2022-05-01")
    assert derive_status([month_report, day_report]).situation == "in_custody"


def test_it_shows_weak_reports_without_changing_the_situation() -> None:
    events = [ev(1, "captured", "2022-05-17"), ev(2, "killed", "2022-06-01", "E5")]
    status = derive_status(events)
    assert (status.situation, status.unconfirmed_ids) == ("in_custody", (2,))


def test_it_restores_the_status_when_an_event_is_retracted() -> None:
    capture, death = ev(1, "captured", "2022-05-17"), ev(2, "killed", "2022-06-01")
    retraction = ev(3, "retraction", "2022-07-01", corrects_id=2)
    status = derive_status([capture, death, retraction])
    assert (status.situation, status.void_ids) == ("in_custody", (2,))
    undo = ev(4, "retraction", "2022-07-02", corrects_id=3)
    assert derive_status([capture, death, retraction, undo]).situation == "deceased"


def test_it_lets_a_later_sign_of_life_win_over_a_death_and_flags_it() -> None:
    status = derive_status(
        [ev(1, "killed", "2022-05-20", "D3"), ev(2, "icrc_visit", "2022-07-01", "A1", source_is_icrc=True)]
    )
    assert (status.situation, status.level, status.conflicts) == ("in_custody", 4, ((1, 2),))


def test_it_never_conveys_a_death_on_the_family_scale() -> None:
    events = [ev(1, "icrc_visit", "2022-06-01", source_is_icrc=True), ev(2, "died_in_custody", "2022-08-01")]
    status = derive_status(events)
    assert (status.situation, status.level, status.family_level) == ("deceased", None, 4)
    assert status.is_death


def test_it_does_not_lift_the_family_level_with_a_death_report_alone() -> None:
    status = derive_status([ev(1, "killed", "2022-05-20")])
    assert (status.situation, status.level, status.family_level) == ("deceased", None, 1)


def test_it_gives_level_2_when_only_weak_reports_exist() -> None:
    status = derive_status([ev(1, "captured", "2022-05-17", "F6")])
    assert (status.situation, status.level) == ("unknown", 2)


def test_it_keeps_the_last_place_and_sign_of_life() -> None:
    events = [
        ev(1, "evacuated", "2022-05-17", place_id=10),
        ev(2, "transferred", "2022-06-10", place_id=11),
        ev(3, "proof_of_life", "2022-07-01"),
    ]
    status = derive_status(events)
    assert (status.last_place_id, status.last_sign_of_life_id) == (11, 3)


# --- properties -------------------------------------------------------------------------------

KINDS = [*EVENT_SITUATION, "wounded"]
GRADES = [f"{r}{c}" for r in "ABCDEF" for c in range(1, 7)]


@st.composite
def timelines(draw: st.DrawFn, min_size: int = 0) -> list[StatusEvent]:
    n = draw(st.integers(min_size, 12))
    events = []
    for i in range(1, n + 1):
        grade = draw(st.sampled_from(GRADES))
        events.append(
            StatusEvent(
                id=i,
                kind=draw(st.sampled_from(KINDS)),
                occurred_on=draw(st.dates(D(2022, 2, 24), D(2022, 12, 31))),
                precision=draw(st.sampled_from(["day", "month", "year", "before", "after"])),
                reliability=grade[0],
                credibility=int(grade[1]),
                source_is_icrc=draw(st.booleans()),
                place_id=draw(st.none() | st.integers(1, 4)),
            )
        )
    return events


def essence(status: DerivedStatus) -> tuple[object, ...]:
    return (status.situation, status.level, status.family_level, status.last_place_id)


@settings(max_examples=300)
@given(timelines(), st.randoms())
def test_property_recording_order_does_not_matter(events: list[StatusEvent], rnd: random.Random) -> None:
    shuffled = events[:]
    rnd.shuffle(shuffled)
    assert derive_status(shuffled) == derive_status(events)


@settings(max_examples=300)
@given(timelines(), st.sampled_from(KINDS), st.dates(D(2022, 2, 24), D(2022, 12, 31)))
def test_property_adding_then_retracting_changes_nothing(
    events: list[StatusEvent], kind: str, on: dt.date
) -> None:
    before = derive_status(events)
    added = StatusEvent(id=100, kind=kind, occurred_on=on, precision="day", reliability="A", credibility=1)
    retraction = StatusEvent(
        id=101,
        kind="retraction",
        occurred_on=on,
        precision="day",
        reliability="A",
        credibility=1,
        corrects_id=100,
    )
    assert essence(derive_status([*events, added, retraction])) == essence(before)


@settings(max_examples=300)
@given(
    timelines(),
    st.sampled_from(KINDS),
    st.dates(D(2022, 2, 24), D(2022, 12, 31)),
    st.sampled_from([g for g in GRADES if g[0] in "EF" or g[1] in "56"]),
)
def test_property_weak_reports_never_change_the_situation(
    events: list[StatusEvent], kind: str, on: dt.date, grade: str
) -> None:
    weak = StatusEvent(
        id=100, kind=kind, occurred_on=on, precision="day", reliability=grade[0], credibility=int(grade[1])
    )
    assert is_weak(weak)
    assert derive_status([*events, weak]).situation == derive_status(events).situation


@settings(max_examples=300)
@given(timelines(min_size=1))
def test_property_level_4_needs_an_icrc_sourced_event(events: list[StatusEvent]) -> None:
    status = derive_status(events)
    if status.level == 4:
        basis = next(e for e in events if e.id == status.icrc_basis_id)
        assert (basis.source_is_icrc or basis.kind == "icrc_visit") and not is_weak(basis)
    without_icrc = [
        StatusEvent(**{**e.__dict__, "source_is_icrc": False}) for e in events if e.kind != "icrc_visit"
    ]
    assert derive_status(without_icrc).level != 4


@settings(max_examples=300)
@given(timelines(), st.sampled_from(sorted(EVENT_SITUATION)))
def test_property_a_later_event_time_wins(events: list[StatusEvent], kind: str) -> None:
    latest = StatusEvent(
        id=100, kind=kind, occurred_on=D(2023, 6, 1), precision="day", reliability="A", credibility=1
    )
    assert derive_status([*events, latest]).situation == EVENT_SITUATION[kind]


@settings(max_examples=200)
@given(timelines())
def test_property_family_level_is_on_the_scale(events: list[StatusEvent]) -> None:
    status = derive_status(events)
    assert 1 <= status.family_level <= 5
    assert (status.level is None) == status.is_death
