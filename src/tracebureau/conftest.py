"""The shared cast and scenario factory every test uses (see STYLE.md, "tests read like the domain")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tracebureau.core.models import User
from tracebureau.registry import services as registry
from tracebureau.registry.models import Agency, Person
from tracebureau.timeline import services as timeline
from tracebureau.timeline.models import Event, Place, Source


@pytest.fixture
def case_officer(db: Any) -> User:
    """A case officer: registers people and records what is known about them."""
    return User.objects.create_user(
        "navy.officer", password="a-long-test-password-1", roles=["case_officer"], clearance="confidential"
    )


@pytest.fixture
def analyst(db: Any) -> User:
    """An analyst of the coordination headquarters, cleared for negotiation-sensitive records."""
    return User.objects.create_user(
        "hq.analyst", password="a-long-test-password-2", roles=["analyst"], clearance="negotiation_sensitive"
    )


@pytest.fixture
def outsider(db: Any) -> User:
    """An account that has been switched off: it must see nothing."""
    return User.objects.create_user(
        "former.staff", password="a-long-test-password-3", is_active=False, roles=["case_officer"],
        clearance="negotiation_sensitive",
    )


@pytest.fixture
def admin_user(db: Any) -> User:
    return User.objects.create_superuser("admin", password="a-long-test-password-4", roles=["administrator"])


@dataclass
class Scenario:
    """A tiny world built on demand: the navy, a few sources and places, persons and events."""

    by: User

    def __post_init__(self) -> None:
        self.navy = Agency.objects.create(code="navy", name="Navy", kind="armed_forces")
        self.intel = timeline.source_create(
            by=self.by, name="GUR report", kind="intelligence", reliability="B"
        )
        self.icrc = timeline.source_create(by=self.by, name="ICRC notification", kind="icrc", reliability="A")
        self.rumour = timeline.source_create(
            by=self.by, name="Telegram channel", kind="media", reliability="E"
        )
        self.relatives = timeline.source_create(by=self.by, name="Mother", kind="relatives", reliability="C")
        self.olenivka = timeline.place_create(
            by=self.by,
            name="Olenivka colony",
            name_uk="Оленівська колонія",
            other_names=["Yelenovka"],
            kind="detention_facility",
            control="occupied",
        )
        self.novoazovsk = timeline.place_create(
            by=self.by,
            name="Novoazovsk hospital", kind="hospital", control="occupied"
        )

    def person(self, family_name: str = "Козацький", given_names: str = "Дмитро", **fields: Any) -> Person:
        fields.setdefault("category", "prisoner_of_war")
        fields.setdefault("agency", self.navy)
        return registry.person_create(by=self.by, family_name=family_name, given_names=given_names, **fields)

    def event(
        self,
        person: Person,
        kind: str,
        on: str = "2022-05-17",
        *,
        source: Source | None = None,
        credibility: int = 2,
        place: Place | None = None,
        precision: str = "day",
        **fields: Any,
    ) -> Event:
        return timeline.event_record(
            person=person,
            kind=kind,
            occurred_on=dt.date.fromisoformat(on),
            precision=precision,
            source=source or self.intel,
            credibility=credibility,
            place=place,
            by=self.by,
            **fields,
        )


@pytest.fixture
def scenario(case_officer: User) -> Scenario:
    return Scenario(by=case_officer)


@pytest.fixture(autouse=True)
def english(settings: Any) -> Any:
    """Tests read messages in English; the product's default language is Ukrainian, and the
    tests that check it ask for it explicitly."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def second_factor(settings: Any) -> None:
    """Most tests sign in with force_login, which knows nothing of a second factor, so they run
    with it switched off; the sign-in tests (accounts/tests) switch it back on."""
    settings.TRACEBUREAU_REQUIRE_TWO_FACTOR = False
