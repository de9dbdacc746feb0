"""Pairwise LRs for a whole batch of remains: one pedigree computation per member and marker.

The pairwise LR at one marker is L(family, member = g) / (L(family) · P(g)), and the first
factor is the member's predictive genotype distribution given the family. It does not depend
on the remains, so it is computed once per (missing member, marker) as a table over all
genotypes, turned into a table of log LRs by genotype, and every remains then costs one lookup
per marker. The result is the same as `pairwise.pairwise_table` (tested equal); θ > 0 is not
offered here, because the correction couples the remains' alleles with the founders' and the
table would depend on more than the genotype.

Three things make a bureau-sized batch (thousands of remains, tens of thousands of families)
cheap. Many members share a table: families of the same shape whose references show the same
genotypes at a marker give the same predictive distribution, so each is computed once. The
tables of one shape are computed together, as one contraction with a batch axis
(`predictive.shape_tables`), not one Python-level pedigree computation each. And the lookups are
done a block of members at a time over all markers, so a block's running sums stay in cache
while its log-LR tables are gathered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from tracebureau.engines.cluster import Scheduler, connect
from tracebureau.engines.kinship.likelihood import member_genotype_table
from tracebureau.engines.kinship.mutation import Matrix, transmission_matrices
from tracebureau.engines.kinship.pairwise import PairwiseTable
from tracebureau.engines.kinship.predictive import (
    Shape,
    phenotype_probabilities,
    shape_key,
    shape_tables,
    typed_genotypes,
)
from tracebureau.engines.kinship.records import (
    MALE,
    Case,
    Genotype,
    KinshipInputError,
    Locus,
    Pedigree,
    Person,
)

Table = NDArray[np.float64]
Columns = tuple[tuple[str, str], ...]
#: At one marker: the distinct log-LR tables, which table each member uses, each remains' entry.
Lookup = tuple[Table, NDArray[np.intp], NDArray[np.intp]]

#: Members whose LRs are summed at once over every marker: their running sums (members × remains
#: floats) should stay in the processor's cache.
CHUNK = 32
#: Remains gathered in one task on a cluster: 500 rows × 20,000 members is 80 MB of answer.
ROWS_PER_TASK = 500


def pairwise_table_batch(
    *, case: Case, chunk: int = CHUNK, scheduler: Scheduler | None = None, rows_per_task: int = ROWS_PER_TASK
) -> PairwiseTable:
    """Every remains of `case` against every missing member, as `pairwise_table` computes it.

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Locus, Pedigree, Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("son", 1, "fa", "mo", missing=True)))
    >>> case = Case({"F": trio}, {"mo": {"L1": ("a", "a")}}, {"V1": {"L1": ("a", "b")}, "V2": {}},
    ...             {"L1": Locus("L1", ("a", "b"), np.array([0.2, 0.8]))})
    >>> [[round(lr, 9) for lr in row] for row in pairwise_table_batch(case=case).lr]  # 1 / (2 p_a); no data
    [[2.5], [1.0]]

    With a `scheduler` the matrix is computed on that Dask cluster (see `pairwise_lr_matrix`).
    """
    remains, columns, lr = pairwise_lr_matrix(
        case=case, chunk=chunk, scheduler=scheduler, rows_per_task=rows_per_task
    )
    rows = tuple(tuple(None if np.isnan(v) else float(v) for v in row) for row in lr)
    return PairwiseTable(remains, columns, rows)


def pairwise_lr_matrix(
    *,
    case: Case,
    chunk: int = CHUNK,
    workers: int = 1,
    scheduler: Scheduler | None = None,
    rows_per_task: int = ROWS_PER_TASK,
) -> tuple[tuple[str, ...], Columns, NDArray[np.float64]]:
    """The same LRs as an array (remains × members), NaN where the sexes bar the pairing: what a
    caller with millions of pairs wants instead of a tuple of Python floats per pair. With
    `workers` > 1 the markers' tables are computed in that many processes, and the gathers run
    in that many threads.

    With a `scheduler` (a Dask address such as "tcp://host:8786", "local:N", or a connected
    `distributed.Client`; "" or None is in process) each marker's tables are computed on a
    worker, and each block of `rows_per_task` remains is gathered on one: the same
    arithmetic per pair, so the same array to the last bit. `workers` is then unused."""
    columns = tuple((family, m) for family, pedigree in case.families.items() for m in pedigree.missing)
    remains = tuple(case.remains)
    for remains_id, profile in case.remains.items():
        for marker in profile.keys() - case.loci.keys():
            raise KinshipInputError(f"{remains_id}: marker {marker!r} has no frequency table")
    if not columns:
        return remains, columns, np.zeros((len(remains), 0))
    if scheduler:
        # Here, not at the top: the cluster module builds on this one's functions.
        from tracebureau.engines.kinship.distributed import lr_matrix_on_cluster

        with connect(scheduler) as client:
            return (
                remains,
                columns,
                lr_matrix_on_cluster(
                    client, case=case, columns=columns, remains=remains, chunk=chunk, rows=rows_per_task
                ),
            )
    markers = _lookups(case, columns, remains, workers)
    return remains, columns, lr_rows(case, columns, remains, markers, chunk=chunk, workers=workers)


def lr_rows(
    case: Case,
    columns: Columns,
    remains: tuple[str, ...],
    markers: list[Lookup],
    *,
    chunk: int = CHUNK,
    workers: int = 1,
) -> NDArray[np.float64]:
    """LR (remains × members) from the markers' lookups, whose codes are those of `remains`:
    every remains or a block of them, with the same sum over markers in the same order."""
    log_lr = np.zeros((len(columns), len(remains)))

    def gather(start: int) -> None:
        block = log_lr[start : start + chunk]
        for tables, which, codes in markers:
            block += np.take(tables[which[start : start + chunk]], codes, axis=1)

    # NumPy lets go of the GIL while it gathers and adds, so threads share the blocks.
    with ThreadPoolExecutor(workers) as threads:
        list(threads.map(gather, range(0, len(columns), chunk)))
    lr = np.exp(log_lr, out=log_lr).T
    lr[_barred(case, remains, columns)] = np.nan
    return lr


def _lookups(case: Case, columns: Columns, remains: tuple[str, ...], workers: int) -> list[Lookup]:
    if workers <= 1 or len(case.loci) < 2:
        return [marker_lookup(case, columns, remains, locus) for locus in case.loci.values()]
    with ProcessPoolExecutor(workers, initializer=_receive, initargs=(case, columns, remains)) as pool:
        return list(pool.map(_marker_lookup_received, case.loci.values()))


_received: tuple[Case, Columns, tuple[str, ...]] | None = None


def _receive(case: Case, columns: Columns, remains: tuple[str, ...]) -> None:
    """A worker's copy of the case, sent once rather than with every marker."""
    global _received
    _received = (case, columns, remains)


def _marker_lookup_received(locus: Locus) -> Lookup:
    assert _received is not None
    return marker_lookup(*_received, locus)


def marker_lookup(case: Case, columns: Columns, remains: tuple[str, ...], locus: Locus) -> Lookup:
    """`_marker_lookup` on one BLAS thread. BLAS cuts a product differently for each number of
    threads, which moves the last bits: on one thread the tables are the same in every process,
    this one or a cluster worker's (and faster here, the products being small)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _marker_lookup(case, columns, remains, locus)


def _marker_lookup(case: Case, columns: Columns, remains: tuple[str, ...], locus: Locus) -> Lookup:
    """At one marker: the distinct log-LR tables, flattened over genotypes with a last entry 0
    for an untyped remains; which table each member uses; and each remains' entry."""
    seen = {
        a
        for profile in (*case.remains.values(), *case.references.values())
        for a in profile.get(locus.marker, ())
    }
    matrices = transmission_matrices(locus, case.mutations)
    alleles = _table_alleles(locus, seen, matrices)
    # Each shape's distinct reference genotypes get one row of its table; each member a place.
    shapes: dict[Shape, dict[tuple[Genotype, ...], int]] = {}
    places: list[tuple[Shape, int, str]] = []
    for family, member in columns:
        pedigree = case.families[family]
        typed, genotypes = typed_genotypes(pedigree, member, case.references, locus.marker)
        shape = shape_key(pedigree, member, typed)
        rows = shapes.setdefault(shape, {})
        places.append((shape, rows.setdefault(genotypes, len(rows)), family))
    frequencies = _frequencies(locus, alleles)
    unrelated = phenotype_probabilities(np.outer(frequencies, frequencies), alleles)
    offsets: dict[Shape, int] = {}
    tables: list[Table] = []
    for shape, rows in shapes.items():
        joint = shape_tables(
            shape=shape, genotypes=list(rows), locus=locus, alleles=alleles, matrices=matrices
        )
        likelihood = joint.sum(axis=(1, 2))
        if np.any(likelihood <= 0):
            row = int(np.argmax(likelihood <= 0))
            family = next(f for s, r, f in places if s == shape and r == row)
            raise KinshipInputError(
                f"family {family}: its references are impossible at {locus.marker} (L = 0)"
            )
        lr = phenotype_probabilities(joint / likelihood[:, None, None], alleles) / unrelated
        with np.errstate(divide="ignore"):
            logs = np.log(lr).reshape(len(rows), -1)
        offsets[shape] = sum(len(t) for t in tables)
        tables.append(np.hstack([logs, np.zeros((len(rows), 1))]))
    which = np.array([offsets[shape] + row for shape, row, _ in places], dtype=np.intp)
    return np.concatenate(tables), which, _genotype_codes(case, remains, locus, alleles)


def _table_alleles(locus: Locus, seen: set[str], matrices: tuple[Matrix | None, Matrix | None]) -> list[str]:
    """The alleles `member_genotype_table` uses given `seen`: all, or the seen ones and a lump of
    the rest where the mutation model makes that exact. Asked of it, so the two cannot differ."""
    alone = Pedigree("alleles", (Person("x", MALE),))
    father, mother = matrices
    return member_genotype_table(
        pedigree=alone,
        member="x",
        profiles={},
        locus=locus,
        father_matrix=father,
        mother_matrix=mother,
        alleles=seen,
    )[0]


def marker_lr_table(
    *,
    pedigree: Pedigree,
    member: str,
    references: Mapping[str, Mapping[str, Genotype]],
    locus: Locus,
    father_matrix: Matrix | None = None,
    mother_matrix: Matrix | None = None,
    alleles: Iterable[str] | None = None,
) -> tuple[list[str], Table, Table]:
    """At one marker: the alleles (as `member_genotype_table` returns them), the member's
    predictive distribution over ordered genotypes given the references, and LR[i, j] of a
    remains showing i/j (the predictive probability of that phenotype over the unrelated one).

    >>> from tracebureau.engines.kinship.records import Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("son", 1, "fa", "mo", missing=True)))
    >>> alleles, predictive, lr = marker_lr_table(pedigree=trio, member="son",
    ...     references={"mo": {"L1": ("a", "a")}}, locus=Locus("L1", ("a", "b"), np.array([0.2, 0.8])))
    >>> lr.round(9).tolist()  # a/a: 1 / p_a; a/b: 1 / (2 p_a); b/b: excluded
    [[5.0, 2.5], [2.5, 0.0]]
    """
    found, joint = member_genotype_table(
        pedigree=pedigree,
        member=member,
        profiles=references,
        locus=locus,
        father_matrix=father_matrix,
        mother_matrix=mother_matrix,
        alleles=alleles,
    )
    family_likelihood = float(joint.sum())
    if family_likelihood <= 0:
        raise KinshipInputError(
            f"family {pedigree.family}: its references are impossible at {locus.marker} (L = 0)"
        )
    frequencies = _frequencies(locus, found)
    predictive = joint / family_likelihood
    unrelated = np.outer(frequencies, frequencies)
    return (
        found,
        predictive,
        phenotype_probabilities(predictive, found) / phenotype_probabilities(unrelated, found),
    )


def _frequencies(locus: Locus, alleles: list[str]) -> Table:
    known = [locus.frequencies[locus.index(a)] for a in alleles if a in locus.alleles]
    return np.array(known + [1 - sum(known)] * (len(alleles) - len(known)))


def _genotype_codes(
    case: Case, remains: tuple[str, ...], locus: Locus, alleles: list[str]
) -> NDArray[np.intp]:
    """Each remains' entry in a flattened table: i · n + j for i/j, n² where it was not typed."""
    index = {allele: k for k, allele in enumerate(alleles) if allele in locus.alleles}
    n = len(alleles)
    codes = np.full(len(remains), n * n, dtype=np.intp)
    for k, remains_id in enumerate(remains):
        pair = case.remains[remains_id].get(locus.marker)
        if pair is None:
            continue
        for allele in pair:
            if allele not in index:
                raise KinshipInputError(
                    f"{remains_id}, marker {locus.marker}: allele {allele!r} is not in the frequency table"
                )
        codes[k] = index[pair[0]] * n + index[pair[1]]
    return codes


def _barred(case: Case, remains: tuple[str, ...], columns: Columns) -> NDArray[np.bool_]:
    """True where a remains of known sex meets a member of the other sex."""
    remains_sex = np.array([case.remains_sex.get(r, 0) or 0 for r in remains])
    member_sex = np.array([case.families[family][member].sex for family, member in columns])
    barred: NDArray[np.bool_] = (remains_sex[:, None] != 0) & (remains_sex[:, None] != member_sex[None, :])
    return barred
