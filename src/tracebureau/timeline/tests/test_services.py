from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tracebureau.core.errors import AppendOnlyError
from tracebureau.timeline import services
from tracebureau.timeline.models import BulkEvent, Event
from tracebureau.timeline.selectors import person_timeline


def test_it_records_an_event_with_the_sources_grade(scenario, case_officer):
    person = scenario.person()
    event = scenario.event(person, "captured", place=scenario.olenivka)
    event.refresh_from_db()
    assert (event.reliability, event.credibility, event.recorded_by) == ("B", 2, case_officer)
    assert event.grade == "B2"


def test_it_stores_a_month_at_its_first_day(scenario):
    event = scenario.event(scenario.person(), "reported_missing", "2022-04-19", precision="month")
    assert (event.occurred_on, event.occurred_display) == (dt.date(2022, 4, 1), "2022-04")


def test_it_refuses_an_event_in_the_future(scenario):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as exc:
        scenario.event(scenario.person(), "captured", tomorrow)
    assert "occurred_on" in exc.value.message_dict
    assert Event.objects.count() == 0


def test_it_refuses_an_event_before_the_date_of_birth(scenario):
    person = scenario.person(birth_year=2000, birth_month=6)
    with pytest.raises(ValidationError) as exc:
        scenario.event(person, "captured", "2000-05-31")
    assert "date of birth (2000-06)" in exc.value.message_dict["occurred_on"][0]
    scenario.event(person, "captured", "2000-06-01")  # the same month is possible


def test_it_refuses_a_time_without_the_exact_precision(scenario):
    with pytest.raises(ValidationError) as exc:
        scenario.event(scenario.person(), "captured", occurred_time=dt.time(10, 0))
    assert "occurred_time" in exc.value.message_dict


def test_it_names_an_invalid_credibility(scenario):
    with pytest.raises(ValidationError) as exc:
        scenario.event(scenario.person(), "captured", credibility=9)
    assert "credibility" in exc.value.message_dict


def test_it_retracts_and_restores_the_status(scenario, case_officer):
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-17")
    death = scenario.event(person, "killed", "2022-06-01", source=scenario.relatives, credibility=3)
    assert person_timeline(user=case_officer, person=person).status.situation == "deceased"
    retraction = services.event_retract(event=death, by=case_officer, reason="Confused with a namesake")
    view = person_timeline(user=case_officer, person=person)
    assert view.status.situation == "in_custody"
    assert death.pk in view.status.void_ids
    assert retraction.corrects == death and retraction.reason == "Confused with a namesake"
    with pytest.raises(ValidationError):
        services.event_retract(event=death, by=case_officer, reason="again")


def test_it_supersedes_an_event_and_keeps_the_old_one(scenario, case_officer):
    person = scenario.person()
    wrong = scenario.event(person, "transferred", place=scenario.novoazovsk)
    right = services.event_supersede(
        event=wrong, by=case_officer, reason="Wrong place", place=scenario.olenivka
    )
    view = person_timeline(user=case_officer, person=person)
    assert [e.pk for e in view.events] == [wrong.pk, right.pk]
    assert view.last_place == scenario.olenivka
    assert view.status.void_ids == (wrong.pk,)


def test_it_refuses_a_correction_without_a_reason(scenario, case_officer):
    event = scenario.event(scenario.person(), "captured")
    with pytest.raises(ValidationError) as exc:
        services.event_retract(event=event, by=case_officer, reason=" ")
    assert "reason" in exc.value.message_dict


def test_it_records_a_bulk_event_for_everyone(scenario, case_officer):
    persons = [scenario.person(f"Прізвище{i}") for i in range(5)]
    bulk = services.bulk_event_record(
        persons=persons,
        label="Evacuated to Olenivka",
        kind="evacuated",
        by=case_officer,
        occurred_on=dt.date(2022, 5, 17),
        precision="day",
        source=scenario.intel,
        credibility=2,
        place=scenario.olenivka,
    )
    assert bulk.events.count() == 5
    assert set(bulk.events.values_list("person", flat=True)) == {p.pk for p in persons}


def test_it_writes_nothing_when_one_row_of_a_bulk_event_is_wrong(scenario, case_officer):
    persons = [
        scenario.person("Перший"),
        scenario.person("Другий", birth_year=2023),
        scenario.person("Третій"),
    ]
    with pytest.raises(ValidationError) as exc:
        services.bulk_event_record(
            persons=[*persons, persons[0]],
            label="Evacuated",
            kind="evacuated",
            by=case_officer,
            occurred_on=dt.date(2022, 5, 17),
            precision="day",
            source=scenario.intel,
            credibility=2,
        )
    rows = exc.value.message_dict["persons"]
    assert rows[0].startswith("row 2 (Другий Дмитро") and "occurred_on" in rows[0]
    assert rows[1].startswith("row 4") and "listed twice" in rows[1]
    assert Event.objects.count() == 0 and BulkEvent.objects.count() == 0


def test_it_refuses_to_change_or_delete_an_event_in_code(scenario):
    event = scenario.event(scenario.person(), "captured")
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(note="changed")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE timeline_event SET note = 'changed'",
        "DELETE FROM timeline_event",
        "DELETE FROM registry_namevariant",
        "UPDATE registry_personmerge SET reason = 'x'",
    ],
)
def test_it_refuses_to_change_history_in_the_database(scenario, case_officer, statement):
    keep, absorb = scenario.person(), scenario.person("Інший")
    scenario.event(keep, "captured")
    from tracebureau.registry.services import person_merge

    person_merge(keep=keep, absorb=absorb, by=case_officer, reason="same person")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert Event.objects.filter(note="changed").count() == 0


def test_it_refuses_to_supersede_an_event_twice(scenario, case_officer):
    wrong = scenario.event(scenario.person(), "transferred", place=scenario.novoazovsk)
    services.event_supersede(event=wrong, by=case_officer, reason="Wrong place", place=scenario.olenivka)
    with pytest.raises(ValidationError) as exc:
        services.event_supersede(event=wrong, by=case_officer, reason="Stale page", place=scenario.novoazovsk)
    assert "corrects" in exc.value.message_dict


def test_it_keeps_the_grade_of_a_superseded_report(scenario, case_officer):
    weak = scenario.event(scenario.person(), "killed", reliability="E", credibility=5)
    replacement = services.event_supersede(
        event=weak, by=case_officer, reason="Better date", occurred_on=dt.date(2022, 5, 1)
    )
    assert replacement.grade == "E5" and replacement.is_weak


def test_it_refuses_a_report_only_known_to_be_before_the_birth(scenario):
    person = scenario.person(birth_year=2000, birth_month=6, birth_day=1)
    with pytest.raises(ValidationError):
        scenario.event(person, "captured", "2000-06-01", precision="before")


def test_it_refuses_to_change_the_kind_of_a_cited_source(scenario, case_officer):
    scenario.event(scenario.person(), "captured", source=scenario.relatives)
    with pytest.raises(ValidationError) as exc:
        services.source_update(source=scenario.relatives, changes={"kind": "icrc"}, by=case_officer)
    assert "kind" in exc.value.message_dict
    services.source_update(source=scenario.relatives, changes={"reliability": "B"}, by=case_officer)
