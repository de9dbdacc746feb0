"""The access matrix: role × agency × classification × surface.

A small world of 16 persons (two agencies × four classifications × detrimental to disclose or
not) and one staff member per role. The EXPECTED sets are written out from the issue's rules
here, independently of core.policy, and every surface must return exactly them: the selectors,
the search page and its count, the person page, the API list, detail, search, autocomplete and
timeline, the CSV export on the web and from the CLI, the statistics totals and the admin.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tracebureau.core.models import User
from tracebureau.core.tests.pages import as_seen
from tracebureau.registry import services as registry
from tracebureau.registry.models import Agency, Person
from tracebureau.registry.selectors import persons_visible
from tracebureau.reporting.selectors import totals
from tracebureau.timeline import services as timeline
from tracebureau.timeline.models import Event

LEVELS = ["open", "restricted", "confidential", "negotiation_sensitive"]
FAMILY = "Матриченко"


@dataclass(frozen=True)
class Seat:
    """A member of staff, and what the issue says they see: individuals or not, of one agency
    or all, and whether family-facing rules apply."""

    username: str
    roles: tuple[str, ...]
    clearance: str
    agency: str = ""
    sees_individuals: bool = True
    family_facing: bool = False
    may_export: bool = False


SEATS = [
    Seat("officer", ("case_officer",), "confidential", may_export=True),
    Seat("analyst", ("analyst",), "negotiation_sensitive", may_export=True),
    Seat("coordinator", ("exchange_coordinator",), "negotiation_sensitive", may_export=True),
    Seat("identifier", ("identification_officer",), "restricted"),
    Seat("liaison", ("family_liaison",), "confidential", family_facing=True),
    Seat("navy_liaison", ("agency_liaison",), "confidential", agency="navy"),
    Seat("press", ("press_officer",), "negotiation_sensitive", sees_individuals=False),
    Seat("head_of_press", ("head_of_press",), "negotiation_sensitive", sees_individuals=False),
    Seat("auditor", ("auditor",), "negotiation_sensitive", sees_individuals=False),
    Seat("admin", ("administrator",), "negotiation_sensitive", sees_individuals=False),
    Seat("nobody", (), "negotiation_sensitive", sees_individuals=False),
    # Two roles: the more open one decides, so no family-facing masks.
    Seat("officer_liaison", ("case_officer", "family_liaison"), "open", may_export=True),
]


@dataclass
class World:
    persons: dict[tuple[str, str, bool], Person]
    users: dict[str, User]
    captures: dict[int, Event]
    icrc_visits: dict[int, Event]

    def expected(self, seat: Seat) -> set[int]:
        if not seat.sees_individuals:
            return set()
        cleared = LEVELS[: LEVELS.index(seat.clearance) + 1]
        return {
            person.pk
            for (agency, level, detrimental), person in self.persons.items()
            if level in cleared
            and (not seat.agency or agency == seat.agency)
            and not (seat.family_facing and detrimental)
        }

    def expected_events(self, seat: Seat) -> set[int]:
        """Capture events are restricted, ICRC visits confidential (and detrimental for
        persons flagged so); both only where the person is seen."""
        persons = self.expected(seat)
        cleared = LEVELS[: LEVELS.index(seat.clearance) + 1]
        events = {e.pk for pk, e in self.captures.items() if pk in persons and "restricted" in cleared}
        events |= {
            e.pk for pk, e in self.icrc_visits.items()
            if pk in persons and "confidential" in cleared
            and not (seat.family_facing and e.detrimental_to_disclose)
        }
        return events


@pytest.fixture
def world(scenario: Any) -> World:
    scenario.by.clearance = "negotiation_sensitive"  # whoever builds the world must see all of it
    scenario.by.save()
    national_guard = Agency.objects.create(code="ng", name="National Guard", kind="national_guard")
    agencies = {"navy": scenario.navy, "ng": national_guard}
    persons, captures, visits = {}, {}, {}
    for code, agency in agencies.items():
        for n, level in enumerate(LEVELS):
            for detrimental in (False, True):
                person = scenario.person(
                    FAMILY, f"{code}-{level}-{detrimental}", agency=agency, classification=level,
                    detrimental_to_disclose=detrimental, unit="36th Marine Brigade",
                    call_sign="Ворон", service_number=f"{code}-{n}-{int(detrimental)}",
                )
                persons[(code, level, detrimental)] = person
                captures[person.pk] = scenario.event(
                    person, "captured", "2022-05-17", place=scenario.olenivka, classification="restricted",
                )
                visits[person.pk] = scenario.event(
                    person, "icrc_visit", "2022-07-01", source=scenario.icrc, credibility=1,
                    classification="confidential", detrimental_to_disclose=detrimental,
                )
    users = {
        seat.username: User.objects.create_user(
            seat.username, password=None, roles=list(seat.roles),
            clearance=seat.clearance, agency=agencies.get(seat.agency), is_staff=True,
        )
        for seat in SEATS
    }
    return World(persons, users, captures, visits)


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(client: Client, path: str) -> tuple[int, bytes]:
    return as_seen(client.get(path), path)


def _csv_ids(text: str) -> set[int]:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    return {int(row["id"]) for row in rows}


@pytest.mark.parametrize("seat", SEATS, ids=lambda s: s.username)
class TestEverySurfaceShowsExactlyWhatTheRulesSay:
    def test_selector(self, world: World, seat: Seat) -> None:
        assert set(persons_visible(user=world.users[seat.username]).values_list("pk", flat=True)) == (
            world.expected(seat)
        )

    def test_search_page_and_its_count(self, world: World, seat: Seat) -> None:
        response = _web(world.users[seat.username]).get("/persons/", {"q": FAMILY})
        if not seat.sees_individuals:
            assert response.context["page"].paginator.count == 0
            return
        assert {person.pk for person, _status in response.context["rows"]} == world.expected(seat)
        assert response.context["page"].paginator.count == len(world.expected(seat))

    def test_person_page_is_404_when_hidden_like_a_missing_one(self, world: World, seat: Seat) -> None:
        client = _web(world.users[seat.username])
        missing = _page(client, "/persons/999999/")
        for person in world.persons.values():
            response = _page(client, f"/persons/{person.pk}/")
            if person.pk in world.expected(seat):
                assert response[0] == 200
            else:
                assert response == missing

    def test_api_list_search_and_count(self, world: World, seat: Seat) -> None:
        client = _api(world.users[seat.username])
        for params in ({}, {"q": FAMILY}, {"service_number": "navy-0-0"}):
            body = client.get("/api/persons/", params).json()
            ids = {row["id"] for row in body["results"]}
            wanted = world.expected(seat)
            if "service_number" in params:
                wanted = {pk for pk in wanted if pk == world.persons[("navy", "open", False)].pk}
            assert ids == wanted and body["count"] == len(wanted)

    def test_api_detail_and_timeline_answer_404_alike(self, world: World, seat: Seat) -> None:
        client = _api(world.users[seat.username])
        missing = client.get("/api/persons/999999/")
        for person in world.persons.values():
            for suffix in ("", "timeline/"):
                response = client.get(f"/api/persons/{person.pk}/{suffix}")
                if person.pk in world.expected(seat):
                    assert response.status_code == 200
                else:
                    assert (response.status_code, response.json()) == (404, missing.json())

    def test_autocomplete(self, world: World, seat: Seat) -> None:
        response = _api(world.users[seat.username]).get("/api/persons/autocomplete/", {"q": FAMILY})
        ids = {row["id"] for row in response.json()}
        # At most ten, all of them visible; as many as there are when fewer than ten.
        assert ids <= world.expected(seat) and len(ids) == min(10, len(world.expected(seat)))

    def test_events(self, world: World, seat: Seat) -> None:
        body = _api(world.users[seat.username]).get("/api/events/", {"page_size": 500}).json()
        assert {row["id"] for row in body["results"]} == world.expected_events(seat)
        assert body["count"] == len(world.expected_events(seat))

    def test_csv_export_on_the_web(self, world: World, seat: Seat) -> None:
        response = _web(world.users[seat.username]).get("/persons/export.csv", {"q": FAMILY})
        if not seat.may_export:
            assert response.status_code == 403
            return
        assert _csv_ids(b"".join(response.streaming_content).decode()) == world.expected(seat)

    def test_csv_export_from_the_cli(self, world: World, seat: Seat, capsys: Any) -> None:
        if not seat.may_export:
            with pytest.raises(Exception, match="may not export"):
                call_command("export", "persons", "--as", seat.username)
            return
        call_command("export", "persons", "--as", seat.username, "--query", FAMILY)
        assert _csv_ids(capsys.readouterr().out) == world.expected(seat)

    def test_statistics_totals(self, world: World, seat: Seat) -> None:
        assert totals(user=world.users[seat.username])["total"] == len(world.expected(seat))

    def test_admin(self, world: World, seat: Seat) -> None:
        response = _web(world.users[seat.username]).get("/admin/registry/person/")
        if not seat.sees_individuals:
            assert response.status_code == 403
            return
        assert {p.pk for p in response.context["cl"].result_list} == world.expected(seat)


def test_family_liaison_sees_no_unit_call_sign_or_capture_place(world: World) -> None:
    liaison = world.users["liaison"]
    person = world.persons[("navy", "restricted", False)]
    detail = _api(liaison).get(f"/api/persons/{person.pk}/").json()
    assert (detail["unit"], detail["call_sign"]) == (None, None)
    assert {"unit", "call_sign"} <= set(detail["withheld"])
    events = _api(liaison).get(f"/api/persons/{person.pk}/timeline/").json()["events"]
    capture = next(e for e in events if e["kind"] == "captured")
    assert capture["place"] is None and "place" in capture["withheld"]
    page = _web(liaison).get(f"/persons/{person.pk}/").content.decode()
    assert "36th Marine Brigade" not in page and "Ворон" not in page and "withheld" in page


def test_a_case_officer_sees_the_unit_and_the_capture_place(world: World) -> None:
    person = world.persons[("navy", "restricted", False)]
    detail = _api(world.users["officer"]).get(f"/api/persons/{person.pk}/").json()
    assert (detail["unit"], detail["withheld"]) == ("36th Marine Brigade", [])


def test_a_masked_record_cannot_be_saved_back(world: World) -> None:
    person = persons_visible(user=world.users["liaison"]).get(pk=world.persons[("navy", "open", False)].pk)
    with pytest.raises(Exception, match="withheld"):
        person.save()
    person.refresh_from_db()
    assert person.unit == "36th Marine Brigade"


def test_the_icrc_export_withholds_nothing_detrimental(world: World) -> None:
    response = _web(world.users["analyst"]).get("/persons/export/icrc-cta.csv")
    assert response.status_code == 403  # analysts do not send to the CTA; case officers do
    response = _web(world.users["officer"]).get("/persons/export/icrc-cta.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    flagged = {int(r["record"]) for r in rows if r["detrimental_to_disclose"] == "yes"}
    assert flagged == {
        p.pk for (_a, level, detrimental), p in world.persons.items()
        if detrimental and level != "negotiation_sensitive"
    }


def test_a_token_narrower_than_its_user_acts_with_the_narrower_roles(world: World) -> None:
    from tracebureau.core.policy import bind_token_roles

    user = world.users["officer_liaison"]
    bind_token_roles(user, ["family_liaison"])
    visible = set(persons_visible(user=user).values_list("pk", flat=True))
    assert world.persons[("navy", "open", True)].pk not in visible  # family-facing again


def test_break_glass_opens_one_record_above_clearance_for_a_stated_reason(world: World) -> None:
    from tracebureau.core.services import break_glass_open

    officer = world.users["officer"]
    secret = world.persons[("ng", "negotiation_sensitive", False)]
    assert _web(officer).get(f"/persons/{secret.pk}/").status_code == 404
    response = _web(officer).post("/persons/break-glass/", {"person": secret.pk, "reason": "short"})
    assert "at least" in response.content.decode()
    break_glass_open(by=officer, person_id=secret.pk, reason="Exchange list of 20 May names him")
    assert _web(officer).get(f"/persons/{secret.pk}/").status_code == 200
    other = world.persons[("navy", "negotiation_sensitive", False)]
    assert _web(officer).get(f"/persons/{other.pk}/").status_code == 404


def test_roles_without_break_glass_cannot_use_it(world: World) -> None:
    response = _web(world.users["liaison"]).post(
        "/persons/break-glass/", {"person": 1, "reason": "I would like to see this record"}
    )
    assert response.status_code == 403


def test_writes_need_the_role_that_allows_them(world: World) -> None:
    person = world.persons[("navy", "open", False)]
    liaison = _api(world.users["liaison"])
    assert liaison.post("/api/persons/", {"family_name": "Новий", "category": "missing"}).status_code == 403
    assert liaison.patch(f"/api/persons/{person.pk}/", {"version": 1, "rank": "x"}).status_code == 404
    identifier = world.users["identifier"]
    edit = _api(identifier).patch(f"/api/persons/{person.pk}/", {"version": 1, "rank": "x"})
    assert edit.status_code == 404
    registry_event = timeline.event_record(
        person=person, kind="identified", by=identifier, occurred_on=dt.date(2023, 1, 10), precision="day",
        source=Event.objects.first().source, credibility=2,
    )
    assert registry_event.pk
    with pytest.raises(Exception, match="Your roles"):
        registry.person_create(by=identifier, family_name="Новий", category="missing")


def test_a_masked_field_cannot_be_searched_for_either(world: World) -> None:
    """Finding a person by call sign would confirm what the page withholds."""
    found = _api(world.users["liaison"]).get("/api/persons/", {"q": "Ворон"}).json()
    assert found["count"] == 0
    found = _api(world.users["officer"]).get("/api/persons/", {"q": "Ворон"}).json()
    assert found["count"] == len(world.expected(SEATS[0]))
