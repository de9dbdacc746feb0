"""Pairwise LRs for a whole batch of remains: one pedigree computation per member and marker.

The pairwise LR at one marker is L(family, member = g) / (L(family) · P(g)), and the first
factor is the member's predictive genotype distribution given the family. It does not depend
on the remains, so it is computed once per (missing member, marker) as a table over all
genotypes, turned into a table of LRs by genotype, and every remains then costs one lookup per
marker: NumPy gathers the whole chunk of remains against every member at once. The result is
the same as `pairwise.pairwise_table` (tested equal); θ > 0 is not offered here, because the
correction couples the remains' alleles with the founders' and the table would depend on more
than the genotype.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tracebureau.engines.kinship.likelihood import member_genotype_table
from tracebureau.engines.kinship.mutation import transmission_matrices
from tracebureau.engines.kinship.pairwise import PairwiseTable
from tracebureau.engines.kinship.records import SILENT, Case, KinshipInputError, Locus

Table = NDArray[np.float64]

#: Remains gathered at once; bounds memory at members × CHUNK floats per marker.
CHUNK = 4096


def pairwise_table_batch(*, case: Case, chunk: int = CHUNK) -> PairwiseTable:
    """Every remains of `case` against every missing member, as `pairwise_table` computes it.

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Locus, Pedigree, Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("son", 1, "fa", "mo", missing=True)))
    >>> case = Case({"F": trio}, {"mo": {"L1": ("a", "a")}}, {"V1": {"L1": ("a", "b")}, "V2": {}},
    ...             {"L1": Locus("L1", ("a", "b"), np.array([0.2, 0.8]))})
    >>> [[round(lr, 9) for lr in row] for row in pairwise_table_batch(case=case).lr]  # 1 / (2 p_a); no data
    [[2.5], [1.0]]
    """
    columns = tuple((family, m) for family, pedigree in case.families.items() for m in pedigree.missing)
    remains = tuple(case.remains)
    for remains_id, profile in case.remains.items():
        for marker in profile.keys() - case.loci.keys():
            raise KinshipInputError(f"{remains_id}: marker {marker!r} has no frequency table")
    log_lr = np.zeros((len(remains), len(columns)))
    if not columns:
        return PairwiseTable(remains, columns, tuple(() for _ in remains))
    for locus in case.loci.values():
        seen = {
            a
            for profile in (*case.remains.values(), *case.references.values())
            for a in profile.get(locus.marker, ())
        }
        alleles, tables = _lr_tables(case, columns, locus, seen)
        first, second = _allele_indices(case, remains, locus, alleles)
        for start in range(0, len(remains), chunk):
            rows = slice(start, start + chunk)
            typed = first[rows] >= 0
            gathered = tables[:, first[rows].clip(0), second[rows].clip(0)].T  # (remains, members)
            with np.errstate(divide="ignore"):
                log_lr[rows] += np.where(typed[:, None], np.log(gathered), 0.0)
    return PairwiseTable(remains, columns, _with_sexes(case, remains, columns, np.exp(log_lr)))


def _lr_tables(
    case: Case, columns: tuple[tuple[str, str], ...], locus: Locus, seen: set[str]
) -> tuple[list[str], Table]:
    """LR[member, i, j]: the LR of a remains of genotype i/j at this marker for each member, over
    the alleles anyone shows (the others lumped where the mutation model allows)."""
    father, mother = transmission_matrices(locus, case.mutations)
    tables = []
    for family, member in columns:
        alleles, joint = member_genotype_table(
            pedigree=case.families[family],
            member=member,
            profiles=case.references,
            locus=locus,
            father_matrix=father,
            mother_matrix=mother,
            alleles=seen,
        )
        family_likelihood = float(joint.sum())
        if family_likelihood <= 0:
            raise KinshipInputError(
                f"family {family}: its references are impossible at {locus.marker} (L = 0)"
            )
        frequencies = _frequencies(locus, alleles)
        unrelated = np.outer(frequencies, frequencies)
        tables.append(_phenotypes(joint / family_likelihood, alleles) / _phenotypes(unrelated, alleles))
    return alleles, np.stack(tables)


def _frequencies(locus: Locus, alleles: list[str]) -> Table:
    known = [locus.frequencies[locus.index(a)] for a in alleles if a in locus.alleles]
    return np.array(known + [1 - sum(known)] * (len(alleles) - len(known)))


def _phenotypes(ordered: Table, alleles: list[str]) -> Table:
    """P(phenotype i/j) from P(ordered genotype): i/j and j/i together; with a silent allele s a
    homozygote a/a also takes a/s and s/a."""
    table: Table = ordered + ordered.T - np.diag(np.diag(ordered))
    if SILENT in alleles:
        silent = alleles.index(SILENT)
        seen = np.arange(len(alleles)) != silent
        table[seen, seen] += table[seen, silent]
    return table


def _allele_indices(
    case: Case, remains: tuple[str, ...], locus: Locus, alleles: list[str]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Each remains' two allele indices in `alleles`, -1 where it was not typed at the locus."""
    index = {allele: k for k, allele in enumerate(alleles) if allele in locus.alleles}
    pairs = [case.remains[r].get(locus.marker) for r in remains]
    for r, pair in zip(remains, pairs, strict=True):
        for allele in pair or ():
            if allele not in index:
                raise KinshipInputError(
                    f"{r}, marker {locus.marker}: allele {allele!r} is not in the frequency table"
                )
    first = np.array([index[p[0]] if p else -1 for p in pairs], dtype=np.intp)
    second = np.array([index[p[1]] if p else -1 for p in pairs], dtype=np.intp)
    return first, second


def _with_sexes(
    case: Case, remains: tuple[str, ...], columns: tuple[tuple[str, str], ...], lr: Table
) -> tuple[tuple[float | None, ...], ...]:
    rows = []
    for i, remains_id in enumerate(remains):
        sex = case.remains_sex.get(remains_id)
        row = [
            None if sex and sex != case.families[family][member].sex else float(lr[i, j])
            for j, (family, member) in enumerate(columns)
        ]
        rows.append(tuple(row))
    return tuple(rows)
