"""Lists' tests: jobs run at once (the immediate task backend), and the engine is a stand-in
whose answers a reader can check by hand, unless a test asks for the real one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tracebureau.conftest import Scenario
from tracebureau.lists import reconcile, services
from tracebureau.lists.models import IncomingList

HEADERS = ["№", "Фамилия", "Имя", "Отчество", "Дата рождения", "Личный номер"]
ROWS = [
    ["1", "Козацкий", "Дмитрий", "Александрович", "12.03.1998", "AB123456"],
    ["2", "Шевченко", "Андрей", "", "1990", ""],
    ["3", "Невідомий", "Іван", "", "", ""],
]


def fake_link(
    left: list[dict[str, str]], right: list[dict[str, str]], progress: Any
) -> list[reconcile.Match]:
    """A row matches every person born in the same year (0.9) or with the same family name
    initial (0.6): enough to check what the job stores."""
    progress("comparing", 0.5)
    matches = []
    for row in left:
        for person in right:
            if row["birth_date"][:4] and row["birth_date"][:4] == person["birth_date"][:4]:
                matches.append(
                    (row["id"], person["id"], 0.9, [{"field": "birth_date", "level": "year", "weight": 3.0}])
                )
            elif row["family_name"][:1] == person["family_name"][:1]:
                matches.append(
                    (
                        row["id"],
                        person["id"],
                        0.6,
                        [{"field": "family_name", "level": "initial", "weight": 1.0}],
                    )
                )
    return matches


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def predictable_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reconcile, "engine_link", fake_link)


@pytest.fixture
def registry(scenario: Scenario) -> Scenario:
    """Two registered persons: Kozatskyi (born 1998) and Shevchenko (born 1990)."""
    scenario.kozatskyi = scenario.person(  # type: ignore[attr-defined]
        "Козацький",
        "Дмитро",
        patronymic="Олександрович",
        birth_year=1998,
        birth_month=3,
        birth_day=12,
        service_number="AB123456",
    )
    scenario.shevchenko = scenario.person("Шевченко", "Андрій", birth_year=1990)  # type: ignore[attr-defined]
    return scenario


def upload(by: Any, scenario: Scenario, rows: list[list[str]] | None = None, **fields: Any) -> IncomingList:
    """The adversary's list, as the upload page stores it (jobs run on commit)."""
    fields.setdefault(
        "column_mapping",
        {
            "id": "№",
            "family_name": "Фамилия",
            "given_name": "Имя",
            "patronymic": "Отчество",
            "birth_date": "Дата рождения",
            "service_number": "Личный номер",
        },
    )
    return services.list_create(
        by=by,
        title="Adversary's list of 2022-06-10",
        source=scenario.rumour,
        received_on=dt.date(2022, 6, 10),
        file_name="list.csv",
        headers=HEADERS,
        rows=ROWS if rows is None else rows,
        **fields,
    )


@pytest.fixture
def adversary_list(analyst: Any, registry: Scenario, django_capture_on_commit_callbacks: Any) -> IncomingList:
    with django_capture_on_commit_callbacks(execute=True):
        return upload(analyst, registry)
