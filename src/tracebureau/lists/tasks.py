"""Background jobs of this app, run by the task worker (`tracebureau worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def reconcile(reconciliation_id: int) -> str:
    from tracebureau.lists.reconcile import reconciliation_run

    return reconciliation_run(reconciliation_id)
