"""The batch path gives the same LRs as the pair-by-pair path."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tracebureau.engines.kinship import (
    FEMALE,
    MALE,
    SILENT,
    Case,
    KinshipInputError,
    Locus,
    MutationSetting,
    Pedigree,
    Person,
    pairwise_table,
    pairwise_table_batch,
    read_case,
)

EXAMPLES = Path(__file__).parent / "cases"


def assert_same(case: Case) -> None:
    slow, fast = pairwise_table(case=case), pairwise_table_batch(case=case, chunk=2)
    assert (fast.remains, fast.missing) == (slow.remains, slow.missing)
    for slow_row, fast_row in zip(slow.lr, fast.lr, strict=True):
        for one, other in zip(slow_row, fast_row, strict=True):
            assert (one is None) == (other is None)
            if one is not None:
                assert other == pytest.approx(one, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("name", ["example1", "example2", "fire", "planecrash", "KETPexer498"])
def test_it_equals_the_pairwise_path_on_reference_cases(name: str) -> None:
    case = read_case(EXAMPLES / name, missing_allele="add")
    if name == "example2":
        case = replace(case, remains_sex={"V1": MALE, "V2": MALE, "V3": FEMALE})
    assert_same(case)


def test_it_equals_the_pairwise_path_with_a_silent_allele_mutations_and_a_missing_locus() -> None:
    family = Pedigree(
        "F",
        (
            Person("gf", MALE),
            Person("gm", FEMALE),
            Person("dad", MALE, "gf", "gm", missing=True),
            Person("uncle", MALE, "gf", "gm"),
            Person("mum", FEMALE),
            Person("kid", FEMALE, "dad", "mum", missing=True),
        ),
    )
    loci = {
        "L1": Locus("L1", ("9", "10", "11", SILENT), np.array([0.2, 0.3, 0.4, 0.1])),
        "L2": Locus("L2", ("14", "15", "16", "17"), np.array([0.1, 0.2, 0.3, 0.4])),
    }
    references = {"uncle": {"L1": ("9", "9"), "L2": ("15", "16")}, "mum": {"L1": ("10", "11")}}
    remains = {
        "V1": {"L1": ("11", "11"), "L2": ("16", "17")},
        "V2": {"L2": ("14", "14")},
        "V3": {"L1": ("9", "10")},
    }
    mutations = {("L2", MALE): MutationSetting("L2", MALE, "stepwise", rate=0.01, rate2=0.001, range=0.5)}
    assert_same(Case({"F": family}, references, remains, loci, mutations, {"V3": FEMALE}))


def test_two_brothers_of_the_same_parents_get_the_same_lrs() -> None:
    # symmetricSibs: M1 and M2 are full brothers with the same typed father, as are M3 and M4;
    # nothing tells them apart, so their columns must be equal.
    table = pairwise_table_batch(case=read_case(EXAMPLES / "symmetricSibs"))
    assert [m for _, m in table.missing] == ["M1", "M2", "M3", "M4", "M5"]
    for row in table.lr:
        assert row[0] == pytest.approx(row[1], rel=1e-12)
        assert row[2] == pytest.approx(row[3], rel=1e-12)
    assert table.lr[0][0] > 1e4 and table.lr[0][2] == 0.0


def test_a_marker_without_frequencies_is_an_error() -> None:
    family = Pedigree(
        "F", (Person("fa", MALE), Person("mo", FEMALE), Person("son", MALE, "fa", "mo", missing=True))
    )
    loci = {"L1": Locus("L1", ("a", "b"), np.array([0.5, 0.5]))}
    with pytest.raises(KinshipInputError, match="marker 'L9' has no frequency table"):
        pairwise_table_batch(case=Case({"F": family}, {}, {"V1": {"L9": ("a", "a")}}, loci))


def test_a_case_without_missing_members_gives_empty_rows() -> None:
    family = Pedigree("F", (Person("fa", MALE),))
    loci = {"L1": Locus("L1", ("a", "b"), np.array([0.5, 0.5]))}
    table = pairwise_table_batch(case=Case({"F": family}, {}, {"V1": {"L1": ("a", "a")}}, loci))
    assert table.lr == ((),) and table == pairwise_table(
        case=Case({"F": family}, {}, {"V1": {"L1": ("a", "a")}}, loci)
    )


def test_it_equals_the_pairwise_path_on_simulated_families_of_many_shapes() -> None:
    # Shapes sharing tables, references missing at some markers (a shape with nobody typed
    # there), full siblings (the widest contraction) and a lumpable mutation model.
    from tracebureau.engines.kinship import simulate_profiles

    loci = {
        f"L{k}": Locus(
            f"L{k}", tuple(str(9 + a) for a in range(n)), np.random.default_rng(k).dirichlet(np.ones(n))
        )
        for k, n in enumerate((4, 7, 9))
    }
    mutations = {("L1", MALE): MutationSetting("L1", MALE, "proportional", rate=0.01)}
    rng = np.random.default_rng(12)
    families, references, remains = {}, {}, {}
    for n in range(8):
        f = f"F{n}"
        sibs = Pedigree(
            f,
            (
                Person(f"{f}fa", MALE),
                Person(f"{f}mo", FEMALE),
                Person(f"{f}m", MALE, f"{f}fa", f"{f}mo", missing=True),
                Person(f"{f}s", FEMALE, f"{f}fa", f"{f}mo"),
                Person(f"{f}t", MALE, f"{f}fa", f"{f}mo"),
            ),
        )
        families[f] = sibs
        profiles = simulate_profiles(pedigree=sibs, loci=loci, rng=rng, mutations=mutations)
        typed = [f"{f}s", f"{f}t"] if n % 2 else [f"{f}mo"]
        for person in typed:
            references[person] = {m: g for m, g in profiles[person].items() if (m != "L2" or n % 3)}
        remains[f"V{n}"] = profiles[f"{f}m"]
    assert_same(Case(families, references, remains, loci, mutations))


def test_worker_processes_give_the_same_matrix() -> None:
    from tracebureau.engines.kinship import pairwise_lr_matrix

    case = read_case(EXAMPLES / "planecrash", missing_allele="add")
    alone, shared = (pairwise_lr_matrix(case=case, workers=w) for w in (1, 2))
    assert alone[:2] == shared[:2] and np.array_equal(alone[2], shared[2], equal_nan=True)
