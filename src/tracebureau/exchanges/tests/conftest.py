"""Exchanges' tests: a coordinator, a second one working the same lists, and a small world of
our people held by the other side and theirs held by us, modelled on the seed's exchanges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tracebureau.conftest import Scenario
from tracebureau.core.models import User
from tracebureau.exchanges import services
from tracebureau.exchanges.models import Exchange
from tracebureau.registry.models import Person


def coordinator_named(name: str) -> User:
    return User.objects.create_user(
        name, password=f"a-long-test-password-{name}", roles=["exchange_coordinator"],
        clearance="negotiation_sensitive",
    )


@pytest.fixture
def coordinator(db: Any) -> User:
    return coordinator_named("exchange.first")


@pytest.fixture
def second_coordinator(db: Any) -> User:
    return coordinator_named("exchange.second")


@dataclass
class World:
    """Five of ours in Olenivka (one seriously wounded), one more of ours held since 2022-04,
    and four of theirs held by us."""

    scenario: Scenario
    ours: list[Person] = field(default_factory=list)
    theirs: list[Person] = field(default_factory=list)

    def exchange(self, by: User, **fields: Any) -> Exchange:
        fields.setdefault("reference", "EX-2022-09-21")
        fields.setdefault("title", "Exchange of prisoners of war")
        fields.setdefault("kind", "prisoners")
        fields.setdefault("counterpart", "Russian Federation")
        fields.setdefault("mediator", "ICRC")
        return services.exchange_create(by=by, **fields)

    def add(self, exchange: Exchange, by: User, person: Person, side: str, category: str = "other") -> Any:
        exchange.refresh_from_db()
        return services.entry_add(
            exchange=exchange, by=by, expected_version=exchange.version, side=side, person=person,
            category=category, reason="Held since the evacuation from Azovstal",
        )

    def step(self, exchange: Exchange, by: User, to_state: str, **fields: Any) -> Any:
        exchange.refresh_from_db()
        fields.setdefault("reason", f"{to_state} at the meeting of the negotiators")
        return services.transition(
            exchange=exchange, by=by, expected_version=exchange.version, to_state=to_state, **fields
        )


NAMES_OURS = [
    ("Козацький", "Дмитро", "Олександрович", 1990, 7, 3),
    ("Петренко", "Іван", "Миколайович", 1985, 3, 12),
    ("Шевчук", "Андрій", "Петрович", 1979, 5, 30),
    ("Бондаренко", "Олег", "Васильович", 1993, 11, 2),
    ("Мельник", "Сергій", "Іванович", 1988, 1, 21),
    ("Ткаченко", "Юрій", "Степанович", 1975, 9, 9),
]
NAMES_THEIRS = [
    ("Иванов", "Алексей", "Сергеевич", 1991, 2, 14),
    ("Смирнов", "Дмитрий", "Петрович", 1987, 6, 1),
    ("Кузнецов", "Андрей", "Викторович", 1995, 4, 23),
    ("Попов", "Максим", "Олегович", 1990, 8, 8),
]


@pytest.fixture
def world(scenario: Scenario) -> World:
    w = World(scenario)
    for i, (family, given, patronymic, year, month, day) in enumerate(NAMES_OURS):
        person = scenario.person(
            family, given, patronymic=patronymic, birth_year=year, birth_month=month, birth_day=day,
            sex="male",
        )
        captured_on = "2022-04-12" if i == 5 else "2022-05-17"
        scenario.event(person, "captured", captured_on, place=scenario.olenivka)
        if i == 0:
            scenario.event(person, "wounded", "2022-05-10", note="Shrapnel wounds, leg amputated")
        w.ours.append(person)
    for family, given, patronymic, year, month, day in NAMES_THEIRS:
        person = scenario.person(
            family, given, patronymic=patronymic, birth_year=year, birth_month=month, birth_day=day,
            side="adversary", sex="male", agency=None,
        )
        scenario.event(person, "captured", "2022-03-20")
        w.theirs.append(person)
    return w


def today() -> dt.date:
    return dt.date(2022, 9, 21)
