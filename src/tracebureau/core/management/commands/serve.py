"""`tracebureau serve`: run the web application for real use, under gunicorn, and the worker
that runs background jobs (`tracebureau worker`) beside it.

Static files need no collectstatic step: WhiteNoise serves them from the app folders
(WHITENOISE_USE_FINDERS). The process is replaced by gunicorn, so signals (Ctrl+C, a service
manager's stop) reach gunicorn directly.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

WSGI_APP = "tracebureau.wsgi:application"
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):(?P<port>\d{1,5})$")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def check_bind(bind: str) -> str:
    """host:port, [ipv6]:port or unix:/path, as gunicorn accepts it; a clear error otherwise."""
    if bind.startswith("unix:") and len(bind) > len("unix:"):
        return bind
    match = _HOST_PORT.match(bind)
    if not match or not 0 < int(match["port"]) < 65536:
        raise CommandError(f"--bind {bind!r} is not HOST:PORT (e.g. 127.0.0.1:8000) or unix:PATH.")
    return bind


def url_for(bind: str) -> str:
    if bind.startswith("unix:"):
        return bind
    host, port = bind.rsplit(":", 1)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{port}/"


def gunicorn_argv(*, bind: str, workers: int, threads: int, timeout: int) -> list[str]:
    """The gunicorn command: the script beside this Python, or `python -m gunicorn`."""
    script = Path(sys.executable).with_name("gunicorn")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]
    return [
        *head, WSGI_APP, "--bind", bind, "--workers", str(workers), "--threads", str(threads),
        "--timeout", str(timeout), "--access-logfile", "-", "--error-logfile", "-",
    ]


class Command(BaseCommand):
    help = "Run tracebureau under gunicorn (access log to standard output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT or unix:PATH")
        parser.add_argument("--workers", type=_positive, default=2, help="worker processes (default 2)")
        parser.add_argument("--threads", type=_positive, default=4, help="threads per worker (default 4)")
        parser.add_argument(
            "--timeout", type=_positive, default=60, help="seconds before a stuck worker is restarted"
        )
        parser.add_argument(
            "--no-task-worker", action="store_true",
            help="do not start the background job worker (run `tracebureau worker` yourself)",
        )

    def handle(
        self, *args: Any, bind: str, workers: int, threads: int, timeout: int, no_task_worker: bool = False,
        **options: Any,
    ) -> None:
        argv = gunicorn_argv(bind=check_bind(bind), workers=workers, threads=threads, timeout=timeout)
        if _unapplied_migrations():
            self.stderr.write("Warning: the database is not up to date; run `tracebureau migrate`.")
        # The workers must use the data directory this command resolved, whatever their cwd.
        os.environ["TRACEBUREAU_DATA_DIR"] = str(settings.DATA_DIR)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracebureau.settings")
        if not no_task_worker:
            start_task_worker()
        self.stdout.write(f"Serving tracebureau at {url_for(bind)} (Ctrl+C stops it)")
        self.stdout.flush()
        try:
            os.execvp(argv[0], argv)
        except OSError as exc:
            raise CommandError(f"Could not start gunicorn ({argv[0]}): {exc}") from exc


def _die_with_parent() -> None:
    """In the worker, before it starts: be stopped when the server (this process, once it has
    become gunicorn) ends, however it ends. Linux only; elsewhere stop the worker yourself."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_task_worker() -> subprocess.Popen[bytes]:
    """The background job worker, a child of this process: gunicorn replaces this process and
    keeps it as its child, and it stops when gunicorn stops."""
    return subprocess.Popen(
        [sys.executable, "-m", "tracebureau.cli", "worker", "--no-startup-delay"],
        preexec_fn=_die_with_parent,
    )


def _unapplied_migrations() -> bool:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except Exception:  # an unreachable database is gunicorn's workers' error to report
        return False
