"""Pairwise LRs: dvir's answers on its bundled cases, exactly, and the rules around them."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tracebureau.engines.kinship import (
    FEMALE,
    MALE,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
    log_likelihood,
    pairwise_lr,
    pairwise_table,
    read_case,
)

EXAMPLES = Path(__file__).parent / "cases"

# dvir's example2 has male V1, V2 and female V3 (its remains.csv carries no sex column).
SEXES = {"example1": {}, "example2": {"V1": MALE, "V2": MALE, "V3": FEMALE}}


@pytest.mark.parametrize("name", ["example1", "example2"])
def test_it_reproduces_dvirs_pairwise_lr(name: str) -> None:
    expected = json.loads((EXAMPLES / name / "expected.json").read_text())["pairwise_lr"]
    case = replace(read_case(EXAMPLES / name), remains_sex=SEXES[name])
    table = pairwise_table(case=case)
    assert list(table.remains) == expected["rows"]
    assert [missing for _, missing in table.missing] == expected["cols"]
    for ours_row, theirs_row in zip(table.lr, expected["LR"], strict=True):
        for ours, theirs in zip(ours_row, theirs_row, strict=True):
            if theirs is None:
                assert ours is None
            else:
                assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-12)


def family_and_loci() -> tuple[Pedigree, dict[str, Locus]]:
    family = Pedigree(
        "F", (Person("fa", MALE), Person("mo", FEMALE), Person("son", MALE, "fa", "mo", missing=True))
    )
    loci = {
        "L1": Locus("L1", ("a", "b", "c"), np.array([0.2, 0.3, 0.5])),
        "L2": Locus("L2", ("7", "8"), np.array([0.25, 0.75])),
    }
    return family, loci


def test_a_locus_missing_from_the_remains_contributes_one() -> None:
    family, loci = family_and_loci()
    references = {"mo": {"L1": ("a", "b"), "L2": ("7", "7")}}
    # L1: mother a/b, remains a/c: the son's maternal a (1/2) and paternal c (p_c):
    # LR = (1/2 · p_c) / (2 p_a p_c) = 1 / (4 p_a) = 1.25. L2: mother 7/7, remains 7/8:
    # LR = p_8 / (2 p_7 p_8) = 1 / (2 p_7) = 2.
    one = pairwise_lr(
        pedigree=family, missing="son", remains={"L1": ("a", "c")}, references=references, loci=loci
    )
    both = pairwise_lr(
        pedigree=family,
        missing="son",
        remains={"L1": ("a", "c"), "L2": ("7", "8")},
        references=references,
        loci=loci,
    )
    assert one == pytest.approx(1.25)
    assert both == pytest.approx(1.25 * 2)


def test_an_exclusion_is_zero_and_a_mutation_model_softens_it() -> None:
    family, loci = family_and_loci()
    references = {"mo": {"L2": ("7", "7")}}
    remains = {"L2": ("8", "8")}
    assert (
        pairwise_lr(pedigree=family, missing="son", remains=remains, references=references, loci=loci) == 0.0
    )
    mutations = {("L2", FEMALE): MutationSetting("L2", FEMALE, "equal", rate=0.002)}
    lr = pairwise_lr(
        pedigree=family, missing="son", remains=remains, references=references, loci=loci, mutations=mutations
    )
    # The maternal 7 mutates to 8 (0.002), the paternal 8 has p_8: LR = 0.002 p_8 / p_8² = 0.002 / 0.75.
    assert lr == pytest.approx(0.002 / 0.75)


def test_sexes_must_agree() -> None:
    family, loci = family_and_loci()
    args = {
        "pedigree": family,
        "missing": "son",
        "remains": {"L2": ("7", "7")},
        "references": {},
        "loci": loci,
    }
    assert pairwise_lr(**args, remains_sex=FEMALE) is None  # type: ignore[arg-type]
    assert pairwise_lr(**args, remains_sex=MALE) == pytest.approx(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["example1", "example2"])
def test_its_likelihood_of_each_joint_assignment_is_dvirs(name: str) -> None:
    # dvir's `loglik` of an assignment: every family with its assigned remains put in place of
    # the missing members (several per family here), times every unassigned remains alone.
    case = read_case(EXAMPLES / name)
    for expected in json.loads((EXAMPLES / name / "expected.json").read_text())["joint_top"]:
        assigned = {expected[v]: v for v in case.remains if expected[v] != "*"}
        total = 0.0
        for pedigree in case.families.values():
            profiles = {
                **case.references,
                **{m: case.remains[assigned[m]] for m in pedigree.missing if m in assigned},
            }
            total += log_likelihood(pedigree=pedigree, profiles=profiles, loci=case.loci)
        for remains in case.remains:
            if expected[remains] == "*":
                alone = Pedigree("alone", (Person(remains, MALE),))
                total += log_likelihood(pedigree=alone, profiles=case.remains, loci=case.loci)
        assert total == pytest.approx(expected["loglik"], rel=1e-9)


def test_theta_in_a_pairwise_lr_by_hand() -> None:
    # A missing son of an untyped father and a mother typed 1/1; remains 1/2. Founder alleles
    # in sequence: the mother's 1, 1, then the father's transmitted 2:
    # L(family + son) = p1 (θ + (1 - θ) p1) · (1 - θ) p2 / (1 + θ); L(family) = p1 (θ + (1 - θ) p1);
    # L(remains) = 2 p1 p2 (1 - θ). LR = 1 / (2 p1 (1 + θ)); θ = 0 gives dvir's 10 (example1, V3-M2).
    family, loci = family_and_loci()
    references = {"mo": {"L2": ("7", "7")}}
    theta = 0.03
    lr = pairwise_lr(
        pedigree=family,
        missing="son",
        remains={"L2": ("7", "8")},
        references=references,
        loci=loci,
        theta=theta,
    )
    assert lr == pytest.approx(1 / (2 * 0.25 * (1 + theta)))


def test_impossible_references_and_unknown_markers_are_errors_not_numbers() -> None:
    family = Pedigree("F", (Person("fa", MALE), Person("mo", FEMALE), Person("kid", MALE, "fa", "mo")))
    family = Pedigree("F", (*family.persons, Person("son", MALE, "fa", "mo", missing=True)))
    loci = {"L1": Locus("L1", ("a", "b"), np.array([0.5, 0.5]))}
    references = {"fa": {"L1": ("a", "a")}, "mo": {"L1": ("a", "a")}, "kid": {"L1": ("b", "b")}}
    with pytest.raises(KinshipInputError, match="impossible at L1"):
        pairwise_lr(
            pedigree=family, missing="son", remains={"L1": ("a", "a")}, references=references, loci=loci
        )
    with pytest.raises(KinshipInputError, match="'L9' has no frequency table"):
        pairwise_lr(pedigree=family, missing="son", remains={"L9": ("a", "a")}, references={}, loci=loci)


def test_dropout_in_a_pairwise_lr_by_hand() -> None:
    """A missing son of a mother typed a/b and an untyped father; the remains shows only a.
    p_a = 0.2, drop-out d = 0.1 (each allele lost independently, no drop-in): "a" is seen from
    a/a with 1 - d², from a/x (x ≠ a) with (1 - d) d.

    Son's genotype given the mother: maternal a or b (1/2 each), paternal x with p_x, so a/a with
    p_a / 2, a/x (x ≠ a) with (1 - p_a) / 2 (maternal a) + p_a / 2 (maternal b, paternal a) = 1/2.
    Related: (1 - d²) p_a / 2 + (1 - d) d / 2 = (0.99 · 0.2 + 0.09) / 2 = 0.144.
    Unrelated: (1 - d²) p_a² + (1 - d) d · 2 p_a (1 - p_a) = 0.99 · 0.04 + 0.09 · 0.32 = 0.0684.
    LR = 0.144 / 0.0684 = 40/19 ≈ 2.105; without drop-out 1 / (2 p_a) = 2.5.
    """
    family, loci = family_and_loci()
    args = {
        "pedigree": family,
        "missing": "son",
        "remains": {"L1": ("a", "a")},
        "references": {"mo": {"L1": ("a", "b")}},
        "loci": loci,
    }
    assert pairwise_lr(**args, dropout=0.1) == pytest.approx(40 / 19, rel=1e-12)  # type: ignore[arg-type]
    assert pairwise_lr(**args, dropout=0.0) == pytest.approx(2.5, rel=1e-12)  # type: ignore[arg-type]
    # A heterozygous remains a/c shows both alleles: (1 - d)² on both sides cancels, so the LR is
    # that without drop-out, 1 / (4 p_a) = 1.25.
    args["remains"] = {"L1": ("a", "c")}
    assert pairwise_lr(**args, dropout=0.1) == pytest.approx(1.25, rel=1e-12)  # type: ignore[arg-type]


def test_dropout_turns_an_apparent_exclusion_into_a_small_lr() -> None:
    # Mother 7/7, remains shows only 8: without drop-out the son (who must carry a 7) is excluded.
    # With d = 0.1 he may be 7/8 with the 7 lost: related p_8 (1 - d) d; unrelated
    # p_8² (1 - d²) + 2 p_8 p_7 (1 - d) d. LR = d / (p_8 (1 + d) + 2 p_7 d) = 0.1 / 0.875 = 4/35.
    family, loci = family_and_loci()
    args = {"pedigree": family, "missing": "son", "remains": {"L2": ("8", "8")}, "loci": loci}
    references = {"mo": {"L2": ("7", "7")}}
    assert pairwise_lr(**args, references=references) == 0.0  # type: ignore[arg-type]
    lr = pairwise_lr(**args, references=references, dropout=0.1)  # type: ignore[arg-type]
    assert lr == pytest.approx(4 / 35, rel=1e-12)
    with pytest.raises(KinshipInputError, match="drop-out probability must be in"):
        pairwise_lr(**args, references=references, dropout=1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["example1", "example2", "planecrash"])
def test_dropout_zero_changes_nothing(name: str) -> None:
    case = read_case(EXAMPLES / name)
    assert pairwise_table(case=case, dropout=0.0) == pairwise_table(case=case)
