"""Background jobs that survive a crash: reconciliations of lists, DNA match runs and imports
(every model that is a core.base.ResumableJob).

One attempt at a time holds a job's row. It claims the row (QUEUED -> RUNNING, with its worker
"host:pid"), and each progress report it writes is also its heartbeat. Every write an attempt
makes names its attempt number, so once the row has moved on (cancelled, or queued again after
its worker was taken for dead) a stale attempt changes nothing and stops at its next report.

A job writes its results in one transaction together with its DONE status (`job_hold` first),
so a worker killed at any moment leaves all of them or none. The next attempt starts from the
beginning; the engines are deterministic, so it finds the same results.

`jobs_recover` finds the jobs whose worker is dead (its process is gone from this machine, or
it has been silent for TRACEBUREAU_JOB_STALE_AFTER seconds), marks them interrupted and queues
a new attempt, up to TRACEBUREAU_JOB_MAX_ATTEMPTS; `tracebureau worker` runs it as it starts,
`tracebureau jobs recover` on demand, and a job's page offers "Run again".
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from tracebureau.audit import context
from tracebureau.core.base import ResumableJob
from tracebureau.core.choices import FINISHED, JobStatus

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5
LOST_WORKER = "tracebureau.core.jobs.WorkerLost"


class Cancelled(Exception):
    """The job's row is no longer this attempt's to run (cancelled, or handed to a new attempt):
    stop at once, write nothing more."""


def worker_name() -> str:
    """This process as a job's row records it: "host:pid", at most 64 characters (the task
    queue's limit on a worker id)."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


class Reporter:
    """Writes progress (and with it the heartbeat) to the job's row, at most every
    PROGRESS_INTERVAL_S and at each new stage, and finds out there whether this attempt should
    go on."""

    def __init__(self, job: Any) -> None:
        self.job, self.stage, self.last = job, "", 0.0
        self.pause = settings.TRACEBUREAU_JOB_THROTTLE_MS / 1000

    def __call__(self, stage: str, percent: float) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < PROGRESS_INTERVAL_S:
            return
        self.stage, self.last = stage, now
        progress = max(0, min(100, int(percent)))
        if not self.write(stage=stage[:200], progress=progress, heartbeat_at=timezone.now()):
            raise Cancelled
        if self.pause:
            time.sleep(self.pause)

    def write(self, **fields: Any) -> bool:
        """Write the progress on the job's row; False when the row is no longer this attempt's."""
        return bool(_mine(self.job).update(**fields))

    def close(self) -> None:
        """Let go of what the reports held (OutsideReporter's connection)."""

    def engine(self, stage: str, fraction: float) -> None:
        self(stage, 10 + 80 * max(0.0, min(1.0, fraction)))


class OutsideReporter(Reporter):
    """A Reporter for a job that does its work inside one long transaction (an import): its
    progress is written over a connection of its own, so the job's page sees it before the
    transaction commits. SQLite has one writer at a time: there, progress written inside the
    transaction would wait for the transaction itself, so the job's row says nothing new until
    the end, and a cancellation is seen when the job comes to write its results (job_hold)."""

    def __init__(self, job: Any) -> None:
        super().__init__(job)
        self.outside: Any = None

    def write(self, **fields: Any) -> bool:
        if not connection.in_atomic_block:
            return super().write(**fields)
        if connection.vendor == "sqlite":
            return True
        if self.outside is None:
            self.outside = connections.create_connection(DEFAULT_DB_ALIAS)
        table, ops = connection.ops.quote_name(self.job._meta.db_table), self.outside.ops
        sets = ", ".join(f"{ops.quote_name(name)} = %s" for name in fields)
        values = [
            ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v for v in fields.values()
        ]
        with self.outside.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE id = %s AND status = %s AND attempt = %s",
                [*values, self.job.pk, JobStatus.RUNNING.value, self.job.attempt],
            )
            if cursor.rowcount:
                return True
            # Not this attempt's any more, or not to be seen from outside at all: a row written
            # in a transaction still open around the job's (only a test's does that).
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s", [self.job.pk])
            return cursor.fetchone() is None

    def close(self) -> None:
        if self.outside is not None:
            self.outside.close()
            self.outside = None


def _mine(job: Any) -> Any:
    """The job's row while it is still RUNNING in this attempt; empty once it has moved on."""
    return type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempt=job.attempt)


def job_hold(job: Any) -> None:
    """In the transaction that writes the job's results: lock its row, and stop unless it is
    still this attempt's, so a cancelled or superseded attempt writes nothing."""
    if not _mine(job).select_for_update().exists():
        raise Cancelled


def run_job(
    model: Any, job_id: int, work: Callable[[Any, Reporter], None], *, reporter: type[Reporter] = Reporter
) -> str:
    """Claim a queued job row of `model`, do `work(job, report)` as the user who asked for it,
    and leave the row done, failed (with the error) or cancelled; returns that status."""
    job = model.objects.select_related("requested_by").get(pk=job_id)
    claimed = model.objects.filter(pk=job.pk, status=JobStatus.QUEUED, attempt=job.attempt).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        worker=worker_name(),
        progress=0,
        stage=gettext_noop("Starting"),
        error="",
    )
    if not claimed:  # cancelled before it started, delivered twice, or an attempt superseded
        return job.status
    job.status = JobStatus.RUNNING
    report = reporter(job)
    try:
        with context.acting(surface="system", user=job.requested_by):
            work(job, report)
    except Cancelled:
        return model.objects.values_list("status", flat=True).get(pk=job.pk)
    except Exception as exc:
        logger.exception("%s %s failed", model._meta.verbose_name, job.pk)
        _mine(job).update(
            status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return JobStatus.FAILED
    finally:
        report.close()
    return JobStatus.DONE


# --- recovery ---------------------------------------------------------------------------------


def job_models() -> list[Any]:
    return [m for m in apps.get_models() if issubclass(m, ResumableJob)]


def process_gone(worker: str) -> bool:
    """Whether `worker` ("host:pid") is a process of this machine that no longer runs. A worker
    of another machine cannot be seen from here: only its silence tells (is_abandoned)."""
    host, _sep, pid_text = worker.rpartition(":")
    if host != socket.gethostname()[:50] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():  # its number was reused by this very process: the worker is gone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process has that number now
        return False
    # A killed child its parent has not yet collected still answers, as a zombie.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def is_abandoned(job: Any, *, now: dt.datetime | None = None) -> bool:
    """A RUNNING job whose worker is dead: gone from this machine, or silent for longer than
    TRACEBUREAU_JOB_STALE_AFTER seconds."""
    if job.status != JobStatus.RUNNING:
        return False
    if process_gone(job.worker):
        return True
    last_sign = job.heartbeat_at or job.started_at
    stale_after = dt.timedelta(seconds=settings.TRACEBUREAU_JOB_STALE_AFTER)
    return last_sign is None or last_sign < (now or timezone.now()) - stale_after


def _task_lost(job: Any, now: dt.datetime) -> bool:
    """A QUEUED job whose task a worker took from the queue and died with before it could claim
    the job's row: the queue's row stays RUNNING, and nobody runs the job."""
    task = _queue_row(job.task_id)
    if task is None or task.status != "RUNNING":
        return False
    worker = task.worker_ids[-1] if task.worker_ids else ""
    stale_after = dt.timedelta(seconds=settings.TRACEBUREAU_JOB_STALE_AFTER)
    return process_gone(worker) or task.started_at is None or task.started_at < now - stale_after


def _queue_row(task_id: str) -> Any:
    from django_tasks_db.models import DBTaskResult

    try:
        return DBTaskResult.objects.filter(pk=uuid.UUID(task_id)).first()
    except ValueError:  # not the database backend's (the tests' immediate backend)
        return None


def jobs_recover(*, now: dt.datetime | None = None) -> list[Any]:
    """Queue again every job whose worker died; returns them as they are now (queued again, or
    failed for good after TRACEBUREAU_JOB_MAX_ATTEMPTS attempts)."""
    now = now or timezone.now()
    recovered: list[Any] = []
    for model in job_models():
        for job in model.objects.exclude(status__in=FINISHED).order_by("pk"):
            lost = is_abandoned(job, now=now) if job.status == JobStatus.RUNNING else _task_lost(job, now)
            if lost and job_requeue(job=job):
                job.refresh_from_db()
                recovered.append(job)
    return recovered


def job_requeue(*, job: Any) -> bool:
    """Mark the job interrupted and queue its next attempt, or fail it for good once it has had
    TRACEBUREAU_JOB_MAX_ATTEMPTS. False if it moved on meanwhile (finished, or taken by another
    recovery). Its old attempt wrote nothing (see the module's docstring), so nothing is undone.
    """
    now = timezone.now()
    with transaction.atomic():
        same = type(job).objects.filter(pk=job.pk, status=job.status, attempt=job.attempt)
        if job.attempt >= settings.TRACEBUREAU_JOB_MAX_ATTEMPTS:
            moved = same.update(
                status=JobStatus.FAILED,
                stage=gettext_noop("Interrupted too often; not tried again"),
                interrupted_at=now,
                finished_at=now,
            )
        else:
            moved = same.update(
                status=JobStatus.QUEUED,
                attempt=F("attempt") + 1,
                stage=gettext_noop("Interrupted; queued again"),
                progress=0,
                worker="",
                heartbeat_at=None,
                interrupted_at=now,
            )
        if not moved:
            return False
        _audit(job, now)
        _close_queue_row(job.task_id, now)
        if job.attempt < settings.TRACEBUREAU_JOB_MAX_ATTEMPTS:
            transaction.on_commit(lambda: job_enqueue(type(job).objects.get(pk=job.pk)))
    logger.warning("%s %s: its worker %r is gone", type(job)._meta.verbose_name, job.pk, job.worker)
    return True


def _audit(job: Any, now: dt.datetime) -> None:
    from tracebureau.audit.choices import AuditAction
    from tracebureau.audit.services import audit_record

    audit_record(
        action=AuditAction.UPDATE,
        obj=job,
        surface="system",
        reason="job interrupted: its worker stopped",
        detail={"attempt": job.attempt, "worker": job.worker, "progress": job.progress},
    )


def _close_queue_row(task_id: str, now: dt.datetime) -> None:
    """The task queue's own row of the lost attempt: failed, so that it does not stay RUNNING."""
    task = _queue_row(task_id)
    if task is not None and task.status == "RUNNING":
        type(task).objects.filter(pk=task.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=now,
            exception_class_path=LOST_WORKER,
            traceback="The worker running this task stopped; the job was queued again.",
        )


def job_enqueue(job: Any) -> None:
    """Put the job's task in the queue, and remember the queue's id for it on the job's row."""
    result = import_string(job.task_path).enqueue(job.pk)
    # The immediate backend (tests) has run the job already; keep what it wrote.
    type(job).objects.filter(pk=job.pk).update(task_id=str(result.id))
