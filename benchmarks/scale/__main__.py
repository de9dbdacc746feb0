"""`python -m benchmarks.scale` (`make bench-scale`): the national-scale benchmark.

Against a PostgreSQL database holding a generated registry (`tracebureau generate-registry`):
1. the query plans of the hot paths (EXPLAIN ANALYZE of what each page really asks);
2. a load test from a second process on loopback: locust drives `tracebureau serve` (gunicorn)
   with staff searching, opening person pages and recording events while a list is
   reconciled by the job worker; then every acknowledged event is looked for in the database
   and the derived status of every person written to is checked against the events.
It writes benchmarks/scale/REPORT.md and results.json (--quick: a short run, written to
benchmarks/scale/quick/ for the harness). The load test is a benchmark, not a test: nothing
here fails on a time, only on errors it cannot measure through.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER_NICE = 10
WORKER_PRIORITY = ["nice", "-n", str(WORKER_NICE)]
# The server settings the plans depend on, quoted in the report.
POSTGRES_SETTINGS = (
    "shared_buffers",
    "effective_cache_size",
    "random_page_cost",
    "work_mem",
    "max_parallel_workers_per_gather",
    "autovacuum",  # where off, the generator's VACUUM is all a fresh registry gets
)
TARGETS = {"search": 200.0, "person page": 150.0}  # p95, milliseconds (the targets)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The scale benchmark runs against PostgreSQL: set DATABASE_URL (and load a registry with "
                 "`tracebureau generate-registry`).")  # fmt: skip
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracebureau.settings")
    import django

    django.setup()
    from benchmarks.scale import explain, report, setup
    from tracebureau.registry.models import Person

    persons = Person.objects.count()
    if persons < args.persons:
        sys.exit(f"The database holds {persons:,} persons; the benchmark wants {args.persons:,}. Run "
                 f"`tracebureau generate-registry --persons {args.persons - persons}` first.")  # fmt: skip
    out = HERE / "quick" if args.quick else HERE
    out.mkdir(exist_ok=True)
    _say(f"registry of {persons:,} persons; signing in {args.users} staff accounts")
    accounts = setup.accounts(args.users)
    sample = setup.samples()
    _say("explaining the hot paths")
    plans = explain.plans(session=accounts[0]["session"], sample=sample)
    from tracebureau.core.models import User

    list_id = None if args.no_job else setup.a_list_to_reconcile(by=User.objects.get(pk=accounts[0]["id"]))
    since = setup.last_event_id()
    plan_file = out / "load-plan.json"
    written_file = out / "written.json"
    plan_file.write_text(json.dumps({
        "accounts": accounts, "terms": sample["terms"], "persons": sample["persons"],
        "source": _source_id(), "wait": args.wait, "written": str(written_file),
    }))  # fmt: skip
    with _server(args) as base, _worker() as grouped:
        load = _locust(args, base, plan_file, out)
        # Before its worker is stopped.
        reconciliation = {"status": "none run"} if list_id is None else setup.reconciliation_state(list_id)
    plan_file.unlink()  # it holds live sessions and tokens
    accepted = json.loads(written_file.read_text())
    written_file.unlink()
    writes = setup.writes_counted(accounts=accounts, since=since, accepted=accepted)
    results = {
        "registry": _registry_counts(), "load": load, "targets": TARGETS, "writes": writes,
        "status_in_step": _status_in_step(accepted), "reconciliation": reconciliation,
        "plans": plans,
        "settings": {**vars(args), "worker_priority": WORKER_PRIORITY, "worker_autogroup": grouped},
        "machine": _machine(),
        "generator": _generator_log(args.generator_log),
    }  # fmt: skip
    # Variants are written beside the main report: the same load without the reconciliation,
    # or at another pace (--label).
    suffix = f"-{args.label}" if args.label else ("-no-job" if args.no_job else "")
    (out / f"results{suffix}.json").write_text(json.dumps(results, indent=1, default=str))
    if suffix:
        (out / f"REPORT{suffix}.md").write_text(report.markdown(results))
    _write_main_report(out)  # its table of the other runs includes this one
    _say(f"written {out / f'REPORT{suffix}.md'}")
    return 0


def _write_main_report(out: Path) -> None:
    from benchmarks.scale import report

    main = out / "results.json"
    if not main.exists():
        return
    variants = {path.name: json.loads(path.read_text()) for path in sorted(out.glob("results-*.json"))}
    (out / "REPORT.md").write_text(report.markdown(json.loads(main.read_text()), variants))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run for the harness")
    parser.add_argument("--persons", type=int, default=1_000_000, help="registry size required")
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated staff")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds at full concurrency")
    parser.add_argument(
        "--wait", type=float, nargs=2, default=[1.0, 2.0], help="seconds between one user's requests"
    )
    parser.add_argument("--no-job", action="store_true", help="no reconciliation during the load")
    parser.add_argument(
        "--label", type=lambda v: re.sub(r"[^a-z0-9-]", "", v.lower()),
        help="write REPORT-LABEL.md and results-LABEL.json instead of the main report",
    )  # fmt: skip
    parser.add_argument("--bind", default="127.0.0.1:8765")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--generator-log", type=Path, help="the generate-registry output to quote")
    return parser


def _say(text: str) -> None:
    print(f"[scale] {text}", file=sys.stderr, flush=True)


def _source_id() -> int:
    from tracebureau.timeline.models import Source

    return Source.objects.get(name="ICRC notifications (generated)").pk


@contextmanager
def _server(args: argparse.Namespace) -> Any:
    command = [sys.executable, "-m", "tracebureau.cli", "serve", "--bind", args.bind, "--workers",
               str(args.workers), "--threads", str(args.threads), "--no-task-worker"]  # fmt: skip
    server = _start(command)
    base = f"http://{args.bind}"
    try:
        _wait_until_up(f"{base}/accounts/login/", server)
        yield base
    finally:
        _stop(server)


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    # gunicorn closes an idle kept-alive connection after 2 s, shorter than a user's pause here;
    # a client reusing it then gets "connection reset" (behind nginx, nginx keeps them instead).
    env = {**os.environ, "GUNICORN_CMD_ARGS": "--keep-alive 5"}
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=env
    )


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # our own server on loopback
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url} within {seconds} s")


@contextmanager
def _worker() -> Any:
    """The job worker, at a lower priority than the web server, as an operator sharing a machine
    would run it: the reconciliation must not take the cores the staff are waiting on. Not
    Linux's idle class (chrt --idle): tried, it made pages wait seconds at a time, most likely
    for a lock the starved worker held (the audit chain's), where at nice 10 it never stops."""
    command = [*WORKER_PRIORITY, sys.executable, "-m", "tracebureau.cli", "worker"]
    worker = _start(command)
    try:
        yield _lower_autogroup(worker.pid)
    finally:
        _stop(worker)


def _lower_autogroup(pid: int) -> bool:
    """Give the worker's session the worker's nice. Linux puts each session in a scheduling group
    of its own (autogroup), and the groups share the cores equally whatever the nice of their
    members: started in its own session, the worker at nice 10 took as much CPU as the whole web
    server. A group's nice is set through /proc/PID/autogroup (sched(7)); where there is no
    autogroup, nice alone does it. Returns whether the group was set."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(WORKER_NICE))
    except OSError:
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Asked to stop, a worker finishes its job first; one still busy after 30 s is killed, and
    its job recovered by the next worker (core.jobs): that is what recovery is for."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


def _locust(args: argparse.Namespace, base: str, plan: Path, out: Path) -> dict[str, Any]:
    ramp = max(1, args.users // 10)
    prefix = out / "locust"
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "--users",
        str(args.users), "--spawn-rate", str(args.users / ramp), "--run-time", f"{args.seconds + ramp}s",
        "--reset-stats", "--host", base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
    ]  # fmt: skip
    _say(f"load: {args.users} users for {args.seconds} s (after {ramp} s of ramp-up)")
    env = {**os.environ, "TRACEBUREAU_LOAD_PLAN": str(plan)}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no statistics:\n{done.stderr[-3000:]}")
    with Path(f"{prefix}_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))
    with Path(f"{prefix}_failures.csv").open() as failures:
        errors = [{"request": r["Name"], "error": r["Error"][:300], "count": int(r["Occurrences"])}
                  for r in csv.DictReader(failures)]  # fmt: skip
    for suffix in ("_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv"):
        Path(f"{prefix}{suffix}").unlink(missing_ok=True)
    return {"requests": {row["Name"]: _figures(row) for row in rows}, "errors": errors}


def _figures(row: dict[str, str]) -> dict[str, Any]:
    """One row of locust's statistics. Its percentiles are read from rounded buckets (two
    significant figures above 100 ms), and a request never made has "N/A" for them."""
    number = lambda text: None if text in ("", "N/A") else float(text)  # noqa: E731
    return {
        "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
        "p50": number(row["50%"]), "p95": number(row["95%"]), "p99": number(row["99%"]),
        "mean": number(row["Average Response Time"]), "max": number(row["Max Response Time"]),
        "per_second": float(row["Requests/s"]),
    }  # fmt: skip


def _registry_counts() -> dict[str, int]:
    from tracebureau.registry.models import NameVariant, Person
    from tracebureau.timeline.models import Event, PersonStatus

    return {m.__name__: m.objects.count() for m in (Person, NameVariant, Event, PersonStatus)}


def _status_in_step(accepted: list[int]) -> dict[str, Any]:
    """The kept status of every person written to (and of the records they are merged into),
    field by field against what their events derive now."""
    from tracebureau.timeline.materialised import status_check
    from tracebureau.timeline.models import Event

    persons = set(Event.objects.filter(pk__in=accepted).values_list("person_id", flat=True))
    return {"persons_written_to": len(persons), "out_of_step": status_check(only=persons)}


def _machine() -> dict[str, Any]:
    from django.db import connection

    from benchmarks.linkage.machine import describe_machine

    tuned = {}
    with connection.cursor() as cursor:
        for name in ("server_version", *POSTGRES_SETTINGS):
            cursor.execute(f"SHOW {name}")
            tuned[name] = cursor.fetchone()[0]
    server = tuned.pop("server_version")
    return {
        **describe_machine(),
        "postgresql": server,
        "postgresql_settings": tuned,
        "load_average": os.getloadavg(),
    }


def _generator_log(path: Path | None) -> str:
    return path.read_text().strip() if path and path.exists() else ""


if __name__ == "__main__":
    sys.exit(main())
