"""The timeline API, /api/events/, /api/places/, /api/sources/: response, rows, side effects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tracebureau.timeline.models import BulkEvent, Event, Place, Source


@pytest.fixture
def api(case_officer):
    client = APIClient()
    client.force_authenticate(case_officer)
    return client


def _event_payload(scenario, person, **changes):
    payload = {
        "person": person.pk, "kind": "captured", "occurred_on": "2022-05-17", "precision": "day",
        "source": scenario.intel.pk, "credibility": 2, "place": scenario.olenivka.pk,
    }
    return {**payload, **changes}


def _status(api, person):
    return api.get(f"/api/persons/{person.pk}/").json()["status"]


# --- who may call at all


def test_it_refuses_anonymous_callers(scenario):
    assert APIClient().get("/api/events/").status_code == 401
    assert APIClient().get("/api/places/").status_code == 401


def test_it_shows_a_switched_off_account_nothing(scenario, outsider):
    scenario.event(scenario.person(), "captured")
    client = APIClient()
    client.force_authenticate(outsider)
    for url in ("/api/events/", "/api/places/", "/api/sources/"):
        assert client.get(url).status_code == 403


# --- events: list, retrieve


def test_it_lists_events_filtered(api, scenario):
    first, second = scenario.person("Коваль"), scenario.person("Бондар")
    captured = scenario.event(first, "captured", place=scenario.olenivka)
    scenario.event(first, "icrc_visit", "2022-08-01", source=scenario.icrc)
    scenario.event(second, "captured", "2022-04-01")
    response = api.get("/api/events/", {"person": first.pk, "place": scenario.olenivka.pk})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [captured.pk]
    window = {"occurred_after": "2022-05-01", "occurred_before": "2022-06-30", "kind": "captured"}
    assert [row["id"] for row in api.get("/api/events/", window).json()["results"]] == [captured.pk]
    assert api.get("/api/events/", {"source": scenario.icrc.pk}).json()["count"] == 1


def test_it_shows_an_event_with_its_grade(api, scenario):
    event = scenario.event(scenario.person(), "captured", "2022-05-01", precision="month")
    response = api.get(f"/api/events/{event.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["occurred_display"], body["grade"], body["reliability"]) == ("2022-05", "B2", "B")


# --- events: create


def test_it_records_an_event(api, scenario, case_officer):
    person = scenario.person()
    response = api.post("/api/events/", _event_payload(scenario, person), format="json")
    assert response.status_code == 201
    event = Event.objects.get(pk=response.json()["id"])
    assert (event.person, event.kind, event.place) == (person, "captured", scenario.olenivka)
    assert (event.reliability, event.recorded_by) == ("B", case_officer)
    assert _status(api, person)["situation"] == "in_custody"


def test_it_refuses_an_event_in_the_future(api, scenario):
    person = scenario.person()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api.post("/api/events/", _event_payload(scenario, person, occurred_on=tomorrow), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["occurred_on"]
    assert Event.objects.count() == 0


def test_it_refuses_unknown_references_and_values(api, scenario):
    person = scenario.person()
    payload = _event_payload(scenario, person, source=999999, kind="teleported", credibility=9)
    response = api.post("/api/events/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"source", "kind", "credibility"}
    assert Event.objects.count() == 0


def test_it_refuses_an_event_on_a_merged_record(api, scenario):
    keep, absorb = scenario.person("Коваль"), scenario.person("Коваль", "Дмитрий")
    api.post(f"/api/persons/{keep.pk}/merge/", {"absorb": absorb.pk, "reason": "Same"}, format="json")
    response = api.post("/api/events/", _event_payload(scenario, absorb), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["person"]
    assert Event.objects.count() == 0


def test_it_never_changes_or_deletes_an_event(api, scenario):
    event = scenario.event(scenario.person(), "captured")
    url = f"/api/events/{event.pk}/"
    payload = {"kind": "released"}
    assert api.put(url, payload, format="json").status_code == 405
    assert api.patch(url, payload, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    event.refresh_from_db()
    assert event.kind == "captured"
    assert Event.objects.count() == 1


# --- corrections


def test_it_retracts_an_event_and_restores_the_status_it_displaced(api, scenario, case_officer):
    person = scenario.person()
    scenario.event(person, "captured")
    released = scenario.event(person, "released", "2022-09-01")
    assert _status(api, person)["situation"] == "released"
    response = api.post(f"/api/events/{released.pk}/retract/", {"reason": "Another person"}, format="json")
    assert response.status_code == 201
    retraction = Event.objects.get(pk=response.json()["id"])
    assert (retraction.corrects, retraction.correction) == (released, "retracts")
    assert retraction.recorded_by == case_officer
    assert _status(api, person)["situation"] == "in_custody"
    assert _status(api, person)["void"] == [released.pk]


def test_it_refuses_a_retraction_without_reason_or_twice(api, scenario):
    event = scenario.event(scenario.person(), "captured")
    assert api.post(f"/api/events/{event.pk}/retract/", {}, format="json").status_code == 400
    api.post(f"/api/events/{event.pk}/retract/", {"reason": "Wrong"}, format="json")
    response = api.post(f"/api/events/{event.pk}/retract/", {"reason": "Again"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["corrects"]
    assert Event.objects.filter(kind="retraction").count() == 1


def test_it_supersedes_an_event_with_only_the_changed_fields(api, scenario):
    person = scenario.person()
    event = scenario.event(person, "captured", place=scenario.olenivka)
    payload = {"reason": "Hospital, per returnee", "place": scenario.novoazovsk.pk}
    response = api.post(f"/api/events/{event.pk}/supersede/", payload, format="json")
    assert response.status_code == 201
    replacement = Event.objects.get(pk=response.json()["id"])
    assert (replacement.kind, replacement.place) == ("captured", scenario.novoazovsk)
    assert (replacement.corrects, replacement.correction) == (event, "supersedes")
    assert _status(api, person)["last_place"] == scenario.novoazovsk.pk


def test_it_answers_404_for_an_event_that_does_not_exist(api, db):
    assert api.post("/api/events/999999/retract/", {"reason": "x"}, format="json").status_code == 404


# --- bulk


def _bulk_payload(scenario, persons, **changes):
    payload = {
        "label": "Evacuated to Olenivka", "persons": [p.pk for p in persons], "kind": "evacuated",
        "occurred_on": "2022-05-17", "precision": "day", "source": scenario.intel.pk,
        "credibility": 2, "place": scenario.olenivka.pk,
    }
    return {**payload, **changes}


def test_it_records_a_bulk_event_for_every_person(api, scenario):
    persons = [scenario.person(f"Особа{index}") for index in range(3)]
    response = api.post("/api/events/bulk/", _bulk_payload(scenario, persons), format="json")
    assert response.status_code == 201
    bulk = BulkEvent.objects.get(pk=response.json()["id"])
    assert sorted(response.json()["events"]) == sorted(bulk.events.values_list("pk", flat=True))
    assert sorted(bulk.events.values_list("person", flat=True)) == sorted(p.pk for p in persons)
    assert api.get("/api/events/", {"bulk": bulk.pk}).json()["count"] == 3


def test_it_records_no_bulk_event_when_one_row_is_wrong(api, scenario):
    persons = [scenario.person("Коваль"), scenario.person("Бондар", birth_year=2023)]
    response = api.post("/api/events/bulk/", _bulk_payload(scenario, persons), format="json")
    assert response.status_code == 400
    (message,) = response.json()["persons"]
    assert message.startswith("row 2 ") and "occurred_on" in message
    assert Event.objects.count() == 0
    assert BulkEvent.objects.count() == 0


def test_it_names_the_row_of_an_unknown_person_in_a_bulk_event(api, scenario):
    known = scenario.person()
    payload = {**_bulk_payload(scenario, [known]), "persons": [known.pk, 999999]}
    response = api.post("/api/events/bulk/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["persons"] == ["row 2: no person #999999"]
    assert Event.objects.count() == 0


# --- places and sources


def test_it_adds_and_corrects_a_place(api, case_officer, db):
    payload = {"name": "Kyiv morgue", "kind": "morgue", "control": "government", "other_names": ["Kiev"]}
    response = api.post("/api/places/", payload, format="json")
    assert response.status_code == 201
    place = Place.objects.get(pk=response.json()["id"])
    assert (place.name, place.other_names) == ("Kyiv morgue", ["Kiev"])
    response = api.patch(f"/api/places/{place.pk}/", {"region": "Kyiv"}, format="json")
    assert response.status_code == 200
    place.refresh_from_db()
    assert place.region == "Kyiv"
    assert place.history.latest().history_user == case_officer


def test_it_refuses_a_place_out_of_range_and_never_deletes_one(api, scenario):
    response = api.patch(f"/api/places/{scenario.olenivka.pk}/", {"latitude": "95"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["latitude"]
    assert api.delete(f"/api/places/{scenario.olenivka.pk}/").status_code == 405
    assert Place.objects.filter(pk=scenario.olenivka.pk, latitude=None).exists()


def test_it_adds_and_regrades_a_source(api, case_officer, db):
    payload = {"name": "Returnee testimony", "kind": "returnee", "reliability": "C"}
    response = api.post("/api/sources/", payload, format="json")
    assert response.status_code == 201
    source = Source.objects.get(pk=response.json()["id"])
    assert (source.reliability, source.created_by) == ("C", case_officer)
    response = api.put(f"/api/sources/{source.pk}/", {**payload, "reliability": "B"}, format="json")
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.reliability == "B"
    assert api.delete(f"/api/sources/{source.pk}/").status_code == 405
    assert api.post("/api/sources/", {**payload, "reliability": "Z"}, format="json").status_code == 400
    assert Source.objects.count() == 1
