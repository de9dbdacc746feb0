"""Background jobs of this app, run by the task worker (`tracebureau worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def match(run_id: int) -> str:
    from tracebureau.identification.matching import match_run_run

    return match_run_run(run_id)
