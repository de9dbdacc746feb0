"""The family pedigree drawn from the donors' stated relationships (no database needed)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tracebureau.engines.kinship import Locus, pairwise_lr
from tracebureau.engines.kinship.records import KinshipInputError
from tracebureau.identification.pedigrees import Donor, family_pedigree


def shape(*donors: Donor, missing_sex: int = 1) -> dict[str, tuple[str | None, str | None, int]]:
    pedigree = family_pedigree(family="F", missing_sex=missing_sex, donors=donors)
    return {p.id: (p.father, p.mother, p.sex) for p in pedigree.persons}


def test_parents_and_a_brother() -> None:
    assert shape(Donor("S1", "father", 1), Donor("S2", "full_sibling", 1)) == {
        "S1": (None, None, 1),
        "MO": (None, None, 2),
        "M": ("S1", "MO", 1),
        "S2": ("S1", "MO", 1),
    }


def test_an_uncle_brings_the_grandparents_and_the_untyped_father() -> None:
    assert shape(Donor("S1", "paternal_uncle_aunt", 1)) == {
        "PGF": (None, None, 1),
        "PGM": (None, None, 2),
        "FA": ("PGF", "PGM", 1),
        "MO": (None, None, 2),
        "M": ("FA", "MO", 1),
        "S1": ("PGF", "PGM", 1),
    }


def test_a_typed_grandmother_takes_her_place() -> None:
    family = shape(Donor("S1", "maternal_grandparent", 2))
    assert family["MO"] == ("MGF", "S1", 2) and family["S1"] == (None, None, 2)


def test_a_child_with_the_other_parent_and_a_half_sister() -> None:
    assert shape(
        Donor("S1", "child", 2), Donor("S2", "other_parent", 2), Donor("S3", "maternal_half_sibling", 2)
    ) == {
        "FA": (None, None, 1),
        "MO": (None, None, 2),
        "S2": (None, None, 2),
        "M": ("FA", "MO", 1),
        "S1": ("M", "S2", 2),
        "H3": (None, None, 1),
        "S3": ("H3", "MO", 2),
    }


def test_a_missing_mother_is_the_mother_of_her_child() -> None:
    assert shape(Donor("S1", "child", 1), missing_sex=2)["S1"] == ("SP", "M", 1)


@pytest.mark.parametrize(
    ("donors", "message"),
    [
        (
            (Donor("S1", "father", 1), Donor("S2", "father", 1)),
            "S2: the family already has a donor as father (S1)",
        ),
        ((Donor("S1", "mother", 1),), "S1: the mother must be female"),
        ((Donor("S1", "other_parent", 1),), "S1: the other parent of the children must be female"),
        ((Donor("S1", "cousin", 1),), "S1: unknown relationship 'cousin'"),
    ],
)
def test_impossible_families_are_refused_with_the_donor_named(
    donors: tuple[Donor, ...], message: str
) -> None:
    with pytest.raises(KinshipInputError, match=re.escape(message)):
        family_pedigree(family="F", missing_sex=1, donors=donors)


def test_the_built_family_gives_the_textbook_full_sibling_lr() -> None:
    """A brother a/b and remains a/b at a two-allele marker (p_a = p_b = 1/2), parents untyped.
    Siblings share 0, 1, 2 alleles IBD with 1/4, 1/2, 1/4: P(a/b | brother a/b) = 1/4 · 2 p_a p_b
    + 1/2 · (p_a + p_b)/2 + 1/4 · 1 = 0.625, against 2 p_a p_b = 0.5 for a stranger: LR 1.25."""
    family = family_pedigree(family="F", missing_sex=1, donors=[Donor("S1", "full_sibling", 1)])
    locus = Locus("L", ("a", "b"), np.array([0.5, 0.5]))
    lr = pairwise_lr(
        pedigree=family,
        missing="M",
        remains={"L": ("a", "b")},
        references={"S1": {"L": ("a", "b")}},
        loci={"L": locus},
    )
    assert lr == pytest.approx(1.25, rel=1e-12)
