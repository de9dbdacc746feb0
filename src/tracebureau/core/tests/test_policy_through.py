"""The person rule applied through a join (core.policy._through) lets through exactly the rows
the old `person IN (visible persons)` did, for every kind of reader, and refuses what it
cannot carry across a join."""

from __future__ import annotations

import pytest
from django.db.models import Q

from tracebureau.core import policy
from tracebureau.core.models import User
from tracebureau.registry.models import NameVariant
from tracebureau.timeline.models import Event


@pytest.fixture
def readers(scenario, case_officer, analyst, db):
    navy = scenario.navy
    return [
        case_officer,
        analyst,
        User.objects.create_user("family", password=None, roles=["family_liaison"], clearance="confidential"),
        User.objects.create_user("liaison", password=None, roles=["agency_liaison"], clearance="restricted",
                                 agency=navy),
        User.objects.create_user("nobody.agency", password=None, roles=["agency_liaison"],
                                 clearance="restricted"),
    ]  # fmt: skip


def _old_events(user):
    access = policy.access_of(user)
    visible = policy._visible_person_ids(user, access)
    condition = Q(person__in=visible) & (
        Q(classification__in=access.levels) | Q(person__in=policy._glass(user))
    )
    if access.family_facing:
        condition &= Q(detrimental_to_disclose=False)
    return set(Event.objects.filter(condition).values_list("pk", flat=True))


def test_the_join_and_the_old_subquery_let_through_the_same_rows(scenario, readers):
    for n, classification in enumerate(["open", "restricted", "confidential"]):
        person = scenario.person(f"Особа{n}", classification=classification, detrimental_to_disclose=n == 1)
        scenario.event(person, "captured", classification="restricted")
        scenario.event(person, "icrc_visit", "2022-06-01", detrimental_to_disclose=True)
    other = scenario.person("Інший", agency=None)
    scenario.event(other, "captured")
    for user in readers:
        assert set(policy.visible_to(Event.objects.all(), user).values_list("pk", flat=True)) == _old_events(
            user
        )
        access = policy.access_of(user)
        old = NameVariant.objects.filter(person__in=policy._visible_person_ids(user, access))
        assert set(policy.visible_to(NameVariant.objects.all(), user)) == set(old), user.username


def test_it_refuses_what_it_cannot_carry_across_a_join():
    with pytest.raises(ValueError, match="negated"):
        policy._through("person", ~Q(detrimental_to_disclose=True))
    assert policy._through("person", Q(a=1) | Q(b__in=[2])).children == [
        ("person__a", 1),
        ("person__b__in", [2]),
    ]
