"""The registry's pages: search, register, edit, the person page, merge and unmerge."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tracebureau.registry import services
from tracebureau.registry.forms import PERSON_FIELDS
from tracebureau.registry.models import Person, PersonMerge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The pages default to Ukrainian; these tests read the English wording."""
    settings.LANGUAGE_CODE = "en"


def form_data(person: Person, **changes: Any) -> dict[str, Any]:
    """What the edit form posts back when opened on `person` and changed by `changes`."""
    data = {name: getattr(person, name) for name in PERSON_FIELDS}
    data["agency"] = person.agency_id
    data.update(expected_version=person.version, **changes)
    return {k: "" if v is None else v for k, v in data.items()}


@pytest.mark.parametrize("url", [
    "/persons/", "/persons/new/", "/persons/1/", "/persons/1/edit/", "/persons/1/merge/",
    "/persons/1/unmerge/",
])
def test_it_sends_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("query", ["Козацький", "kozatskyi dmytro", "AB123456", "1998", "12.03.1998"])
def test_it_finds_a_person_by_any_spelling_number_or_birth(client, scenario, query):
    wanted = scenario.person(service_number="AB123456", birth_year=1998, birth_month=3, birth_day=12)
    scenario.person("Шевченко", "Андрій", birth_year=1975)
    client.force_login(scenario.by)
    response = client.get("/persons/", {"q": query})
    assert response.status_code == 200
    assert [p.pk for p, _status in response.context["rows"]] == [wanted.pk]
    assert "1 person found" in response.text


def test_it_shows_status_of_each_row(client, scenario):
    person = scenario.person()
    scenario.event(person, "captured")
    client.force_login(scenario.by)
    response = client.get("/persons/")
    assert "In custody" in response.text
    assert "family level 3/5" in response.text


def test_search_queries_do_not_grow_with_rows(client, scenario, django_assert_max_num_queries):
    for n in range(30):
        person = scenario.person(f"Шевченко{n}", "Андрій")
        scenario.event(person, "captured")
    client.force_login(scenario.by)
    # session, user, count, the page of persons, its events (statuses_for folds merged records
    # in with one more query per level of merging), and the session's new idle expiry written
    # back (the first request after signing in: a savepoint, the update, its release).
    with django_assert_max_num_queries(10):
        response = client.get("/persons/")
    assert len(response.context["rows"]) == 30


def test_it_registers_a_person(client, case_officer):
    client.force_login(case_officer)
    response = client.post("/persons/new/", {
        "family_name": "Бондар", "given_names": "Олег", "category": "prisoner_of_war",
        "side": "own", "sex": "male", "classification": "restricted", "birth_year": "1990",
    })
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert (person.family_name, person.birth_year, person.created_by) == ("Бондар", 1990, case_officer)
    assert person.name_variants.filter(family_name="Bondar").exists()


def test_it_puts_a_service_error_on_its_field(client, case_officer):
    client.force_login(case_officer)
    response = client.post("/persons/new/", {
        "family_name": "Бондар", "category": "prisoner_of_war", "side": "own", "sex": "male",
        "classification": "restricted", "birth_day": "12",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["birth_day"] == ["A day of birth needs the month."]
    assert not Person.objects.exists()


def test_it_shows_the_person_status_and_why(client, scenario):
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-17", place=scenario.olenivka)
    scenario.event(person, "icrc_visit", "2022-06-01", source=scenario.icrc)
    scenario.event(person, "killed", "2022-07-01", source=scenario.rumour, credibility=5)
    client.force_login(scenario.by)
    response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "In custody" in text
    assert "Captivity confirmed by the ICRC" in text
    assert "Confirmed by the ICRC: ICRC visit on 2022-06-01" in text
    assert "unconfirmed report" in text
    assert "Olenivka colony" in text
    assert "Kozatskyi" in text  # the name variants table


def test_it_flags_a_death_report_followed_by_a_sign_of_life(client, scenario):
    person = scenario.person()
    scenario.event(person, "killed", "2022-05-01", source=scenario.relatives)
    scenario.event(person, "icrc_visit", "2022-06-01", source=scenario.icrc)
    client.force_login(scenario.by)
    response = client.get(person.get_absolute_url())
    assert "Flagged for review:" in response.text


def test_it_tells_how_a_death_reaches_the_family(client, scenario):
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-01")
    scenario.event(person, "died_in_custody", "2022-06-01")
    client.force_login(scenario.by)
    response = client.get(person.get_absolute_url())
    assert "A death is never conveyed on the family scale." in response.text
    assert "level 3 of 5" in response.text


def test_it_edits_a_person(client, scenario):
    person = scenario.person()
    client.force_login(scenario.by)
    response = client.post(f"/persons/{person.pk}/edit/", form_data(person, rank="Sailor"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.rank, person.version) == ("Sailor", 2)


def test_it_refuses_a_stale_edit_of_the_same_field(client, scenario, analyst):
    person = scenario.person()
    opened = form_data(person, rank="Sailor")
    services.person_update(person=person, changes={"rank": "Senior sailor"}, expected_version=1, by=analyst)
    client.force_login(scenario.by)
    response = client.post(f"/persons/{person.pk}/edit/", opened)
    assert response.status_code == 200
    assert "A colleague changed the same field" in response.text
    assert response.context["form"].errors["rank"]
    person.refresh_from_db()
    assert person.rank == "Senior sailor"


def test_it_keeps_a_colleagues_edit_of_another_field(client, scenario, analyst):
    person = scenario.person()
    opened = form_data(person, rank="Sailor")
    services.person_update(person=person, changes={"unit": "36th brigade"}, expected_version=1, by=analyst)
    client.force_login(scenario.by)
    response = client.post(f"/persons/{person.pk}/edit/", opened)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.rank, person.unit, person.version) == ("Sailor", "36th brigade", 3)


def test_it_merges_and_unmerges(client, scenario):
    keep, absorb = scenario.person(), scenario.person("Казацкий", "Дмитрий")
    scenario.event(absorb, "captured")
    client.force_login(scenario.by)

    merge = {"other": absorb.pk, "reason": "Same service number"}
    response = client.post(f"/persons/{keep.pk}/merge/", merge)
    assert response.status_code == 302
    absorb.refresh_from_db()
    assert absorb.merged_into == keep
    page = client.get(keep.get_absolute_url()).text
    assert "Merged records" in page and "In custody" in page
    assert "This record is merged into another." in client.get(absorb.get_absolute_url()).text

    response = client.post(f"/persons/{absorb.pk}/unmerge/", {"reason": "Different people after all"})
    assert response.status_code == 302
    absorb.refresh_from_db()
    assert absorb.merged_into is None
    assert list(PersonMerge.objects.values_list("action", flat=True)) == ["merged", "unmerged"]


def test_it_refuses_to_merge_a_record_into_itself(client, scenario):
    person = scenario.person()
    client.force_login(scenario.by)
    response = client.post(f"/persons/{person.pk}/merge/", {"other": person.pk, "reason": "oops"})
    assert response.status_code == 200
    assert response.context["form"].errors["other"] == ["A person cannot be merged into itself."]
    assert not PersonMerge.objects.exists()


def test_an_inactive_account_sees_nothing(client, scenario, outsider):
    person = scenario.person()
    client.force_login(outsider)
    response = client.get(reverse("registry:person-detail", args=[person.pk]))
    assert response.status_code in (302, 404)


def test_the_pages_speak_ukrainian_by_default(client, scenario, settings):
    settings.LANGUAGE_CODE = "uk"
    person = scenario.person()
    scenario.event(person, "captured")
    client.force_login(scenario.by)
    response = client.get(person.get_absolute_url())
    assert "Хронологія" in response.text
    assert "Імовірно в полоні, ще не підтверджено МКЧХ" in response.text
