"""The gene-dropping simulator and the identification power built on it.

Random figures are checked against their exact values with a tolerance of five binomial standard
deviations, and every seed is fixed, so a test either always passes or always fails.
"""

import math

import numpy as np
import pytest

from tracebureau.engines.kinship import (
    FEMALE,
    MALE,
    SILENT,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
    identification_power,
    marker_lr_table,
    simulate_alleles,
    simulate_profiles,
)

TRIO = Pedigree(
    "F", (Person("fa", MALE), Person("mo", FEMALE), Person("son", MALE, "fa", "mo", missing=True))
)


def within(count: float, draws: int, p: float) -> bool:
    """`count` successes in `draws` is within five binomial standard deviations of draws · p."""
    return abs(count - draws * p) <= 5 * math.sqrt(draws * p * (1 - p)) + 1e-9


def str_loci(count: int, seed: int) -> dict[str, Locus]:
    rng = np.random.default_rng(seed)
    loci = {}
    for k in range(count):
        n = int(rng.integers(6, 15))
        loci[f"L{k}"] = Locus(f"L{k}", tuple(str(8 + a) for a in range(n)), rng.dirichlet(np.ones(n)))
    return loci


def test_founder_alleles_follow_the_frequencies() -> None:
    locus = Locus("L1", ("a", "b", "c", "d"), np.array([0.1, 0.2, 0.3, 0.4]))
    founder = Pedigree("F", (Person("x", MALE),))
    draws = simulate_alleles(pedigree=founder, locus=locus, rng=np.random.default_rng(11), size=20_000)["x"]

    counts = np.bincount(draws.ravel(), minlength=4)
    assert all(within(counts[a], draws.size, p) for a, p in enumerate(locus.frequencies))


def test_without_mutation_a_child_always_has_one_allele_of_each_parent() -> None:
    locus = Locus("L1", tuple("abcdef"), np.full(6, 1 / 6))
    drops = simulate_alleles(pedigree=TRIO, locus=locus, rng=np.random.default_rng(5), size=5_000)
    son, fa, mo = drops["son"], drops["fa"], drops["mo"]

    assert np.all((son[:, 0] == fa[:, 0]) | (son[:, 0] == fa[:, 1]))
    assert np.all((son[:, 1] == mo[:, 0]) | (son[:, 1] == mo[:, 1]))
    # and either of a parent's two alleles is passed, half the time each
    assert within(int(np.sum(son[:, 0] == fa[:, 0])), 5_000, 0.5 + 0.5 / 6)


def test_mutations_follow_the_model_of_the_parents_sex() -> None:
    # Everyone in the population is a/a, so the son's paternal b is exactly a mutation (rate 0.1
    # under the father's model) and his maternal allele never mutates (no model for mothers).
    locus = Locus("L1", ("a", "b"), np.array([1.0, 0.0]))
    mutations = {("L1", MALE): MutationSetting("L1", MALE, "equal", rate=0.1)}
    son = simulate_alleles(
        pedigree=TRIO, locus=locus, rng=np.random.default_rng(8), size=10_000, mutations=mutations
    )["son"]

    assert within(int(son[:, 0].sum()), 10_000, 0.1)
    assert not son[:, 1].any()


def test_a_fixed_seed_gives_the_same_profiles() -> None:
    loci = str_loci(5, seed=1)
    first, second, other = (
        simulate_profiles(pedigree=TRIO, loci=loci, rng=np.random.default_rng(seed)) for seed in (4, 4, 5)
    )

    assert first == second != other
    assert set(first) == {"fa", "mo", "son"} and all(len(profile) == 5 for profile in first.values())


def test_a_silent_allele_is_hidden_and_silent_silent_is_no_result() -> None:
    locus = Locus("L1", ("9", SILENT), np.array([0.0, 1.0]))
    profiles = simulate_profiles(
        pedigree=TRIO, loci={"L1": locus}, rng=np.random.default_rng(0), members=["son"]
    )

    assert profiles == {"son": {}}


def test_the_mean_log_lr_and_the_exclusion_rate_converge_to_their_exact_values() -> None:
    loci = str_loci(3, seed=2)
    references = simulate_profiles(
        pedigree=TRIO, loci=loci, rng=np.random.default_rng(3), members=["fa", "mo"]
    )
    power = identification_power(
        pedigree=TRIO,
        missing="son",
        references=references,
        loci=loci,
        rng=np.random.default_rng(9),
        draws=40_000,
    )

    mean = variance = 0.0
    not_excluded = 1.0
    for locus in loci.values():
        _, predictive, lr = marker_lr_table(pedigree=TRIO, member="son", references=references, locus=locus)
        log_lr = np.log10(np.where(predictive > 0, lr, 1.0))
        mean += float(np.sum(predictive * log_lr))
        variance += float(np.sum(predictive * log_lr**2)) - float(np.sum(predictive * log_lr)) ** 2
        unrelated = np.outer(locus.frequencies, locus.frequencies)
        not_excluded *= float(unrelated[lr > 0].sum())
    assert abs(power.mean_log10_lr - mean) <= 5 * math.sqrt(variance / power.draws)
    assert within(power.excluded * power.draws, power.draws, 1 - not_excluded)


def test_both_parents_typed_identify_their_son_better_than_one() -> None:
    loci = str_loci(15, seed=7)
    references = simulate_profiles(
        pedigree=TRIO, loci=loci, rng=np.random.default_rng(1), members=["fa", "mo"]
    )

    def power(typed: dict) -> tuple[float, float, float]:
        result = identification_power(
            pedigree=TRIO,
            missing="son",
            references=typed,
            loci=loci,
            rng=np.random.default_rng(2),
            draws=4_000,
        )
        return result.identified, result.mean_log10_lr, result.excluded

    both, mother = power(references), power({"mo": references["mo"]})
    assert both[0] > mother[0] and both[1] > mother[1] + 1 and both[2] >= mother[2]


def test_identification_power_is_deterministic_for_a_seed() -> None:
    loci = str_loci(4, seed=3)

    def run(seed: int) -> object:
        return identification_power(
            pedigree=TRIO, missing="son", references={}, loci=loci, rng=np.random.default_rng(seed), draws=100
        )

    assert run(1) == run(1) != run(2)
    assert run(1).mean_log10_lr == pytest.approx(0.0, abs=1e-12)  # no references, no information
