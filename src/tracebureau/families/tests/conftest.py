"""Families' tests: a liaison at the hotline, a mother asking about her son who is in the
registry, and the lookup's settings small enough to test the lockout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from tracebureau.conftest import Scenario
from tracebureau.core.models import User
from tracebureau.families import services
from tracebureau.families.models import Inquiry
from tracebureau.registry.models import Person


@pytest.fixture
def liaison(db: Any) -> User:
    return User.objects.create_user(
        "hotline.liaison",
        password="a-long-test-password-h",
        roles=["family_liaison"],
        clearance="confidential",
    )


@pytest.fixture(autouse=True)
def lookup_settings(settings: Any) -> None:
    settings.TRACEBUREAU_LOOKUP_MAX_FAILURES = 3
    settings.TRACEBUREAU_INQUIRY_ANSWER_HOURS = 72


@dataclass
class Families:
    scenario: Scenario
    son: Person

    def inquiry(self, by: User, **fields: Any) -> Inquiry:
        fields.setdefault("relationship", "mother")
        fields.setdefault("sought_family_name", "Козацький")
        fields.setdefault("sought_given_names", "Дмитро")
        fields.setdefault("sought_birth_date", "12.03.1998")
        requester = fields.pop(
            "requester", {"family_name": "Козацька", "given_names": "Олена", "phone": "+380 67 000 00 00"}
        )
        return services.inquiry_create(by=by, requester=requester, **fields)


@pytest.fixture
def families(scenario: Scenario) -> Families:
    son = scenario.person(
        "Козацький",
        "Дмитро",
        patronymic="Олександрович",
        birth_year=1998,
        birth_month=3,
        birth_day=12,
        unit="36th Marine Brigade",
    )
    scenario.event(son, "reported_missing", "2022-04-01", source=scenario.relatives, credibility=3)
    scenario.event(son, "captured", "2022-05-17", place=scenario.olenivka)
    return Families(scenario, son)


def received(days_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)
