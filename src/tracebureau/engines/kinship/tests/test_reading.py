"""Reading cases: the reference folders load, and every refusal names file, row and column."""

import io
import re
from pathlib import Path

import numpy as np
import pytest

from tracebureau.engines.kinship import MIN_FREQUENCY, KinshipInputError, read_case
from tracebureau.engines.kinship.reading import read_families, read_frequencies, read_mutations, read_profiles

EXAMPLES = Path(__file__).parent / "cases"
HEADER = "family,id,fid,mid,sex,missing\n"


def families(text: str) -> None:
    read_families(io.StringIO(HEADER + text))


def test_it_reads_example1() -> None:
    case = read_case(EXAMPLES / "example1")
    assert case.families["F1"].missing == ("M1", "M2", "M3")
    assert case.references == {"R1": {"L1": ("1", "1")}}
    assert case.remains["V3"] == {"L1": ("1", "2")}
    assert case.loci["L1"].frequencies.tolist() == [0.05, 0.05, 0.9]


def test_it_reads_a_mutation_file_per_sex() -> None:
    case = read_case(EXAMPLES / "planecrash")
    setting = case.mutations[("CSF1PO", 2)]
    assert (setting.model, setting.rate, setting.rate2, setting.range) == ("proportional", 0.001, 0.0, 0.1)


def test_it_refuses_a_cycle() -> None:
    with pytest.raises(KinshipInputError, match=r"families.csv row \d, column fid/mid: pedigree cycle"):
        families("F1,a,b,m,1,FALSE\nF1,m,0,0,2,FALSE\nF1,b,a,m,1,FALSE\n")


def test_it_refuses_a_mother_who_is_male() -> None:
    with pytest.raises(
        KinshipInputError, match=re.escape("families.csv row 4, column mid: 'x' is the mother")
    ):
        families("F1,f,0,0,1,FALSE\nF1,x,0,0,1,FALSE\nF1,c,f,x,2,TRUE\n")


def test_it_refuses_an_unknown_parent() -> None:
    with pytest.raises(
        KinshipInputError, match=re.escape("families.csv row 2, column fid: unknown id 'ghost'")
    ):
        families("F1,c,ghost,m,1,TRUE\nF1,m,0,0,2,FALSE\n")


def test_it_refuses_a_missing_column() -> None:
    with pytest.raises(
        KinshipInputError, match=re.escape("references.csv row 1, column allele2: missing column")
    ):
        read_profiles(io.StringIO("id,marker,allele1\nR1,L1,5\n"), name="references.csv")


def test_it_refuses_a_bad_frequency_and_a_bad_sex() -> None:
    with pytest.raises(
        KinshipInputError, match=re.escape("freqs.csv row 3, column freq: 'x' is not a number")
    ):
        read_frequencies(io.StringIO("marker,allele,freq\nL1,1,0.5\nL1,2,x\n"))
    with pytest.raises(KinshipInputError, match=re.escape("mutation.csv row 2, column sex: 'both'")):
        read_mutations(io.StringIO("marker,sex,model,rate\nL1,both,equal,0.1\n"))


def test_it_reads_na_on_both_alleles_as_not_typed() -> None:
    profiles, _, _ = read_profiles(
        io.StringIO("id,marker,allele1,allele2\nV1,L1,NA,NA\n"), name="remains.csv"
    )
    assert profiles == {"V1": {}}


def write_case(folder: Path, remains_allele: str) -> None:
    (folder / "families.csv").write_text(
        HEADER + "F1,R1,0,0,1,FALSE\nF1,M1,R1,MO,1,TRUE\nF1,MO,0,0,2,FALSE\n"
    )
    (folder / "freqs.csv").write_text("marker,allele,freq\nL1,1,0.5\nL1,2,0.5\n")
    (folder / "references.csv").write_text("id,marker,allele1,allele2\nR1,L1,1,2\n")
    (folder / "remains.csv").write_text(f"id,marker,allele1,allele2\nV1,L1,1,{remains_allele}\n")


def test_an_allele_absent_from_the_table_is_an_error_or_added(tmp_path: Path) -> None:
    write_case(tmp_path, "7")
    with pytest.raises(
        KinshipInputError, match=re.escape("remains.csv row 2, column allele2: allele '7' of L1")
    ):
        read_case(tmp_path)
    locus = read_case(tmp_path, missing_allele="add").loci["L1"]
    assert locus.alleles == ("1", "2", "7")
    total = 1 + MIN_FREQUENCY
    assert np.allclose(locus.frequencies, [0.5 / total, 0.5 / total, MIN_FREQUENCY / total])


def test_a_reference_must_be_a_known_person(tmp_path: Path) -> None:
    write_case(tmp_path, "2")
    (tmp_path / "references.csv").write_text("id,marker,allele1,allele2\nR9,L1,1,2\n")
    with pytest.raises(
        KinshipInputError, match=re.escape("references.csv row 2, column id: unknown id 'R9'")
    ):
        read_case(tmp_path)


def test_a_mutation_marker_must_have_frequencies(tmp_path: Path) -> None:
    write_case(tmp_path, "2")
    (tmp_path / "mutation.csv").write_text("marker,sex,model,rate\nL1,,equal,0.001\nL9,male,equal,0.001\n")
    with pytest.raises(KinshipInputError, match=re.escape("mutation.csv row 3, column marker: 'L9'")):
        read_case(tmp_path)


def test_remains_may_carry_their_sex(tmp_path: Path) -> None:
    write_case(tmp_path, "2")
    (tmp_path / "remains.csv").write_text("id,marker,allele1,allele2,sex\nV1,L1,1,2,2\nV2,L1,1,1,\n")
    assert read_case(tmp_path).remains_sex == {"V1": 2}


def test_a_file_with_one_allele_per_row_is_refused_with_its_row() -> None:
    # sim50x100 as shipped has NA in every allele2: a homozygote and a lost allele would look
    # the same, so the reader refuses rather than guess.
    with pytest.raises(
        KinshipInputError, match=re.escape("references.csv row 2, column allele2: one allele given")
    ):
        read_case(EXAMPLES / "sim50x100")


def test_a_reference_typed_in_two_families_is_refused(tmp_path: Path) -> None:
    write_case(tmp_path, "2")
    more = "F2,R1,0,0,1,FALSE\nF2,M2,R1,W,1,TRUE\nF2,W,0,0,2,FALSE\n"
    (tmp_path / "families.csv").write_text((tmp_path / "families.csv").read_text() + more)
    with pytest.raises(KinshipInputError, match=re.escape("'R1' is in several families (F1, F2)")):
        read_case(tmp_path)


def test_a_single_allele_with_a_dash_is_read_as_shown_homozygous() -> None:
    text = "id,marker,allele1,allele2\nV1,L1,12,-\nV1,L2,-,9.3\nV1,L3,,\n"
    assert read_profiles(io.StringIO(text), name="remains.csv")[0] == {
        "V1": {"L1": ("12", "12"), "L2": ("9.3", "9.3")}
    }
