"""An escape: out of custody, whereabouts unknown, even on the day of a transfer."""

from __future__ import annotations

from datetime import date

from tracebureau.timeline.status import StatusEvent, derive_status


def event(id: int, kind: str, day: int) -> StatusEvent:
    return StatusEvent(
        id=id, kind=kind, occurred_on=date(2022, 7, day), precision="day", reliability="B", credibility=2
    )


def test_an_escape_ends_custody_even_on_the_day_of_a_transfer() -> None:
    status = derive_status([event(1, "captured", 1), event(2, "escaped", 9), event(3, "transferred", 9)])
    assert status.situation == "missing"
    assert status.basis_id == 2 and status.last_sign_of_life_id == 2


def test_a_recapture_after_an_escape_is_custody_again() -> None:
    status = derive_status([event(1, "captured", 1), event(2, "escaped", 9), event(3, "captured", 12)])
    assert status.situation == "in_custody"
