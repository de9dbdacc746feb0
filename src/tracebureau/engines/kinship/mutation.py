"""Mutation models for the transmission of an allele from parent to child, as pedmut defines them.

A short tandem repeat can change length between parent and child (about one transmission in a
thousand). Without a model, one such mutation reads as an exclusion and a true father or son is
lost; with one, it only lowers the likelihood ratio. Each model is a matrix M over the alleles of
a locus: M[i, j] is the probability that a parent's allele i is transmitted as allele j. Rows sum
to 1. Fathers and mothers have separate matrices (the male rate is usually higher).

The definitions follow pedmut (R, pedsuite) `mutationMatrix()` exactly, so that likelihoods agree
with pedprobr, forrel and dvir:

* ``equal``: every other allele equally likely, M[i, j] = rate / (n - 1), M[i, i] = 1 - rate.
* ``proportional``: a mutation lands on j in proportion to j's frequency p_j:
  M = (1 - α) I + α 1 pᵀ, with α = rate / Σ p_i (1 - p_i), so that the expected mutation rate
  Σ p_i (1 - M[i, i]) is `rate`. It is stationary: p M = p.
* ``stepwise``: alleles are numbers, "9.3" a microvariant of group 3. Within an allele's group a
  mutation of k repeats has weight range^k, scaled so the row gives `rate` to its group; `rate2`
  is split equally over the alleles of the other groups. The diagonal is 1 - rate - rate2, or
  1 - rate when there are no other groups, or 1 - rate2 when the allele is alone in its group.
* ``onestep``: integer alleles; only the neighbours i ± 1 can be reached, `rate` shared equally
  between those present; an allele without neighbours never mutates.
* ``none`` (pedmut's ``trivial``): the identity.

A locus with a single allele always gets the identity (as in pedmut).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from tracebureau.engines.kinship.records import FEMALE, MALE, KinshipInputError, Locus, MutationSetting

Matrix = NDArray[np.float64]


def mutation_matrix(
    *,
    model: str,
    alleles: Sequence[str],
    frequencies: NDArray[np.float64] | None = None,
    rate: float = 0.0,
    rate2: float = 0.0,
    range: float = 0.1,
) -> Matrix:
    """The transmission matrix of `model` over `alleles` (rows: parent's allele, columns: child's).

    >>> mutation_matrix(model="equal", alleles=["1", "2", "3"], rate=0.1).round(3).tolist()
    [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]]
    >>> mutation_matrix(model="onestep", alleles=["9", "10", "11"], rate=0.002)[0].tolist()
    [0.998, 0.002, 0.0]
    """
    n = len(alleles)
    if n == 1 or model in ("none", "trivial"):
        return np.eye(n)
    if model == "equal":
        return _equal(n, rate)
    if model == "proportional":
        if frequencies is None:
            raise KinshipInputError("the proportional model needs the allele frequencies")
        return _proportional(np.asarray(frequencies, dtype=float), rate)
    if model == "stepwise":
        return _stepwise(_numbers(alleles, model), rate, rate2, range)
    if model == "onestep":
        return _onestep(_numbers(alleles, model), rate)
    raise KinshipInputError(f"unknown mutation model {model!r}")


def _equal(n: int, rate: float) -> Matrix:
    matrix = np.full((n, n), rate / (n - 1))
    np.fill_diagonal(matrix, 1 - rate)
    return matrix


def _proportional(frequencies: NDArray[np.float64], rate: float) -> Matrix:
    alpha = rate / float(np.sum(frequencies * (1 - frequencies)))
    n = len(frequencies)
    matrix = (1 - alpha) * np.eye(n) + alpha * np.tile(frequencies, (n, 1))
    if np.any(matrix > 1) or np.any(matrix < 0):
        raise KinshipInputError(f"the proportional model with rate {rate} is impossible; reduce the rate")
    return matrix


def _numbers(alleles: Sequence[str], model: str) -> NDArray[np.float64]:
    try:
        numbers = np.array([float(a) for a in alleles])
    except ValueError:
        raise KinshipInputError(
            f"the {model} model needs numeric allele names, not {list(alleles)}"
        ) from None
    if model == "onestep" and np.any(numbers != np.round(numbers)):
        raise KinshipInputError("the onestep model needs integer alleles")
    if model == "stepwise" and np.any(np.abs(np.round(numbers, 1) - numbers) > 1e-9):
        raise KinshipInputError("stepwise: microvariants must be named with one decimal, like 9.3")
    return numbers


def _stepwise(numbers: NDArray[np.float64], rate: float, rate2: float, range_: float) -> Matrix:
    if rate + rate2 > 1:
        raise KinshipInputError(f"stepwise: rate + rate2 = {rate + rate2} exceeds 1")
    group = np.round((numbers - np.round(numbers)) * 10).astype(int)
    n = len(numbers)
    matrix = np.zeros((n, n))
    for i in np.arange(n):
        same = group == group[i]
        others = n - int(same.sum())
        matrix[i, ~same] = rate2 / others if others else 0.0
        relatives = same.copy()
        relatives[i] = False
        if relatives.any():
            weights = range_ ** np.abs(numbers[relatives] - numbers[i])
            matrix[i, relatives] = weights / weights.sum() * rate
        matrix[i, i] = 1 - (rate if relatives.any() else 0.0) - (rate2 if others else 0.0)
    return matrix


def _onestep(numbers: NDArray[np.float64], rate: float) -> Matrix:
    n = len(numbers)
    matrix = np.eye(n)
    for i in np.arange(n):
        neighbours = np.abs(numbers - numbers[i]) == 1
        if neighbours.any():
            matrix[i, i] = 1 - rate
            matrix[i, neighbours] = rate / neighbours.sum()
    return matrix


def transmission_matrices(
    locus: Locus, settings: Mapping[tuple[str, int], MutationSetting]
) -> tuple[Matrix | None, Matrix | None]:
    """The (father's, mother's) matrices at `locus`, None for a parent's sex without a model.

    >>> import numpy as np
    >>> locus = Locus("L1", ("1", "2"), np.array([0.5, 0.5]))
    >>> father, mother = transmission_matrices(locus, {("L1", 1): MutationSetting("L1", 1, "equal", 0.01)})
    >>> father.tolist(), mother
    ([[0.99, 0.01], [0.01, 0.99]], None)
    """
    matrices: list[Matrix | None] = []
    for sex in (MALE, FEMALE):
        setting = settings.get((locus.marker, sex))
        if setting is None or setting.model in ("none", "trivial"):
            matrices.append(None)
            continue
        matrices.append(
            mutation_matrix(
                model=setting.model,
                alleles=locus.alleles,
                frequencies=locus.frequencies,
                rate=setting.rate,
                rate2=setting.rate2,
                range=setting.range,
            )
        )
    return matrices[0], matrices[1]
