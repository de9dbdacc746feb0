"""Predictive genotype tables of many missing members at one marker, one einsum per family shape.

`likelihood.member_genotype_table` computes one member's table at a time; for a bureau's batch
(tens of thousands of families, each at every marker) the time goes into Python and into working
out the same contraction again and again, not into arithmetic. Families of one *shape* (the same
members by position, the same parents, the same member sought, the same members typed) differ
only in their references' genotypes, so their tables are one contraction with a batch axis on the
references' phenotype factors: the factors of `likelihood` (founders' frequencies, Mendel's coin
through each parent's mutation matrix, 1 on the ordered pairs a phenotype allows), the same
pruning of untyped leaves and the same lumping of unseen alleles, summed out one variable at a
time (smallest table first) with the batch axis carried along, so each step is one BLAS call for
a whole chunk of families. The batch path is tested equal to the member-by-member one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tracebureau.engines.kinship.mutation import Matrix
from tracebureau.engines.kinship.records import SILENT, Genotype, KinshipInputError, Locus, Pedigree

Table = NDArray[np.float64]
Shape = tuple[tuple[int, int, bool, bool], ...]
Factor = tuple[tuple[int, ...], Table]

#: Entries of the largest intermediate table one contraction may make (batch × alleles^4 for
#: two typed siblings); the batch is cut to keep under it.
WORKING_ENTRIES = 20_000_000


def shape_key(pedigree: Pedigree, member: str, typed: set[str]) -> Shape:
    """The family's shape by position: each person's parents' positions, whether it is the member
    sought and whether it is typed at the marker. Sexes are left out: a parent's role already
    says which mutation matrix applies."""
    position = {person.id: k for k, person in enumerate(pedigree.persons)}
    return tuple(
        (
            position.get(person.father or "", -1),
            position.get(person.mother or "", -1),
            person.id == member,
            person.id in typed,
        )
        for person in pedigree.persons
    )


def shape_tables(
    *,
    shape: Shape,
    genotypes: Sequence[Sequence[Genotype]],
    locus: Locus,
    alleles: list[str],
    matrices: tuple[Matrix | None, Matrix | None],
) -> Table:
    """T[b, i, j] = P(family b's references, and the member has ordered genotype i/j), for the
    families of one shape whose typed members (in position order) show `genotypes[b]`; over
    `alleles` as `member_genotype_table` returns them (the locus's, or the seen ones and a lump)."""
    persons = _needed(shape)
    index = {k: n for n, k in enumerate(persons)}
    frequencies, (father, mother) = _lumped(locus, alleles, matrices)
    transmissions = [_transmission(m, len(alleles)) for m in (father, mother)]
    batch = 2 * len(persons)  # the variable of the batch axis; 2k and 2k + 1 are member k's alleles
    factors: list[Factor] = []
    for k in persons:
        father_at, mother_at, _, _ = shape[k]
        if father_at < 0:
            factors += [((2 * index[k],), frequencies), ((2 * index[k] + 1,), frequencies)]
        else:
            f, m = index[father_at], index[mother_at]
            factors.append(((2 * f, 2 * f + 1, 2 * index[k]), transmissions[0]))
            factors.append(((2 * m, 2 * m + 1, 2 * index[k] + 1), transmissions[1]))
    member = index[next(k for k, spec in enumerate(shape) if spec[2])]
    typed = [k for k in persons if shape[k][3]]
    if not typed:  # no references at this marker: one table, whatever the batch
        alone = _eliminate(factors, (2 * member, 2 * member + 1))
        return np.repeat(alone[None], len(genotypes), axis=0)
    phenotypes = _phenotype_factors(genotypes, typed, alleles, locus)
    step = max(1, WORKING_ENTRIES // len(alleles) ** 4)
    results = []
    for start in range(0, len(genotypes), step):
        chunk = factors + [
            ((batch, 2 * index[k], 2 * index[k] + 1), phenotypes[n][start : start + step])
            for n, k in enumerate(typed)
        ]
        results.append(_eliminate(chunk, (batch, 2 * member, 2 * member + 1)))
    return np.concatenate(results)


def _eliminate(factors: list[Factor], out: tuple[int, ...]) -> Table:
    """Sum every variable but `out` from the product of the factors, one variable at a time, each
    time the one whose elimination makes the smallest table (variable elimination, as in
    `likelihood`; `np.einsum`'s own path search gives up on these and goes naive)."""
    size = {v: n for scope, table in factors for v, n in zip(scope, np.shape(table), strict=True)}
    factors = list(factors)
    variables = set(size) - set(out)
    while variables:
        variable = min(sorted(variables), key=lambda v: _cost(factors, v, size))
        involved = [f for f in factors if variable in f[0]]
        scope = tuple(sorted({u for s, _ in involved for u in s} - {variable}))
        factors = [f for f in factors if variable not in f[0]] + [(scope, _product(involved, scope))]
        variables.discard(variable)
    return _product(factors, out)


def _cost(factors: list[Factor], variable: int, size: dict[int, int]) -> int:
    """Entries of the table that eliminating `variable` makes (before summing it out)."""
    return int(np.prod([size[u] for u in {u for s, _ in factors if variable in s for u in s}]))


def _product(factors: list[Factor], out: tuple[int, ...]) -> Table:
    """The product of the factors summed to `out`, pairwise through BLAS where einsum can."""
    operands: list[Any] = []
    for scope, table in factors:
        operands += [table, list(scope)]
    result: Table = np.einsum(*operands, list(out), optimize=len(factors) > 1)
    return result


def _needed(shape: Shape) -> list[int]:
    """Positions whose removal would change the table: untyped leaves sum to 1 and are pruned
    repeatedly (as `likelihood` does)."""
    members = set(range(len(shape)))
    while True:
        parents = {p for k in members for p in shape[k][:2] if p >= 0}
        leaves = {k for k in members if not shape[k][2] and not shape[k][3] and k not in parents}
        if not leaves:
            return sorted(members)
        members -= leaves


def _lumped(
    locus: Locus, alleles: list[str], matrices: tuple[Matrix | None, Matrix | None]
) -> tuple[Table, tuple[Matrix | None, Matrix | None]]:
    """Frequencies and matrices over `alleles`: the locus's own, or with the unseen alleles lumped
    into the last ("(other)"), which `member_genotype_table` does only where that is exact."""
    if alleles == list(locus.alleles):
        return locus.frequencies, matrices
    kept = [locus.index(a) for a in alleles[:-1]]
    lump = [i for i in range(len(locus.alleles)) if i not in set(kept)]
    frequencies = np.append(locus.frequencies[kept], locus.frequencies[lump].sum())

    def lumped(matrix: Matrix | None) -> Matrix | None:
        if matrix is None:
            return None
        rows = np.vstack([matrix[kept], matrix[lump[0]]])
        return np.hstack([rows[:, kept], rows[:, lump].sum(axis=1, keepdims=True)])

    return frequencies, (lumped(matrices[0]), lumped(matrices[1]))


def _transmission(matrix: Matrix | None, n: int) -> Table:
    step = np.eye(n) if matrix is None else matrix
    table: Table = 0.5 * (step[:, None, :] + step[None, :, :])
    return table


def _phenotype_factors(
    genotypes: Sequence[Sequence[Genotype]],
    typed: list[int],
    alleles: list[str],
    locus: Locus,
) -> list[Table]:
    """One (batch, n, n) table per typed member (in the order of `typed`, which is the order of
    each `genotypes[b]`): 1 on the ordered pairs its phenotype allows."""
    where = {allele: k for k, allele in enumerate(alleles) if allele in locus.alleles}
    silent = alleles.index(SILENT) if SILENT in alleles else -1
    n = len(alleles)
    tables = [np.zeros((len(genotypes), n, n)) for _ in typed]
    rows = np.arange(len(genotypes))
    for column, table in enumerate(tables):
        try:
            first = np.array([where[g[column][0]] for g in genotypes], dtype=np.intp)
            second = np.array([where[g[column][1]] for g in genotypes], dtype=np.intp)
        except KeyError as error:
            raise KinshipInputError(
                f"a reference at marker {locus.marker}: allele {error.args[0]!r} is not in the frequency "
                "table"
            ) from None
        table[rows, first, second] = table[rows, second, first] = 1.0
        if silent >= 0:
            homozygous = rows[first == second]
            table[homozygous, first[homozygous], silent] = table[homozygous, silent, first[homozygous]] = 1.0
    return tables


def phenotype_probabilities(ordered: Table, alleles: list[str]) -> Table:
    """P(phenotype i/j) from P(ordered genotype), over the last two axes: i/j and j/i together;
    with a silent allele s, a homozygote a/a also takes a/s and s/a."""
    every = np.arange(len(alleles))
    table: Table = ordered + np.swapaxes(ordered, -1, -2)
    table[..., every, every] = ordered[..., every, every]
    if SILENT in alleles:
        silent = alleles.index(SILENT)
        seen = np.flatnonzero(np.arange(len(alleles)) != silent)
        table[..., seen, seen] += table[..., seen, silent]
    return table


def typed_genotypes(
    pedigree: Pedigree, member: str, references: Mapping[str, Mapping[str, Genotype]], marker: str
) -> tuple[set[str], tuple[Genotype, ...]]:
    """The family's typed members at the marker (the member sought aside) and their genotypes in
    position order."""
    typed = [p.id for p in pedigree.persons if p.id != member and marker in references.get(p.id, {})]
    return set(typed), tuple(references[p][marker] for p in typed)
