"""Simulated DNA for a pedigree, and how well a family's references can identify its missing member.

*Gene dropping*: every founder draws two alleles from the population frequencies (Hardy–Weinberg),
and every child takes one of its father's two alleles and one of its mother's by Mendel's coin,
each passed through the mutation matrix of that parent's sex (`mutation.transmission_matrices`,
so a simulation and a likelihood use the same model). A silent allele is drawn like any other and
then hidden: a/silent shows as a/a, silent/silent as no result at that marker.

*Identification power* is the standard question before a search: with these references, how
likely is the missing member to be recognised (LR ≥ a threshold) if found, and how likely is an
unrelated person to be excluded (LR = 0)? The missing member's genotypes are drawn exactly from
his predictive distribution given the actual references (`member_genotype_table`, marker by
marker, the markers being unlinked), not from unconditional pedigree simulations, so the answer is
about this family and not about families of its shape; unrelated people are drawn from the
frequencies. Each draw's LR is looked up in the same per-marker LR table `batch` uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tracebureau.engines.kinship.batch import marker_lr_table
from tracebureau.engines.kinship.mutation import Matrix, transmission_matrices
from tracebureau.engines.kinship.records import SILENT, Genotype, Locus, MutationSetting, Pedigree

Alleles = NDArray[np.intp]  # (draws, 2): paternal and maternal allele indices into locus.alleles
Profile = dict[str, Genotype]


def simulate_alleles(
    *,
    pedigree: Pedigree,
    locus: Locus,
    rng: np.random.Generator,
    size: int = 1,
    mutations: Mapping[tuple[str, int], MutationSetting] | None = None,
) -> dict[str, Alleles]:
    """`size` independent gene drops at one locus: each member's (paternal, maternal) allele indices.

    >>> from tracebureau.engines.kinship.records import Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("kid", 1, "fa", "mo")))
    >>> locus = Locus("L1", ("a", "b"), np.array([0.5, 0.5]))
    >>> drops = simulate_alleles(pedigree=trio, locus=locus, rng=np.random.default_rng(1), size=4)
    >>> bool(np.all((drops["kid"][:, 0] == drops["fa"][:, 0]) | (drops["kid"][:, 0] == drops["fa"][:, 1])))
    True
    """
    matrices = transmission_matrices(locus, mutations or {})
    draws: dict[str, Alleles] = {}
    for person_id in _parents_first(pedigree):
        person = pedigree[person_id]
        if person.father is None or person.mother is None:
            draws[person_id] = rng.choice(len(locus.alleles), size=(size, 2), p=locus.frequencies)
            continue
        halves = [
            _transmit(draws[parent], matrix, rng)
            for parent, matrix in ((person.father, matrices[0]), (person.mother, matrices[1]))
        ]
        draws[person_id] = np.stack(halves, axis=1)
    return draws


def _parents_first(pedigree: Pedigree) -> list[str]:
    """The members in an order where parents come before their children (the pedigree is acyclic)."""
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(pedigree.persons):
        for person in pedigree.persons:
            if person.id not in placed and all(
                p is None or p in placed for p in (person.father, person.mother)
            ):
                order.append(person.id)
                placed.add(person.id)
    return order


def _transmit(parent: Alleles, matrix: Matrix | None, rng: np.random.Generator) -> NDArray[np.intp]:
    """One allele of each draw's parent, chosen by Mendel's coin, then mutated by the matrix row."""
    passed: NDArray[np.intp] = parent[np.arange(len(parent)), rng.integers(0, 2, size=len(parent))]
    if matrix is None:
        return passed
    # Inverse-CDF sampling from each passed allele's row of the mutation matrix.
    cumulative = np.cumsum(matrix, axis=1)[passed]
    below = rng.random(len(parent))[:, None] * cumulative[:, -1:] >= cumulative
    drawn: NDArray[np.intp] = np.minimum(below.sum(axis=1), matrix.shape[1] - 1)
    return drawn


def observed(locus: Locus, pair: Iterable[int]) -> Genotype | None:
    """The genotype a laboratory reads from allele indices: a silent allele is not seen.

    >>> observed(Locus("L1", ("9", "10", SILENT), np.array([0.5, 0.4, 0.1])), (1, 2))
    ('10', '10')
    """
    labels = [locus.alleles[int(i)] for i in pair if locus.alleles[int(i)] != SILENT]
    if not labels:
        return None
    return (labels[0], labels[-1])


def simulate_profiles(
    *,
    pedigree: Pedigree,
    loci: Mapping[str, Locus],
    rng: np.random.Generator,
    mutations: Mapping[tuple[str, int], MutationSetting] | None = None,
    members: Iterable[str] | None = None,
) -> dict[str, Profile]:
    """One gene drop at every locus: the profile of each member in `members` (all by default).

    >>> from tracebureau.engines.kinship.records import Person
    >>> one = Pedigree("F", (Person("x", 1),))
    >>> loci = {"L1": Locus("L1", ("a", "b"), np.array([1.0, 0.0]))}
    >>> simulate_profiles(pedigree=one, loci=loci, rng=np.random.default_rng(0))
    {'x': {'L1': ('a', 'a')}}
    """
    wanted = list(pedigree.ids if members is None else members)
    profiles: dict[str, Profile] = {person: {} for person in wanted}
    for marker, locus in loci.items():
        drops = simulate_alleles(pedigree=pedigree, locus=locus, rng=rng, mutations=mutations)
        for person in wanted:
            genotype = observed(locus, drops[person][0])
            if genotype is not None:
                profiles[person][marker] = genotype
    return profiles


@dataclass(frozen=True)
class IdentificationPower:
    """Simulated figures for one missing member and his family's references.

    `identified`: P(LR ≥ threshold) for the missing member himself; `mean_log10_lr`: his expected
    log10 LR; `excluded`: P(LR = 0) for an unrelated person; `false_match`: P(LR ≥ threshold)
    for an unrelated person. Each is an average over `draws` simulations.
    """

    draws: int
    threshold: float
    identified: float
    mean_log10_lr: float
    excluded: float
    false_match: float


def identification_power(
    *,
    pedigree: Pedigree,
    missing: str,
    references: Mapping[str, Mapping[str, Genotype]],
    loci: Mapping[str, Locus],
    rng: np.random.Generator,
    draws: int = 1000,
    threshold: float = 10_000.0,
    mutations: Mapping[tuple[str, int], MutationSetting] | None = None,
) -> IdentificationPower:
    """How likely `references` are to identify `missing`, and to exclude an unrelated person.

    One typed mother a/b at one locus, p_a = 0.2 and p_b = 0.8: her son is a/a, a/b or b/b with
    probability 0.1, 0.5, 0.4 and LR 0.1 / 0.04 = 2.5, 0.5 / 0.32 = 1.5625, 0.4 / 0.64 = 0.625; so
    P(LR ≥ 1.5) = 0.6 for him and 0.04 + 0.32 = 0.36 for an unrelated man, whom nothing excludes:

    >>> from tracebureau.engines.kinship.records import Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("son", 1, "fa", "mo", missing=True)))
    >>> power = identification_power(pedigree=trio, missing="son", references={"mo": {"L1": ("a", "b")}},
    ...     loci={"L1": Locus("L1", ("a", "b"), np.array([0.2, 0.8]))}, rng=np.random.default_rng(3),
    ...     draws=20_000, threshold=1.5)
    >>> abs(power.identified - 0.6) < 0.02, abs(power.false_match - 0.36) < 0.02, power.excluded
    (True, True, 0.0)
    """
    true_log = np.zeros(draws)
    unrelated_log = np.zeros(draws)
    for locus in loci.values():
        father, mother = transmission_matrices(locus, mutations or {})
        alleles, predictive, lr = marker_lr_table(
            pedigree=pedigree,
            member=missing,
            references=references,
            locus=locus,
            father_matrix=father,
            mother_matrix=mother,
        )
        unrelated = np.outer(locus.frequencies, locus.frequencies)
        with np.errstate(divide="ignore"):
            log_lr = np.log10(lr)
        true_log += _lookup(log_lr, _draw_pairs(predictive, draws, rng), alleles)
        unrelated_log += _lookup(log_lr, _draw_pairs(unrelated, draws, rng), alleles)
    return IdentificationPower(
        draws=draws,
        threshold=threshold,
        identified=float(np.mean(true_log >= np.log10(threshold))),
        mean_log10_lr=float(np.mean(true_log)),
        excluded=float(np.mean(np.isneginf(unrelated_log))),
        false_match=float(np.mean(unrelated_log >= np.log10(threshold))),
    )


def _draw_pairs(ordered: NDArray[np.float64], draws: int, rng: np.random.Generator) -> Alleles:
    """Ordered genotypes drawn from a table proportional to their probabilities."""
    flat = ordered.ravel() / ordered.sum()
    cells = rng.choice(flat.size, size=draws, p=flat)
    return np.stack(np.unravel_index(cells, ordered.shape), axis=1)


def _lookup(log_lr: NDArray[np.float64], pairs: Alleles, alleles: list[str]) -> NDArray[np.float64]:
    """Each drawn genotype's log LR as the laboratory would see it: a silent allele hidden, and
    silent/silent (no result) saying nothing."""
    if SILENT not in alleles:
        return log_lr[pairs[:, 0], pairs[:, 1]]
    silent = alleles.index(SILENT)
    first = np.where(pairs[:, 0] == silent, pairs[:, 1], pairs[:, 0])
    second = np.where(pairs[:, 1] == silent, first, pairs[:, 1])
    return np.where(first == silent, 0.0, log_lr[first, second])
