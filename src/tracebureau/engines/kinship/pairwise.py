"""The likelihood ratio that one remains is one family's missing member, taken pair by pair.

LR = L(family, the missing member typed with the remains' profile) / (L(family) · L(remains as
an unrelated person)), marker by marker, multiplied over the markers (unlinked). It is how much
more probable all the DNA is if the remains is that member than if it is someone unrelated to
the family; dvir's `pairwiseLR()` computes the same. A marker the remains lacks contributes 1 (it
says nothing); a pairing of different sexes is not allowed (None); an exclusion gives 0.

With a drop-out probability d (`dropout`, for degraded remains; see `likelihood`), a remains
showing one allele a (typed a/a) may be a/a or a/x with x lost, under both hypotheses; d = 0 is
the LR without drop-out. The references are taken as fully typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tracebureau.engines.kinship.likelihood import marker_likelihood
from tracebureau.engines.kinship.mutation import Matrix, transmission_matrices
from tracebureau.engines.kinship.records import (
    Case,
    Genotype,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
)

Matrices = tuple[Matrix | None, Matrix | None]


@dataclass(frozen=True)
class PairwiseTable:
    """LR[i][j] for remains `remains[i]` against missing member `missing[j]` = (family, id)."""

    remains: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    lr: tuple[tuple[float | None, ...], ...]


def pairwise_lr(
    *,
    pedigree: Pedigree,
    missing: str,
    remains: Mapping[str, Genotype],
    references: Mapping[str, Mapping[str, Genotype]],
    loci: Mapping[str, Locus],
    mutations: Mapping[tuple[str, int], MutationSetting] | None = None,
    theta: float = 0.0,
    remains_sex: int | None = None,
    dropout: float = 0.0,
) -> float | None:
    """The LR that `remains` (a profile) is the member `missing` of `pedigree`.

    A missing son whose mother is a/a, the father untyped; remains a/a. Under "it is the son" the
    son's maternal a is certain and his paternal a has probability p_a; under "unrelated" a/a has
    probability p_a². LR = p_a / p_a² = 1 / p_a = 5 for p_a = 0.2:

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("son", 1, "fa", "mo", missing=True)))
    >>> locus = Locus("L1", ("a", "b"), np.array([0.2, 0.8]))
    >>> round(pairwise_lr(pedigree=trio, missing="son", remains={"L1": ("a", "a")},
    ...                   references={"mo": {"L1": ("a", "a")}}, loci={"L1": locus}), 12)
    5.0
    >>> print(pairwise_lr(pedigree=trio, missing="son", remains={"L1": ("a", "a")},
    ...                   references={}, loci={"L1": locus}, remains_sex=2))
    None
    """
    if remains_sex and remains_sex != pedigree[missing].sex:
        return None
    _check_dropout(dropout)
    matrices = {marker: transmission_matrices(locus, mutations or {}) for marker, locus in loci.items()}
    return _lr(pedigree, missing, remains, references, loci, matrices, (theta, dropout, {}), {})


def _check_dropout(dropout: float) -> None:
    if not 0.0 <= dropout < 1.0:
        raise KinshipInputError(f"the drop-out probability must be in [0, 1), not {dropout}")


def _lr(
    pedigree: Pedigree,
    missing: str,
    remains: Mapping[str, Genotype],
    references: Mapping[str, Mapping[str, Genotype]],
    loci: Mapping[str, Locus],
    matrices: Mapping[str, Matrices],
    model: tuple[float, float, Mapping[str, float]],
    family_cache: dict[tuple[str, str], float],
) -> float:
    """`model` is (θ, drop-out probability of the remains, those of the references that have one)."""
    theta, dropout, degraded = model
    together = {**references, missing: remains}
    alone = Pedigree("remains", (Person("remains", pedigree[missing].sex),))
    ratio = 1.0
    for marker in remains:
        if marker not in loci:
            raise KinshipInputError(f"remains marker {marker!r} has no frequency table")
        at = (loci[marker], *matrices[marker])
        key = (pedigree.family, marker)
        if key not in family_cache:
            family_cache[key] = _likelihood(pedigree, references, at, theta, degraded)
        if family_cache[key] <= 0:
            raise KinshipInputError(
                f"family {pedigree.family}: its references are impossible at {marker} (L = 0)"
            )
        numerator = _likelihood(pedigree, together, at, theta, {**degraded, missing: dropout})
        if numerator <= 0:
            return 0.0
        unrelated = _likelihood(alone, {"remains": remains}, at, theta, {"remains": dropout})
        ratio *= numerator / (family_cache[key] * unrelated)
    return ratio


def _likelihood(
    pedigree: Pedigree,
    profiles: Mapping[str, Mapping[str, Genotype]],
    at: tuple[Locus, Matrix | None, Matrix | None],
    theta: float,
    dropout: Mapping[str, float] | None = None,
) -> float:
    locus, father, mother = at
    return marker_likelihood(
        pedigree=pedigree,
        profiles=profiles,
        locus=locus,
        father_matrix=father,
        mother_matrix=mother,
        theta=theta,
        dropout=dropout,
    )


def pairwise_table(*, case: Case, theta: float = 0.0, dropout: float = 0.0) -> PairwiseTable:
    """Every remains of `case` against every missing member of its families, each remains with
    drop-out probability `dropout` unless `case.dropout` gives it its own (as it may give a
    reference one).

    Sexes come from `case.remains_sex`; a remains of unknown sex may be any member."""
    for value in (dropout, *case.dropout.values()):
        _check_dropout(value)
    degraded = {p: d for p, d in case.dropout.items() if p in case.references}
    matrices = {marker: transmission_matrices(locus, case.mutations) for marker, locus in case.loci.items()}
    columns = tuple((family, m) for family, pedigree in case.families.items() for m in pedigree.missing)
    cache: dict[tuple[str, str], float] = {}
    rows = []
    for remains_id, profile in case.remains.items():
        sex = case.remains_sex.get(remains_id)
        row: list[float | None] = []
        for family, missing in columns:
            pedigree = case.families[family]
            if sex and sex != pedigree[missing].sex:
                row.append(None)
                continue
            model = (theta, case.dropout.get(remains_id, dropout), degraded)
            row.append(_lr(pedigree, missing, profile, case.references, case.loci, matrices, model, cache))
        rows.append(tuple(row))
    return PairwiseTable(tuple(case.remains), columns, tuple(rows))
