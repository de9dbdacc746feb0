"""A match run whose worker died is run again as its next attempt, and writes its results
once: the same as a run never interrupted (core.jobs)."""

from __future__ import annotations

import socket
import subprocess
from typing import Any

from django.utils import timezone

from tracebureau.core import jobs
from tracebureau.core.models import User
from tracebureau.identification.models import MatchCandidate, MatchOutcome, MatchRun
from tracebureau.identification.tests.conftest import LOG10_LR_R1, Identification
from tracebureau.lists.choices import JobStatus


def test_a_match_run_whose_worker_died_is_run_again_once(
    world: Identification, first_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    process = subprocess.Popen(["true"])
    process.wait()  # a worker of this machine, ended
    run = MatchRun.objects.create(
        repatriation=world.batch,
        frequency_table=world.table,
        requested_by=first_officer,
        status=JobStatus.RUNNING,
        progress=10,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        worker=f"{socket.gethostname()}:{process.pid}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert [r.pk for r in jobs.jobs_recover()] == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.attempt, run.remains_compared) == (JobStatus.DONE, 2, 2), run.error
    # Once each, as the first run of the conftest's world finds them.
    assert MatchOutcome.objects.filter(match_run=run).count() == 2
    [candidate] = MatchCandidate.objects.filter(match_run=run)
    assert (candidate.person, candidate.remains_case.reference) == (world.son, "R-1")
    assert abs(candidate.log10_lr - LOG10_LR_R1) < 1e-12
