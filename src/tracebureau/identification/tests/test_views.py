"""The pages, and who may see what: genetic profiles are for identification officers alone,
every view of one is audited, and the family liaison works the notification queue."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from tracebureau.audit.models import AuditEntry
from tracebureau.core.models import User
from tracebureau.identification.models import GeneticProfile, MatchCandidate, NotificationTask, RemainsCase
from tracebureau.identification.tests.conftest import Identification
from tracebureau.timeline.models import Event

pytestmark = pytest.mark.django_db


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_officer_walks_a_case_from_the_batch_to_a_confirmed_identification(
    world: Identification,
    first_officer: User,
    second_officer: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    first, second = web(first_officer), web(second_officer)
    index = first.get("/identification/")
    assert "58 bodies to Kyiv" in index.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        first.post(f"/identification/batches/{world.batch.pk}/match/")
    batch_page = first.get(world.batch.get_absolute_url()).content.decode()
    assert "Мельник Олег" in batch_page and "Done" in batch_page
    candidate = MatchCandidate.objects.get(remains_case__reference="R-1")
    case_url = candidate.remains_case.get_absolute_url()
    page = first.get(case_url).content.decode()
    assert "Compared with 1 families on 2 markers; the DNA excludes 0 of them." in page
    assert "Propose: Мельник Олег" in page

    first.post(f"/identification/candidates/{candidate.pk}/propose/")
    assert "A second identification officer must approve it." in first.get(case_url).content.decode()
    proposal = candidate.remains_case.decisions.get(action="proposed")
    response = second.post(
        f"/identification/decisions/{proposal.pk}/decide/", {"approve": "yes"}, follow=True
    )
    assert "Identification confirmed" in response.content.decode()
    assert Event.objects.filter(person=world.son, kind="identified").count() == 1


def test_a_bad_laboratory_file_shows_the_row_on_the_page(world: Identification, first_officer: User) -> None:
    file = io.BytesIO(b"id,marker,allele1,allele2\nR-9,L1,a,b\nR-9,L1,b,b\n")
    file.name = "lab.csv"
    response = web(first_officer).post(world.batch.get_absolute_url(), {"file": file})
    assert response.status_code == 200
    assert (
        "lab.csv row 3, column marker: &#x27;L1&#x27; given twice for &#x27;R-9&#x27;"
        in response.content.decode()
    )
    assert not RemainsCase.objects.filter(reference="R-9").exists()


def test_viewing_a_profile_is_audited(world: Identification, first_officer: User) -> None:
    profile = GeneticProfile.objects.get(remains_case__reference="R-1")
    page = web(first_officer).get(f"/identification/profiles/{profile.pk}/").content.decode()
    assert "L1</td><td>a, c" in page
    entry = AuditEntry.objects.filter(object_type="identification.GeneticProfile", action="view").get()
    assert (entry.action, entry.object_id, entry.user) == ("view", str(profile.pk), first_officer)


def test_only_identification_officers_see_profiles_and_remains(
    world: Identification, case_officer: User, liaison: User
) -> None:
    profile = GeneticProfile.objects.get(remains_case__reference="R-1")
    case = RemainsCase.objects.get(reference="R-1")
    for user in (case_officer, liaison):
        client = web(user)
        assert client.get(f"/identification/profiles/{profile.pk}/").status_code == 404
        assert client.get(case.get_absolute_url()).status_code == 404
        assert client.get("/identification/").status_code == 403
        assert client.get(f"/identification/persons/{world.son.pk}/references/").status_code == 403
    assert not AuditEntry.objects.filter(object_type="identification.GeneticProfile", action="view").exists()


def test_the_family_liaison_records_the_visit(
    world: Identification,
    first_officer: User,
    second_officer: User,
    liaison: User,
    settings: Any,
    run_match: Any,
) -> None:
    settings.TRACEBUREAU_IDENTIFICATION_LOG10_LR = 1
    from tracebureau.identification import services

    run_match(by=first_officer, batch=world.batch)
    candidate = MatchCandidate.objects.get(remains_case__reference="R-1")
    proposal = services.confirmation_propose(by=first_officer, candidate=candidate)
    services.confirmation_decide(by=second_officer, proposal=proposal, approve=True)
    client = web(liaison)
    queue = client.get("/identification/notifications/").content.decode()
    assert "Мельник Олег" in queue and "Family told in person" in queue
    task = NotificationTask.objects.get()
    too_short = client.post("/identification/notifications/", {"task": task.pk, "outcome": "done"})
    assert "Say who was told" in too_short.content.decode()
    client.post(
        "/identification/notifications/", {"task": task.pk, "outcome": "Told his mother at home, Bucha"}
    )
    task.refresh_from_db()
    assert (task.state, task.completed_by) == ("done", liaison)
    # The officers follow the queue but do not work it.
    assert (
        "Family told in person"
        not in web(first_officer).get("/identification/notifications/").content.decode()
    )


def test_the_references_page_says_how_far_the_family_can_identify(
    world: Identification, first_officer: User
) -> None:
    """The mother alone at two markers: the best LR is 12.5, so never 10^4 (0 %). An unrelated
    person is excluded when he has neither a nor b at L1 (0.7² = 0.49) or no b at L2 (0.8² =
    0.64): 1 - 0.51 · 0.36 = 0.8164 of the time (simulated, 2,000 draws, seeded)."""
    from tracebureau.identification.selectors import family_power

    power = family_power(user=first_officer, person=world.son, threshold_log10=4)
    assert power is not None and power.identified == 0.0
    assert power.excluded == pytest.approx(0.8164, abs=0.03)
    page = web(first_officer).get(f"/identification/persons/{world.son.pk}/references/").content.decode()
    assert "What these references can do" in page and "<strong>0%</strong>" in page
    assert "These references are weak" in page


def test_the_api_gives_cases_with_their_candidates_but_never_a_profile(
    world: Identification, first_officer: User, case_officer: User, run_match: Any
) -> None:
    run_match(by=first_officer, batch=world.batch)
    client = web(first_officer)
    listed = client.get(f"/api/identification/remains/?batch={world.batch.pk}").json()
    cases = {c["reference"]: c for c in listed["results"]}
    assert cases["R-1"]["state"] == "unidentified"
    assert cases["R-1"]["candidates"] == [
        {"rank": 1, "person": world.son.pk, "log10_lr": pytest.approx(1.09691)}
    ]
    assert cases["R-2"]["candidates"] == []
    assert "markers" not in str(listed) and "profile" not in str(listed)
    one = client.get(f"/api/identification/remains/{cases['R-1']['id']}/")
    assert one.status_code == 200
    assert AuditEntry.objects.filter(object_type="identification.RemainsCase", action="view").exists()
    batches = client.get("/api/identification/batches/").json()["results"]
    assert [(b["title"], b["remains_count"]) for b in batches] == [("58 bodies to Kyiv", 2)]
    assert web(case_officer).get("/api/identification/remains/").json()["results"] == []
