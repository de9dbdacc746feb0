"""The exact likelihood of a family's DNA under its pedigree, one marker at a time.

The probability of the typed members' genotypes sums over every genotype the untyped members
could have. Each person is two allele variables (the allele from the father, the allele from the
mother); founders draw theirs from the population frequencies (Hardy–Weinberg), children draw
each from one parent by Mendel's coin and the mutation matrix of that parent's sex, and a typed
person's variables are held to the observed pair. The sum over all variables is done by variable
elimination (the Elston–Stewart peeling of pedigree analysis, generalised to any elimination
order), choosing at each step the variable whose elimination makes the smallest table. Correct
for any pedigree, loops included; the cost grows with the width of the pedigree, which for the
families of identification work (parents, children, siblings, half-siblings, grandparents,
uncles, a spouse) is a few people.

Choices, following pedsuite (pedprobr) where programs differ:

* A founder's genotype is drawn from the population frequencies whether or not the founder is
  typed, and every transmission goes through the mutation matrix, including those from untyped
  founders. No stationarity is assumed: under a non-stationary model (stepwise, or equal with
  unequal frequencies) an untyped founder's child's allele has distribution p·M, not p, exactly
  as pedprobr computes it. (Familias can instead make models stationary first; we do not.)
* The θ (F_ST) correction of Balding and Nichols (NRC II, 4.10) applies, as in pedprobr, to the
  founder alleles only: all founder alleles, typed or not, are taken as drawn in sequence from
  the subpopulation, the j-th (j = 0, 1, ...) being allele a with probability
  (c_a θ + (1 - θ) p_a) / (1 + (j - 1) θ) when c_a of the earlier ones were a. For one person this
  is NRC II 4.10: p_a(θ + (1 - θ) p_a) for a/a and 2 p_a p_b (1 - θ) for a/b. This couples the
  founders, so with θ > 0 their allele variables are summed jointly at the end.
* Alleles seen in nobody are lumped into one when the mutation matrices allow it (strong
  lumpability of Kemeny and Snell; always so without mutation and for the equal and proportional
  models, never assumed for stepwise). This changes no likelihood, only the cost.
* A silent allele (labelled `SILENT` in the frequency table) is an allele like any other that
  no profile shows: a typed homozygote a/a is the phenotype {a/a, a/silent}.
* Drop-out (pedsuite has none; this is Bonaparte's and LRmix's model): for the people given a
  drop-out probability d (degraded remains), each allele of the true genotype fails to show
  independently with probability d, and there is no drop-in. A profile showing only a (typed
  "a/a") is then P = 1 - d² from a/a (shown unless both copies drop), (1 - d) d from a/x for
  each x ≠ a (x drops, a does not), 1 - d from a/silent; a profile a/b is (1 - d)² from a/b.
  The phenotype factor holds these weights instead of 0/1, so every untyped genotype is summed
  over as before; d = 0 is the model without drop-out exactly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tracebureau.engines.kinship.mutation import Matrix, transmission_matrices
from tracebureau.engines.kinship.records import (
    SILENT,
    Genotype,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
)

Table = NDArray[np.float64]
Factor = tuple[tuple[int, ...], Table]

#: The largest joint table of founder alleles summed for a θ correction (entries).
THETA_TABLE_LIMIT = 5_000_000


def marker_likelihood(
    *,
    pedigree: Pedigree,
    profiles: Mapping[str, Mapping[str, Genotype]],
    locus: Locus,
    father_matrix: Matrix | None = None,
    mother_matrix: Matrix | None = None,
    theta: float = 0.0,
    dropout: Mapping[str, float] | None = None,
) -> float:
    """P(the typed members' genotypes at `locus`) under the pedigree. `profiles` may hold people
    of other families and other markers; only this family's genotypes at this marker count.
    `dropout` gives the drop-out probability of some people (by id; the others have none).

    A mother a/a and her child a/b, the father untyped: P = p_a² (mother) · p_b (the child's
    allele from the mother is a, the one from a random father is b):

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("kid", 1, "fa", "mo")))
    >>> locus = Locus("L1", ("a", "b", "c"), np.array([0.2, 0.3, 0.5]))
    >>> round(marker_likelihood(pedigree=trio, profiles={"mo": {"L1": ("a", "a")},
    ...     "kid": {"L1": ("b", "a")}}, locus=locus), 12)
    0.012
    """
    typed = _typed_at(pedigree, profiles, locus)
    if not typed:
        return 1.0
    members = _needed_members(pedigree, set(typed))
    seen = {a for genotype in typed.values() for a in genotype}
    alleles, frequencies, matrices = _lumped(locus, seen, (father_matrix, mother_matrix))
    factors = _factors(pedigree, members, typed, alleles, frequencies, matrices, theta=theta, dropout=dropout)
    if theta <= 0:
        return float(_eliminate(factors, keep=()))
    founders = [2 * k + h for k, person in enumerate(members) if pedigree[person].is_founder for h in (0, 1)]
    if len(alleles) ** len(founders) > THETA_TABLE_LIMIT:
        raise KinshipInputError(
            f"{pedigree.family}: too many founders for the θ correction at {locus.marker}"
        )
    table = _eliminate(factors, keep=tuple(founders))
    return float(np.sum(table * _founder_weights(len(founders), frequencies, theta)))


def _typed_at(
    pedigree: Pedigree, profiles: Mapping[str, Mapping[str, Genotype]], locus: Locus
) -> dict[str, Genotype]:
    """The family's genotypes at the locus, each allele checked against the frequency table."""
    typed = {p: profiles[p][locus.marker] for p in pedigree.ids if locus.marker in profiles.get(p, {})}
    for person, genotype in typed.items():
        for allele in genotype:
            if allele not in locus.alleles:
                message = f"allele {allele!r} is not in the frequency table"
                raise KinshipInputError(f"{person}, marker {locus.marker}: {message}")
    return typed


def _needed_members(pedigree: Pedigree, typed: set[str]) -> list[str]:
    """The members whose removal would change the likelihood: an untyped person with no
    remaining children sums to 1 (founder prior or transmission), so leaves are pruned repeatedly."""
    members = set(pedigree.ids)
    while True:
        parents = {parent for p in members for parent in (pedigree[p].father, pedigree[p].mother) if parent}
        leaves = {p for p in members if p not in typed and p not in parents}
        if not leaves:
            return [p for p in pedigree.ids if p in members]
        members -= leaves


def _lumped(
    locus: Locus, seen: set[str], matrices: Sequence[Matrix | None]
) -> tuple[list[str], Table, list[Matrix | None]]:
    """The alleles (seen ones, then one lump of the unseen if the matrices allow), their
    frequencies and the matrices over them."""
    seen = seen | {SILENT} if locus.has_silent else seen
    kept = [i for i, a in enumerate(locus.alleles) if a in seen]
    unseen = [i for i, a in enumerate(locus.alleles) if a not in seen]
    if len(unseen) < 2 or not all(_lumpable(m, kept, unseen) for m in matrices if m is not None):
        return list(locus.alleles), locus.frequencies, list(matrices)
    alleles = [locus.alleles[i] for i in kept] + ["(other)"]
    frequencies = np.append(locus.frequencies[kept], locus.frequencies[unseen].sum())
    return alleles, frequencies, [None if m is None else _lump_matrix(m, kept, unseen) for m in matrices]


def _lumpable(matrix: Matrix, kept: list[int], lump: list[int]) -> bool:
    """Kemeny–Snell strong lumpability for the partition {kept alleles one by one, the lump}: every
    allele of the lump mutates to each kept allele with the same probability (then also into the
    lump, the rows summing to 1)."""
    towards_kept = matrix[np.ix_(lump, kept)]
    return bool(np.allclose(towards_kept, towards_kept[0], rtol=1e-12, atol=0))


def _lump_matrix(matrix: Matrix, kept: list[int], lump: list[int]) -> Matrix:
    rows = np.vstack([matrix[kept], matrix[lump[0]]])
    return np.hstack([rows[:, kept], rows[:, lump].sum(axis=1, keepdims=True)])


def _factors(
    pedigree: Pedigree,
    members: list[str],
    typed: Mapping[str, Genotype],
    alleles: list[str],
    frequencies: Table,
    matrices: Sequence[Matrix | None],
    *,
    theta: float,
    dropout: Mapping[str, float] | None = None,
) -> list[Factor]:
    """Variable 2k is member k's paternal allele, 2k + 1 the maternal one."""
    index = {person: k for k, person in enumerate(members)}
    transmission = [_transmission(m, len(alleles)) for m in matrices]
    factors: list[Factor] = []
    for k, person in enumerate(members):
        who = pedigree[person]
        if who.is_founder:
            if theta <= 0:
                factors += [((2 * k,), frequencies), ((2 * k + 1,), frequencies)]
        else:
            father, mother = index[who.father or ""], index[who.mother or ""]
            factors.append(((2 * father, 2 * father + 1, 2 * k), transmission[0]))
            factors.append(((2 * mother, 2 * mother + 1, 2 * k + 1), transmission[1]))
        if person in typed:
            drop = (dropout or {}).get(person, 0.0)
            genotype = typed[person]
            shown = _phenotype(genotype, alleles) if drop <= 0 else _dropout(genotype, alleles, drop)
            factors.append(((2 * k, 2 * k + 1), shown))
    return factors


def _transmission(matrix: Matrix | None, n: int) -> Table:
    """T[x, y, a]: a parent x/y passes a (each of x, y with probability 1/2, then mutation)."""
    step = np.eye(n) if matrix is None else matrix
    table: Table = 0.5 * (step[:, None, :] + step[None, :, :])
    return table


def _phenotype(genotype: Genotype, alleles: list[str]) -> Table:
    """1 on the ordered pairs the observation allows: a/b and b/a; for a homozygote a/a at a
    locus with a silent allele, also a/silent and silent/a."""
    table = np.zeros((len(alleles), len(alleles)))
    first, second = alleles.index(genotype[0]), alleles.index(genotype[1])
    table[first, second] = table[second, first] = 1.0
    if first == second and SILENT in alleles and genotype[0] != SILENT:
        silent = alleles.index(SILENT)
        table[first, silent] = table[silent, first] = 1.0
    return table


def _dropout(genotype: Genotype, alleles: list[str], d: float) -> Table:
    """P(this profile shows | ordered true genotype) under independent drop-out d, no drop-in.
    Alleles outside the family all take the same weight, so their lump stays exact.

    >>> _dropout(("a", "a"), ["a", "b", "(other)"], 0.1).round(4).tolist()
    [[0.99, 0.09, 0.09], [0.09, 0.0, 0.0], [0.09, 0.0, 0.0]]
    """
    first, second = alleles.index(genotype[0]), alleles.index(genotype[1])
    table = np.zeros((len(alleles), len(alleles)))
    if first != second:
        table[first, second] = table[second, first] = (1 - d) ** 2
        return table
    table[first, :] = table[:, first] = (1 - d) * d
    table[first, first] = 1 - d * d
    if SILENT in alleles and genotype[0] != SILENT:
        silent = alleles.index(SILENT)
        table[first, silent] = table[silent, first] = 1 - d
    return table


def _eliminate(factors: list[Factor], *, keep: tuple[int, ...]) -> Table:
    """Sum all variables but `keep` out of the product of the factors; the result is indexed by
    `keep` in the order given."""
    factors = list(factors)
    for variable in _elimination_order(tuple(scope for scope, _ in factors), keep):
        involved = [f for f in factors if variable in f[0]]
        scope = tuple(sorted(_union(involved) - {variable}))
        factors = [f for f in factors if variable not in f[0]] + [(scope, _contract(involved, scope))]
    return _contract(factors, keep)


@functools.lru_cache(maxsize=4096)
def _elimination_order(scopes: tuple[tuple[int, ...], ...], keep: tuple[int, ...]) -> tuple[int, ...]:
    """The greedy order: at each step the variable whose elimination makes the smallest table.
    It depends only on the factors' scopes, which repeat from marker to marker and from one
    joint assignment to the next, so it is worked out once per shape.

    >>> _elimination_order(((0,), (0, 1), (1, 2)), ())
    (0, 1, 2)
    """
    remaining = [frozenset(scope) for scope in scopes]
    variables = {v for scope in remaining for v in scope} - set(keep)
    order: list[int] = []
    while variables:
        variable = min(variables, key=lambda v: len(frozenset().union(*(s for s in remaining if v in s))))
        merged = frozenset().union(*(s for s in remaining if variable in s)) - {variable}
        remaining = [s for s in remaining if variable not in s] + [merged]
        order.append(variable)
        variables.discard(variable)
    return tuple(order)


def _union(factors: Iterable[Factor]) -> set[int]:
    return {v for scope, _ in factors for v in scope}


def _contract(factors: list[Factor], out: tuple[int, ...]) -> Table:
    if not factors:
        return np.ones(())
    local = {v: k for k, v in enumerate(sorted(_union(factors) | set(out)))}
    operands: list[Any] = []
    for scope, table in factors:
        operands += [table, [local[v] for v in scope]]
    result: Table = np.einsum(*operands, [local[v] for v in out], optimize=len(factors) > 2)
    return result


def _founder_weights(count: int, frequencies: Table, theta: float) -> Table:
    """The Balding–Nichols probability of every sequence of `count` founder alleles, as a table
    with one axis per allele; it depends only on how often each allele occurs."""
    n = len(frequencies)
    grid = np.indices((n,) * count)
    log_weight = np.zeros((n,) * count)
    for allele in range(n):
        occurrences = (grid == allele).sum(axis=0)
        terms = np.log([k * theta + (1 - theta) * frequencies[allele] for k in range(count)])
        log_weight += np.concatenate([[0.0], np.cumsum(terms)])[occurrences]
    log_weight -= sum(math.log(1 + (j - 1) * theta) for j in range(count))
    weights: Table = np.exp(log_weight)
    return weights


def log_likelihood(
    *,
    pedigree: Pedigree,
    profiles: Mapping[str, Mapping[str, Genotype]],
    loci: Mapping[str, Locus],
    mutations: Mapping[tuple[str, int], MutationSetting] | None = None,
    theta: float = 0.0,
) -> float:
    """The natural log of the family's likelihood over all markers (unlinked, so they multiply);
    -inf when the data are impossible (an exclusion without a mutation model).

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Person
    >>> one = Pedigree("F", (Person("x", 1),))
    >>> locus = Locus("L1", ("a", "b"), np.array([0.2, 0.8]))
    >>> value = log_likelihood(pedigree=one, profiles={"x": {"L1": ("a", "b")}}, loci={"L1": locus})
    >>> round(math.exp(value), 12)
    0.32
    """
    total = 0.0
    for locus in loci.values():
        father, mother = transmission_matrices(locus, mutations or {})
        value = marker_likelihood(
            pedigree=pedigree,
            profiles=profiles,
            locus=locus,
            father_matrix=father,
            mother_matrix=mother,
            theta=theta,
        )
        if value <= 0:
            return -math.inf
        total += math.log(value)
    return total


def member_genotype_table(
    *,
    pedigree: Pedigree,
    member: str,
    profiles: Mapping[str, Mapping[str, Genotype]],
    locus: Locus,
    father_matrix: Matrix | None = None,
    mother_matrix: Matrix | None = None,
    alleles: Iterable[str] | None = None,
) -> tuple[list[str], Table]:
    """T[i, j] = P(the family's data, and `member` has paternal allele i and maternal allele j).
    Divided by the family's likelihood it is the member's predictive genotype distribution
    (θ = 0 only). Indexed by the returned allele list: the given `alleles` and the family's, and
    one lump "(other)" for the rest where the mutation model allows (all alleles by default).

    >>> import numpy as np
    >>> from tracebureau.engines.kinship.records import Person
    >>> trio = Pedigree("F", (Person("fa", 1), Person("mo", 2), Person("kid", 1, "fa", "mo")))
    >>> locus = Locus("L1", ("a", "b"), np.array([0.2, 0.8]))
    >>> member_genotype_table(pedigree=trio, member="kid", profiles={"mo": {"L1": ("a", "a")}}, locus=locus)
    ... # the mother a/a (0.04) always passes a; the father passes a or b by the frequencies
    (['a', 'b'], array([[0.008, 0.   ],
           [0.032, 0.   ]]))
    """
    typed = _typed_at(pedigree, profiles, locus)
    typed.pop(member, None)
    members = _needed_members(pedigree, set(typed) | {member})
    seen = set(locus.alleles if alleles is None else alleles) | {a for g in typed.values() for a in g}
    kept, frequencies, matrices = _lumped(locus, seen, (father_matrix, mother_matrix))
    factors = _factors(pedigree, members, typed, kept, frequencies, matrices, theta=0.0)
    k = members.index(member)
    return kept, _eliminate(factors, keep=(2 * k, 2 * k + 1))
