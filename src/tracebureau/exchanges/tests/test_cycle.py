"""A whole exchange, as in the seed: proposed "4 for 4", agreed, executed, the arrivals list
matched against the registry (Russian spellings included), one of ours who did not come, one
who came instead of him, verified; then the events on each timeline and the one left behind
proposed first for the next round."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tracebureau.core.errors import ConflictError
from tracebureau.exchanges import selectors, services
from tracebureau.exchanges.models import ExchangeOutcome
from tracebureau.exchanges.tests.conftest import World
from tracebureau.timeline.models import Event
from tracebureau.timeline.selectors import statuses_for

# Rows as the exchange point writes them: Russian spellings, dotted dates, one of ours not on
# the list (Ткаченко, who came instead of Мельник), and no row for Мельник.
ARRIVALS = (
    "№,Фамилия,Имя,Отчество,Дата рождения\n"
    "1,Козацкий,Дмитрий,Александрович,03.07.1990\n"
    "2,Петренко,Иван,Николаевич,12.03.1985\n"
    "3,Шевчук,Андрей,Петрович,30.05.1979\n"
    "4,Ткаченко,Юрий,Степанович,09.09.1975\n"
)


def agreed_exchange(world: World, coordinator: Any) -> Any:
    exchange = world.exchange(coordinator, total_ours=4, total_theirs=4)
    world.add(exchange, coordinator, world.ours[0], "requested", "seriously_wounded")
    for person in world.ours[1:4]:
        world.add(exchange, coordinator, person, "requested")
    world.add(exchange, coordinator, world.ours[4], "requested")  # five of ours for four
    for person in world.theirs:
        world.add(exchange, coordinator, person, "offered")
    world.step(exchange, coordinator, "proposed")
    with pytest.raises(ValidationError) as refused:
        world.step(exchange, coordinator, "agreed")
    assert "5 of ours are listed; 4 were agreed." in str(refused.value)
    # The other side refuses Бондаренко: he comes off the list, with the reason.
    exchange.refresh_from_db()
    entry = selectors.entries_of(exchange).get(person=world.ours[3])
    services.entry_withdraw(
        entry=entry,
        by=coordinator,
        expected_version=exchange.version,
        reason="Refused by the other side at the meeting of 2022-09-15",
    )
    world.step(exchange, coordinator, "agreed")
    return exchange


def test_a_full_exchange_with_a_no_show_and_a_substitution(world: World, coordinator: Any) -> None:
    exchange = agreed_exchange(world, coordinator)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    exchange.refresh_from_db()
    upload = services.arrivals_upload(
        exchange=exchange,
        by=coordinator,
        expected_version=exchange.version,
        file_name="arrivals.csv",
        content=ARRIVALS.encode(),
    )
    matched = {row.number: row.person for row in upload.rows.all()}
    assert matched == {2: world.ours[0], 3: world.ours[1], 4: world.ours[2], 5: world.ours[5]}
    exchange.refresh_from_db()
    services.verify(
        exchange=exchange,
        by=coordinator,
        expected_version=exchange.version,
        reason="Checked by name and face at the exchange point",
    )

    outcomes = {o.person: o.outcome for o in ExchangeOutcome.objects.filter(exchange=exchange)}
    assert outcomes == {
        world.ours[0]: "returned",
        world.ours[1]: "returned",
        world.ours[2]: "returned",
        world.ours[4]: "not_returned",
        world.ours[5]: "substituted",
        **{p: "handed_over" for p in world.theirs},
    }
    exchange.refresh_from_db()
    assert exchange.state == "verified" and exchange.source is not None
    returned = Event.objects.filter(source=exchange.source, kind__in=["released", "returned"])
    assert returned.filter(person=world.ours[0]).count() == 2
    assert not Event.objects.filter(person=world.ours[4], source=exchange.source).exists()
    statuses = statuses_for(user=coordinator, persons=[*world.ours, world.theirs[0]])
    assert statuses[world.ours[0].pk].situation == "released"
    assert statuses[world.ours[5].pk].situation == "released"
    assert statuses[world.ours[4].pk].situation == "in_custody"
    assert statuses[world.theirs[0].pk].situation == "released"

    # The one left behind stays visibly outstanding and is proposed first for the next round,
    # after the seriously wounded.
    assert [p for p, _refs in selectors.outstanding(user=coordinator)] == [world.ours[4]]
    nxt = world.exchange(coordinator, reference="EX-2022-10-17")
    ranked, _total = selectors.priority_candidates(user=coordinator, exchange=nxt)
    assert [c.person for c in ranked] == [world.ours[4], world.ours[3]]
    assert ranked[0].not_returned_from == ("EX-2022-09-21",)
    # The person page shows every list each has been on.
    lists = selectors.person_entries(user=coordinator, person=world.ours[3])
    assert [(r.exchange.reference, r.entry.withdrawn_at is not None) for r in lists] == [
        ("EX-2022-09-21", True)
    ]


def test_the_seriously_wounded_come_first_in_the_proposal(world: World, coordinator: Any) -> None:
    exchange = world.exchange(coordinator)
    ranked, total = selectors.priority_candidates(user=coordinator, exchange=exchange)
    assert total == 6
    assert ranked[0].person == world.ours[0] and ranked[0].seriously_wounded_or_sick
    assert "GC III art. 109–110" in ranked[0].reason
    # Then the longest held: Ткаченко since April.
    assert ranked[1].person == world.ours[5]
    assert not ranked[0].icrc_confirmed


def test_a_bad_arrivals_file_is_refused_row_by_row_and_nothing_is_kept(
    world: World, coordinator: Any
) -> None:
    exchange = agreed_exchange(world, coordinator)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    exchange.refresh_from_db()
    bad = (
        "Фамилия,Имя,Дата рождения\n"
        "Козацкий,Дмитрий,03.07.1990\n"
        "Неизвестный,Пётр,01.01.1960\n"
        "Петренко,Иван,31.02.1985\n"
        "Козацький,Дмитро,1990-07-03\n"
    )
    with pytest.raises(ValidationError) as refused:
        services.arrivals_upload(
            exchange=exchange,
            by=coordinator,
            expected_version=exchange.version,
            file_name="arrivals.csv",
            content=bad.encode(),
        )
    messages = refused.value.message_dict["file"]
    assert any(m.startswith("Row 3: no one in the registry matches “Неизвестный Пётр”") for m in messages)
    assert any(m.startswith("Row 4, column “Дата рождения”: 1985-02 has no day 31") for m in messages)
    assert any(m.startswith("Row 5: the same person as row 2") for m in messages)
    assert len(messages) == 3
    assert not exchange.arrival_lists.exists()


def test_two_coordinators_do_not_overwrite_each_other(
    world: World, coordinator: Any, second_coordinator: Any
) -> None:
    exchange = world.exchange(coordinator)
    seen = exchange.version  # both open the page at this version
    services.entry_add(
        exchange=exchange,
        by=second_coordinator,
        expected_version=seen,
        side="requested",
        person=world.ours[1],
        category="other",
        reason="Long held",
    )
    with pytest.raises(ConflictError) as refused:
        services.entry_add(
            exchange=exchange,
            by=coordinator,
            expected_version=seen,
            side="requested",
            person=world.ours[2],
            category="other",
            reason="Long held",
        )
    assert "exchange.second changed this exchange" in str(refused.value)
    assert [e.person for e in selectors.entries_of(exchange)] == [world.ours[1]]


def test_an_executed_exchange_is_only_changed_by_an_amendment(world: World, coordinator: Any) -> None:
    exchange = agreed_exchange(world, coordinator)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    exchange.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot be edited any more"):
        world.add(exchange, coordinator, world.ours[3], "requested")
    with pytest.raises(ValidationError, match="cannot be edited any more"):
        services.exchange_update(
            exchange=exchange, by=coordinator, expected_version=exchange.version, changes={"title": "Another"}
        )
    services.arrivals_upload(
        exchange=exchange,
        by=coordinator,
        expected_version=exchange.version,
        file_name="arrivals.csv",
        content=ARRIVALS.encode(),
    )
    exchange.refresh_from_db()
    services.verify(exchange=exchange, by=coordinator, expected_version=exchange.version, reason="Checked")
    exchange.refresh_from_db()
    # Петренко, recorded as returned, was in fact his namesake: the amendment retracts his events.
    services.amend_outcome(
        exchange=exchange,
        by=coordinator,
        expected_version=exchange.version,
        person=world.ours[1],
        outcome="not_returned",
        reason="The returnee was a namesake; confirmed by his mother on 2022-09-23",
    )
    outcome = selectors.current_outcomes(exchange)[world.ours[1].pk]
    assert outcome.outcome == "not_returned" and outcome.amendment is not None
    assert ExchangeOutcome.objects.filter(exchange=exchange, person=world.ours[1]).count() == 2
    status = statuses_for(user=coordinator, persons=[world.ours[1]])[world.ours[1].pk]
    assert status.situation == "in_custody"


def test_the_command_line_names_each_bad_row_and_stores_nothing(
    world: World, coordinator: Any, tmp_path: Any
) -> None:
    from django.core.management import CommandError, call_command

    exchange = agreed_exchange(world, coordinator)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    bad = tmp_path / "arrivals.csv"
    bad.write_text("Фамилия,Имя\nНеизвестный,Пётр\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("exchange_arrivals", "EX-2022-09-21", str(bad), "--as", coordinator.username)
    message = str(refused.value)
    assert "nothing was stored" in message and "Row 2: no one in the registry" in message
    good = tmp_path / "good.csv"
    good.write_text(ARRIVALS, encoding="utf-8")
    out = io.StringIO()
    call_command("exchange_arrivals", "EX-2022-09-21", str(good), "--as", coordinator.username, "--dry-run",
                 stdout=out)
    assert f"Substituted (came instead of someone on the list): #{world.ours[5].pk}" in out.getvalue()
    assert "Dry run: nothing was stored." in out.getvalue() and not exchange.arrival_lists.exists()
    call_command("exchange_arrivals", "EX-2022-09-21", str(good), "--as", coordinator.username,
                 "--verify", "Checked at the point")
    exchange.refresh_from_db()
    assert exchange.state == "verified"


def test_nobody_is_in_two_deals_or_asked_for_once_back(world: World, coordinator: Any) -> None:
    first = world.exchange(coordinator)
    world.add(first, coordinator, world.ours[0], "requested")
    second = world.exchange(coordinator, reference="EX-2022-10-17")
    with pytest.raises(ValidationError, match="already on the lists of exchange EX-2022-09-21"):
        world.add(second, coordinator, world.ours[0], "requested")
    world.scenario.event(world.ours[1], "released", "2022-06-29", credibility=1)
    with pytest.raises(ValidationError, match="already back"):
        world.add(second, coordinator, world.ours[1], "requested")


def test_the_seriously_wounded_go_before_the_others_unless_placed(world: World, coordinator: Any) -> None:
    exchange = world.exchange(coordinator)
    world.add(exchange, coordinator, world.ours[1], "requested")
    world.add(exchange, coordinator, world.ours[2], "requested", "seriously_wounded")
    world.add(exchange, coordinator, world.ours[3], "requested", "seriously_wounded")
    order = [e.person for e in selectors.entries_of(exchange, side="requested").order_by("priority")]
    assert order == [world.ours[2], world.ours[3], world.ours[1]]


def test_an_amendment_fits_the_persons_list(world: World, coordinator: Any) -> None:
    exchange = agreed_exchange(world, coordinator)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    exchange.refresh_from_db()
    services.arrivals_upload(exchange=exchange, by=coordinator, expected_version=exchange.version,
                             file_name="arrivals.csv", content=ARRIVALS.encode())
    exchange.refresh_from_db()
    services.verify(exchange=exchange, by=coordinator, expected_version=exchange.version, reason="Checked")

    def amend(person: Any, outcome: str) -> Any:
        exchange.refresh_from_db()
        return services.amend_outcome(exchange=exchange, by=coordinator, expected_version=exchange.version,
                                      person=person, outcome=outcome, reason="Seen on the bus's video")

    with pytest.raises(ValidationError, match="can only be: Returned, Not returned, Returned deceased"):
        amend(world.ours[4], "handed_over")
    with pytest.raises(ValidationError, match="can only be: Handed over, Not handed over"):
        amend(world.theirs[0], "returned")
    # Бондаренко was taken off the list, then came after all: a substitution.
    amend(world.ours[3], "substituted")
    assert selectors.current_outcomes(exchange)[world.ours[3].pk].outcome == "substituted"
    lists = selectors.person_entries(user=coordinator, person=world.ours[5])
    rows = [(row.exchange.reference, row.entry, row.outcome.outcome) for row in lists]
    assert rows == [("EX-2022-09-21", None, "substituted")]


def test_a_stale_page_of_ones_own_is_explained_as_such(world: World, coordinator: Any) -> None:
    exchange = world.exchange(coordinator)
    stale = exchange.version
    world.add(exchange, coordinator, world.ours[1], "requested")
    with pytest.raises(ConflictError, match="This page was out of date: you changed this exchange"):
        services.entry_add(exchange=exchange, by=coordinator, expected_version=stale, side="requested",
                           person=world.ours[2], category="other", reason="Long held")
