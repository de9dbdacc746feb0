"""The persons API, /api/persons/: response first, then the rows, then the side effects."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tracebureau.registry.models import NameVariant, Person, PersonMerge


@pytest.fixture
def api(case_officer):
    client = APIClient()
    client.force_authenticate(case_officer)
    return client


@pytest.fixture
def analyst_api(analyst):
    client = APIClient()
    client.force_authenticate(analyst)
    return client


def _results(response):
    return [row["id"] for row in response.json()["results"]]


# --- who may call at all


def test_it_refuses_anonymous_callers(scenario):
    scenario.person()
    response = APIClient().get("/api/persons/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "results" not in response.json()


def test_it_shows_a_switched_off_account_nothing(scenario, outsider):
    person = scenario.person()
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get("/api/persons/").status_code == 403
    assert client.get(f"/api/persons/{person.pk}/").status_code == 403
    response = client.post("/api/persons/", {"family_name": "Шевчук", "category": "missing"}, format="json")
    assert response.status_code == 403
    assert Person.objects.count() == 1


def test_it_accepts_a_token_from_the_token_endpoint(scenario, case_officer):
    scenario.person()
    client = APIClient()
    response = client.post(
        "/api/token/", {"username": "navy.officer", "password": "a-long-test-password-1"}, format="json"
    )
    assert response.status_code == 201
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['key']}")
    assert client.get("/api/persons/").json()["count"] == 1


def test_it_refuses_a_wrong_token(scenario):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/persons/").status_code == 401


# --- list and search


def test_it_lists_persons_with_their_status_a_page_at_a_time(api, scenario):
    person = scenario.person()
    scenario.event(person, "captured", place=scenario.olenivka)
    response = api.get("/api/persons/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert row["full_name"] == "Козацький Дмитро"
    assert row["agency"] == "navy"
    assert row["status"]["situation"] == "in_custody"
    assert row["status"]["level"] == 3
    assert row["status"]["last_place"] == scenario.olenivka.pk


@pytest.mark.parametrize("query", ["Козацький Дмитро", "kozatskyi", "Dmytro Kozatskyi"])
def test_it_finds_a_person_by_cyrillic_or_latin_spelling(api, scenario, query):
    wanted = scenario.person("Козацький", "Дмитро")
    scenario.person("Шевченко", "Андрій")
    response = api.get("/api/persons/", {"q": query})
    assert response.status_code == 200
    assert _results(response) == [wanted.pk]


def test_it_filters_by_agency_category_side_birth_year_and_service_number(api, scenario):
    wanted = scenario.person("Бондар", birth_year=1994, service_number="AB-1234")
    scenario.person("Ткач", birth_year=1994, category="missing")
    scenario.person("Лисенко", birth_year=1990, side="adversary")
    filters = {"agency": "navy", "category": "prisoner_of_war", "side": "own", "birth_year": 1994}
    assert _results(api.get("/api/persons/", filters)) == [wanted.pk]
    assert _results(api.get("/api/persons/", {"service_number": "ab-1234"})) == [wanted.pk]


def test_it_hides_merged_records_unless_asked(api, scenario):
    keep, absorb = scenario.person("Коваль"), scenario.person("Коваль", "Дмитрий")
    api.post(f"/api/persons/{keep.pk}/merge/", {"absorb": absorb.pk, "reason": "Same person"}, format="json")
    assert _results(api.get("/api/persons/")) == [keep.pk]
    assert set(_results(api.get("/api/persons/", {"include_merged": "true"}))) == {keep.pk, absorb.pk}


@pytest.mark.parametrize("count", [3, 12])
def test_it_lists_a_page_in_a_fixed_number_of_queries(api, scenario, django_assert_max_num_queries, count):
    for index in range(count):
        person = scenario.person(f"Особа{index}")
        scenario.event(person, "captured")
    # count, page, merged records of the page, events of the page: never one per person.
    with django_assert_max_num_queries(4):
        response = api.get("/api/persons/")
    assert response.json()["count"] == count


# --- retrieve


def test_it_shows_a_person_with_spellings_and_derived_status(api, scenario):
    person = scenario.person(birth_year=1994, birth_month=3)
    scenario.event(person, "captured", place=scenario.olenivka)
    visit = scenario.event(person, "icrc_visit", "2022-08-01", source=scenario.icrc)
    rumour = scenario.event(person, "killed", "2022-09-01", source=scenario.rumour, credibility=5)
    response = api.get(f"/api/persons/{person.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["birth_date"] == "1994-03"
    assert body["version"] == 1 and body["merged_into"] is None
    assert {v["family_name"] for v in body["name_variants"]} == {"Козацький", "Kozatskyi"}
    assert body["status"] == {
        "situation": "in_custody", "level": 4, "family_level": 4, "basis": visit.pk,
        "icrc_basis": visit.pk, "last_place": scenario.olenivka.pk, "last_sign_of_life": visit.pk,
        "unconfirmed": [rumour.pk], "void": [], "conflicts": [],
    }


def test_it_answers_404_for_a_person_that_does_not_exist(api, db):
    assert api.get("/api/persons/999999/").status_code == 404
    assert api.get("/api/persons/not-a-number/").status_code == 404


# --- create


def test_it_registers_a_person(api, scenario, case_officer):
    payload = {
        "family_name": "Мельник", "given_names": "Андрій", "category": "prisoner_of_war",
        "agency": "navy", "birth_date": "1994-03-12", "service_number": "XY-1",
    }
    response = api.post("/api/persons/", payload, format="json")
    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.birth_year, person.birth_month, person.birth_day) == (1994, 3, 12)
    assert person.agency == scenario.navy and person.created_by == case_officer
    assert response.json()["birth_date"] == "1994-03-12"
    assert set(person.name_variants.values_list("family_name", flat=True)) == {"Мельник", "Melnyk"}


@pytest.mark.parametrize("birth_date", ["1994--12", "2023-02-30", "1994-13", "12.03.1994", "1850"])
def test_it_refuses_a_bad_partial_birth_date_naming_the_field(api, db, birth_date):
    payload = {"family_name": "Мельник", "category": "missing", "birth_date": birth_date}
    response = api.post("/api/persons/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["birth_date"]
    assert Person.objects.count() == 0


def test_it_refuses_an_unknown_agency_and_category(api, scenario):
    payload = {"family_name": "Мельник", "category": "tourist", "agency": "space_force"}
    response = api.post("/api/persons/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"category", "agency"}
    assert Person.objects.count() == 0


# --- update


def test_it_applies_an_edit_and_bumps_the_version(api, scenario):
    person = scenario.person()
    response = api.patch(f"/api/persons/{person.pk}/", {"version": 1, "rank": "Sergeant"}, format="json")
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.rank, person.version) == ("Sergeant", 2)
    assert response.json()["version"] == 2


def test_it_needs_the_version_that_was_read(api, scenario):
    person = scenario.person()
    response = api.patch(f"/api/persons/{person.pk}/", {"rank": "Sergeant"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    person.refresh_from_db()
    assert person.rank == ""


def test_it_refuses_a_stale_edit_of_the_same_field_with_409(api, analyst_api, scenario):
    person = scenario.person()
    first = analyst_api.patch(f"/api/persons/{person.pk}/", {"version": 1, "rank": "Captain"}, format="json")
    assert first.status_code == 200
    response = api.patch(f"/api/persons/{person.pk}/", {"version": 1, "rank": "Sergeant"}, format="json")
    assert response.status_code == 409
    assert list(response.json()) == ["rank"]
    person.refresh_from_db()
    assert (person.rank, person.version) == ("Captain", 2)


def test_it_keeps_both_edits_of_different_fields(api, analyst_api, scenario):
    person = scenario.person()
    analyst_api.patch(f"/api/persons/{person.pk}/", {"version": 1, "rank": "Captain"}, format="json")
    response = api.patch(f"/api/persons/{person.pk}/", {"version": 1, "unit": "36th brigade"}, format="json")
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.rank, person.unit, person.version) == ("Captain", "36th brigade", 3)


def test_it_records_a_new_spelling_when_the_name_is_corrected(api, scenario):
    person = scenario.person()
    response = api.patch(
        f"/api/persons/{person.pk}/", {"version": 1, "family_name": "Козацкий"}, format="json"
    )
    assert response.status_code == 200
    assert NameVariant.objects.filter(person=person, family_name="Козацкий").exists()


def test_it_refuses_put_and_delete(api, scenario):
    person = scenario.person()
    assert api.delete(f"/api/persons/{person.pk}/").status_code == 405
    assert api.put(f"/api/persons/{person.pk}/", {"family_name": "X"}, format="json").status_code == 405
    assert Person.objects.filter(pk=person.pk, family_name="Козацький").exists()


# --- merge, unmerge, spellings, timeline


def test_it_merges_and_unmerges_two_records(api, scenario, case_officer):
    keep, absorb = scenario.person("Коваль"), scenario.person("Коваль", "Дмитрий")
    scenario.event(absorb, "captured")
    merge = {"absorb": absorb.pk, "reason": "DNA"}
    response = api.post(f"/api/persons/{keep.pk}/merge/", merge, format="json")
    assert response.status_code == 201
    absorb.refresh_from_db()
    assert absorb.merged_into == keep
    assert api.get(f"/api/persons/{keep.pk}/").json()["status"]["situation"] == "in_custody"
    response = api.post(f"/api/persons/{absorb.pk}/unmerge/", {"reason": "Wrong match"}, format="json")
    assert response.status_code == 201
    absorb.refresh_from_db()
    assert absorb.merged_into is None
    assert list(PersonMerge.objects.values_list("action", "by")) == [
        ("merged", case_officer.pk), ("unmerged", case_officer.pk)
    ]


def test_it_refuses_a_merge_without_reason_or_into_itself(api, scenario):
    person = scenario.person()
    url = f"/api/persons/{person.pk}/merge/"
    response = api.post(url, {"absorb": person.pk, "reason": " "}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = api.post(url, {"absorb": person.pk, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["absorb"]
    assert PersonMerge.objects.count() == 0


def test_it_adds_a_name_variant(api, scenario):
    person = scenario.person()
    payload = {
        "family_name": "Kozatsky", "given_names": "Dmitry", "transliteration": "news",
        "source": scenario.intel.pk,
    }
    response = api.post(f"/api/persons/{person.pk}/name-variants/", payload, format="json")
    assert response.status_code == 201
    variant = NameVariant.objects.get(pk=response.json()["id"])
    assert (variant.person, variant.script, variant.source) == (person, "latin", scenario.intel)
    assert api.get("/api/persons/", {"q": "kozatsky dmitry"}).json()["count"] == 1


def test_it_shows_the_timeline_with_each_events_role(api, scenario):
    person = scenario.person()
    captured = scenario.event(person, "captured")
    rumour = scenario.event(person, "killed", "2022-06-01", source=scenario.rumour)
    wrong = scenario.event(person, "released", "2022-07-01")
    api.post(f"/api/events/{wrong.pk}/retract/", {"reason": "Wrong person"}, format="json")
    response = api.get(f"/api/persons/{person.pk}/timeline/")
    assert response.status_code == 200
    roles = {event["id"]: event["role"] for event in response.json()["events"]}
    retraction = max(roles)
    assert roles == {
        captured.pk: "basis", rumour.pk: "unconfirmed", wrong.pk: "void", retraction: "correction"
    }
    assert response.json()["status"]["situation"] == "in_custody"
