"""The tables that are not counted from persons' situations: exchanges, tracing requests, and
both sides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracebureau.core.models import User
from tracebureau.exchanges.models import Exchange, ExchangeOutcome
from tracebureau.families import services as families
from tracebureau.families.models import InquiryStep
from tracebureau.press import statistics
from tracebureau.press.choices import TableKey
from tracebureau.press.tests.conftest import World


def verified_exchange(by: User, reference: str, on: dt.date, **fields: Any) -> Exchange:
    return Exchange.objects.create(
        reference=reference,
        title="Exchange",
        kind="mixed",
        counterpart="Russian Federation",
        state="verified",
        executed_on=on,
        created_by=by,
        updated_by=by,
        **fields,
    )


def test_exchanges_count_the_latest_outcome_of_each_person_of_verified_exchanges_only(
    world: World, case_officer: User
) -> None:
    june = verified_exchange(case_officer, "EX-1", dt.date(2022, 6, 29))
    pending = Exchange.objects.create(
        reference="EX-2",
        title="In negotiation",
        kind="prisoners",
        counterpart="Russian Federation",
        state="agreed",
        created_by=case_officer,
        updated_by=case_officer,
    )
    released = world.people["released"]
    for person in released[:4]:
        ExchangeOutcome.objects.create(
            exchange=june, person=person, outcome="returned", recorded_by=case_officer
        )
    # An amendment: the fifth was first recorded as not returned, then as returned.
    ExchangeOutcome.objects.create(
        exchange=june, person=released[4], outcome="not_returned", recorded_by=case_officer
    )
    ExchangeOutcome.objects.create(
        exchange=june, person=released[4], outcome="returned", recorded_by=case_officer
    )
    ExchangeOutcome.objects.create(
        exchange=june, person=world.people["held"][0], outcome="deceased", recorded_by=case_officer
    )
    ExchangeOutcome.objects.create(
        exchange=pending, person=released[5], outcome="returned", recorded_by=case_officer
    )
    [table] = statistics.count_tables([TableKey.EXCHANGES], period="month")
    assert table.rows == [(str(june.pk), "2022-06-29")]
    assert table.counts == [[5, 1, 0]]


def test_tracing_requests_received_and_answered(world: World, db: Any) -> None:
    liaison = User.objects.create_user(
        "liaison", password="a-long-test-password-l", roles=["family_liaison"], clearance="restricted"
    )
    inquiry = families.inquiry_create(
        by=liaison,
        requester={"family_name": "Козацька", "given_names": "Олена", "phone": "+380 67 000 00 00"},
        relationship="mother",
        sought_family_name="Особа",
        sought_given_names="held0",
    )
    families.inquiry_create(
        by=liaison,
        requester={"family_name": "Петренко", "given_names": "Ольга", "phone": "+380 67 000 00 01"},
        relationship="spouse",
        sought_family_name="Петренко",
        sought_given_names="Іван",
    )
    InquiryStep.objects.create(inquiry=inquiry, state="answered", by=liaison)
    [table] = statistics.count_tables([TableKey.INQUIRIES], period="year")
    assert [sum(col) for col in zip(*table.counts, strict=True)] == [2, 1]


def test_both_sides_are_counted_apart(world: World) -> None:
    world.add("theirs", 3, ("captured", "2022-03-20"), side="adversary", agency=None)
    [table] = statistics.count_tables([TableKey.BY_SIDE_AND_STATUS], period="month")
    rows = [key for key, _label in table.rows]
    columns = [key for key, _label in table.columns]
    assert table.counts[rows.index("adversary")][columns.index("in_custody")] == 3
    assert sum(table.counts[rows.index("own")]) == 19


def test_ours_home_so_far_is_worked_out_from_published_figures_only() -> None:
    from tracebureau.press.models import ReleaseTable
    from tracebureau.press.selectors import _running

    def table(cells: list[list[int | None]], totals: list[int | None]) -> ReleaseTable:
        return ReleaseTable(
            key=TableKey.EXCHANGES,
            rows=[[str(i), ""] for i in range(len(cells))],
            columns=[["returned", ""], ["bodies", ""], ["handed_over", ""]],
            published={"cells": cells, "column_totals": totals},
        )

    assert _running(table([[20, 0, 5], [30, 50, 5]], [50, 50, 10])) == [20, 100]
    # The bodies of the first two exchanges are held back (together, as disclosure control
    # leaves them): the running count says nothing before both are past, then what the total
    # less the later figures says.
    held = [[20, None, 5], [30, None, 5], [10, 40, 0]]
    assert _running(table(held, [60, 55, 10])) == [None, 65, 115]
    assert _running(table(held, [60, None, 10])) == [None, None, None]
