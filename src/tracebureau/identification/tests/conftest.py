"""Identification's tests: jobs run at once, and a family whose LRs a reader can check by hand.

Frequencies at L1: a .1, b .2, c .7; at L2 the same. The mother of the missing son is a/b at L1
and b/b at L2. Remains R-1 is a/c, b/b: at L1 the son got a from her (1/2) and c from his father
(p_c), against 2 p_a p_c for a stranger, LR 1/(4 p_a) = 2.5; at L2 LR 1/p_b = 5; in all 12.5.
Remains R-2 is c/c at L1: the son of an a/b mother cannot be c/c, so the family is excluded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tracebureau.conftest import Scenario
from tracebureau.core.models import User
from tracebureau.identification import services
from tracebureau.identification.models import FrequencyTable, MatchRun, ReferenceSample, Repatriation
from tracebureau.registry.models import Person

FREQUENCIES = "marker,allele,freq\nL1,a,0.1\nL1,b,0.2\nL1,c,0.7\nL2,a,0.1\nL2,b,0.2\nL2,c,0.7\n"
REMAINS = "id,marker,allele1,allele2\nR-1,L1,a,c\nR-1,L2,b,b\nR-2,L1,c,c\nR-2,L2,b,c\n"
LOG10_LR_R1 = 1.0969100130080565  # log10(12.5)


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_match(django_capture_on_commit_callbacks: Any) -> Any:
    """Start a match run as the page does; the job runs when the transaction commits."""

    def run(*, by: User, batch: Repatriation) -> MatchRun:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.match_run_start(by=by, repatriation=batch)
        job.refresh_from_db()
        return job

    return run


def officer(name: str) -> User:
    return User.objects.create_user(
        name,
        password=f"a-long-test-password-{name}",
        roles=["identification_officer"],
        clearance="confidential",
    )


@pytest.fixture
def first_officer(db: Any) -> User:
    return officer("dna.first")


@pytest.fixture
def second_officer(db: Any) -> User:
    return officer("dna.second")


@pytest.fixture
def liaison(db: Any) -> User:
    return User.objects.create_user(
        "family.liaison",
        password="a-long-test-password-fl",
        roles=["family_liaison"],
        clearance="confidential",
    )


@dataclass
class Identification:
    batch: Repatriation
    son: Person
    mother: ReferenceSample
    table: FrequencyTable


@pytest.fixture
def world(scenario: Scenario, first_officer: User) -> Identification:
    son = scenario.person("Мельник", "Олег", category="missing", sex="male")
    scenario.event(son, "reported_missing", "2022-05-20", source=scenario.relatives)
    table = services.frequency_table_import(
        by=first_officer,
        name="Generated test population",
        file_name="freqs.csv",
        content=FREQUENCIES.encode(),
    )
    mother = services.reference_sample_create(
        by=first_officer,
        person=son,
        markers={"L1": ["a", "b"], "L2": ["b", "b"]},
        sample_code="REF-1",
        donor_name="Мельник Ганна",
        donor_sex=2,
        relationship="mother",
        consent_given_on=dt.date(2022, 6, 1),
    )
    batch = services.repatriation_create(
        by=first_officer,
        title="58 bodies to Kyiv",
        arrived_on=dt.date(2022, 6, 4),
        counterpart="Russian side",
    )
    services.remains_profiles_import(
        by=first_officer, repatriation=batch, file_name="pm.csv", content=REMAINS.encode()
    )
    return Identification(batch, son, mother, table)
