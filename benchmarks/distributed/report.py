"""REPORT.md from results.json: the same answers, and what the cluster cost or saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _gib(size: int) -> str:
    return f"{size / 2**30:.1f} GiB"


def _machine(results: dict[str, Any]) -> list[str]:
    machine = results["machine"]
    cores = machine["cpu_count"]
    lines = [
        "## The machine",
        "",
        f"{machine['cpu']}, **{cores} cores** ({machine['cores_usable']} usable), "
        f"{_gib(machine['memory_bytes'])}; "
        f"{machine['os']}, Python {machine['python']}, NumPy {machine['versions']['numpy']}, "
        f"distributed {machine['versions']['distributed']}; commit {machine['commit']}.",
        "",
        f"The cluster is a `distributed.LocalCluster` of {results['workers']} worker processes, one "
        f"thread each, on the same machine (started in {results['cluster_start_seconds']:.1f} s, "
        "not counted).",
    ]
    load = results.get("load_average_1min")
    if load and load["max"] > cores:
        lines += [
            "",
            f"Other work shared the machine during the run (1-minute load average up to {load['max']:.1f}, "
            f"mean {load['mean']:.1f}, on {cores} cores): the times are noisy, and both runs were "
            "slowed by it.",
        ]
    if cores <= 2:
        lines += [
            "",
            f"With only {cores} cores the cluster cannot beat one process by much, and may lose: the one "
            "process already uses both cores where NumPy and rapidfuzz can, and the cluster adds sending "
            "the inputs to every worker and the answers back. A ratio near or above 1 is expected here. "
            "What this run shows is that the answers are identical and how the work is cut; the gain "
            "comes with more machines or cores (a ratio of about 1 / workers for the part run on the "
            "cluster).",
        ]
    return lines


def _linkage(run: dict[str, Any]) -> list[str]:
    return [
        "## Linkage",
        "",
        f"`link` of a generated list of {run['list_size']:,} rows against a registry of "
        f"{run['registry_size']:,} (the scale benchmark's generator, read back from CSV; generated in "
        f"{run['generate_seconds']:.1f} s, not counted). On the cluster the candidate pairs are compared "
        f"{run['chunk_pairs']:,} to a task ({run['tasks']} tasks), both sides having been sent to every "
        "worker once. A comparison that fits in one chunk (at full size, the 200,000 random pairs that "
        "estimate u) stays in the calling process, as do normalising (the larger part of a run), "
        "blocking, training and scoring: only the comparisons can gain from more workers.",
        "",
        f"Matches: {run['matches']:,}; identical to the one-process run (same pairs, same "
        f"probabilities to the last bit, same order, same explanations): **{run['identical']}**.",
    ]


def _kinship(run: dict[str, Any]) -> list[str]:
    return [
        "## Kinship",
        "",
        f"`pairwise_lr_matrix` of {run['remains']:,} remains × {run['families']:,} families on "
        f"{run['markers']} markers (the kinship benchmark's generator; generated in "
        f"{run['generate_seconds']:.1f} s, not counted). "
        f"On the cluster each marker's LR tables are computed on a worker and each block of "
        f"{run['rows_per_task']:,} remains is gathered on one ({run['tasks']} tasks); the blocks, "
        f"{run['shape'][0] * run['shape'][1] * 8 / 1e6:,.0f} MB in all, come back to the calling process. "
        "The tables are computed on one BLAS thread in every process, in this one too, so that they "
        "are the same to the last bit wherever they are computed.",
        "",
        f"Matrix {run['shape'][0]:,} × {run['shape'][1]:,}; identical to the one-process run "
        f"(`np.array_equal`, NaN where the sexes bar a pair): **{run['identical']}**.",
    ]


def _table(results: dict[str, Any]) -> list[str]:
    lines = [
        "| engine | one process (s) | cluster (s) | ratio cluster / one process | identical |",
        "|---|---|---|---|---|",
    ]
    for name in ("linkage", "kinship"):
        if name in results:
            run = results[name]
            lines.append(
                f"| {name} | {run['one_process_seconds']:.1f} | {run['cluster_seconds']:.1f} | "
                f"{run['ratio']:.2f} | {run['identical']} |"
            )
    return lines


def write_report(results: dict[str, Any], path: Path) -> None:
    size = "CI size (`--quick`)" if results["quick"] else "full size"
    lines = [
        "# Distributed benchmark",
        "",
        f"Written by `make bench-distributed` (`python -m benchmarks.distributed`), {size}; the figures are "
        "in results.json. Each engine runs once in one process and once on a Dask cluster, and the two "
        "answers are compared.",
        "",
        *_table(results),
        "",
        *_machine(results),
    ]
    for name, section in (("linkage", _linkage), ("kinship", _kinship)):
        if name in results:
            lines += ["", *section(results[name])]
    path.write_text("\n".join(lines) + "\n")
