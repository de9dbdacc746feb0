"""The kept derived status (timeline.PersonStatus): in step with every write that changes a
timeline, read only by those who see all it was derived from, checked and rebuilt."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tracebureau.core.models import User
from tracebureau.registry import services as registry
from tracebureau.registry.selectors import persons_visible
from tracebureau.reporting.selectors import totals
from tracebureau.timeline import services as timeline
from tracebureau.timeline.materialised import status_check, status_rebuild
from tracebureau.timeline.models import PersonStatus
from tracebureau.timeline.selectors import page_statuses, person_timeline, situation_counts, statuses_for


def kept(person: Any) -> PersonStatus:
    return PersonStatus.objects.get(person=person)


def test_an_event_keeps_the_status_in_step(scenario):
    person = scenario.person()
    assert not PersonStatus.objects.filter(person=person).exists()  # no events: unknown, no row
    scenario.event(person, "captured", "2022-05-17", place=scenario.olenivka)
    row = kept(person)
    assert (row.situation, str(row.since), row.events, row.ceiling) == (
        "in_custody",
        "2022-05-17",
        1,
        "restricted",
    )
    assert str(row.last_sign_of_life_on) == "2022-05-17"


def test_a_retraction_and_a_supersession_are_followed(scenario, case_officer):
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-17")
    death = scenario.event(person, "killed", "2022-06-01", credibility=2)
    assert kept(person).situation == "deceased"
    timeline.event_retract(event=death, by=case_officer, reason="The report named another man.")
    assert (kept(person).situation, kept(person).events) == ("in_custody", 3)
    capture = person.events.get(kind="captured")
    timeline.event_supersede(
        event=capture,
        by=case_officer,
        reason="A later list.",
        occurred_on=capture.occurred_on,
        precision="day",
        source=scenario.intel,
        credibility=2,
        kind="released",
    )
    assert kept(person).situation == "released"
    assert status_check() == []


def test_a_bulk_event_refreshes_every_person(scenario, case_officer):
    people = [scenario.person(f"Особа{i}") for i in range(3)]
    timeline.bulk_event_record(
        persons=people,
        label="Olenivka list",
        kind="captured",
        by=case_officer,
        occurred_on=scenario_day(),
        precision="day",
        source=scenario.intel,
        credibility=2,
    )
    assert [kept(p).situation for p in people] == ["in_custody"] * 3


def scenario_day() -> Any:
    import datetime as dt

    return dt.date(2022, 5, 20)


def test_a_merge_folds_the_timeline_in_and_its_undoing_takes_it_out(scenario, case_officer):
    keep, absorb = scenario.person(), scenario.person("Козацкий")
    scenario.event(keep, "reported_missing", "2022-05-01")
    scenario.event(absorb, "captured", "2022-05-17")
    registry.person_merge(keep=keep, absorb=absorb, by=case_officer, reason="One man, two spellings.")
    assert (kept(keep).situation, kept(keep).events) == ("in_custody", 2)
    registry.person_unmerge(absorb=absorb, by=case_officer, reason="Two men after all.")
    assert (kept(keep).situation, kept(absorb).situation) == ("missing", "in_custody")
    assert status_check() == []


def test_only_those_who_see_every_event_read_the_kept_status(scenario, analyst):
    """The case officer is cleared to confidential: a negotiation-sensitive death is not his to
    see, so he must not read a status derived from it, and his counts come from what he sees."""
    officer = scenario.by
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-17")
    timeline.event_record(
        person=person,
        kind="killed",
        occurred_on=scenario_day(),
        precision="day",
        source=scenario.intel,
        credibility=2,
        by=analyst,
        classification="negotiation_sensitive",
    )
    assert kept(person).ceiling == "negotiation_sensitive"
    from tracebureau.core.policy import visible_to

    assert not visible_to(PersonStatus.objects.all(), officer).exists()
    assert visible_to(PersonStatus.objects.all(), analyst).count() == 1
    for user, situation in ((officer, "in_custody"), (analyst, "deceased")):
        persons = persons_visible(user=user)
        assert situation_counts(user=user, persons=persons) == {situation: 1}
        assert person_timeline(user=user, person=person).status.situation == situation


def test_counts_agree_with_live_derivation_for_every_reader(scenario, analyst):
    family = User.objects.create_user(
        "liaison", password=None, roles=["family_liaison"], clearance="confidential"
    )
    people = [scenario.person(f"Особа{i}") for i in range(6)]
    for i, person in enumerate(people):
        scenario.event(
            person,
            ["captured", "reported_missing", "released"][i % 3],
            "2022-05-17",
            detrimental_to_disclose=i == 4,
        )
    for user in (scenario.by, analyst, family):
        persons = persons_visible(user=user)
        live = [s.situation for s in statuses_for(user=user, persons=list(persons)).values()]
        assert situation_counts(user=user, persons=persons) == _count(live), user.username


def test_a_list_page_reads_the_kept_status_where_it_may_and_agrees_with_live(
    scenario, analyst, case_officer, django_assert_num_queries
):
    family = User.objects.create_user(
        "liaison", password=None, roles=["family_liaison"], clearance="confidential"
    )
    people = [scenario.person(f"Особа{i}") for i in range(6)]
    for i, person in enumerate(people):
        kind = ["captured", "reported_missing", "released"][i % 3]
        scenario.event(person, kind, "2022-05-17", detrimental_to_disclose=i == 4)
    timeline.event_record(  # above the case officer's clearance: he derives from the rest
        person=people[5], kind="killed", occurred_on=scenario_day(), precision="day",
        source=scenario.intel, credibility=2, by=analyst, classification="negotiation_sensitive",
    )  # fmt: skip
    registry.person_merge(by=case_officer, keep=people[0], absorb=people[1], reason="Same man: one card.")
    for user in (scenario.by, analyst, family):
        listed = [*persons_visible(user=user).order_by("pk"), people[1]]  # an absorbed record too
        page = page_statuses(user=user, persons=listed)
        live = statuses_for(user=user, persons=listed)
        assert {pk: (s.situation, s.family_level) for pk, s in page.items()} == {
            pk: (s.situation, s.family_level) for pk, s in live.items()
        }, user.username
    with django_assert_num_queries(1):  # the analyst reads every kept row: no event is read
        page_statuses(user=analyst, persons=people)


def _count(values: list[str]) -> dict[str, int]:
    from collections import Counter

    return Counter(values)


def test_totals_use_the_kept_status(scenario, analyst, django_assert_max_num_queries):
    for i in range(30):
        scenario.event(scenario.person(f"Особа{i}"), "captured", "2022-05-17")
    with django_assert_max_num_queries(8):  # not one per person
        figures = totals(user=analyst)
    assert figures["by_situation"]["in_custody"] == 30


def test_check_finds_a_stale_row_and_rebuild_mends_it(scenario):
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-17")
    PersonStatus.objects.filter(person=person).update(situation="released")
    assert status_check() == [person.pk]
    with pytest.raises(CommandError, match=f"1 records' kept status differs from their events: #{person.pk}"):
        call_command("status", "check")
    seen: list[tuple[int, int]] = []
    assert status_rebuild(chunk=1, progress=lambda done, total: seen.append((done, total))) == 1
    assert seen == [(1, 1)] and kept(person).situation == "in_custody"
    call_command("status", "check")


def test_rebuild_writes_a_row_for_every_record(scenario):
    people = [scenario.person(f"Особа{i}") for i in range(5)]
    scenario.event(people[0], "captured", "2022-05-17")
    PersonStatus.objects.all().delete()  # derived data: rebuilt from the events
    status_rebuild(chunk=2)
    assert PersonStatus.objects.count() == 5
    assert (
        sorted(PersonStatus.objects.values_list("situation", flat=True)) == ["in_custody"] + ["unknown"] * 4
    )


@pytest.mark.parametrize(
    "field, value", [("classification", "confidential"), ("detrimental_to_disclose", True)]
)
def test_an_identity_change_that_moves_who_may_read_refreshes(scenario, field, value):
    person = scenario.person()
    scenario.event(person, "captured", "2022-05-17")
    registry.person_update(
        person=person, changes={field: value}, expected_version=person.version, by=scenario.by
    )
    row = kept(person)
    assert (row.ceiling, row.detrimental) == (
        ("confidential", False) if field == "classification" else ("restricted", True)
    )
