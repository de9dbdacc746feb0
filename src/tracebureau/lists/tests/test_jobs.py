"""A reconciliation whose worker died is run again, once, as its next attempt (core.jobs); a
stale attempt writes nothing. The real worker killed mid-job: tests/jobs/test_worker_crash.py."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tracebureau.audit.models import AuditEntry
from tracebureau.core import jobs
from tracebureau.core.models import User
from tracebureau.lists import reconcile
from tracebureau.lists.choices import JobStatus
from tracebureau.lists.models import Candidate, IncomingList, Reconciliation
from tracebureau.lists.tests.conftest import upload

HOST = socket.gethostname()


def dead_pid() -> int:
    """The number of a process of this machine that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def killed_mid_job(incoming: IncomingList, by: User, **fields: Any) -> Reconciliation:
    """What a worker killed in the middle of the job leaves: RUNNING, half-way, no candidates."""
    fields.setdefault("worker", f"{HOST}:{dead_pid()}")
    return Reconciliation.objects.create(
        incoming_list=incoming,
        requested_by=by,
        status=JobStatus.RUNNING,
        progress=40,
        stage="compare",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def unmatched_list(analyst: User, registry: Any) -> IncomingList:
    return upload(analyst, registry, reconcile=False)


def test_it_runs_again_a_job_whose_worker_died(
    analyst: User, unmatched_list: IncomingList, django_capture_on_commit_callbacks: Any
) -> None:
    job = killed_mid_job(unmatched_list, analyst)
    with django_capture_on_commit_callbacks(execute=True):
        recovered = jobs.jobs_recover()
    assert [(r.pk, r.attempt) for r in recovered] == [(job.pk, 2)]
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress) == (JobStatus.DONE, 2, 100)
    assert job.interrupted_at is not None
    # The stand-in engine's answers, once each: Kozatskyi's row finds him, Shevchenko's finds him.
    found = list(Candidate.objects.filter(row__number=2).values_list("person__family_name", "rank"))
    assert found == [("Козацький", 1)]
    assert Candidate.objects.filter(reconciliation=job).count() == Candidate.objects.count() == 2
    entry = AuditEntry.objects.get(
        object_type="lists.Reconciliation", object_id=str(job.pk), reason__startswith="job interrupted"
    )
    assert (entry.action, entry.surface, entry.detail["attempt"]) == ("update", "system", 1)
    assert jobs.jobs_recover() == []  # done: nothing left to recover


def test_it_leaves_a_live_worker_alone_and_takes_a_silent_one_for_dead(
    analyst: User, unmatched_list: IncomingList
) -> None:
    job = killed_mid_job(unmatched_list, analyst, worker=f"{HOST}:{os.getppid()}")
    assert not job.abandoned  # its process runs on this machine, however long it has been silent
    elsewhere = killed_mid_job(unmatched_list, analyst, worker="other-host:1234")
    assert not elsewhere.abandoned
    assert jobs.is_abandoned(elsewhere, now=timezone.now() + dt.timedelta(seconds=901))


def test_a_stale_attempt_writes_nothing(analyst: User, unmatched_list: IncomingList) -> None:
    job = killed_mid_job(unmatched_list, analyst)
    stale = Reconciliation.objects.get(pk=job.pk)
    assert jobs.job_requeue(job=job)  # queued again (nothing runs it here: no on-commit)
    with pytest.raises(jobs.Cancelled):
        jobs.Reporter(stale)("compare", 50)
    with pytest.raises(jobs.Cancelled):
        reconcile._store(stale, unmatched_list, [("1", "1", 0.9, [])])
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress) == (JobStatus.QUEUED, 2, 0)
    assert not Candidate.objects.exists()
    assert not jobs.job_requeue(job=stale)  # a second recovery of the same attempt does nothing


def test_it_gives_up_after_the_last_attempt(
    analyst: User, unmatched_list: IncomingList, settings: Any
) -> None:
    settings.TRACEBUREAU_JOB_MAX_ATTEMPTS = 2
    job = killed_mid_job(unmatched_list, analyst, attempt=2)
    [failed] = jobs.jobs_recover()
    assert failed.pk == job.pk
    assert (failed.status, failed.attempt, failed.stage) == (
        JobStatus.FAILED,
        2,
        "Interrupted too often; not tried again",
    )
    assert failed.finished_at is not None and not Candidate.objects.exists()


def test_the_list_page_offers_to_run_again_and_says_which_attempt(
    analyst: User, unmatched_list: IncomingList, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    job = killed_mid_job(unmatched_list, analyst)
    client = Client()
    client.force_login(analyst)
    page = client.get(f"/lists/{unmatched_list.pk}/").content.decode()
    assert "The worker running this job has stopped." in page and "Run again" in page
    assert client.get(f"/lists/{unmatched_list.pk}/progress.json").json()["abandoned"] is True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lists/{unmatched_list.pk}/reconcile/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.DONE, 2)
    assert unmatched_list.reconciliations.count() == 1  # the same job, run again
    page = client.get(f"/lists/{unmatched_list.pk}/").content.decode()
    assert "Interrupted when its worker stopped; resumed (attempt 2)." in page
    assert "Run again" not in page


def test_the_registry_is_read_as_its_reader_may_see_it(scenario: Any, analyst: User) -> None:
    person = scenario.person("Мельник", "Олег", call_sign="Сокіл", birth_year=1990, birth_month=3)
    hidden = scenario.person("Ткач", "Іван", classification="confidential")
    liaison = User.objects.create_user("liaison", roles=["family_liaison"], clearance="restricted")

    by_id = {r["id"]: r for r in reconcile.registry_records(analyst)}
    assert by_id[str(person.pk)] == reconcile.person_record(person)
    assert by_id[str(person.pk)]["call_sign"] == "Сокіл" and by_id[str(person.pk)]["birth_date"] == "1990-03"
    seen = {r["id"]: r for r in reconcile.registry_records(liaison)}
    assert seen[str(person.pk)]["call_sign"] == ""  # withheld from a family liaison, so not compared
    assert str(hidden.pk) not in seen
