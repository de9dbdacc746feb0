"""`python -m benchmarks.distributed [--quick]`: each engine in one process, then on a Dask cluster.

The linkage run is the scale benchmark's 10k × 1M (its generator, read back from CSV as the
`link` command reads it); the kinship run is the kinship benchmark's 5,000 remains × 20,000
families. Each is computed once in this process and once on a LocalCluster of worker processes
(one per core unless `--workers` says otherwise), the answers are checked to be identical, and
REPORT.md and results.json are written beside this file (committed); `--quick` writes them under
benchmarks/distributed/quick/, which git ignores, unless `--out-dir` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import distributed
import numpy as np

from benchmarks.distributed.report import write_report
from benchmarks.kinship.generate import generate as generate_kinship
from benchmarks.linkage.generate import generate as generate_linkage
from benchmarks.linkage.machine import describe_machine
from tracebureau.engines.kinship import pairwise_lr_matrix
from tracebureau.engines.linkage import link, read_records_csv

HERE = Path(__file__).parent
FULL = {
    "list_size": 10_000,
    "registry_size": 1_000_000,
    "remains": 5_000,
    "families": 20_000,
    "chunk_pairs": 250_000,
    "rows_per_task": 500,
}
# Chunks small enough that even the CI size is cut into several of them.
QUICK = {
    "list_size": 1_000,
    "registry_size": 20_000,
    "remains": 200,
    "families": 800,
    "chunk_pairs": 20_000,
    "rows_per_task": 50,
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.distributed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI-sized run: 1,000 × 20,000 and 200 × 800")
    parser.add_argument("--seed", type=int, default=20260520)
    parser.add_argument("--list-size", type=int, help="linkage: rows of the list")
    parser.add_argument("--registry-size", type=int, help="linkage: records of the registry")
    parser.add_argument("--remains", type=int, help="kinship: remains in the batch")
    parser.add_argument("--families", type=int, help="kinship: families, one missing member each")
    parser.add_argument("--chunk-pairs", type=int, help="linkage: candidate pairs per task")
    parser.add_argument("--rows-per-task", type=int, help="kinship: remains rows per task")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--only", choices=("linkage", "kinship"), help="run one engine")
    parser.add_argument("--out-dir", type=Path, help="where REPORT.md, results.json and the data go")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.out_dir = args.out_dir or (HERE / "quick" if args.quick else HERE)
    return args


def say(message: str) -> None:
    print(f"[bench-distributed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(run: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = run()
    return answer, time.perf_counter() - started


def on_cluster(client: distributed.Client, run: Any) -> tuple[Any, float, int]:
    """The answer, the seconds and the number of tasks the workers ran."""
    with distributed.get_task_stream(client) as stream:
        answer, seconds = timed(run)
    return answer, seconds, len(stream.data)


def run_linkage(args: argparse.Namespace, client: distributed.Client) -> dict[str, Any]:
    say(f"linkage: generating {args.list_size:,} × {args.registry_size:,}")
    bench, generate_seconds = timed(
        lambda: generate_linkage(list_size=args.list_size, registry_size=args.registry_size, seed=args.seed)
    )
    data = args.out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    bench.people_list.to_csv(data / "list.csv", index=False)
    bench.registry.to_csv(data / "registry.csv", index=False)
    left, right = read_records_csv(data / "list.csv"), read_records_csv(data / "registry.csv")
    say("linkage: one process")
    here, one_process = timed(lambda: link(left, right))
    say("linkage: on the cluster")
    there, cluster_seconds, tasks = on_cluster(
        client, lambda: link(left, right, scheduler=client, chunk_pairs=args.chunk_pairs)
    )
    return {
        "list_size": args.list_size,
        "registry_size": args.registry_size,
        "generate_seconds": generate_seconds,
        "chunk_pairs": args.chunk_pairs,
        "tasks": tasks,
        "matches": len(here),
        "identical": here == there,
        "one_process_seconds": one_process,
        "cluster_seconds": cluster_seconds,
        "ratio": cluster_seconds / one_process,
    }


def run_kinship(args: argparse.Namespace, client: distributed.Client) -> dict[str, Any]:
    say(f"kinship: generating {args.remains:,} remains × {args.families:,} families")
    bench, generate_seconds = timed(
        lambda: generate_kinship(remains=args.remains, families=args.families, true_share=0.4, seed=args.seed)
    )
    say("kinship: one process")
    (_, _, here), one_process = timed(lambda: pairwise_lr_matrix(case=bench.case))
    say("kinship: on the cluster")
    (_, _, there), cluster_seconds, tasks = on_cluster(
        client,
        lambda: pairwise_lr_matrix(case=bench.case, scheduler=client, rows_per_task=args.rows_per_task),
    )
    return {
        "remains": args.remains,
        "families": args.families,
        "markers": len(bench.case.loci),
        "generate_seconds": generate_seconds,
        "rows_per_task": args.rows_per_task,
        "tasks": tasks,
        "shape": list(here.shape),
        "identical": bool(np.array_equal(here, there, equal_nan=True)),
        "one_process_seconds": one_process,
        "cluster_seconds": cluster_seconds,
        "ratio": cluster_seconds / one_process,
    }


class LoadWatch:
    """The machine's 1-minute load average every few seconds while the run lasts: above the core
    count, something else was running too, and the report says its timings are noisy."""

    def __init__(self, every: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(every,), daemon=True)

    def _sample(self, every: float) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(every)

    def __enter__(self) -> LoadWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": describe_machine(), "quick": args.quick, "workers": args.workers}
    results["machine"]["cpu_count"] = os.cpu_count()
    results["machine"]["versions"]["distributed"] = distributed.__version__
    say(f"starting a LocalCluster of {args.workers} worker processes")
    started = time.perf_counter()
    with (
        LoadWatch() as load,
        distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        results["cluster_start_seconds"] = time.perf_counter() - started
        for name, run in (("linkage", run_linkage), ("kinship", run_kinship)):
            if args.only in (None, name):
                results[name] = run(args, client)
                say(f"{name}: {json.dumps(results[name])}")
    results["load_average_1min"] = {"max": max(load.samples), "mean": sum(load.samples) / len(load.samples)}
    (args.out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_report(results, args.out_dir / "REPORT.md")
    say(f"wrote {args.out_dir / 'REPORT.md'}")
    identical = all(results[name]["identical"] for name in ("linkage", "kinship") if name in results)
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
