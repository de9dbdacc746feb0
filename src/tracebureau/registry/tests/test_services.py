from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tracebureau.core.errors import ConflictError
from tracebureau.registry import services
from tracebureau.registry.models import NameVariant, Person, PersonMerge
from tracebureau.registry.selectors import person_name_variants, person_search
from tracebureau.timeline.selectors import person_timeline, statuses_for


def test_it_registers_a_person_with_cyrillic_and_latin_spellings(scenario):
    person = scenario.person("Козацький", "Дмитро", patronymic="Олегович", birth_year=1994)
    spellings = {(v.family_name, v.script, v.transliteration) for v in person.name_variants.all()}
    assert spellings == {
        ("Козацький", "cyrillic_uk", ""),
        ("Kozatskyi", "latin", "uk_national_2010"),
    }
    assert person.version == 1 and person.created_by == scenario.by


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_day": 3}, "birth_day"),
        ({"birth_year": 1990, "birth_day": 3}, "birth_day"),
        ({"birth_year": 2023, "birth_month": 2, "birth_day": 30}, "birth_day"),
        ({"birth_month": 13, "birth_year": 1990}, "birth_month"),
        ({"category": "tourist"}, "category"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
def test_it_names_the_wrong_field(scenario, fields, field):
    with pytest.raises(ValidationError) as exc:
        scenario.person(**fields)
    assert field in exc.value.message_dict
    assert Person.objects.count() == 0


def test_it_finds_a_person_by_any_spelling_number_or_birth(scenario, case_officer):
    person = scenario.person(
        "Козацький", "Дмитро", service_number="UA-123456", birth_year=1994, birth_month=3, call_sign="Орест"
    )
    services.name_variant_add(
        person=person, by=case_officer, family_name="Kozatsky", given_names="Dmitry", transliteration="news"
    )
    for query in [
        "козацький",
        "Kozatskyi Dmytro",
        "kozatsky",
        "UA-123456",
        "1994",
        "1994-03",
        "12.03.1994",
        "«Орест»",
    ]:
        assert list(person_search(user=case_officer, query=query)) == [person], query
    assert list(person_search(user=case_officer, query="1995")) == []


def test_it_shows_nobody_to_a_switched_off_account(scenario, outsider):
    scenario.person()
    assert list(person_search(user=outsider, query="")) == []


def test_it_keeps_a_colleagues_edit_of_another_field(scenario, case_officer, analyst):
    person = scenario.person()
    services.person_update(person=person, changes={"rank": "Sergeant"}, expected_version=1, by=analyst)
    updated = services.person_update(
        person=person, changes={"unit": "36th brigade"}, expected_version=1, by=case_officer
    )
    assert (updated.rank, updated.unit, updated.version) == ("Sergeant", "36th brigade", 3)
    assert updated.history.count() == 3


def test_it_refuses_a_conflicting_edit_of_the_same_field(scenario, case_officer, analyst):
    person = scenario.person()
    services.person_update(person=person, changes={"rank": "Sergeant"}, expected_version=1, by=analyst)
    with pytest.raises(ConflictError) as exc:
        services.person_update(
            person=person, changes={"rank": "Captain"}, expected_version=1, by=case_officer
        )
    assert "rank" in exc.value.message_dict
    person.refresh_from_db()
    assert person.rank == "Sergeant"


def test_it_adds_the_new_spelling_when_the_name_is_corrected(scenario, case_officer):
    person = scenario.person("Козацкий")
    services.person_update(
        person=person, changes={"family_name": "Козацький"}, expected_version=1, by=case_officer
    )
    assert set(person.name_variants.values_list("family_name", flat=True)) >= {"Козацкий", "Козацький"}


def test_it_merges_and_unmerges_without_losing_anything(scenario, case_officer):
    keep = scenario.person("Ткаченко", "Андрій")
    absorb = scenario.person("Tkachenko", "Andrey", category="missing")
    scenario.event(keep, "reported_missing", "2022-04-01", source=scenario.relatives, credibility=3)
    scenario.event(absorb, "icrc_visit", "2022-07-01", source=scenario.icrc, credibility=1)
    services.person_merge(keep=keep, absorb=absorb, by=case_officer, reason="Same service number")
    view = person_timeline(user=case_officer, person=keep)
    assert (len(view.events), view.status.level) == (2, 4)
    variants = person_name_variants(user=case_officer, person=keep)
    assert {v.family_name for v in variants} >= {"Ткаченко", "Tkachenko"}
    assert list(person_search(user=case_officer, query="Tkachenko")) == [keep]
    assert statuses_for(user=case_officer, persons=[keep])[keep.pk].level == 4
    both = statuses_for(user=case_officer, persons=[keep, absorb])  # a page listing merged records too
    assert (both[keep.pk].level, both[absorb.pk].level) == (4, 4)

    services.person_unmerge(absorb=absorb, by=case_officer, reason="Different fathers' names")
    assert person_timeline(user=case_officer, person=keep).status.level == 2
    assert person_timeline(user=case_officer, person=absorb).status.level == 4
    assert list(PersonMerge.objects.values_list("action", flat=True)) == ["merged", "unmerged"]


def test_it_refuses_to_merge_a_person_into_itself(scenario, case_officer):
    person = scenario.person()
    with pytest.raises(ValidationError) as exc:
        services.person_merge(keep=person, absorb=person, by=case_officer, reason="oops")
    assert "absorb" in exc.value.message_dict


def test_it_refuses_a_merge_loop(scenario, case_officer):
    first, second = scenario.person("Один"), scenario.person("Два")
    services.person_merge(keep=first, absorb=second, by=case_officer, reason="same")
    with pytest.raises(ValidationError):
        services.person_merge(keep=second, absorb=first, by=case_officer, reason="loop")
    with pytest.raises(ValidationError):
        services.person_merge(keep=first, absorb=second, by=case_officer, reason="twice")


def test_it_refuses_to_record_events_on_a_merged_record(scenario, case_officer):
    keep, absorb = scenario.person("Один"), scenario.person("Два")
    services.person_merge(keep=keep, absorb=absorb, by=case_officer, reason="same")
    absorb.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        scenario.event(absorb, "captured")
    assert "person" in exc.value.message_dict


def test_it_keeps_each_spelling_once(scenario, case_officer):
    person = scenario.person()
    count = NameVariant.objects.count()
    services.name_variant_add(person=person, by=case_officer, family_name="Козацький", given_names="Дмитро")
    assert NameVariant.objects.count() == count
