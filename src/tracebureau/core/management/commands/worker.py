"""`tracebureau worker`: the background job worker (`db_worker` of django-tasks-db, with the
same options) that first recovers the jobs a dead worker left behind (core.jobs), and names
itself "host:pid" in the queue so that the next one can tell whether it is still alive."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from tracebureau.core.jobs import jobs_recover, worker_name


class Command(DatabaseWorker):
    help = "Run background jobs, after queueing again those whose worker died."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)

    def handle(self, *args: Any, **options: Any) -> None:
        options["worker_id"] = options["worker_id"] or worker_name()
        for job in jobs_recover():
            self.stdout.write(f"Recovered {job._meta.label} #{job.pk}: {job.status}, attempt {job.attempt}")
        super().handle(*args, **options)
