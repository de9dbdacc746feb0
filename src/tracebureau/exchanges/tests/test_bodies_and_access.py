"""A body exchange feeds identification; agency scope and clearance apply to the lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tracebureau.core.models import User
from tracebureau.exchanges import selectors, services
from tracebureau.exchanges.tests.conftest import World
from tracebureau.identification.models import RemainsCase, Repatriation
from tracebureau.registry.models import Agency
from tracebureau.timeline.models import Event

BODIES = (
    "Номер,ФИО,Дата рождения,Состояние\n"
    "1,Петренко Иван Николаевич,12.03.1985,погиб\n"
    "2,,,тело\n"
    "3,Неизвестный Пётр,,погиб\n"
)


def test_a_body_exchange_opens_a_batch_for_identification(world: World, coordinator: Any) -> None:
    exchange = world.exchange(coordinator, reference="EX-2022-06-02", kind="bodies", title="50 to 50",
                              unnamed_ours=3, unnamed_theirs=3, total_ours=3, total_theirs=3)
    for state in ("proposed", "agreed"):
        world.step(exchange, coordinator, state)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 6, 2))
    exchange.refresh_from_db()
    upload = services.arrivals_upload(exchange=exchange, by=coordinator, expected_version=exchange.version,
                                      file_name="bodies.csv", content=BODIES.encode())
    rows = list(upload.rows.order_by("number"))
    assert [(r.person, r.condition, r.matched_by) for r in rows] == [
        (world.ours[1], "deceased", "engine"), (None, "deceased", "unnamed"), (None, "deceased", "unnamed"),
    ]
    exchange.refresh_from_db()
    services.verify(exchange=exchange, by=coordinator, expected_version=exchange.version,
                    reason="Bodies received at the Zaporizhzhia front line")
    batch = Repatriation.objects.get(exchange_reference="EX-2022-06-02")
    assert batch.bodies_reported == 3 and batch.arrived_on == dt.date(2022, 6, 2)
    cases = {c.reference: c.tags_and_documents for c in RemainsCase.objects.filter(repatriation=batch)}
    assert set(cases) == {"EX-2022-06-02-002", "EX-2022-06-02-003", "EX-2022-06-02-004"}
    assert "Петренко Иван Николаевич" in cases["EX-2022-06-02-002"]
    assert cases["EX-2022-06-02-003"] == "" and "Неизвестный Пётр" in cases["EX-2022-06-02-004"]
    # The named body is his only provisionally: "remains repatriated", probably true (2).
    exchange.refresh_from_db()
    event = Event.objects.get(person=world.ours[1], source=exchange.source)
    assert (event.kind, event.credibility) == ("remains_repatriated", 2)
    assert [line.outcome for line in selectors.outcome_lines(user=coordinator, exchange=exchange)] == [
        "deceased", "deceased", "deceased",
    ]


def test_a_living_person_on_no_list_and_not_in_the_registry_refuses_the_file(
    world: World, coordinator: Any
) -> None:
    exchange = world.exchange(coordinator)
    world.add(exchange, coordinator, world.ours[0], "requested")
    for state in ("proposed",):
        world.step(exchange, coordinator, state)
    world.step(exchange, coordinator, "agreed", override_formula=True, reason="One for none, agreed")
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    exchange.refresh_from_db()
    with pytest.raises(ValidationError, match="no one in the registry matches"):
        services.arrivals_upload(exchange=exchange, by=coordinator, expected_version=exchange.version,
                                 file_name="a.csv", content="ПІБ\nНевідомий Петро Петрович\n".encode())


def test_an_override_is_recorded_with_what_it_overrode(world: World, coordinator: Any) -> None:
    exchange = world.exchange(coordinator, total_ours=2, total_theirs=2)
    world.add(exchange, coordinator, world.ours[0], "requested")
    world.step(exchange, coordinator, "proposed")
    step = world.step(exchange, coordinator, "agreed", override_formula=True,
                      reason="The other side gives one now and one next week")
    assert step.formula_override
    assert "1 of ours are listed; 2 were agreed." in step.breaches
    assert exchange.transitions.filter(formula_override=True).count() == 1


def test_exchanges_are_negotiation_sensitive_unless_classified_lower(world: World, coordinator: Any) -> None:
    assert world.exchange(coordinator).classification == "negotiation_sensitive"


def test_an_agency_liaison_sees_only_their_agency_on_a_list(world: World, coordinator: Any) -> None:
    exchange = world.exchange(coordinator, classification="restricted")
    army = Agency.objects.create(code="army", name="Army", kind="armed_forces")
    soldier = world.scenario.person("Коваль", "Петро", agency=army)
    world.scenario.event(soldier, "captured", "2022-05-17")
    world.add(exchange, coordinator, world.ours[0], "requested")
    world.add(exchange, coordinator, soldier, "requested")
    liaison = User.objects.create_user("navy.liaison", password="a-long-test-password-n",
                                       roles=["agency_liaison"], clearance="restricted",
                                       agency=world.scenario.navy)
    seen = selectors.entries_visible(user=liaison, exchange=exchange, side="requested")
    assert [e.person for e in seen] == [world.ours[0]]
    assert selectors.person_entries(user=liaison, person=soldier) == []
