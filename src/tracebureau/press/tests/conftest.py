"""The press centre's tests: a press officer, an analyst who reviews, the head of the press
centre, and a small world whose counts are known by construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tracebureau.conftest import Scenario
from tracebureau.core.models import User
from tracebureau.registry.models import Person


@pytest.fixture(autouse=True)
def small_world_settings(settings: Any) -> None:
    """Counts of a handful of people, published exactly: k of 3, no rounding."""
    settings.TRACEBUREAU_PRESS_MIN_CELL = 3
    settings.TRACEBUREAU_PRESS_ROUNDING = 1


@pytest.fixture
def press_officer(db: Any) -> User:
    return User.objects.create_user(
        "press.officer", password="a-long-test-password-p", roles=["press_officer"], clearance="open"
    )


@pytest.fixture
def second_press_officer(db: Any) -> User:
    return User.objects.create_user(
        "press.second", password="a-long-test-password-q", roles=["press_officer"], clearance="open"
    )


@pytest.fixture
def head_of_press(db: Any) -> User:
    return User.objects.create_user(
        "press.head", password="a-long-test-password-r", roles=["head_of_press"], clearance="open"
    )


@dataclass
class World:
    """Our people: `held` captured and still held, `released` captured then released, and one
    missing; each captured in June 2022, released in September."""

    scenario: Scenario
    people: dict[str, list[Person]] = field(default_factory=dict)

    def add(self, group: str, n: int, *kinds: str, **fields: Any) -> list[Person]:
        made = []
        for i in range(n):
            person = self.scenario.person("Особа", f"{group}{len(self.people.get(group, [])) + i}", **fields)
            for kind, on in kinds:
                self.scenario.event(person, kind, on)
            made.append(person)
        self.people.setdefault(group, []).extend(made)
        return made


@pytest.fixture
def world(scenario: Scenario) -> World:
    w = World(scenario)
    w.add("held", 8, ("captured", "2022-06-10"))
    w.add("released", 6, ("captured", "2022-06-12"), ("released", "2022-09-21"))
    w.add("civilians", 4, ("captured", "2022-06-15"), category="civilian_detainee")
    w.add("missing", 1, ("reported_missing", "2022-05-20"))
    return w
