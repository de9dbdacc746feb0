"""REPORT.md from the raw figures: the targets of the issue first, then each part's tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MATRIX_SECONDS = 30.0
MATRIX_BYTES = 4 * 10**9
JOINT_SECONDS = 10.0  # "in seconds"
AGREEMENT = 1e-9


def _verdict(ok: bool | None) -> str:
    return {True: "**met**", False: "**not met**", None: "not measured"}[ok]


def targets(results: dict[str, Any]) -> list[str]:
    m, j = results["matrix"], results["joint"]
    failed = bool(m.get("error")) or m.get("returncode") != 0
    size = f"{results['case']['remains']:,} × {results['case']['families']:,} × {results['case']['markers']}"
    peer = m.get("peer", {})
    rows = [
        "| target | measured | verdict |",
        "|---|---|---|",
        f"| matrix {size} in ≤ {MATRIX_SECONDS:.0f} s on 2 cores (whole child process) | "
        f"{m['seconds']:.1f} s (`pairwise_lr_matrix` itself {m.get('matrix_seconds', float('nan')):.1f} s) | "
        f"{_verdict(None if failed else m['seconds'] <= MATRIX_SECONDS)} |",
        f"| peak memory ≤ 4 GB | {m['peak_memory_bytes'] / 1e9:.2f} GB | "
        f"{_verdict(None if failed else m['peak_memory_bytes'] <= MATRIX_BYTES)} |",
        f"| joint, {j['remains']} remains × {j['missing']} missing, in seconds | {j['seconds']:.2f} s | "
        f"{_verdict(j['seconds'] <= JOINT_SECONDS)} |",
        f"| joint's top assignment is the truth | {j['top_is_truth']} (posterior {j['top_posterior']:.4f}) | "
        f"{_verdict(j['top_is_truth'])} |",
    ]
    if peer:
        rows.append(
            f"| batch LRs equal the exact per-pair path to {AGREEMENT:g} relative ({peer['pairs']} pairs) | "
            f"max {peer['max_relative_difference']:.2e} | "
            f"{_verdict(peer['max_relative_difference'] <= AGREEMENT and peer['nan_where_exact_is_none'])} |"
        )
    return rows


def accuracy(results: dict[str, Any]) -> list[str]:
    a = results["matrix"].get("accuracy")
    if not a:
        return ["The matrix run failed: " + results["matrix"].get("error", "")]
    q = a["true_log10_lr_quartiles"]
    return [
        "| figure | value |",
        "|---|---|",
        f"| true pairs (remains that are some family's missing member) | {a['true_pairs']:,} |",
        f"| of them LR ≥ 10,000 | {a['true_identified']:,} ({a['true_identified_share']:.1%}) |",
        f"| of them ranked first in their remains' row | {a['true_ranked_first']:,} |",
        f"| of them excluded (LR 0) | {a['true_excluded']} |",
        f"| log10 LR of true pairs: quartiles | {q[0]:.1f} / {q[1]:.1f} / {q[2]:.1f} |" if q else "",
        f"| false pairs compared (sex-compatible) | {a['false_pairs']:,} |",
        f"| highest LR of any false pair | {a['false_max_lr']:.3g} |",
        f"| false pairs with LR ≥ 10,000 | {a['false_identified']:,} |",
        f"| false pairs with LR ≤ 10⁻⁶ (practically excluded) | {a.get('false_below', 0):,} |",
        f"| false pairs excluded (LR 0; none can be under a mutation model) | {a['false_excluded']:,} "
        f"({a['false_excluded'] / max(a['false_pairs'], 1):.2%}) |",
    ]


def peer(results: dict[str, Any]) -> list[str]:
    p = results["matrix"].get("peer")
    if not p:
        return ["Not run (the matrix run failed)."]
    ratio = p["exact_per_pair_seconds"] / p["batch_per_pair_seconds"]
    return [
        "No R on this machine, so pedprobr/dvir cannot run here; the peer is the engine's own exact",
        "per-pair path, `pairwise_table` (one pedigree likelihood per pair and marker, the semantics",
        "of dvir's `pairwiseLR()`, against whose published answers its tests check), on a sample of",
        f"{p['pairs']} pairs ({p['sex_barred']} of them barred by sex) of the same case.",
        "",
        "| path | seconds per pair |",
        "|---|---|",
        f"| exact `pairwise_table` | {p['exact_per_pair_seconds']:.3e} |",
        f"| batch `pairwise_lr_matrix` (whole matrix / its pairs) | {p['batch_per_pair_seconds']:.3e} |",
        "",
        f"Per pair the batch is **{ratio:,.0f}×** faster. Largest relative difference between the two on",
        f"the sample: **{p['max_relative_difference']:.2e}**; "
        f"sex-barred pairs agree: {p['nan_where_exact_is_none']}.",
    ]


def joint(results: dict[str, Any]) -> list[str]:
    j = results["joint"]
    lines = ["| family | shape |", "|---|---|"] + [f"| {f} | {s} |" for f, s in j["families"].items()]
    return [
        *lines,
        "",
        f"{j['remains']} remains, each truly one of the {j['missing']} missing persons. "
        f"`joint_identification` took **{j['seconds']:.2f} s**, fixing {j['undisputed']} undisputed "
        f"identifications first and walking {j['assignments_walked']:,} assignments. Top assignment: "
        f"{j['top_correct']} of {j['remains']} right, the truth ranked {j['truth_rank']}, "
        f"posterior {j['top_posterior']:.4f}.",
    ]


def power(results: dict[str, Any]) -> list[str]:
    rows = [
        "One family of each shape; P(LR ≥ 10⁴) and E[log10 LR] for its missing member, drawn from his",
        "predictive distribution given the family's actual references; then for an unrelated person.",
        "The stepwise mutation model makes every genotype possible, so no one is ever strictly excluded.",
        "",
        "| shape | family | P(LR ≥ 10⁴) | E[log10 LR] | unrelated excluded | unrelated LR ≥ 10⁴ |",
        "|---|---|---|---|---|---|",
    ]
    for shape, p in results["power"].items():
        rows.append(
            f"| {shape} | {p['family']} | {p['identified']:.3f} | {p['mean_log10_lr']:.1f} | "
            f"{p['excluded']:.3f} | {p['false_match']:.4f} |"
        )
    return rows


def machine(results: dict[str, Any]) -> list[str]:
    m = results["machine"]
    return [
        f"- CPU: {m['cpu']}, {m['cores_usable']} usable cores; memory {m['memory_bytes'] / 2**30:.1f} GiB",
        f"- {m['os']}, Python {m['python']}, NumPy {m['versions'].get('numpy')}",
        f"- commit {m['commit']}; run started {results['started']}; "
        f"mode {results['mode']}, seed {results['seed']}",
    ]


def history(results: dict[str, Any]) -> list[str]:
    """How the matrix came to meet its target: figures measured on this machine as the work went."""
    if results["mode"] != "full":
        return []
    return [
        "## Before and after",
        "",
        "Measured on this machine and this case (seed 20260520) while `batch.py` was reworked:",
        "",
        "| version | matrix wall time (2 cores) | peak RSS | where the time went |",
        "|---|---|---|---|",
        "| original `pairwise_table_batch` (one `member_genotype_table` per member and marker, "
        "a Python float per pair; one process) | ≈ 513 s, extrapolated linearly from 25.6 s for the "
        "first 1,000 families against all 5,000 remains | not measurable at full size: 100 M Python "
        "floats in tuples need > 3 GB alone | 460,000 pedigree computations, each ≈ 0.4–0.9 ms of "
        "Python and `np.einsum` path search |",
        "| tables shared by (shape, reference genotypes) — about 1 member in 4.5 needs its own — "
        "an LR array instead of tuples, gathers per block of members, 2 worker processes | 118.5 s | "
        "1.50 GB | about 101,000 `member_genotype_table` calls (profiled on a same-sized case of "
        "another seed): 85 % of the time, half of it in `np.einsum` path search and small einsums |",
        "| each shape's tables in one batched variable elimination (`predictive.shape_tables`) | "
        "28.8 s | 1.62 GB | tables 17.4 s (2 processes), gathers 8.3 s (one thread), loading 3 s |",
        "| this run: the gathers in 2 threads as well (NumPy releases the GIL while it gathers) | "
        f"{results['matrix']['seconds']:.1f} s | "
        f'{results["matrix"]["peak_memory_bytes"] / 1e9:.2f} GB | see "The matrix" above |',
        "",
    ]


def write_report(results: dict[str, Any], path: Path, notes: list[str] | None = None) -> None:
    c, m = results["case"], results["matrix"]
    shapes = ", ".join(f"{name} {count:,}" for name, count in c["shapes"].items())
    lines = [
        "# Kinship benchmark",
        "",
        "Written by `make bench-kinship` (`python -m benchmarks.kinship`); the figures are in results.json.",
        "",
        "## Targets",
        "",
        *targets(results),
        "",
        "## The case",
        "",
        f"{c['remains']:,} remains against {c['families']:,} families (one missing member each; "
        f"{c['references']:,} references) on {c['markers']} STR markers with "
        f"{min(c['alleles_per_marker'])}–{max(c['alleles_per_marker'])} alleles, stepwise mutation "
        f"(fathers 0.002, mothers 0.0007, range 0.5). {c['true_remains']:,} remains are truly some family's "
        "missing member, the rest unrelated; 10 % of references lack 1–4 markers and 15 % of remains 1–6. "
        f"Shapes: {shapes}. Generated with the engine's gene dropper in {results['generate_seconds']:.1f} s.",
        "",
        "## The matrix",
        "",
        f"`pairwise_lr_matrix` in a child process pinned to cores {m.get('cores')}, with "
        f"{m.get('workers', '?')} worker processes for the LR tables. Wall time of the whole child "
        f"(loading the pickled case included): {m['seconds']:.1f} s; `pairwise_lr_matrix` alone "
        f"{m.get('matrix_seconds', float('nan')):.1f} s, of which computing the LR tables "
        f"{m.get('tables_seconds', float('nan')):.1f} s and gathering the matrix from them the rest; "
        f"peak RSS {m['peak_memory_bytes'] / 1e9:.2f} GB (the largest worker process: "
        f"{m.get('workers_peak_memory_bytes', 0) / 1e9:.2f} GB more, much of it shared with the parent "
        "by fork).",
        "",
        *accuracy(results),
        "",
        "## Peer comparison",
        "",
        *peer(results),
        "",
        "## Joint identification",
        "",
        *joint(results),
        "",
        "## Identification power (simulated, 2,000 draws, given each family's actual references)",
        "",
        *power(results),
        "",
        *history(results),
        *(notes or []),
        "## Machine",
        "",
        *machine(results),
        "",
    ]
    path.write_text("\n".join(line for line in lines if line is not None) + "\n")
