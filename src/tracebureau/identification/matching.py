"""The match run: every remains case of a batch against every family with usable references,
by the kinship engine's pairwise LR matrix; each case keeps its best candidates and the count of
families its DNA excludes. Run by the task worker (tasks.match).

Safe to run again: each run writes its own rows, and the pages read the latest run's. A run
writes them in one transaction with its DONE status, so a worker killed at any moment leaves
all of them or none, and the run's next attempt (core.jobs) writes them once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tracebureau.audit.services import audit_bulk_created
from tracebureau.core.jobs import Reporter, job_hold, run_job
from tracebureau.engines.kinship import Case, Locus, PairwiseTable, pairwise_table_batch
from tracebureau.engines.kinship.reading import with_allele
from tracebureau.identification import selectors
from tracebureau.identification.models import MatchCandidate, MatchOutcome, MatchRun
from tracebureau.lists.choices import JobStatus
from tracebureau.registry.selectors import persons_visible

TOP_CANDIDATES = 5


def match_run_run(run_id: int) -> str:
    """Run the job; returns the status it ended in."""
    return run_job(MatchRun, run_id, _run)


def _run(run: MatchRun, report: Reporter) -> None:
    report(gettext_noop("Reading the profiles"), 2)
    remains_ids = list(run.repatriation.remains.values_list("pk", flat=True))
    # Families of the persons the one who asked may see, and no others.
    person_ids = persons_visible(user=run.requested_by).values_list("pk", flat=True)
    samples = list(selectors.usable_samples(person_ids=person_ids).select_related("person"))
    profiles = selectors.current_profiles(remains=remains_ids, samples=[s.pk for s in samples])
    case = build_case(samples, profiles, run.frequency_table.frequencies if run.frequency_table else {})
    report(gettext_noop("Computing likelihood ratios"), 10)
    table = (
        pairwise_table_batch(case=case, scheduler=settings.TRACEBUREAU_DASK_SCHEDULER)
        if case.remains and case.families
        else None
    )
    report(gettext_noop("Saving the candidates"), 90)
    _store(run, case, table)


def build_case(samples: list[Any], profiles: Mapping[tuple[str, int], dict], frequencies: dict) -> Case:
    """The engine's case: one family per missing person with typed references, the typed
    remains, and the frequency table with any allele it lacks added at the engine's minimum
    frequency (a rare allele must not stop a whole batch)."""
    by_person: dict[int, list[Any]] = {}
    for sample in samples:
        if ("S", sample.pk) in profiles:
            by_person.setdefault(sample.person_id, []).append(sample)
    families = {str(pid): selectors.family_of(found[0].person, found) for pid, found in by_person.items()}
    references = {
        f"{selectors.SAMPLE_PREFIX}{s.pk}": _genotypes(profiles[("S", s.pk)])
        for found in by_person.values()
        for s in found
    }
    remains = {
        str(pk): _genotypes(markers) for (kind, pk), markers in profiles.items() if kind == "R" and markers
    }
    return Case(families, references, remains, _loci(frequencies, [*references.values(), *remains.values()]))


def _genotypes(markers: Mapping[str, list[str]]) -> dict[str, tuple[str, str]]:
    return {marker: (pair[0], pair[1]) for marker, pair in markers.items()}


def _loci(frequencies: Mapping[str, Mapping[str, float]], profiles: list[dict[str, tuple[str, str]]]) -> dict:
    loci = {
        marker: Locus(marker, tuple(table), np.array(list(table.values()), dtype=float))
        for marker, table in frequencies.items()
    }
    for profile in profiles:
        for marker in [m for m in profile if m not in loci]:
            profile.pop(marker)  # a marker the database lacks cannot be weighed: left out
        for marker, pair in profile.items():
            for allele in pair:
                if allele not in loci[marker].alleles:
                    loci[marker] = with_allele(loci[marker], allele)
    return loci


@transaction.atomic
def _store(run: MatchRun, case: Case, table: PairwiseTable | None) -> None:
    job_hold(run)
    outcomes: list[MatchOutcome] = []
    candidates: list[MatchCandidate] = []
    if table is None:
        table = PairwiseTable((), (), ())
    for remains_id, lrs in zip(table.remains, table.lr, strict=True):
        found = [
            (lr, int(family))
            for lr, (family, _member) in zip(lrs, table.missing, strict=True)
            if lr is not None
        ]
        outcomes.append(
            MatchOutcome(
                match_run=run,
                remains_case_id=int(remains_id),
                markers_typed=len(case.remains[remains_id]),
                families_compared=len(found),
                families_excluded=sum(1 for lr, _p in found if lr == 0),
            )
        )
        best = sorted((f for f in found if f[0] > 0), key=lambda f: -f[0])[:TOP_CANDIDATES]
        candidates += [
            MatchCandidate(
                match_run=run,
                remains_case_id=int(remains_id),
                person_id=person,
                log10_lr=math.log10(lr),
                rank=rank,
            )
            for rank, (lr, person) in enumerate(best, start=1)
        ]
    MatchOutcome.objects.bulk_create(outcomes)
    MatchCandidate.objects.bulk_create(candidates)
    audit_bulk_created(candidates, user=run.requested_by)
    MatchRun.objects.filter(pk=run.pk).update(
        status=JobStatus.DONE,
        progress=100,
        stage=gettext_noop("Done"),
        finished_at=timezone.now(),
        remains_compared=len(outcomes),
        families_compared=len(case.families),
    )
