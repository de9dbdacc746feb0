"""`python -m benchmarks.kinship.child DIR [WORKERS]`: the pairwise matrix of DIR/bench.pkl.

Run by the harness in a child process pinned to two cores, so that its wall time and peak
memory (read by the parent with `os.wait4`) are those of this work alone. It writes DIR/matrix.json:
the time of `pairwise_lr_matrix` itself, the accuracy figures (computed here, so the 5,000 × 20,000
matrix never leaves this process) and the LRs of the sampled pairs that the parent checks against
the exact per-pair path.
"""

from __future__ import annotations

import json
import math
import pickle
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from tracebureau.engines.kinship import batch, pairwise_lr_matrix

#: LR at or above which a pair counts as identified (dvir's default for "undisputed").
IDENTIFIED = 10_000.0
#: LR at or below which a pair is, in practice, an exclusion (under a mutation model none is 0).
PRACTICALLY_EXCLUDED = 1e-6
ROWS = 256  # remains scanned at once for the accuracy figures, to keep the extra memory small


def accuracy(lr: np.ndarray, remains: tuple[str, ...], columns: tuple, truth: dict) -> dict[str, Any]:
    """Of the true pairs: how many reach IDENTIFIED, are excluded, and rank first in their row;
    of the false pairs: the highest LR, how many reach IDENTIFIED, how many are excluded."""
    column_of = {member: j for j, (_, member) in enumerate(columns)}
    true_rows = np.array([i for i, r in enumerate(remains) if r in truth], dtype=np.intp)
    true_cols = np.array([column_of[truth[remains[i]][1]] for i in true_rows], dtype=np.intp)
    true_lr = lr[true_rows, true_cols]
    best = np.array([np.nanargmax(np.nan_to_num(lr[i], nan=-1.0)) for i in true_rows], dtype=np.intp)
    false_max, false_identified, false_excluded, false_below, false_pairs = 0.0, 0, 0, 0, 0
    for start in range(0, len(remains), ROWS):
        block = lr[start : start + ROWS].copy()
        inside = (true_rows >= start) & (true_rows < start + ROWS)
        block[true_rows[inside] - start, true_cols[inside]] = np.nan
        valid = ~np.isnan(block)
        false_pairs += int(valid.sum())
        false_max = max(false_max, float(np.max(block, where=valid, initial=0.0)))
        false_identified += int(np.sum(block >= IDENTIFIED))
        false_excluded += int(np.sum(block == 0))
        false_below += int(np.sum(block <= PRACTICALLY_EXCLUDED))
    log10 = np.log10(np.maximum(true_lr, 1e-300))
    return {
        "true_pairs": len(true_rows),
        "true_identified": int(np.sum(true_lr >= IDENTIFIED)),
        "true_identified_share": float(np.mean(true_lr >= IDENTIFIED)) if len(true_lr) else math.nan,
        "true_excluded": int(np.sum(true_lr == 0)),
        "true_ranked_first": int(np.sum(best == true_cols)),
        "true_log10_lr_quartiles": [float(q) for q in np.percentile(log10, [25, 50, 75])]
        if len(log10)
        else [],
        "false_pairs": false_pairs,
        "false_max_lr": false_max,
        "false_identified": false_identified,
        "false_excluded": false_excluded,
        "false_below": false_below,
    }


def timed(module: Any, name: str) -> list[float]:
    """Wrap `module.name` so that the seconds it takes are added to the returned list's one entry:
    how the matrix's time splits into computing the LR tables and gathering from them."""
    spent = [0.0]
    function = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    setattr(module, name, wrapper)
    return spent


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    workers = int(argv[1]) if len(argv) > 1 else 1
    started = time.perf_counter()
    with (folder / "bench.pkl").open("rb") as file:
        bench, sample = pickle.load(file)
    loaded = time.perf_counter()
    tables = timed(batch, "_lookups")
    remains, columns, lr = pairwise_lr_matrix(case=bench.case, workers=workers)
    computed = time.perf_counter()
    figures = {
        "load_seconds": loaded - started,
        "matrix_seconds": computed - loaded,
        "tables_seconds": tables[0],
        "workers_peak_memory_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "workers": workers,
        "shape": list(lr.shape),
        "accuracy": accuracy(lr, remains, columns, bench.truth),
        "sample": [float(lr[i, j]) for i, j in sample],
    }
    (folder / "matrix.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
