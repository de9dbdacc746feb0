"""Familias `.fam` files: pedFamilias' paternity example and dvir's DVI example, read exactly, and
every refusal named by line."""

import io
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tracebureau.engines.kinship import (
    FEMALE,
    MALE,
    KinshipInputError,
    pairwise_table,
    read_case,
    read_familias,
)

FILES = Path(__file__).parent / "cases" / "familias"
EXAMPLES = Path(__file__).parent / "cases"


def test_it_reads_the_paternity_example() -> None:
    fam = read_familias(FILES / "paternity.fam")
    assert fam.version == "3.3.1" and fam.database == "unknown" and fam.theta == 0.0
    assert fam.sexes == {"AF": MALE, "MO": FEMALE, "CH": MALE}
    # AF's first genotype is lines 12-14: alleles 7, 7 of marker 0, D3S1358, whose alleles are
    # 10, 11, ..., 21: index 7 is "17". CH's are 6, 7: 16/17. MO is untyped.
    assert fam.profiles["AF"]["D3S1358"] == ("17", "17")
    assert fam.profiles["CH"]["D3S1358"] == ("16", "17")
    assert fam.profiles["AF"]["TH01"] == ("6", "9") and fam.profiles["MO"] == {}
    assert len(fam.profiles["AF"]) == len(fam.profiles["CH"]) == 10
    assert list(fam.loci) == [
        "D3S1358", "TH01", "D21S11", "D18S51", "PENTA_E", "D5S818", "D13S317", "D7S820", "D16S539", "CSF1PO",
    ]  # fmt: skip
    th01 = fam.loci["TH01"]
    assert th01.alleles == ("5", "6", "7", "8", "8.3", "9", "9.3", "10", "10.3", "11")
    assert th01.frequencies[th01.index("9.3")] == pytest.approx(0.3404967867, rel=1e-9)  # sums to 1 already
    # Model code 4 (extended stepwise): female rate 0.001, male 0.002, range 0.1, rate2 1e-6.
    female, male = fam.mutations[("TH01", FEMALE)], fam.mutations[("TH01", MALE)]
    assert (female.model, female.rate, female.rate2, female.range) == ("stepwise", 0.001, 1e-6, 0.1)
    assert (male.model, male.rate) == ("stepwise", 0.002)
    assert male.source == "paternity.fam line 144"


def test_its_two_hypotheses_are_the_pedigrees() -> None:
    fam = read_familias(FILES / "paternity.fam")
    h1, h2 = fam.pedigrees["H1"], fam.pedigrees["H2"]
    assert (h1["CH"].father, h1["CH"].mother) == ("AF", "MO")
    assert all(p.is_founder for p in h2.persons) and h2.ids == ("AF", "MO", "CH")


def test_a_hypothesis_as_a_case_gives_the_paternity_index() -> None:
    # H1 with AF sought and his DNA as the remains: the pairwise LR is the paternity index. At
    # D3S1358 alone and without mutation: AF 17/17, CH 16/17, MO untyped, so
    # PI = p_16 / (2 p_16 p_17) = 1 / (2 p_17) = 1 / (2 · 0.2040480415).
    fam = read_familias(FILES / "paternity.fam")
    case = fam.case(pedigree="H1", missing=["AF"])
    assert case.references == {"CH": fam.profiles["CH"]} and case.remains == {"AF": fam.profiles["AF"]}
    one = replace(case, loci={"D3S1358": case.loci["D3S1358"]}, mutations={})
    one = replace(one, remains={"AF": {"D3S1358": ("17", "17")}})
    assert pairwise_table(case=one).lr == ((pytest.approx(1 / (2 * 0.2040480415), rel=1e-9),),)
    with pytest.raises(KinshipInputError, match="no pedigree 'H3'"):
        fam.case(pedigree="H3", missing=["AF"])


def test_dvirs_dvi_example_is_its_example1() -> None:
    # dvi-example.fam is dvir's example1 drawn in Familias: "Missing person" is M1, "Missing
    # male 2" M2 and "Missing male 3" M3; the isolated, untyped "Missing male 1" is dropped (as
    # dvir does), and M3's unnamed mother is added. Its pairwise LRs are dvir's for example1.
    case = read_familias(FILES / "dvi-example.fam").dvi
    assert case is not None
    family = case.families["Reference family 1"]
    assert set(family.missing) == {"Missing person", "Missing male 2", "Missing male 3"}
    assert "Missing male 1" not in family and family["Missing male 3"].mother == "added_1"
    assert case.remains_sex == {"V1": MALE, "V2": MALE, "V3": MALE}
    assert case.references == {"R": {"L1": ("1", "1")}}
    names = {"Missing person": "M1", "Missing male 2": "M2", "Missing male 3": "M3"}
    ours = pairwise_table(case=case)
    theirs = pairwise_table(case=read_case(EXAMPLES / "example1"))
    by_name = {(r, names[m]): lr for r, row in zip(ours.remains, ours.lr, strict=True)
               for (_, m), lr in zip(ours.missing, row, strict=True)}  # fmt: skip
    for r, row in zip(theirs.remains, theirs.lr, strict=True):
        for (_, m), lr in zip(theirs.missing, row, strict=True):
            assert by_name[(r, m)] == pytest.approx(lr, rel=1e-12, abs=1e-15)
    assert math.isclose(by_name[("V1", "M2")], 20.0, rel_tol=1e-12)


def corrupt(line: int, value: str) -> io.StringIO:
    lines = (FILES / "paternity.fam").read_text().split("\n")
    lines[line - 1] = value
    return io.StringIO("\n".join(lines))


@pytest.mark.parametrize(
    ("line", "value", "message"),
    [
        (11, "x", "line 11: expected the number of genotypes of 'AF', found 'x'"),
        (84, "Unknown relations", "line 84: expected 'Known relations', found 'Unknown relations'"),
        (147, "3", "line 147: the stationary stepwise model (3) is not supported"),
        (147, "7", "line 147: 7 is not a mutation model code (0-4)"),
        (12, "99", "line 12: D3S1358 has no allele 99"),
        (160, "0.9", "line 144: TH01's frequencies sum to 1.6853, not 1"),
    ],
)
def test_a_malformed_file_is_named_with_its_line(line: int, value: str, message: str) -> None:
    with pytest.raises(KinshipInputError, match=re.escape(f"paternity.fam {message}")):
        read_familias(corrupt(line, value), name="paternity.fam")


def test_a_truncated_file_is_named() -> None:
    text = "\n".join((FILES / "paternity.fam").read_text().split("\n")[:30])
    with pytest.raises(KinshipInputError, match=r"x\.fam line 31: the file ends too early"):
        read_familias(io.StringIO(text), name="x.fam")


def test_an_unknown_allele_in_the_dvi_section_is_named_with_its_line() -> None:
    lines = (FILES / "dvi-example.fam").read_text().split("\n")
    assert lines[52] == "Allele2= 2"  # V2's second allele at L1, line 53
    lines[52] = "Allele2= 7"
    with pytest.raises(KinshipInputError, match=re.escape("x.fam line 53: allele '7' of L1 (V2) is not")):
        read_familias(io.StringIO("\n".join(lines)), name="x.fam")
