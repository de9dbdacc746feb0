"""The exchanges API, /api/exchanges/: response first, then the rows, then the side effects."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tracebureau.audit.models import AuditEntry
from tracebureau.core.models import User
from tracebureau.exchanges.models import Exchange, ExchangeEntry, ExchangeOutcome
from tracebureau.exchanges.tests.conftest import World
from tracebureau.exchanges.tests.test_cycle import ARRIVALS
from tracebureau.timeline.models import Event


def client_of(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(coordinator: User) -> APIClient:
    return client_of(coordinator)


def version(exchange: Exchange) -> int:
    exchange.refresh_from_db()
    return exchange.version


def listed(world: World, coordinator: User) -> Exchange:
    """Two of ours for two of theirs, one to one: the formula holds."""
    exchange = world.exchange(coordinator)
    for person in world.ours[:2]:
        world.add(exchange, coordinator, person, "requested")
    for person in world.theirs[:2]:
        world.add(exchange, coordinator, person, "offered")
    return exchange


def upload(api: APIClient, exchange: Exchange, text: str) -> Any:
    file = SimpleUploadedFile("arrivals.csv", text.encode(), content_type="text/csv")
    return api.post(
        f"/api/exchanges/{exchange.pk}/arrivals/",
        {"expected_version": version(exchange), "file": file},
        format="multipart",
    )


# --- reads


def test_it_lists_exchanges_a_page_at_a_time(api: APIClient, world: World, coordinator: User) -> None:
    exchange = listed(world, coordinator)
    response = api.get("/api/exchanges/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == exchange.pk
    assert row["reference"] == "EX-2022-09-21"
    assert (row["state"], row["version"]) == ("draft", 5)


def test_it_shows_an_exchange_with_its_lists_balance_and_steps(
    api: APIClient, world: World, coordinator: User
) -> None:
    exchange = listed(world, coordinator)
    world.add(exchange, coordinator, world.ours[2], "requested", "seriously_wounded")
    response = api.get(f"/api/exchanges/{exchange.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["version"], body["counterpart"]) == ("draft", 6, "Russian Federation")
    assert body["formula"] == {
        "ours": 3,
        "theirs": 2,
        "kept": False,
        "breaches": ["3 of ours for 2 of theirs does not keep the ratio 1 to 1."],
    }
    # The seriously wounded go first (GC III art. 109-110), before those listed earlier.
    assert body["requested"][0]["person"] == world.ours[2].pk
    assert body["requested"][0]["category"] == "seriously_wounded"
    first = body["requested"][1]
    assert first["person"] == world.ours[0].pk
    assert first["person_name"] == "Козацький Дмитро Олександрович"
    assert (first["priority"], first["category"]) == (2, "other")
    assert first["reason"] == "Held since the evacuation from Azovstal"
    assert [e["person"] for e in body["requested"]] == [world.ours[i].pk for i in (2, 0, 1)]
    assert [e["person"] for e in body["offered"]] == [p.pk for p in world.theirs[:2]]
    assert [step["what"] for step in body["negotiation"]] == ["Drafted"]
    assert body["negotiation"][0]["who"] == "exchange.first"
    # Before any arrivals list, everyone listed is planned as not (yet) returned or handed over.
    assert {line["outcome"] for line in body["outcomes"]} == {"not_returned", "handed_over"}
    # The read is in the audit trail.
    entry = AuditEntry.objects.filter(action="view").latest("seq")
    assert (entry.user, entry.object_id) == (coordinator, str(exchange.pk))


def test_it_shows_a_family_liaison_no_exchanges(world: World, coordinator: User) -> None:
    exchange = listed(world, coordinator)
    liaison = User.objects.create_user(
        "family.liaison", password="a-long-test-password-fl", roles=["family_liaison"],
        clearance="negotiation_sensitive",
    )
    client = client_of(liaison)
    assert client.get("/api/exchanges/").json()["count"] == 0
    assert client.get(f"/api/exchanges/{exchange.pk}/").status_code == 404
    assert client_of(coordinator).get("/api/exchanges/not-a-number/").status_code == 404
    assert client_of(coordinator).get("/api/exchanges/999999/").status_code == 404
    response = client.post(
        f"/api/exchanges/{exchange.pk}/transition/",
        {"expected_version": version(exchange), "to_state": "proposed", "reason": "x"},
        format="json",
    )
    assert response.status_code == 404
    assert not exchange.transitions.exists()


def test_it_refuses_writes_to_a_reader_who_does_not_manage_exchanges(world: World, coordinator: User) -> None:
    exchange = listed(world, coordinator)
    reader = User.objects.create_user(
        "dna.officer", password="a-long-test-password-id", roles=["identification_officer"],
        clearance="negotiation_sensitive",
    )
    client = client_of(reader)
    assert client.get(f"/api/exchanges/{exchange.pk}/").status_code == 200
    response = client.post(
        f"/api/exchanges/{exchange.pk}/transition/",
        {"expected_version": version(exchange), "to_state": "proposed", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert client.post("/api/exchanges/", {"reference": "EX-2"}, format="json").status_code == 403
    assert Exchange.objects.count() == 1


# --- writes


def test_it_drafts_an_exchange(api: APIClient, world: World) -> None:
    response = api.post(
        "/api/exchanges/",
        {
            "reference": "EX-2022-10-17", "title": "Exchange of prisoners of war", "kind": "prisoners",
            "counterpart": "Russian Federation", "total_ours": 4, "total_theirs": 4,
            "terms": [{"category": "seriously_wounded", "ours": 1, "theirs": 1}],
            "place": world.scenario.olenivka.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["version"]) == ("draft", 1)
    assert body["terms"] == [{"category": "seriously_wounded", "ours": 1, "theirs": 1}]
    exchange = Exchange.objects.get(pk=body["id"])
    assert exchange.classification == "negotiation_sensitive"
    assert exchange.place == world.scenario.olenivka
    # The same reference again: refused on the field.
    again = api.post(
        "/api/exchanges/",
        {"reference": "EX-2022-10-17", "title": "Again", "kind": "prisoners", "counterpart": "RF"},
        format="json",
    )
    assert again.status_code == 400
    assert "reference" in again.json()


def test_it_adds_and_withdraws_an_entry(api: APIClient, world: World, coordinator: User) -> None:
    exchange = world.exchange(coordinator)
    response = api.post(
        f"/api/exchanges/{exchange.pk}/entries/",
        {"expected_version": 1, "side": "requested", "person": world.ours[0].pk,
         "category": "seriously_wounded", "reason": "Leg amputated"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 2
    entry = ExchangeEntry.objects.get(exchange=exchange)
    assert (entry.person, entry.priority, entry.added_by) == (world.ours[0], 1, coordinator)
    # One of theirs cannot be requested.
    wrong = api.post(
        f"/api/exchanges/{exchange.pk}/entries/",
        {"expected_version": 2, "side": "requested", "person": world.theirs[0].pk,
         "category": "other", "reason": "x"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "person" in wrong.json()

    withdrawn = api.post(
        f"/api/exchanges/{exchange.pk}/withdraw/",
        {"expected_version": 2, "entry": entry.pk, "reason": "Refused by the other side"},
        format="json",
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["requested"] == []
    entry.refresh_from_db()
    assert entry.withdrawn_by == coordinator and entry.withdrawal_reason == "Refused by the other side"
    missing = api.post(
        f"/api/exchanges/{exchange.pk}/withdraw/", {"expected_version": 3, "entry": 999999, "reason": "x"},
        format="json",
    )
    assert missing.status_code == 400
    assert missing.json() == {"entry": ["No such entry on this exchange's lists."]}


def test_it_answers_409_to_a_write_on_a_stale_version(
    api: APIClient, world: World, coordinator: User, second_coordinator: User
) -> None:
    exchange = world.exchange(coordinator)
    seen = version(exchange)
    world.add(exchange, second_coordinator, world.ours[1], "requested")
    response = api.post(
        f"/api/exchanges/{exchange.pk}/entries/",
        {"expected_version": seen, "side": "requested", "person": world.ours[2].pk,
         "category": "other", "reason": "Long held"},
        format="json",
    )
    assert response.status_code == 409
    [message] = response.json()["non_field_errors"]
    assert message.startswith("exchange.second changed this exchange at ")
    assert [e.person for e in ExchangeEntry.objects.filter(exchange=exchange)] == [world.ours[1]]


def test_it_refuses_an_agreement_that_breaks_the_formula_unless_overridden(
    api: APIClient, world: World, coordinator: User
) -> None:
    exchange = listed(world, coordinator)
    world.add(exchange, coordinator, world.ours[2], "requested")
    world.step(exchange, coordinator, "proposed")
    body = {"expected_version": version(exchange), "to_state": "agreed", "reason": "Agreed in Istanbul"}
    refused = api.post(f"/api/exchanges/{exchange.pk}/transition/", body, format="json")
    assert refused.status_code == 400
    assert "3 of ours for 2 of theirs does not keep the ratio 1 to 1." in refused.json()["override_formula"]
    agreed = api.post(
        f"/api/exchanges/{exchange.pk}/transition/", {**body, "override_formula": True}, format="json"
    )
    assert agreed.status_code == 200
    assert agreed.json()["state"] == "agreed"
    assert exchange.transitions.get(to_state="agreed").formula_override


def test_a_bad_arrivals_file_is_refused_naming_the_rows(
    api: APIClient, world: World, coordinator: User
) -> None:
    exchange = listed(world, coordinator)
    for state in ("proposed", "agreed"):
        world.step(exchange, coordinator, state)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    bad = "Фамилия,Имя,Дата рождения\nКозацкий,Дмитрий,03.07.1990\nНеизвестный,Пётр,01.01.1960\n"
    response = upload(api, exchange, bad)
    assert response.status_code == 400
    [message] = response.json()["file"]
    assert message.startswith("Row 3: no one in the registry matches “Неизвестный Пётр”")
    assert not exchange.arrival_lists.exists()
    # A file that cannot be read at all is the file's error too.
    unreadable = upload(api, exchange, "Фамилия,Имя\n")
    assert unreadable.status_code == 400
    assert unreadable.json()["file"] == ["The file has a header but no rows."]


def test_a_whole_exchange_through_the_api(api: APIClient, world: World, coordinator: User) -> None:
    created = api.post(
        "/api/exchanges/",
        {"reference": "EX-2022-09-21", "title": "Exchange of prisoners of war", "kind": "prisoners",
         "counterpart": "Russian Federation", "mediator": "ICRC", "total_ours": 3, "total_theirs": 3},
        format="json",
    ).json()
    url = f"/api/exchanges/{created['id']}"
    current = created["version"]

    def post(path: str, data: dict[str, Any], expected: int = 200) -> dict[str, Any]:
        nonlocal current
        response = api.post(f"{url}/{path}/", {"expected_version": current, **data}, format="json")
        assert response.status_code == expected, response.json()
        current = response.json().get("version", current)
        return response.json()

    for side, persons in (("requested", world.ours[:3]), ("offered", world.theirs[:3])):
        for person in persons:
            post("entries", {"side": side, "person": person.pk, "category": "other", "reason": "Held"}, 201)
    post("transition", {"to_state": "proposed", "reason": "Proposed through the ICRC"})
    assert post("transition", {"to_state": "agreed", "reason": "Agreed 3 for 3"})["formula"]["kept"]
    post("transition", {"to_state": "executed", "reason": "At the border", "executed_on": "2022-09-21"})

    # Козацький, Петренко and Шевчук come back, and Ткаченко instead of nobody: three rows
    # of the seed's list fit the three requested, the fourth is a substitution.
    file = SimpleUploadedFile("arrivals.csv", ARRIVALS.encode(), content_type="text/csv")
    response = api.post(f"{url}/arrivals/", {"expected_version": current, "file": file}, format="multipart")
    assert response.status_code == 201, response.json()
    current = response.json()["version"]
    planned = {line["person"]: line["outcome"] for line in response.json()["outcomes"]}
    assert planned[world.ours[0].pk] == "returned" and planned[world.ours[5].pk] == "substituted"

    offered = response.json()["offered"]
    verified = post("verify", {"reason": "Checked by name and face", "not_handed_over": [offered[2]["id"]]})
    assert verified["state"] == "verified"
    assert [step["what"] for step in verified["negotiation"]] == [
        "Drafted", "Draft → Proposed", "Proposed → Agreed", "Agreed → Executed",
        "Arrivals list arrivals.csv: 4 rows", "Executed → Verified",
    ]
    exchange = Exchange.objects.get(pk=created["id"])
    outcomes = {o.person: o.outcome for o in ExchangeOutcome.objects.filter(exchange=exchange)}
    assert outcomes == {
        world.ours[0]: "returned", world.ours[1]: "returned", world.ours[2]: "returned",
        world.ours[5]: "substituted", world.theirs[0]: "handed_over", world.theirs[1]: "handed_over",
        world.theirs[2]: "not_handed_over",
    }
    assert Event.objects.filter(source=exchange.source, person=world.ours[0]).count() == 2
    # Once verified, the exchange moves no further.
    refused = post("transition", {"to_state": "cancelled", "reason": "x"}, 400)
    assert refused["to_state"] == ["An exchange that is Verified cannot become Cancelled."]
