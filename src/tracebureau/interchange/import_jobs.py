"""The import job: a file reviewed in the web pages (its dry run shown there), committed by the
task worker (tasks.import_file) rather than in the web request, which a list of thousands of
rows would hold for minutes.

The import writes everything in one transaction, and the job's DONE status in the same one
(`job_hold` first), so a worker killed at any moment leaves all of it or none; the next attempt
(core.jobs) imports the file from the beginning. Its progress is written over a connection of
its own (core.jobs.OutsideReporter), so that the job's page sees it while that transaction runs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tracebureau.core.choices import JobStatus
from tracebureau.core.jobs import OutsideReporter, Reporter, job_hold, run_job
from tracebureau.interchange.choices import ImportFormat
from tracebureau.interchange.models import ImportJob
from tracebureau.interchange.reports import ImportFailed, ImportReport, Progress
from tracebureau.timeline.selectors import sources_visible


class FileRefused(Exception):
    """The file had problems when the worker came to import it: nothing was committed. Its
    message is one problem a line, each with its place in the file."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("\n".join(str(p) for p in report.problems))


def import_job_run(import_job_id: int) -> str:
    """Run the job; returns the status it ended in."""
    return run_job(ImportJob, import_job_id, _run, reporter=OutsideReporter)


def _run(job: ImportJob, report: Reporter) -> None:
    report(gettext_noop("Reading the file"), 2)

    def progress(fraction: float) -> None:
        report(gettext_noop("Importing the records"), 5 + 90 * fraction)

    try:
        with transaction.atomic():
            done = IMPORTERS[job.format](job, bytes(job.content), progress)
            job_hold(job)
            ImportJob.objects.filter(pk=job.pk).update(
                status=JobStatus.DONE,
                progress=100,
                stage=gettext_noop("Done"),
                finished_at=timezone.now(),
                result_id=done.import_id,
            )
    except ImportFailed as failed:
        raise FileRefused(failed.report) from None


def _persons(job: ImportJob, content: bytes, progress: Progress) -> ImportReport:
    from tracebureau.interchange.persons import Defaults, persons_import

    options: dict[str, Any] = job.options
    return persons_import(
        content=content,
        file_name=job.file_name,
        mapping=options["mapping"],
        system=options["system"],
        source=sources_visible(user=job.requested_by).filter(pk=options["source"]).first(),
        by=job.requested_by,
        defaults=Defaults(options["category"], options["side"], options["classification"]),
        progress=progress,
    )


def _pfif(job: ImportJob, content: bytes, progress: Progress) -> ImportReport:
    from tracebureau.interchange.pfif import pfif_import

    return pfif_import(content=content, file_name=job.file_name, by=job.requested_by, progress=progress)


IMPORTERS = {ImportFormat.PERSONS.value: _persons, ImportFormat.PFIF.value: _pfif}
