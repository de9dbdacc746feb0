"""An import committed by the task worker: the same outcomes as one run in the request, a
cancelled one commits nothing, and one whose worker died is run again and imports once."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tracebureau.core import jobs
from tracebureau.core.choices import JobStatus
from tracebureau.interchange import import_jobs, services
from tracebureau.interchange.choices import ImportFormat
from tracebureau.interchange.models import ExternalRecord, Import, ImportJob
from tracebureau.interchange.tests.test_persons_import import HEADER, ROWS, run
from tracebureau.registry.models import Person

pytestmark = pytest.mark.django_db

MAPPING = {
    "record_id": "ID",
    "family_name": "Прізвище",
    "given_names": "Ім'я",
    "patronymic": "По батькові",
    "birth_date": "Дата народження",
    "sex": "Стать",
    "service_number": "Особистий номер",
    "rank": "Звання",
}


def queue(scenario: Any, content: bytes = (HEADER + ROWS).encode()) -> ImportJob:
    """The job as the review page queues it, with what `run` passes to the import."""
    return services.import_job_start(
        format=ImportFormat.PERSONS,
        file_name="registry.csv",
        content=content,
        options={
            "mapping": MAPPING,
            "system": "Registry of the MoD",
            "source": scenario.intel.pk,
            "category": "missing",
            "side": "own",
            "classification": "restricted",
        },
        by=scenario.by,
    )


def without_id(outcome: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outcome.items() if k != "person_id"}


def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_worker_imports_what_the_dry_run_showed(scenario, django_capture_on_commit_callbacks):
    known = scenario.person("Шевченко", "Тарас", service_number="ZS-100001", rank="сержант")
    dry = run(scenario, (HEADER + ROWS).encode(), dry_run=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = queue(scenario)
    job.refresh_from_db()
    assert (job.status, job.progress, job.stage, job.attempt) == (JobStatus.DONE, 100, "Done", 1)
    done = Import.objects.get()
    assert job.result == done and done.by == scenario.by and done.system == "Registry of the MoD"
    assert done.summary == dry.counts == {"conflict": 1, "create": 1}
    # The same outcomes, but for the ids of new persons: PostgreSQL does not roll back sequences.
    assert [without_id(o) for o in done.outcomes] == [without_id(dataclasses.asdict(o)) for o in dry.outcomes]
    assert done.outcomes[0]["person_id"] == known.pk
    assert Person.objects.filter(family_name="Коваленко").count() == 1
    assert Person.objects.get(pk=known.pk).rank == "сержант"  # a conflict keeps the registry's value
    assert ExternalRecord.objects.filter(imported_in=done).count() == 2


def test_the_review_page_queues_the_import_and_its_page_follows_it(
    scenario, case_officer, django_capture_on_commit_callbacks
):
    client = web(case_officer)
    upload = SimpleUploadedFile("registry.csv", (HEADER + ROWS).encode(), content_type="text/csv")
    client.post(
        "/interchange/persons/",
        {"file": upload, "system": "MoD registry", "source": scenario.intel.pk, "category": "missing",
         "side": "own", "classification": "restricted"},
    )
    mapping = client.get("/interchange/persons/review/").context["form"].initial
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/interchange/persons/review/", {**mapping, "action": "commit"})
    job = ImportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/interchange/imports/jobs/{job.pk}/"
    page = client.get(answer["Location"]).content.decode()
    assert "Imported registry.csv: 2 new." in page
    assert f'href="/interchange/imports/{Import.objects.get().pk}/"' in page
    assert "Cancel the import" not in page
    progress = client.get(f"/interchange/imports/jobs/{job.pk}/progress.json").json()
    assert (progress["status"], progress["progress"], progress["finished"]) == ("done", 100, True)
    assert client.get("/interchange/persons/review/").status_code == 302  # the staged file is gone


def test_a_pfif_file_is_committed_by_the_worker(scenario, case_officer, django_capture_on_commit_callbacks):
    from tracebureau.interchange.tests.test_pfif import NOTE, PERSON, pfif

    upload = SimpleUploadedFile("pfif.xml", pfif(PERSON, NOTE), content_type="application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        answer = web(case_officer).post("/interchange/pfif/", {"file": upload})
    job = ImportJob.objects.get()
    assert answer["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.format, job.result.format) == (JobStatus.DONE, "pfif", "pfif")


def test_a_cancelled_import_commits_nothing(scenario, case_officer, django_capture_on_commit_callbacks):
    job = queue(scenario)  # its transaction has not committed: nobody runs it yet
    page = web(case_officer).get(job.get_absolute_url()).content.decode()
    assert "Cancel the import" in page
    answer = web(case_officer).post(job.get_absolute_url(), {"action": "cancel"}, follow=True)
    assert "Import cancelled: nothing of the file was committed." in answer.content.decode()
    assert import_jobs.import_job_run(job.pk) == JobStatus.CANCELLED
    job.refresh_from_db()
    assert (job.status, job.result) == (JobStatus.CANCELLED, None)
    assert not Import.objects.exists() and not Person.objects.filter(family_name="Коваленко").exists()


def test_an_import_cancelled_while_it_runs_commits_nothing(scenario, monkeypatch):
    job = queue(scenario)
    real = jobs.OutsideReporter.__call__

    def cancelled_midway(self: Any, stage: str, percent: float) -> None:
        # The other tab's "Cancel", once the worker has started. (One made while the rows are
        # written comes from another connection, which a test's one transaction cannot be; the
        # worker sees it at its next report, or in job_hold at the latest.)
        if stage == "Reading the file":
            services.import_job_cancel(job=job, by=scenario.by)
        real(self, stage, percent)

    monkeypatch.setattr(jobs.OutsideReporter, "__call__", cancelled_midway)
    assert import_jobs.import_job_run(job.pk) == JobStatus.CANCELLED
    assert not Import.objects.exists() and not ExternalRecord.objects.exists()
    assert not Person.objects.filter(family_name="Коваленко").exists()


def test_a_file_with_problems_fails_the_job_and_says_where(scenario):
    job = queue(scenario, (HEADER + "A-1;;Тарас;;;;;\n").encode())
    assert import_jobs.import_job_run(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error.startswith("FileRefused: Row 2") and not Import.objects.exists()


def test_another_importer_cannot_see_or_cancel_ones_job(scenario, case_officer, analyst):
    job = queue(scenario)
    assert web(analyst).get(job.get_absolute_url()).status_code == 404
    assert web(analyst).post(job.get_absolute_url(), {"action": "cancel"}).status_code == 404
    assert web(case_officer).get(job.get_absolute_url()).status_code == 200


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_import_whose_worker_died_is_run_again_and_imports_once(
    scenario, case_officer, django_capture_on_commit_callbacks
):
    job = queue(scenario)
    # What a worker killed in the middle of the import leaves: RUNNING, half-way, nothing written.
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=40, stage="Importing the records", started_at=timezone.now(),
        heartbeat_at=timezone.now(), worker=f"{socket.gethostname()}:{dead_pid()}",
    )
    page = web(case_officer).get(job.get_absolute_url()).content.decode()
    assert "The worker running this job has stopped." in page and "Run again" in page
    with django_capture_on_commit_callbacks(execute=True):
        recovered = jobs.jobs_recover()
    assert [(r.pk, r.attempt) for r in recovered] == [(job.pk, 2)]
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress) == (JobStatus.DONE, 2, 100)
    assert Import.objects.count() == 1 and job.result == Import.objects.get()
    assert Person.objects.filter(family_name="Коваленко").count() == 1
    assert ExternalRecord.objects.count() == 2
    assert jobs.jobs_recover() == []
    page = web(case_officer).get(job.get_absolute_url()).content.decode()
    assert "resumed (attempt 2)" in page and "Run again" not in page


def test_a_stale_attempt_writes_nothing(scenario):
    """Taken for dead while it was only slow: by the time it comes to commit, its row has moved
    on (queued again, or cancelled from another connection), and job_hold stops it."""
    job = queue(scenario)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker="other-host:1")
    stale = ImportJob.objects.get(pk=job.pk)
    assert jobs.job_requeue(job=stale)  # queued again (nothing runs it here: no on-commit)
    with pytest.raises(jobs.Cancelled):
        import_jobs._run(stale, lambda stage, percent: None)  # type: ignore[arg-type]
    assert not Import.objects.exists() and not ExternalRecord.objects.exists()
    assert not Person.objects.filter(family_name="Коваленко").exists()
