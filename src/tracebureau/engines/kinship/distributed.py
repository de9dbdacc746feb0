"""The pairwise LR matrix on a Dask cluster.

The case goes to every worker once. Each marker's tables (the costly part: one pedigree
contraction per family shape) are computed on some worker and stay there; each block of remains
rows is then gathered on a worker from all the markers' tables, summing the markers in the same
order as in process, so every LR is the same float to the last bit. The blocks come back in
order, each freed on the cluster once copied into the matrix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from tracebureau.engines.cluster import Whole, results, share, spans, submit
from tracebureau.engines.kinship.batch import CHUNK, ROWS_PER_TASK, Columns, Lookup, lr_rows, marker_lookup
from tracebureau.engines.kinship.records import Case, Locus

if TYPE_CHECKING:
    from distributed import Client

Shared = Whole[tuple[Case, Columns, tuple[str, ...]]]


def lr_matrix_on_cluster(
    client: Client,
    *,
    case: Case,
    columns: Columns,
    remains: tuple[str, ...],
    chunk: int = CHUNK,
    rows: int = ROWS_PER_TASK,
) -> NDArray[np.float64]:
    """LR (remains × members) as `batch.pairwise_lr_matrix` computes it, on `client`'s workers."""
    shared = share(client, (case, columns, remains))
    lookups = [submit(client, _lookup, shared, locus) for locus in case.loci.values()]
    blocks = [
        submit(client, _rows, shared, lookups, start, stop, chunk)
        for start, stop in spans(len(remains), rows)
    ]
    lr = np.empty((len(remains), len(columns)))
    for (start, stop), block in zip(spans(len(remains), rows), results(blocks), strict=True):
        lr[start:stop] = block
    return lr


def _lookup(shared: Shared, locus: Locus) -> Lookup:
    case, columns, remains = shared.value
    return marker_lookup(case, columns, remains, locus)


def _rows(shared: Shared, lookups: list[Lookup], start: int, stop: int, chunk: int) -> NDArray[np.float64]:
    """Rows start:stop of the matrix: the lookups with only those remains' codes."""
    case, columns, remains = shared.value
    markers = [(tables, which, codes[start:stop]) for tables, which, codes in lookups]
    return lr_rows(case, columns, remains[start:stop], markers, chunk=chunk)
