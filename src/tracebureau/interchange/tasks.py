"""Background jobs of this app, run by the task worker (`tracebureau worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_file(import_job_id: int) -> str:
    from tracebureau.interchange.import_jobs import import_job_run

    return import_job_run(import_job_id)
