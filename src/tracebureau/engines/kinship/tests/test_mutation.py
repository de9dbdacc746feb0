"""Mutation matrices: pedmut's definitions, checked entry by entry on small cases."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracebureau.engines.kinship import KinshipInputError
from tracebureau.engines.kinship.mutation import mutation_matrix

LADDER = ["8", "9", "9.3", "10", "11"]


def test_equal_is_one_minus_rate_on_the_diagonal_and_the_rest_shared() -> None:
    matrix = mutation_matrix(model="equal", alleles=["a", "b", "c", "d", "e"], rate=0.004)
    assert matrix[2, 2] == pytest.approx(0.996)
    assert matrix[2, 4] == pytest.approx(0.001)  # 0.004 over the 4 other alleles


def test_proportional_follows_the_target_frequency_and_is_stationary() -> None:
    p = np.array([0.1, 0.2, 0.3, 0.4])
    matrix = mutation_matrix(model="proportional", alleles=list("abcd"), frequencies=p, rate=0.01)
    # Σ p(1-p) = 0.09 + 0.16 + 0.21 + 0.24 = 0.70, so α = 0.01 / 0.70 and M[i, j] = α p_j off the diagonal.
    alpha = 0.01 / 0.70
    assert matrix[0, 3] == pytest.approx(alpha * 0.4)
    assert matrix[3, 3] == pytest.approx(1 - alpha + alpha * 0.4)
    assert p @ matrix == pytest.approx(p)
    assert float(p @ (1 - np.diag(matrix))) == pytest.approx(0.01)  # the overall rate is `rate`


def test_stepwise_weights_steps_by_range_and_microvariants_by_rate2() -> None:
    matrix = mutation_matrix(model="stepwise", alleles=LADDER, rate=0.01, rate2=0.001, range=0.1)
    # From "9": the integer alleles 8, 10 (one step, weight 0.1) and 11 (two steps, weight 0.01)
    # share rate 0.01 in proportion 0.1 : 0.1 : 0.01; the lone microvariant 9.3 gets all of rate2.
    assert matrix[1, 0] == pytest.approx(0.01 * 0.1 / 0.21)
    assert matrix[1, 4] == pytest.approx(0.01 * 0.01 / 0.21)
    assert matrix[1, 2] == pytest.approx(0.001)
    assert matrix[1, 1] == pytest.approx(1 - 0.011)
    # "9.3" is alone in its group: it only mutates to the integers, rate2 split over the four.
    assert matrix[2, 2] == pytest.approx(1 - 0.001)
    assert matrix[2, 0] == pytest.approx(0.001 / 4)


def test_onestep_reaches_only_the_neighbours() -> None:
    matrix = mutation_matrix(model="onestep", alleles=["9", "10", "11", "14"], rate=0.002)
    assert matrix[1].tolist() == pytest.approx([0.001, 0.998, 0.001, 0.0])
    assert matrix[0].tolist() == pytest.approx([0.998, 0.002, 0.0, 0.0])
    assert matrix[3].tolist() == [0.0, 0.0, 0.0, 1.0]


def test_models_refuse_what_they_cannot_model() -> None:
    with pytest.raises(KinshipInputError, match="numeric allele names"):
        mutation_matrix(model="stepwise", alleles=["9", "silent"], rate=0.01, rate2=0.001)
    with pytest.raises(KinshipInputError, match="integer alleles"):
        mutation_matrix(model="onestep", alleles=["9", "9.3"], rate=0.01)
    with pytest.raises(KinshipInputError, match="impossible"):
        mutation_matrix(model="proportional", alleles=["a", "b"], frequencies=np.array([0.9, 0.1]), rate=0.9)


@given(
    model=st.sampled_from(["equal", "proportional", "stepwise", "onestep", "none"]),
    weights=st.lists(st.floats(0.05, 1.0), min_size=1, max_size=5),
    rate=st.floats(0.0, 0.05),
)
def test_every_row_sums_to_one(model: str, weights: list[float], rate: float) -> None:
    p = np.array(weights) / sum(weights)
    alleles = LADDER[: len(p)]
    if model == "onestep":
        alleles = [str(a) for a in range(10, 10 + len(p))]
    matrix = mutation_matrix(
        model=model, alleles=alleles, frequencies=p, rate=rate, rate2=rate / 10, range=0.5
    )
    assert matrix.sum(axis=1) == pytest.approx(np.ones(len(p)))
    assert np.all(matrix >= 0)
