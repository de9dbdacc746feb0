"""A worker killed in the middle of a reconciliation loses nothing, and the job, recovered,
ends with exactly the candidates of a run that was never interrupted.

Everything runs as the bureau runs it: `tracebureau worker` processes against a database of
their own (a fresh SQLite file, or a throwaway PostgreSQL database beside the one DATABASE_URL
names), loaded through the services by seed.py. The first worker is throttled (each progress
report is followed by a pause) so that the test can see it in the middle of the job, without
depending on how fast the machine is.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

HERE = Path(__file__).resolve().parent
THROTTLE_MS = "1000"
TIMEOUT_S = 120


class Database:
    """The workers' database, and a plain connection to watch a job's row from outside."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = os.environ.get("DATABASE_URL", "")
        self.postgres = self.url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(self.url)
            self.name = f"{parts.path.lstrip('/') or 'tracebureau'}_crash_{os.getpid()}"
            self.server = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "TRACEBUREAU_DATA_DIR": str(self.data_dir)}
        env["DJANGO_SETTINGS_MODULE"] = "tracebureau.settings"
        env.pop("TRACEBUREAU_JOB_THROTTLE_MS", None)
        if self.postgres:
            env["DATABASE_URL"] = self.url
        else:
            env.pop("DATABASE_URL", None)  # the SQLite file in the data folder
        return {**env, **extra}

    def create(self) -> None:
        if self.postgres:
            self._server(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.postgres:
            self._server(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _server(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as connection:
            connection.execute(statement)

    def job_row(self, job_id: int) -> tuple[str, int, str]:
        """(status, progress, stage) of the reconciliation, read outside the application."""
        query = "SELECT status, progress, stage FROM lists_reconciliation WHERE id = "
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as connection:
                row = connection.execute(query + "%s", [job_id]).fetchone()
        else:
            path = self.data_dir / "tracebureau.sqlite3"
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20) as connection:
                row = connection.execute(query + "?", [job_id]).fetchone()
        assert row is not None
        return row[0], row[1], row[2]


def tracebureau(db: Database, *args: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tracebureau.cli", *args],
        env=db.env(**env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def shell(db: Database, script: str, **env: str) -> dict[str, Any]:
    """Run one of this folder's scripts in `tracebureau shell`; the JSON it printed last."""
    out = tracebureau(db, "shell", "--verbosity", "0", "--command", (HERE / script).read_text(), **env)
    return json.loads(out.strip().splitlines()[-1])


def worker(db: Database, log: Path, *extra: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracebureau.cli", "worker", "--no-startup-delay", "--interval=0.2", *extra],
        env=db.env(**env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_mid_job(db: Database, job_id: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the job's row until the worker is inside the engine: past reading, before saving."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        status, progress, _stage = db.job_row(job_id)
        if status == "running" and 5 < progress < 92:
            return
        assert status in ("queued", "running") and progress < 92, f"missed the middle: {status} {progress}"
        assert process.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError(f"the job never got going: {db.job_row(job_id)}\n{log.read_text()}")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path)
    db.create()
    try:
        tracebureau(db, "migrate", "--verbosity", "0")
        yield db
    finally:
        db.drop()


def test_it_resumes_a_reconciliation_whose_worker_was_killed(database: Database, tmp_path: Path) -> None:
    seeded = shell(database, "seed.py")
    job_id, log = seeded["job"], tmp_path / "worker.log"

    first = worker(database, log, TRACEBUREAU_JOB_THROTTLE_MS=THROTTLE_MS)
    try:
        wait_mid_job(database, job_id, first, log)
        first.send_signal(signal.SIGKILL)
    finally:
        first.kill()
        first.wait(timeout=30)

    # Killed in the middle: the job still says running, and not one candidate was written.
    killed = shell(database, "snapshot.py", LIST_ID=str(seeded["interrupted"]))
    assert (killed["status"], killed["attempt"], killed["candidates"]) == ("running", 1, [])
    assert killed["queue"] == [["RUNNING", ""]]  # the queue's row too: nobody will finish it

    recovered = tracebureau(database, "jobs", "recover")
    assert f"lists.Reconciliation #{job_id}: queued, attempt 2" in recovered
    assert "1 interrupted job(s) recovered." in recovered
    assert "0 interrupted job(s) recovered." in tracebureau(database, "jobs", "recover")  # once only

    # A new worker runs the job's second attempt, then the same list's uninterrupted run.
    shell(database, "start.py", LIST_ID=str(seeded["uninterrupted"]))
    second = worker(database, log, "--batch")
    assert second.wait(timeout=TIMEOUT_S) == 0, log.read_text()

    resumed = shell(database, "snapshot.py", LIST_ID=str(seeded["interrupted"]))
    reference = shell(database, "snapshot.py", LIST_ID=str(seeded["uninterrupted"]))
    assert (resumed["status"], resumed["attempt"], resumed["progress"]) == ("done", 2, 100)
    assert resumed["interrupted"] and resumed["interruptions_audited"] == 1
    assert (reference["status"], reference["attempt"], reference["interrupted"]) == ("done", 1, False)
    assert resumed["from_other_jobs"] == 0
    lost = "tracebureau.core.jobs.WorkerLost"
    assert resumed["queue"] == [["FAILED", lost], ["SUCCESSFUL", ""], ["SUCCESSFUL", ""]]
    assert len(reference["candidates"]) >= 20  # a real comparison, not two empty lists
    assert resumed["candidates"] == reference["candidates"]  # nothing lost, nothing twice
