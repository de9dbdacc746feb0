"""Comparing candidate pairs on a Dask cluster.

Blocking stays in process (it sorts whole columns, and is quick); the pairs it finds are cut
into chunks and each chunk is compared on a worker. A pair's levels depend on that pair alone,
so the chunks put back in order are the one-process comparison, bit for bit, and training and
scoring then run on them unchanged. Both sides and the vocabularies go to every worker once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tracebureau.engines.cluster import Whole, results, share, spans, submit
from tracebureau.engines.linkage.compare import Comparison, compare
from tracebureau.engines.linkage.prepare import Codes, Columns

if TYPE_CHECKING:
    from distributed import Client, Future

#: Candidate pairs compared in one task: large enough that sending a chunk's indices and
#: levels costs little next to comparing it, small enough to spread 10k × 1M over many workers.
CHUNK_PAIRS = 250_000


class ClusterComparer:
    """`compare` with the same arguments, its chunks run on `client`'s workers."""

    def __init__(self, client: Client, *, chunk_pairs: int = CHUNK_PAIRS) -> None:
        self._client = client
        self._chunk_pairs = chunk_pairs
        self._shared: dict[int, tuple[Any, Future[Whole[Any]]]] = {}

    def __call__(
        self, left: Columns, right: Columns, i: Codes, j: Codes, names: list[str], codes: list[str]
    ) -> Comparison:
        chunks = spans(len(i), self._chunk_pairs)
        if len(chunks) < 2:
            # One chunk gains nothing from the cluster and would cost sending both sides.
            return compare(left, right, i, j, names, codes)
        shared = [self._share(value) for value in (left, right, names, codes)]
        futures = [submit(self._client, _compare_chunk, *shared, i[a:b], j[a:b]) for a, b in chunks]
        return _concatenate(list(results(futures)))

    def _share(self, value: Any) -> Future[Whole[Any]]:
        """The value's future, scattered the first time it is asked for: a run compares the
        same sides twice (a random sample for u, then the candidates)."""
        known = self._shared.get(id(value))
        if known is None:
            # The value is kept with its future so that its id cannot be reused meanwhile.
            known = self._shared[id(value)] = (value, share(self._client, value))
        return known[1]


def _compare_chunk(
    left: Whole[Columns],
    right: Whole[Columns],
    names: Whole[list[str]],
    codes: Whole[list[str]],
    i: Codes,
    j: Codes,
) -> Comparison:
    return compare(left.value, right.value, i, j, names.value, codes.value)


def _concatenate(parts: list[Comparison]) -> Comparison:
    return Comparison(
        levels=np.concatenate([part.levels for part in parts]),
        name_values={
            field: np.concatenate([part.name_values[field] for part in parts])
            for field in parts[0].name_values
        },
    )
