"""The pages: a coordinator drives an exchange through its forms; a stale page is refused
with who changed what; a family liaison sees no exchange anywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tracebureau.audit.models import AuditEntry
from tracebureau.core.models import User
from tracebureau.exchanges import selectors
from tracebureau.exchanges.models import Exchange
from tracebureau.exchanges.tests.conftest import World
from tracebureau.exchanges.tests.test_cycle import ARRIVALS

pytestmark = pytest.mark.django_db


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, exchange: Exchange, action: str, **data: Any) -> Any:
    exchange.refresh_from_db()
    data.setdefault("version", exchange.version)
    return client.post(exchange.get_absolute_url(), {"action": action, **data}, follow=True)


def test_a_coordinator_drives_an_exchange_through_its_pages(world: World, coordinator: User) -> None:
    client = web(coordinator)
    created = client.post("/exchanges/new/", {
        "reference": "EX-2022-09-21", "title": "Exchange of prisoners of war", "kind": "prisoners",
        "counterpart": "Russian Federation", "mediator": "ICRC", "ratio_ours": 1, "ratio_theirs": 1,
        "total_ours": 4, "total_theirs": 4, "unnamed_ours": 0, "unnamed_theirs": 0,
        "classification": "negotiation_sensitive", "term_seriously_wounded_ours": 1,
        "term_seriously_wounded_theirs": 0,
    }, follow=True)
    exchange = Exchange.objects.get(reference="EX-2022-09-21")
    assert "Exchange drafted" in created.content.decode()
    assert exchange.terms == [{"category": "seriously_wounded", "ours": 1, "theirs": 0}]

    page = post(client, exchange, "add", side="requested", person=f"#{world.ours[0].pk}",
                category="seriously_wounded", reason="Leg amputated; GC III art. 110").content.decode()
    assert "Added to the list." in page and "Leg amputated" in page
    refused = post(client, exchange, "add", side="requested", person=f"#{world.theirs[0].pk}",
                   category="other", reason="x").content.decode()
    assert "Only our own people can be requested" in refused
    for side, persons in (("requested", world.ours[1:4]), ("offered", world.theirs)):
        for person in persons:
            post(client, exchange, "add", side=side, person=f"#{person.pk}", category="other", reason="Held")
    post(client, exchange, "transition", to_state="proposed", reason="Handed to the ICRC")
    agreed = post(client, exchange, "transition", to_state="agreed", reason="Agreed at the meeting")
    assert "Seriously wounded or sick: 1 of ours are listed; 0 were agreed." not in agreed.content.decode()
    assert "0 of theirs are listed" not in agreed.content.decode()
    exchange.refresh_from_db()
    assert exchange.state == "agreed"

    executed = post(client, exchange, "transition", to_state="executed", reason="At the crossing point",
                    executed_on="2022-09-21")
    assert "Who came back" in executed.content.decode()
    upload = SimpleUploadedFile("arrivals.csv", ARRIVALS.encode(), content_type="text/csv")
    matched = post(client, exchange, "arrivals", file=upload).content.decode()
    assert "Arrivals list matched" in matched
    assert "Substituted" in matched and "Not returned" in matched
    verified = post(client, exchange, "verify", reason="Checked at the exchange point").content.decode()
    assert "Verified" in verified
    exchange.refresh_from_db()
    assert exchange.state == "verified" and exchange.executed_on == dt.date(2022, 9, 21)

    index = client.get("/exchanges/").content.decode()
    assert "History of exchanges" in index and "<svg" in index and "EX-2022-09-21" in index
    person_page = client.get(world.ours[0].get_absolute_url()).content.decode()
    assert "Exchange lists" in person_page and "EX-2022-09-21" in person_page and "Returned" in person_page
    assert AuditEntry.objects.filter(action="view", object_type="exchanges.Exchange").exists()
    csv = b"".join(client.get(f"/exchanges/{exchange.pk}/lists.csv").streaming_content).decode()
    assert csv.splitlines()[1].startswith(f"requested,1,{world.ours[0].pk},Козацький,Дмитро")
    assert csv.splitlines()[1].endswith(",returned")
    assert AuditEntry.objects.filter(action="export", detail__what="exchange-lists").exists()


def test_a_stale_page_is_refused_with_who_changed_it(
    world: World, coordinator: User, second_coordinator: User
) -> None:
    exchange = world.exchange(coordinator)
    stale = exchange.version
    post(web(second_coordinator), exchange, "add", side="requested", person=f"#{world.ours[1].pk}",
         category="other", reason="Long held")
    page = post(web(coordinator), exchange, "add", version=stale, side="requested",
                person=f"#{world.ours[2].pk}", category="other", reason="Long held").content.decode()
    assert "exchange.second changed this exchange" in page
    assert [e.person for e in selectors.entries_of(exchange)] == [world.ours[1]]


def test_a_bad_arrivals_file_shows_each_wrong_row(world: World, coordinator: User) -> None:
    exchange = world.exchange(coordinator)
    world.add(exchange, coordinator, world.ours[0], "requested")
    world.add(exchange, coordinator, world.theirs[0], "offered")
    for state in ("proposed", "agreed"):
        world.step(exchange, coordinator, state)
    world.step(exchange, coordinator, "executed", executed_on=dt.date(2022, 9, 21))
    bad = "Фамилия,Имя,Дата рождения\nНеизвестный,Пётр,01.01.1960\nКозацкий,Дмитрий,99.07.1990\n"
    page = post(web(coordinator), exchange, "arrivals",
                file=SimpleUploadedFile("a.csv", bad.encode())).content.decode()
    assert "Row 2: no one in the registry matches" in page
    assert "Row 3, column “Дата рождения”" in page
    assert not exchange.arrival_lists.exists()


def test_the_priority_page_proposes_the_seriously_wounded_first(world: World, coordinator: User) -> None:
    exchange = world.exchange(coordinator)
    page = web(coordinator).get(f"/exchanges/{exchange.pk}/priority/").content.decode()
    first = page.index(str(world.ours[0]))
    assert first < page.index(str(world.ours[5])) < page.index(str(world.ours[1]))
    assert "GC III art. 109–110" in page


def test_a_family_liaison_sees_no_exchange(world: World, coordinator: User) -> None:
    exchange = world.exchange(coordinator)
    world.add(exchange, coordinator, world.ours[0], "requested")
    liaison = User.objects.create_user("liaison", password="a-long-test-password-l", roles=["family_liaison"],
                                       clearance="negotiation_sensitive")
    client = web(liaison)
    assert client.get("/exchanges/").status_code == 403
    assert client.get(exchange.get_absolute_url()).status_code == 404
    person_page = client.get(world.ours[0].get_absolute_url()).content.decode()
    assert "EX-2022-09-21" not in person_page


def test_an_officer_below_negotiation_clearance_does_not_see_the_exchange(
    world: World, coordinator: User, case_officer: User
) -> None:
    exchange = world.exchange(coordinator)
    world.add(exchange, coordinator, world.ours[0], "requested")
    assert web(case_officer).get(exchange.get_absolute_url()).status_code == 404
    assert "EX-2022-09-21" not in web(case_officer).get("/exchanges/").content.decode()


def test_asking_for_someone_from_the_priority_page_comes_back_to_it(world: World, coordinator: User) -> None:
    exchange = world.exchange(coordinator)
    client = web(coordinator)
    priority_url = f"/exchanges/{exchange.pk}/priority/"
    response = client.post(exchange.get_absolute_url(), {
        "action": "add", "version": exchange.version, "side": "requested", "person": f"#{world.ours[0].pk}",
        "category": "seriously_wounded", "reason": "Leg amputated", "next": priority_url,
    })
    assert response.status_code == 302 and response["Location"] == priority_url
    page = client.get(priority_url).content.decode()
    assert "Added to the list." in page and str(world.ours[0]) not in page.split("priority-table")[1]
    # A foreign address is not followed.
    exchange.refresh_from_db()
    response = client.post(exchange.get_absolute_url(), {
        "action": "add", "version": exchange.version, "side": "requested", "person": f"#{world.ours[1].pk}",
        "category": "other", "reason": "Held", "next": "https://example.org/",
    })
    assert response["Location"] == exchange.get_absolute_url()
