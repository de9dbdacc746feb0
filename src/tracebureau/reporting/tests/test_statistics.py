"""Statistics: live totals over what one may see, frozen releases for the press office."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tracebureau.core.models import User
from tracebureau.reporting.models import StatisticsRelease
from tracebureau.reporting.selectors import suppress, totals
from tracebureau.reporting.services import release_create


@pytest.fixture
def press(db: Any) -> User:
    return User.objects.create_user("press", password=None, roles=["press_officer"], clearance="open")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _custody(scenario: Any, count: int) -> None:
    for n in range(count):
        person = scenario.person("Полонений", f"№{n}", service_number=f"S-{n}")
        scenario.event(person, "icrc_visit", "2022-07-01", source=scenario.icrc, credibility=1)


def test_totals_count_each_situation_from_the_timelines(scenario: Any, analyst: User) -> None:
    _custody(scenario, 6)
    scenario.person("Зниклий", category="missing")
    figures = totals(user=analyst)
    assert figures["total"] == 7
    assert figures["by_situation"]["in_custody"] == 6
    assert figures["by_category"] == {**figures["by_category"], "prisoner_of_war": 6, "missing": 1}


def test_small_counts_are_suppressed_in_a_release() -> None:
    figures = {"total": 12, "by_situation": {"in_custody": 9, "released": 3, "missing": 0},
               "by_category": {"prisoner_of_war": 12}}
    published = suppress(figures)
    assert published["by_situation"] == {"in_custody": 9, "released": None, "missing": 0}
    assert published["total"] == 12


def test_a_release_is_frozen_and_the_press_reads_it_but_nothing_live(
    scenario: Any, analyst: User, press: User
) -> None:
    _custody(scenario, 6)
    release = release_create(by=analyst, title="Briefing of 20 May")
    _custody(scenario, 2)  # later events do not change what was said in public
    assert StatisticsRelease.objects.get(pk=release.pk).figures["by_situation"]["in_custody"] == 6
    page = _client(press).get("/statistics/")
    assert page.status_code == 200 and "Briefing of 20 May" in page.content.decode()
    assert page.context.get("live") is None
    detail = _client(press).get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "Briefing of 20 May" in detail and "<svg" in detail
    api = _client(press).get("/api/statistics/releases/").json()
    assert [r["title"] for r in api["results"]] == ["Briefing of 20 May"]
    assert _client(press).get("/api/statistics/releases/live/").status_code == 403


def test_the_press_sees_no_individual(scenario: Any, press: User) -> None:
    person = scenario.person()
    assert _client(press).get(f"/persons/{person.pk}/").status_code == 404
    assert _client(press).get("/api/persons/").json()["count"] == 0
    assert _client(press).get("/").url == "/press/"  # the press centre's releases


def test_only_analysts_release(scenario: Any, case_officer: User) -> None:
    with pytest.raises(PermissionDenied):
        release_create(by=case_officer, title="Not mine to release")
    response = _client(case_officer).post("/statistics/", {"title": "x"})
    assert response.status_code == 403


def test_the_release_form_names_a_missing_title(analyst: User) -> None:
    response = _client(analyst).post("/statistics/", {"title": ""})
    assert response.status_code == 200 and response.context["form"].errors["title"]
    assert not StatisticsRelease.objects.exists()


def test_releasing_on_the_page_redirects_to_the_release(scenario: Any, analyst: User) -> None:
    _custody(scenario, 5)
    response = _client(analyst).post("/statistics/", {"title": "Weekly figures", "note": "For the briefing"})
    release = StatisticsRelease.objects.get()
    assert response.url == f"/statistics/releases/{release.pk}/"
    assert release.figures["by_situation"]["in_custody"] == 5


def test_a_user_without_statistics_roles_is_refused(db: Any) -> None:
    auditor = User.objects.create_user("auditor", password=None, roles=["auditor"])
    assert _client(auditor).get("/statistics/").status_code == 403
