"""Joint identification: dvir's ten best assignments on its cases, a case worked by hand, and the
agreement of the joint likelihood with the pairwise LR."""

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tracebureau.engines.kinship import (
    FEMALE,
    MALE,
    Case,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
    assignment_loglik,
    incompatible_markers,
    joint_identification,
    pairwise_table,
    read_case,
)
from tracebureau.engines.kinship.joint import _assignments, _Scorer

EXAMPLES = Path(__file__).parent / "cases"

# dvir's example2 has male V1, V2 and female V3 (its remains.csv carries no sex column).
SEXES = {"example1": {}, "example2": {"V1": MALE, "V2": MALE, "V3": FEMALE}}


def example(name: str) -> Case:
    return replace(read_case(EXAMPLES / name), remains_sex=SEXES[name])


@pytest.mark.parametrize("name", ["example1", "example2"])
def test_it_finds_dvirs_ten_best_assignments_with_their_logliks(name: str) -> None:
    expected = json.loads((EXAMPLES / name / "expected.json").read_text())["joint_top"]
    result = joint_identification(case=example(name), top=10)
    ours = {tuple(m or "*" for m in row.assignment): row.loglik for row in result.rows}
    theirs = {tuple(e[v] for v in result.remains): e["loglik"] for e in expected}
    # Ties may be cut differently at the tenth place; every one of ours with a loglik above the
    # tenth is dvir's, with dvir's loglik.
    last = min(theirs.values())
    assert sorted(ours.values(), reverse=True) == pytest.approx(
        sorted(theirs.values(), reverse=True), abs=1e-9
    )
    for assignment, loglik in ours.items():
        if loglik > last + 1e-9:
            assert theirs[assignment] == pytest.approx(loglik, abs=1e-9)
    assert [row.loglik for row in result.rows] == sorted((row.loglik for row in result.rows), reverse=True)


def test_example2_best_is_the_papers_lr_250_and_posterior_0718() -> None:
    result = joint_identification(case=example("example2"))
    best = result.rows[0]
    assert best.assignment == ("M1", "M2", "M3")
    assert math.exp(best.loglik - result.loglik_nobody) == pytest.approx(250, rel=1e-9)
    assert best.posterior == pytest.approx(0.7183908045977, rel=1e-9)  # 250 / 348
    assert result.count == 10 and result.undisputed == ()


def hand_case() -> Case:
    # F1: mother a/a, a missing son S1; F2: father b/b, a missing daughter D2; both other parents
    # untyped. Remains V1 and V2 both a/b, sexes unknown; p_a = 0.2, p_b = 0.8.
    f1 = Pedigree("F1", (Person("fa1", MALE), Person("mo1", FEMALE), Person("S1", MALE, "fa1", "mo1", True)))
    f2 = Pedigree(
        "F2", (Person("fa2", MALE), Person("mo2", FEMALE), Person("D2", FEMALE, "fa2", "mo2", True))
    )
    loci = {"L1": Locus("L1", ("a", "b"), np.array([0.2, 0.8]))}
    references = {"mo1": {"L1": ("a", "a")}, "fa2": {"L1": ("b", "b")}}
    remains = {"V1": {"L1": ("a", "b")}, "V2": {"L1": ("b", "a")}}
    return Case({"F1": f1, "F2": f2}, references, remains, loci)


def test_a_case_worked_by_hand() -> None:
    # Pairwise: V → S1 has LR p_b / (2 p_a p_b) = 2.5, V → D2 has p_a / (2 p_a p_b) = 0.625.
    # Each assignment's likelihood is L(nobody) times the product of its pairs' LRs (the families
    # are independent and each receives at most one remains): nobody 1; one V as S1: 2.5 (twice);
    # one V as D2: 0.625 (twice); both placed: 2.5 · 0.625 = 1.5625 (twice). Sum 10.375.
    result = joint_identification(case=hand_case(), top=None)
    nobody = math.log(0.2**2 * 0.8**2 * (2 * 0.2 * 0.8) ** 2)
    assert result.loglik_nobody == pytest.approx(nobody, abs=1e-12)
    got = {row.assignment: (math.exp(row.loglik - nobody), row.posterior) for row in result.rows}
    want = {
        ("S1", None): 2.5,
        (None, "S1"): 2.5,
        ("S1", "D2"): 1.5625,
        ("D2", "S1"): 1.5625,
        (None, None): 1.0,
        ("D2", None): 0.625,
        (None, "D2"): 0.625,
    }
    assert result.count == 7 and got.keys() == want.keys()
    for assignment, lr in want.items():
        assert got[assignment] == pytest.approx((lr, lr / 10.375), rel=1e-12)
    # Ties keep the order of the search: V1's candidates before nobody.
    assert [row.assignment for row in result.rows[:2]] == [("S1", None), (None, "S1")]


def test_an_exclusion_and_a_sex_mismatch_are_never_proposed() -> None:
    case = replace(hand_case(), remains_sex={"V1": MALE})
    case = replace(case, remains={**case.remains, "V3": {"L1": ("a", "a")}})  # excluded from D2 (b/b father)
    result = joint_identification(case=case, top=None)
    assignments = [row.assignment for row in result.rows]
    assert all(a[0] != "D2" and a[2] != "D2" for a in assignments)
    # V1 in {S1, *}, V2 in {S1, D2, *}, V3 in {S1, *}, distinct: 2 with V1 = S1, 5 without.
    assert ("S1", "D2", None) in assignments and result.count == 7


@pytest.mark.parametrize("name", ["example1", "example2", "symmetricSibs"])
def test_one_assigned_remains_gives_its_pairwise_lr(name: str) -> None:
    case = read_case(EXAMPLES / name)
    nobody = assignment_loglik(case=case, assignment={})
    table = pairwise_table(case=case)
    for remains, row in zip(table.remains, table.lr, strict=True):
        for (_, missing), lr in zip(table.missing, row, strict=True):
            loglik = assignment_loglik(case=case, assignment={remains: missing})
            assert lr is not None
            assert math.exp(loglik - nobody) == pytest.approx(lr, rel=1e-9, abs=1e-300)


def test_undisputed_identifications_are_fixed_first_and_change_no_loglik() -> None:
    # With T = 4, V2 = M2 (LR 5, its rivals 0 and 1) and V3 = M3 (LR 5, no rival of its sex) are
    # undisputed. Once V2 is placed as M2, V1 = M1 has LR 10 (V1's 1/1 now explains M2's
    # paternal 1) and no rival: the next round fixes it too, and one assignment is left, with the
    # same loglik as in the full search.
    everything = joint_identification(case=example("example2"), top=None).rows
    full = {row.assignment: row.loglik for row in everything}
    result = joint_identification(case=example("example2"), undisputed=4.0, top=None)
    assert [(u.remains, u.missing) for u in result.undisputed] == [("V2", "M2"), ("V3", "M3"), ("V1", "M1")]
    assert [u.lr for u in result.undisputed] == pytest.approx([5, 5, 10], rel=1e-9)
    assert [row.assignment for row in result.rows] == [("M1", "M2", "M3")]
    assert result.rows[0].loglik == pytest.approx(full[("M1", "M2", "M3")], abs=1e-12)
    assert result.rows[0].posterior == 1.0 and result.count == 1
    # With T = 6 nothing is undisputed.
    assert joint_identification(case=example("example2"), undisputed=6.0).undisputed == ()


def test_too_many_assignments_is_an_error_not_a_hang() -> None:
    with pytest.raises(KinshipInputError, match="more than 5 joint assignments"):
        joint_identification(case=example("example1"), max_assignments=5)


def test_a_missing_id_in_two_families_is_refused() -> None:
    case = hand_case()
    f3 = Pedigree("F3", (Person("S1", MALE, missing=True),))
    with pytest.raises(KinshipInputError, match="'S1' is in several families"):
        joint_identification(case=replace(case, families={**case.families, "F3": f3}))


def test_progress_is_reported() -> None:
    seen: list[tuple[str, float]] = []
    joint_identification(case=example("example1"), progress=lambda stage, f: seen.append((stage, f)))
    assert ("pairwise", 1.0) in seen and ("joint", 1.0) in seen


def brute_force(case: Case) -> dict[tuple[str | None, ...], float]:
    """Every assignment over every pair, exclusions included, scored one by one (by the scorer
    behind `assignment_loglik`, whose cache keeps this quick): the enumeration without pruning."""
    missing = [m for pedigree in case.families.values() for m in pedigree.missing]
    scorer = _Scorer(case, 0.0)
    return {
        assignment: scorer.total(dict(zip(case.remains, assignment, strict=True)))
        for assignment in _assignments([missing for _ in case.remains])
    }


@pytest.mark.parametrize("name", ["example1", "example2", "symmetricSibs"])
def test_pruning_the_exclusions_changes_nothing_but_the_count(name: str) -> None:
    # example1, example2 and symmetricSibs hold 1, 4 and 17 pairs with LR 0; every assignment
    # using one has likelihood 0, so leaving them out of the walk must leave every possible
    # assignment, its loglik and its posterior as they are. (Some assignments walked may still
    # be impossible: two remains each compatible with one sibling need not be with both.)
    case = read_case(EXAMPLES / name)
    full = brute_force(case)
    possible = {a: loglik for a, loglik in full.items() if loglik > -math.inf}
    result = joint_identification(case=case, top=None, undisputed=None)
    walked = {row.assignment: row.loglik for row in result.rows}
    assert len(possible) <= result.count == len(walked) < len(full)
    assert result.excluded == {"example1": 1, "example2": 4, "symmetricSibs": 17}[name]
    finite = {a: loglik for a, loglik in walked.items() if loglik > -math.inf}
    assert finite == pytest.approx(possible, abs=1e-9)
    best = max(possible.values())
    total = math.log(sum(math.exp(loglik - best) for loglik in possible.values()))
    for row in result.rows:
        assert row.posterior == pytest.approx(math.exp(row.loglik - best - total), rel=1e-9, abs=1e-300)


def mutation_case() -> Case:
    # hand_case with an equal mutation model (rate 0.01) for both sexes: no LR is 0 any more.
    # Without mutation V3 a/a is incompatible with D2 (her father b/b must pass b): one marker.
    case = hand_case()
    mutations = {("L1", sex): MutationSetting("L1", sex, "equal", rate=0.01) for sex in (MALE, FEMALE)}
    remains = {**case.remains, "V3": {"L1": ("a", "a")}}
    return replace(case, remains=remains, mutations=mutations)


def test_max_incompatible_prunes_what_only_a_mutation_explains() -> None:
    case = mutation_case()
    assert incompatible_markers(case=case) == {
        ("V1", "S1"): 0,
        ("V1", "D2"): 0,
        ("V2", "S1"): 0,
        ("V2", "D2"): 0,
        ("V3", "S1"): 0,
        ("V3", "D2"): 1,
    }
    # Unpruned: each V takes S1, D2 or nobody, distinct: nobody placed 1, one placed 3 · 2 = 6,
    # two placed 3 · 2 = 6; 13. max_incompatible = 0 leaves V3 only {S1, *}: with V3 = * V1 and
    # V2 share {S1, D2, *} (1 + 4 + 2 = 7), with V3 = S1 they share {D2, *} (1 + 2 = 3); 10.
    everything = joint_identification(case=case, top=None, undisputed=None)
    pruned = joint_identification(case=case, top=None, undisputed=None, max_incompatible=0)
    assert (everything.count, everything.excluded) == (13, 0)
    assert (pruned.count, pruned.excluded) == (10, 1)
    assert all(row.assignment[2] != "D2" for row in pruned.rows)
    kept = {row.assignment: row.loglik for row in everything.rows if row.assignment[2] != "D2"}
    assert {row.assignment: row.loglik for row in pruned.rows} == pytest.approx(kept, abs=1e-12)
    # One incompatible marker is allowed with max_incompatible = 1: nothing pruned.
    assert joint_identification(case=case, undisputed=None, max_incompatible=1).count == 13


def test_dvirs_exclusion_example_runs_once_exclusions_are_pruned() -> None:
    # Without pruning it passes 2 000 000 assignments (the mutation model makes every LR > 0).
    # With dvir's maxIncomp = 2, 155 of the 240 pairs go; after the undisputed V5 = M13 and
    # V15 = M6, 197 assignments are left.
    case = read_case(EXAMPLES / "exclusionExample")
    result = joint_identification(case=case, max_incompatible=2)
    assert (result.count, result.excluded) == (197, 155)
    assert [(u.remains, u.missing) for u in result.undisputed] == [("V5", "M13"), ("V15", "M6")]
    best = dict(zip(result.remains, result.rows[0].assignment, strict=True))
    assert {v: m for v, m in best.items() if m} == {"V5": "M13", "V13": "M14", "V15": "M6"}


def dropout_case() -> Case:
    # test_pairwise's drop-out case: a missing son, his mother a/b, the father untyped; remains V1
    # shows only a; p_a = 0.2, p_b = 0.3, p_c = 0.5. Pairwise LR with d = 0.1: 40/19.
    son = Person("son", MALE, "fa", "mo", missing=True)
    family = Pedigree("F", (Person("fa", MALE), Person("mo", FEMALE), son))
    loci = {"L1": Locus("L1", ("a", "b", "c"), np.array([0.2, 0.3, 0.5]))}
    return Case({"F": family}, {"mo": {"L1": ("a", "b")}}, {"V1": {"L1": ("a", "a")}}, loci)


def test_dropout_in_the_joint_search() -> None:
    # Two assignments: V1 = son, LR 40/19 against nobody: posterior (40/19) / (1 + 40/19) = 40/59.
    # Nobody: L = 2 p_a p_b (the mother) · P(V1 shows a) = 0.12 · 0.0684 (test_pairwise).
    result = joint_identification(case=dropout_case(), dropout=0.1, undisputed=None, top=None)
    assert [row.assignment for row in result.rows] == [("son",), (None,)]
    assert result.rows[0].posterior == pytest.approx(40 / 59, rel=1e-12)
    assert result.loglik_nobody == pytest.approx(math.log(0.12 * 0.0684), rel=1e-12)
    # Without drop-out: LR 1 / (2 p_a) = 2.5, posterior 2.5 / 3.5.
    plain = joint_identification(case=dropout_case(), undisputed=None)
    assert plain.rows[0].posterior == pytest.approx(2.5 / 3.5, rel=1e-12)
    with pytest.raises(KinshipInputError, match="drop-out probability must be in"):
        joint_identification(case=dropout_case(), dropout=-0.1)


def test_an_undisputed_remains_keeps_its_dropout_in_the_family() -> None:
    # With T = 2 V1 = son (LR 40/19 > 2, no rival) is fixed first and placed as a reference; its
    # likelihood must still be that of a profile with drop-out.
    case = replace(dropout_case(), dropout={"V1": 0.1})
    searched = joint_identification(case=case, undisputed=None)
    fixed = joint_identification(case=case, undisputed=2.0)
    assert [(u.remains, u.missing) for u in fixed.undisputed] == [("V1", "son")]
    assert fixed.undisputed[0].lr == pytest.approx(40 / 19, rel=1e-12)
    assert fixed.rows[0].loglik == pytest.approx(searched.rows[0].loglik, abs=1e-12)
