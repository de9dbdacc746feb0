"""`python -m benchmarks.kinship [--quick]`: run the kinship benchmark and write the report.

The full run (5,000 remains × 20,000 families × 23 markers) rewrites REPORT.md and results.json
beside this file (they are committed); `--quick` writes them under benchmarks/kinship/quick/,
which git ignores, unless `--out-dir` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.kinship.generate import SHAPES, Bench, generate, generate_joint
from benchmarks.kinship.report import write_report
from benchmarks.linkage.machine import describe_machine
from tracebureau.engines.kinship import identification_power, joint_identification, pairwise_table

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CORES = 2
FULL = {"remains": 5_000, "families": 20_000, "true": 2_000, "sample": 20}
QUICK = {"remains": 200, "families": 800, "true": 80, "sample": 8}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kinship", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI-sized run: 200 remains × 800 families")
    parser.add_argument("--seed", type=int, default=20260520)
    parser.add_argument("--remains", type=int, help="remains in the batch")
    parser.add_argument("--families", type=int, help="families, one missing member each")
    parser.add_argument("--true", type=int, help="remains that are truly some family's missing member")
    parser.add_argument(
        "--sample", type=int, help="remains and families sampled for the exact path (n × n pairs)"
    )
    parser.add_argument("--workers", type=int, default=CORES, help="processes computing the LR tables")
    parser.add_argument("--timeout", type=float, default=1800, help="kill the matrix run after this (s)")
    parser.add_argument("--out-dir", type=Path, help="where REPORT.md, results.json and the data go")
    args = parser.parse_args(argv)
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.out_dir = args.out_dir or (HERE / "quick" if args.quick else HERE)
    return args


def say(message: str) -> None:
    print(f"[bench-kinship {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sample_pairs(bench: Bench, size: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """`size` remains, half of them true, and `size` families including those true ones' own."""
    true = sorted(bench.truth)
    others = sorted(set(bench.case.remains) - set(true))
    remains = list(rng.choice(true, size=min(size // 2, len(true)), replace=False))
    remains += list(rng.choice(others, size=min(size - len(remains), len(others)), replace=False))
    families = sorted({bench.truth[r][0] for r in remains if r in bench.truth})
    rest = sorted(set(bench.case.families) - set(families))
    families += list(rng.choice(rest, size=max(size - len(families), 0), replace=False))
    return sorted(remains), sorted(families)


def measure(command: list[str], timeout: float) -> dict[str, Any]:
    """Run the command pinned to two cores: its wall time, exit code and peak memory (its own
    maximum resident set size, read with `os.wait4`)."""
    cores = sorted(os.sched_getaffinity(0))[:CORES]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, preexec_fn=lambda: os.sched_setaffinity(0, cores))
    error = ""
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            error = f"killed after {timeout:.0f} s"
            break
        time.sleep(0.05)
    return {
        "seconds": time.perf_counter() - started,
        "cores": cores,
        "returncode": os.waitstatus_to_exitcode(status),
        "peak_memory_bytes": usage.ru_maxrss * 1024,  # Linux reports kilobytes
        "error": error,
    }


def run_matrix(args: argparse.Namespace, bench: Bench) -> dict[str, Any]:
    """The matrix in a child process, then the exact per-pair path on a sample of its pairs."""
    rng = np.random.default_rng(args.seed + 1)
    remains, families = sample_pairs(bench, args.sample, rng)
    columns = [(f, m) for f, pedigree in bench.case.families.items() for m in pedigree.missing]
    row_of = {r: i for i, r in enumerate(bench.case.remains)}
    column_of = {f: j for j, (f, _) in enumerate(columns)}
    pairs = [(row_of[r], column_of[f]) for r in remains for f in families]
    data = args.out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    with (data / "bench.pkl").open("wb") as file:
        pickle.dump((bench, pairs), file)
    say(f"matrix {len(bench.case.remains)} × {len(columns)} in a child on {CORES} cores")
    command = [sys.executable, "-m", "benchmarks.kinship.child", str(data), str(args.workers)]
    result = measure(command, args.timeout)
    if result["returncode"] != 0:
        return result
    result |= json.loads((data / "matrix.json").read_text())
    say(f"exact per-pair path on {len(pairs)} sampled pairs")
    sub = replace(
        bench.case,
        families={f: bench.case.families[f] for f in families},
        remains={r: bench.case.remains[r] for r in remains},
    )
    started = time.perf_counter()
    exact = pairwise_table(case=sub)
    exact_seconds = time.perf_counter() - started
    exact_lr = [v for row in exact.lr for v in row]
    batch_lr = result.pop("sample")
    worst = max(
        (
            abs(b - e) / abs(e) if e else abs(b)
            for b, e in zip(batch_lr, exact_lr, strict=True)
            if e is not None
        ),
        default=0.0,
    )
    barred = sum(e is None for e in exact_lr)
    pairs_total = result["shape"][0] * result["shape"][1]
    result["peer"] = {
        "pairs": len(pairs),
        "sex_barred": barred,
        "exact_seconds": exact_seconds,
        "exact_per_pair_seconds": exact_seconds / len(pairs),
        "batch_per_pair_seconds": result["matrix_seconds"] / pairs_total,
        "max_relative_difference": worst,
        "nan_where_exact_is_none": all(
            (e is None) == (b != b) for b, e in zip(batch_lr, exact_lr, strict=True)
        ),
    }
    return result


def run_joint(args: argparse.Namespace, bench: Bench) -> dict[str, Any]:
    joint = generate_joint(seed=args.seed + 2, loci=bench.case.loci)
    say(f"joint: {len(joint.case.remains)} remains, 10 missing in {len(joint.case.families)} families")
    started = time.perf_counter()
    result = joint_identification(case=joint.case, top=5)
    seconds = time.perf_counter() - started
    truth = tuple(joint.truth[r][1] for r in result.remains)
    top = result.rows[0]
    return {
        "remains": len(joint.case.remains),
        "missing": sum(len(p.missing) for p in joint.case.families.values()),
        "families": {f: joint.shapes[f] for f in joint.case.families},
        "seconds": seconds,
        "assignments_walked": result.count,
        "undisputed": len(result.undisputed),
        "top_is_truth": top.assignment == truth,
        "top_posterior": top.posterior,
        "top_correct": sum(a == t for a, t in zip(top.assignment, truth, strict=True)),
        "truth_rank": next((k + 1 for k, row in enumerate(result.rows) if row.assignment == truth), None),
    }


def run_power(args: argparse.Namespace, bench: Bench) -> dict[str, Any]:
    """Identification power of the first family of each shape, with its actual references."""
    rng = np.random.default_rng(args.seed + 3)
    out = {}
    for shape in SHAPES:
        family = next(f for f, s in bench.shapes.items() if s == shape)
        pedigree = bench.case.families[family]
        power = identification_power(
            pedigree=pedigree,
            missing=pedigree.missing[0],
            references={p: bench.case.references[p] for p in pedigree.ids if p in bench.case.references},
            loci=bench.case.loci,
            rng=rng,
            draws=2_000,
            mutations=bench.case.mutations,
        )
        out[shape] = {"family": family, **power.__dict__}
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    machine = describe_machine()
    machine["engine_commit"] = machine.pop("engine_commit", "")
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "seed": args.seed,
        "machine": machine,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    say(f"generating {args.remains} remains and {args.families} families")
    started = time.perf_counter()
    bench = generate(
        remains=args.remains, families=args.families, true_share=args.true / args.remains, seed=args.seed
    )
    results["generate_seconds"] = time.perf_counter() - started
    results["case"] = {
        "remains": len(bench.case.remains),
        "families": len(bench.case.families),
        "references": len(bench.case.references),
        "true_remains": len(bench.truth),
        "markers": len(bench.case.loci),
        "alleles_per_marker": [len(locus.alleles) for locus in bench.case.loci.values()],
        "shapes": {s: sum(v == s for v in bench.shapes.values()) for s in SHAPES},
    }
    results["matrix"] = run_matrix(args, bench)
    results["joint"] = run_joint(args, bench)
    results["power"] = run_power(args, bench)
    (args.out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    write_report(results, args.out_dir / "REPORT.md")
    say(f"wrote {args.out_dir / 'REPORT.md'} and results.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
