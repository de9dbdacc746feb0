"""From a batch's arrival to a confirmed identification, through the services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tracebureau.identification import selectors, services
from tracebureau.identification.models import (
    GeneticProfile,
    IdentificationDecision,
    MatchCandidate,
    MatchOutcome,
    NotificationTask,
    RemainsCase,
)
from tracebureau.identification.tests.conftest import LOG10_LR_R1, Identification
from tracebureau.lists.choices import JobStatus
from tracebureau.timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def matched(world: Identification, first_officer: Any, run_match: Any) -> MatchCandidate:
    """The batch matched; R-1's candidate."""
    run = run_match(by=first_officer, batch=world.batch)
    assert run.status == JobStatus.DONE, run.error
    return MatchCandidate.objects.get(match_run=run, remains_case__reference="R-1")


def test_the_match_run_ranks_the_family_and_counts_the_exclusion(
    world: Identification, first_officer: Any, matched: MatchCandidate
) -> None:
    candidate = matched
    assert candidate.person == world.son and candidate.rank == 1
    assert candidate.log10_lr == pytest.approx(LOG10_LR_R1, rel=1e-12)
    excluded = MatchOutcome.objects.get(remains_case__reference="R-2")
    assert (excluded.families_compared, excluded.families_excluded, excluded.markers_typed) == (1, 1, 2)
    assert not MatchCandidate.objects.filter(remains_case__reference="R-2").exists()


def test_a_confirmation_needs_the_threshold_and_a_second_officer(
    world: Identification, first_officer: Any, second_officer: Any, settings: Any, matched: MatchCandidate
) -> None:
    candidate = matched
    with pytest.raises(ValidationError, match=r"10\^1.1, below the 10\^4"):
        services.confirmation_propose(by=first_officer, candidate=candidate)
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    proposal = services.confirmation_propose(
        by=first_officer, candidate=candidate, basis="mother's reference"
    )
    with pytest.raises(ValidationError, match="second identification officer"):
        services.confirmation_decide(by=first_officer, proposal=proposal, approve=True)
    assert not Event.objects.filter(person=world.son, kind="identified").exists()

    services.confirmation_decide(by=second_officer, proposal=proposal, approve=True)

    case = candidate.remains_case
    status = selectors.remains_status(case)
    assert (status.state, status.person) == ("identified", world.son)
    kinds = list(Event.objects.filter(person=world.son).order_by("id").values_list("kind", "occurred_on"))
    assert kinds[1:] == [("remains_repatriated", dt.date(2022, 6, 4)), ("identified", dt.date.today())]
    assert NotificationTask.objects.get(person=world.son).state == "open"
    with pytest.raises(ValidationError, match="already been decided"):
        services.confirmation_decide(
            by=second_officer, proposal=proposal, approve=False, reason="second thoughts"
        )


def test_burial_follows_the_identification(
    world: Identification, first_officer: Any, second_officer: Any, settings: Any, matched: MatchCandidate
) -> None:
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    candidate = matched
    case = candidate.remains_case
    with pytest.raises(ValidationError, match="Only identified remains"):
        services.burial_record(
            by=first_officer, remains_case=case, buried_on=dt.date(2022, 7, 1), place="Kyiv"
        )
    proposal = services.confirmation_propose(by=first_officer, candidate=candidate)
    services.confirmation_decide(by=second_officer, proposal=proposal, approve=True)
    services.burial_record(
        by=first_officer, remains_case=case, buried_on=dt.date(2022, 7, 1), place="Lisove cemetery, plot 4"
    )
    assert selectors.remains_status(case).state == "buried"
    buried = Event.objects.get(person=world.son, kind="buried")
    assert (buried.occurred_on, buried.note) == (dt.date(2022, 7, 1), "Buried at Lisove cemetery, plot 4.")


def test_a_rejected_proposal_leaves_the_case_open_and_the_timeline_alone(
    world: Identification, first_officer: Any, second_officer: Any, settings: Any, matched: MatchCandidate
) -> None:
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    candidate = matched
    proposal = services.confirmation_propose(by=first_officer, candidate=candidate)
    with pytest.raises(ValidationError) as refused:
        services.confirmation_decide(by=second_officer, proposal=proposal, approve=False)
    assert "reason" in refused.value.message_dict
    services.confirmation_decide(
        by=second_officer, proposal=proposal, approve=False, reason="only two markers"
    )
    assert selectors.remains_status(candidate.remains_case).state == "unidentified"
    assert not Event.objects.filter(person=world.son, kind="identified").exists()
    assert not NotificationTask.objects.exists()


def test_a_preliminary_identification_adds_nothing_to_the_timeline(
    world: Identification, first_officer: Any
) -> None:
    case = RemainsCase.objects.get(reference="R-2")
    before = Event.objects.filter(person=world.son).count()
    services.preliminary_identify(
        by=first_officer, remains_case=case, person=world.son, basis="Identity disc 'Мельник О.' in a pocket"
    )
    status = selectors.remains_status(case)
    assert (status.state, status.person) == ("preliminary", world.son)
    assert Event.objects.filter(person=world.son).count() == before
    with pytest.raises(ValidationError) as refused:
        services.preliminary_identify(by=first_officer, remains_case=case, person=world.son, basis=" ")
    assert "basis" in refused.value.message_dict


def test_one_person_is_not_identified_in_two_cases(
    world: Identification, first_officer: Any, second_officer: Any, settings: Any, matched: MatchCandidate
) -> None:
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    candidate = matched
    services.confirmation_decide(
        by=second_officer,
        proposal=services.confirmation_propose(by=first_officer, candidate=candidate),
        approve=True,
    )
    other = MatchCandidate.objects.create(
        match_run=candidate.match_run,
        remains_case=RemainsCase.objects.get(reference="R-2"),
        person=world.son,
        log10_lr=5.0,
        rank=1,
    )
    with pytest.raises(ValidationError, match="already identified as remains case R-1"):
        services.confirmation_propose(by=first_officer, candidate=other)


def test_withdrawn_consent_takes_the_family_out_of_the_next_run(
    world: Identification, first_officer: Any, matched: MatchCandidate, run_match: Any
) -> None:
    services.consent_withdraw(
        by=first_officer, sample=world.mother, reason="The mother asked, by phone, 2022-06-10"
    )
    run = run_match(by=first_officer, batch=world.batch)
    assert (run.status, run.families_compared) == (JobStatus.DONE, 0)
    assert not run.candidates.exists()
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.consent_withdraw(by=first_officer, sample=world.mother, reason="again")


def test_a_bad_profile_file_names_the_row_and_stores_nothing(
    world: Identification, first_officer: Any
) -> None:
    before = (RemainsCase.objects.count(), GeneticProfile.objects.count())
    bad = "id,marker,allele1,allele2\nR-3,L1,a,b\nR-4,L1,a,\n"
    with pytest.raises(ValidationError, match=r"pm2\.csv row 3, column allele2"):
        services.remains_profiles_import(
            by=first_officer, repatriation=world.batch, file_name="pm2.csv", content=bad.encode()
        )
    with pytest.raises(ValidationError, match="not UTF-8"):
        services.remains_profiles_import(
            by=first_officer,
            repatriation=world.batch,
            file_name="pm3.csv",
            content="id,marker\nR-5,Ł".encode("cp1250"),
        )
    assert (RemainsCase.objects.count(), GeneticProfile.objects.count()) == before


def test_a_case_number_of_another_batch_is_refused(world: Identification, first_officer: Any) -> None:
    other = services.repatriation_create(
        by=first_officer, title="Second batch", arrived_on=dt.date(2022, 6, 20)
    )
    with pytest.raises(ValidationError, match=r"pm\.csv row 2: case number R-1 belongs to another batch"):
        services.remains_profiles_import(
            by=first_officer,
            repatriation=other,
            file_name="pm.csv",
            content=b"id,marker,allele1,allele2\nR-1,L1,a,a\n",
        )


def test_a_second_father_is_refused_with_the_reason(world: Identification, first_officer: Any) -> None:
    fields: dict[str, Any] = {
        "donor_sex": 1,
        "relationship": "father",
        "consent_given_on": dt.date(2022, 6, 1),
    }
    services.reference_sample_create(
        by=first_officer,
        person=world.son,
        markers={"L1": ["a", "a"]},
        sample_code="REF-2",
        donor_name="Мельник Іван",
        **fields,
    )
    with pytest.raises(ValidationError) as refused:
        services.reference_sample_create(
            by=first_officer,
            person=world.son,
            markers={"L1": ["b", "b"]},
            sample_code="REF-3",
            donor_name="Мельник Петро",
            **fields,
        )
    assert "already has a donor as father" in refused.value.message_dict["relationship"][0]


def test_custody_is_recorded_in_order(world: Identification, first_officer: Any) -> None:
    case = RemainsCase.objects.get(reference="R-1")
    at = dt.datetime(2022, 6, 4, 10, 0, tzinfo=dt.UTC)
    services.custody_record(
        by=first_officer, remains_case=case, at=at, released_by="ICRC", received_by="Morgue 2"
    )
    with pytest.raises(ValidationError) as refused:
        services.custody_record(
            by=first_officer,
            remains_case=case,
            at=at - dt.timedelta(hours=1),
            released_by="Morgue 2",
            received_by="Lab",
        )
    assert "at" in refused.value.message_dict


def test_the_profile_text_names_each_bad_item() -> None:
    assert services.parse_profile("D3S1358 15/16\nvWA=17,18; TH01 9.3/9.3") == {
        "D3S1358": ["15", "16"],
        "vWA": ["17", "18"],
        "TH01": ["9.3", "9.3"],
    }
    with pytest.raises(ValidationError) as refused:
        services.parse_profile("D3S1358 15/16; vWA 17; D3S1358 14/15")
    assert refused.value.messages == [
        "Item 2 (“vWA 17”): write the marker and two alleles, as “D3S1358 15/16”.",
        "Item 3: marker D3S1358 given twice.",
    ]


def test_decisions_are_append_only(world: Identification, first_officer: Any) -> None:
    case = RemainsCase.objects.get(reference="R-2")
    decision = services.preliminary_identify(
        by=first_officer, remains_case=case, person=world.son, basis="a tag"
    )
    decision.basis = "edited"
    with pytest.raises(Exception, match="append-only"):
        decision.save()
    assert IdentificationDecision.objects.get(pk=decision.pk).basis == "a tag"


def test_a_marker_or_allele_the_table_cannot_take_is_refused_with_its_row(
    world: Identification, first_officer: Any
) -> None:
    for content, message in (
        (
            b"id,marker,allele1,allele2\nR-9,L1,a,b\nR-9,FOO,1,2\n",
            "pm9.csv row 3: marker FOO is not in the frequency",
        ),
        (b"id,marker,allele1,allele2\nR-9,L1,a,xyz\n", "pm9.csv row 2: L1: “xyz” is not an allele"),
    ):
        with pytest.raises(ValidationError, match=re.escape(message)):
            services.remains_profiles_import(
                by=first_officer, repatriation=world.batch, file_name="pm9.csv", content=content
            )
    assert not RemainsCase.objects.filter(reference="R-9").exists()
    # A rare repeat number the table lacks is fine: a match run adds it at the minimum frequency.
    services.remains_profiles_import(
        by=first_officer,
        repatriation=world.batch,
        file_name="pm9.csv",
        content=b"id,marker,allele1,allele2\nR-9,L1,a,17.3\n",
    )


def test_dates_of_what_happened_cannot_be_in_the_future_or_before_the_return(
    world: Identification, first_officer: Any, second_officer: Any, matched: MatchCandidate, settings: Any
) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        services.repatriation_create(by=first_officer, title="Later", arrived_on=tomorrow)
    assert "arrived_on" in refused.value.message_dict
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    proposal = services.confirmation_propose(by=first_officer, candidate=matched)
    services.confirmation_decide(by=second_officer, proposal=proposal, approve=True)
    with pytest.raises(ValidationError, match="Before the remains came home"):
        services.burial_record(
            by=first_officer, remains_case=matched.remains_case, buried_on=dt.date(2022, 6, 1), place="Kyiv"
        )


def test_withdrawn_consent_stops_an_approval(
    world: Identification, first_officer: Any, second_officer: Any, matched: MatchCandidate, settings: Any
) -> None:
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    proposal = services.confirmation_propose(by=first_officer, candidate=matched)
    services.consent_withdraw(
        by=first_officer, sample=world.mother, reason="The mother withdrew it in writing"
    )
    with pytest.raises(ValidationError, match="was withdrawn: the evidence cannot be used"):
        services.confirmation_decide(by=second_officer, proposal=proposal, approve=True)
    assert not Event.objects.filter(person=world.son, kind="identified").exists()


def test_the_liaison_gets_the_task_even_above_her_clearance(
    world: Identification,
    first_officer: Any,
    second_officer: Any,
    matched: MatchCandidate,
    settings: Any,
    liaison: Any,
) -> None:
    from tracebureau.identification.selectors import tasks_visible
    from tracebureau.registry.models import Person

    Person.objects.filter(pk=world.son.pk).update(classification="confidential")
    liaison.clearance = "restricted"
    liaison.save()
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    proposal = services.confirmation_propose(by=first_officer, candidate=matched)
    services.confirmation_decide(by=second_officer, proposal=proposal, approve=True)
    task = tasks_visible(user=liaison).get()
    services.notification_complete(by=liaison, task=task, outcome="Told his mother at home in Bucha.")
