"""Pedigree likelihoods on cases small enough to derive by hand, and against brute force."""

import itertools
import math

import numpy as np
import pytest

from tracebureau.engines.kinship import FEMALE, MALE, SILENT, Locus, Pedigree, Person, marker_likelihood
from tracebureau.engines.kinship.mutation import mutation_matrix

P = {"a": 0.1, "b": 0.3, "c": 0.6}
LOCUS = Locus("L1", tuple(P), np.array(list(P.values())))


def trio() -> Pedigree:
    return Pedigree("F", (Person("fa", MALE), Person("mo", FEMALE), Person("kid", MALE, "fa", "mo")))


def likelihood(pedigree: Pedigree, typed: dict[str, tuple[str, str]], **options: object) -> float:
    profiles = {person: {"L1": genotype} for person, genotype in typed.items()}
    return marker_likelihood(
        pedigree=pedigree, profiles=profiles, locus=options.pop("locus", LOCUS), **options
    )  # type: ignore[arg-type]


def test_a_lone_person_is_hardy_weinberg() -> None:
    alone = Pedigree("F", (Person("x", MALE),))
    assert likelihood(alone, {"x": ("a", "b")}) == pytest.approx(2 * 0.1 * 0.3)
    assert likelihood(alone, {"x": ("c", "c")}) == pytest.approx(0.36)


def test_parent_and_child() -> None:
    # Father a/a, child a/a, mother untyped: the child's paternal a is certain, the maternal a
    # has probability p_a, so L = p_a² · p_a and LR = L / (p_a² · p_a²) = 1 / p_a.
    assert likelihood(trio(), {"fa": ("a", "a"), "kid": ("a", "a")}) == pytest.approx(0.1**3)
    # Father a/b, child a/b: the father gives a (1/2) and the mother b (p_b), or he gives b (1/2)
    # and she a (p_a): L = 2 p_a p_b · (p_a + p_b) / 2, LR = (p_a + p_b) / (4 p_a p_b) = 0.4 / 0.12.
    together = likelihood(trio(), {"fa": ("a", "b"), "kid": ("b", "a")})
    assert together / (2 * 0.1 * 0.3) ** 2 == pytest.approx(0.4 / 0.12)


def test_full_and_half_siblings_follow_their_ibd_probabilities() -> None:
    # Two children of untyped parents share 0, 1, 2 alleles identical by descent with
    # probabilities 1/4, 1/2, 1/4 (half-siblings 1/2, 1/2, 0); both a/a gives
    # LR = k0 + k1 / p_a + k2 / p_a² (30.25 and 5.5 for p_a = 0.1).
    sibs = Pedigree(
        "F",
        (
            Person("fa", MALE),
            Person("mo", FEMALE),
            Person("s1", MALE, "fa", "mo"),
            Person("s2", FEMALE, "fa", "mo"),
        ),
    )
    half = Pedigree(
        "F",
        (
            Person("fa", MALE),
            Person("mo1", FEMALE),
            Person("mo2", FEMALE),
            Person("s1", MALE, "fa", "mo1"),
            Person("s2", FEMALE, "fa", "mo2"),
        ),
    )
    both = {"s1": ("a", "a"), "s2": ("a", "a")}
    assert likelihood(sibs, both) / 0.1**4 == pytest.approx(0.25 + 0.5 / 0.1 + 0.25 / 0.01)
    assert likelihood(half, both) / 0.1**4 == pytest.approx(0.5 + 0.5 / 0.1)


def test_a_mutation_explains_a_father_and_son_homozygous_for_different_alleles() -> None:
    # pedmut's README case: alleles 1-4 at 1/4 each, equal model rate 0.1 (the same matrix as
    # proportional here). Father 1/1 (1/16); the son's paternal allele mutated 1 -> 2
    # (0.1 / 3) and his maternal allele is 2 (1/4): L = 1/16 · 0.1/3 · 1/4 = 0.000520833.
    locus = Locus("L1", ("1", "2", "3", "4"), np.full(4, 0.25))
    matrix = mutation_matrix(model="equal", alleles=locus.alleles, rate=0.1)
    typed = {"fa": ("1", "1"), "kid": ("2", "2")}
    assert likelihood(trio(), typed, locus=locus, father_matrix=matrix) == pytest.approx(0.1 / 192)
    assert likelihood(trio(), typed, locus=locus) == 0.0  # without a model: an exclusion
    assert likelihood(trio(), typed, locus=locus, mother_matrix=matrix) == 0.0  # only fathers mutate


def test_theta_corrects_founder_alleles_as_nrc_ii_4_10() -> None:
    alone = Pedigree("F", (Person("x", MALE),))
    theta = 0.01
    # a/a: p_a (θ + (1 - θ) p_a); a/b: 2 p_a p_b (1 - θ)
    assert likelihood(alone, {"x": ("a", "a")}, theta=theta) == pytest.approx(0.1 * (theta + 0.99 * 0.1))
    assert likelihood(alone, {"x": ("a", "b")}, theta=theta) == pytest.approx(2 * 0.1 * 0.3 * 0.99)


def test_theta_couples_untyped_founders_as_in_pedprobr() -> None:
    # pedprobr's test: linearPed(2) with only the grandson typed A/A, p_A = 0.3, θ = 0.01 gives
    # 0.0921. His two alleles are two different founder alleles: p (θ + (1 - θ) p) = 0.3 · 0.307.
    line = Pedigree(
        "F",
        (
            Person("1", MALE),
            Person("2", FEMALE),
            Person("3", MALE, "1", "2"),
            Person("4", FEMALE),
            Person("5", MALE, "3", "4"),
        ),
    )
    locus = Locus("L1", ("A", "B"), np.array([0.3, 0.7]))
    assert likelihood(line, {"5": ("A", "A")}, locus=locus, theta=0.01) == pytest.approx(0.0921)
    assert likelihood(line, {"5": ("A", "A")}, locus=locus) == pytest.approx(0.09)


def test_a_silent_allele_lets_opposite_homozygotes_be_parent_and_child() -> None:
    # Father shows a (a/a or a/s), son shows b. Only father a/s (2 p_a p_s) passing s (1/2)
    # with the mother passing b (p_b) fits: L = p_a p_s p_b.
    p = {"a": 0.2, "b": 0.3, "c": 0.4, SILENT: 0.1}
    locus = Locus("L1", tuple(p), np.array(list(p.values())))
    assert likelihood(trio(), {"fa": ("a", "a"), "kid": ("b", "b")}, locus=locus) == pytest.approx(
        0.2 * 0.1 * 0.3
    )
    alone = Pedigree("F", (Person("x", MALE),))
    assert likelihood(alone, {"x": ("a", "a")}, locus=locus) == pytest.approx(0.04 + 2 * 0.2 * 0.1)


def balding_nichols(sequence: list[int], frequencies: np.ndarray, theta: float) -> float:
    """The founder alleles drawn one after another from the subpopulation (NRC II 4.10)."""
    probability = 1.0
    for j, allele in enumerate(sequence):
        before = sequence[:j].count(allele)
        probability *= (before * theta + (1 - theta) * frequencies[allele]) / (1 + (j - 1) * theta)
    return probability


def brute_force(
    pedigree: Pedigree,
    typed: dict[str, tuple[str, str]],
    locus: Locus,
    father: np.ndarray,
    theta: float = 0.0,
) -> float:
    """Sum over every ordered genotype of every member: the definition itself."""
    alleles = range(len(locus.alleles))
    pairs = list(itertools.product(alleles, alleles))
    total = 0.0
    for assignment in itertools.product(pairs, repeat=len(pedigree.persons)):
        genotype = dict(zip(pedigree.ids, assignment, strict=True))
        founder_alleles = [a for p in pedigree.persons if p.father is None for a in genotype[p.id]]
        probability = balding_nichols(founder_alleles, locus.frequencies, theta)
        for person in pedigree.persons:
            pat, mat = genotype[person.id]
            if person.id in typed and sorted(locus.alleles[i] for i in (pat, mat)) != sorted(
                typed[person.id]
            ):
                probability = 0.0
                break
            if person.father is not None:
                f, m = genotype[person.father], genotype[person.mother or ""]
                probability *= (
                    (father[f[0], pat] + father[f[1], pat]) / 2 * (int(m[0] == mat) + int(m[1] == mat)) / 2
                )
        total += probability
    return total


@pytest.mark.parametrize("model", ["none", "equal", "stepwise"])
def test_elimination_equals_the_sum_over_all_genotypes(model: str) -> None:
    # A grandfather, his son and the son's wife, their child, and the grandfather's second son:
    # uncle, nephew and an untyped link. Two alleles keep the brute force (4^6 terms) quick.
    family = Pedigree(
        "F",
        (
            Person("gf", MALE),
            Person("gm", FEMALE),
            Person("dad", MALE, "gf", "gm"),
            Person("uncle", MALE, "gf", "gm"),
            Person("mum", FEMALE),
            Person("kid", FEMALE, "dad", "mum"),
        ),
    )
    locus = Locus("L1", ("9", "10"), np.array([0.2, 0.8]))
    father = mutation_matrix(model=model, alleles=locus.alleles, rate=0.05, rate2=0.0, range=0.5)
    typed = {"uncle": ("9", "10"), "kid": ("9", "9"), "gm": ("9", "9")}
    exact = brute_force(family, typed, locus, father)
    assert exact > 0
    assert likelihood(family, typed, locus=locus, father_matrix=father) == pytest.approx(exact, rel=1e-12)
    assert math.isclose(likelihood(family, {}, locus=locus), 1.0)


def test_theta_equals_the_sum_over_all_genotypes_with_typed_and_untyped_founders() -> None:
    # Four founders (two typed, two not), a typed child and a typed grandchild.
    family = Pedigree(
        "F",
        (
            Person("gf", MALE),
            Person("gm", FEMALE),
            Person("dad", MALE, "gf", "gm"),
            Person("mum", FEMALE),
            Person("kid", FEMALE, "dad", "mum"),
            Person("other", MALE),
        ),
    )
    locus = Locus("L1", ("9", "10"), np.array([0.2, 0.8]))
    typed = {"gm": ("9", "10"), "kid": ("10", "10"), "other": ("9", "9")}
    father = mutation_matrix(model="equal", alleles=locus.alleles, rate=0.05)
    exact = brute_force(family, typed, locus, father, theta=0.05)
    assert likelihood(family, typed, locus=locus, father_matrix=father, theta=0.05) == pytest.approx(
        exact, rel=1e-12
    )
