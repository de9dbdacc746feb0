"""`tracebureau kinship`: the fixed CLI contract on dvir's example1, and bad input named by row."""

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import tracebureau.engines.kinship as kinship

EXAMPLE1 = Path(kinship.__file__).parent / "tests" / "cases" / "example1"


def files(folder: Path) -> list[str]:
    return [
        "--families",
        str(folder / "families.csv"),
        "--references",
        str(folder / "references.csv"),
        "--remains",
        str(folder / "remains.csv"),
        "--frequencies",
        str(folder / "freqs.csv"),
    ]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_pairwise_writes_dvirs_lrs(tmp_path: Path) -> None:
    out = tmp_path / "lr.csv"
    call_command("kinship", "pairwise", *files(EXAMPLE1), "--out", str(out))
    expected = json.loads((EXAMPLE1 / "expected.json").read_text())["pairwise_lr"]
    rows = read(out)
    assert list(rows[0]) == ["remains", "family", "missing", "lr"]
    got = {(r["remains"], r["missing"]): float(r["lr"]) for r in rows}
    assert len(rows) == 9 and {r["family"] for r in rows} == {"F1"}
    for i, remains in enumerate(expected["rows"]):
        for j, missing in enumerate(expected["cols"]):
            assert got[(remains, missing)] == pytest.approx(expected["LR"][i][j], rel=1e-9, abs=1e-12)
    assert got[("V2", "M2")] == 0.0  # an exclusion


def test_joint_writes_dvirs_best_assignment_first(tmp_path: Path) -> None:
    out = tmp_path / "joint.csv"
    call_command("kinship", "joint", *files(EXAMPLE1), "--top", "5", "--out", str(out))
    best = json.loads((EXAMPLE1 / "expected.json").read_text())["joint_top"][0]
    rows = read(out)
    assert list(rows[0]) == ["rank", "loglik", "posterior", "V1", "V2", "V3"]
    assert len(rows) == 5 and [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert {v: rows[0][v] for v in ("V1", "V2", "V3")} == {v: best[v] for v in ("V1", "V2", "V3")}
    assert float(rows[0]["loglik"]) == pytest.approx(best["loglik"], abs=1e-9)
    assert 0.5 < float(rows[0]["posterior"]) < 1
    assert "*" in rows[1].values()


def test_joint_names_undisputed_identifications(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "joint.csv"
    call_command("kinship", "joint", *files(EXAMPLE1), "--undisputed", "1.5", "--out", str(out))
    err = capsys.readouterr().err
    assert "undisputed: V1 = M2 of F1" in err and "rows written to" in err
    assert all(r["V1"] == "M2" for r in read(out))


def copy_case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(EXAMPLE1, folder)
    return folder


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "families.csv",
            "family,id,fid,mid,sex,missing\nF1,A,B,C,1,FALSE\nF1,C,0,0,2,FALSE\nF1,B,A,C,1,TRUE\n",
            "families.csv row 4, column fid/mid: pedigree cycle through 'A' (an ancestor of itself)",
        ),
        (
            "families.csv",
            "family,id,fid,mid,sex,missing\nF1,fa,0,0,2,FALSE\nF1,mo,0,0,2,FALSE\nF1,kid,fa,mo,1,TRUE\n",
            "families.csv row 4, column fid: 'fa' is the father but not of that sex",
        ),
        (
            "families.csv",
            "family,id,fid,mid,sex\nF1,M1,0,0,1\n",
            "families.csv row 1, column missing: missing column",
        ),
        (
            "references.csv",
            "id,marker,allele1,allele2\nR9,L1,1,1\n",
            "references.csv row 2, column id: unknown id 'R9'",
        ),
        (
            "remains.csv",
            "id,marker,allele1,allele2\nV1,L1,1,9\n",
            "remains.csv row 2, column allele2: allele '9' of L1 is not in the frequency table",
        ),
    ],
)
def test_a_malformed_file_is_named_with_its_row(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    folder = copy_case(tmp_path)
    (folder / name).write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("kinship", "pairwise", *files(folder), "--out", str(tmp_path / "lr.csv"))
    assert message in str(error.value)
    assert str(folder / name) in str(error.value)


def test_unknown_alleles_can_be_added(tmp_path: Path) -> None:
    folder = copy_case(tmp_path)
    (folder / "remains.csv").write_text("id,marker,allele1,allele2\nV1,L1,1,9\n", encoding="utf-8")
    out = tmp_path / "lr.csv"
    call_command("kinship", "pairwise", *files(folder), "--unknown-alleles", "add", "--out", str(out))
    rows = read(out)
    assert [r["missing"] for r in rows] == ["M1", "M2", "M3"]
    assert all(math.isfinite(float(r["lr"])) for r in rows)


def test_too_many_assignments_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="more than 3 joint assignments"):
        call_command(
            "kinship", "joint", *files(EXAMPLE1), "--max-assignments", "3", "--out", str(tmp_path / "j")
        )


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    args = files(EXAMPLE1)
    args[args.index("--remains") + 1] = str(tmp_path / "nowhere.csv")
    with pytest.raises(CommandError, match=r"nowhere\.csv: no such file"):
        call_command("kinship", "joint", *args, "--out", str(tmp_path / "j.csv"))


def test_the_console_script_exits_non_zero_and_reports_on_stderr(tmp_path: Path) -> None:
    def run(*extra: str, folder: Path = EXAMPLE1) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tracebureau.cli", "kinship", *extra, *files(folder)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            env={**os.environ, "TRACEBUREAU_DATA_DIR": str(tmp_path)},
        )

    done = run("joint", "--out", str(tmp_path / "j.csv"))
    assert done.returncode == 0, done.stderr
    assert "joint 100%" in done.stderr and "10 rows written to" in done.stderr
    folder = copy_case(tmp_path)
    (folder / "freqs.csv").write_text("marker,allele,freq\nL1,1,0.5\nL1,2,x\n", encoding="utf-8")
    done = run("pairwise", "--out", str(tmp_path / "lr.csv"), folder=folder)
    assert done.returncode != 0
    assert "freqs.csv row 3, column freq: 'x' is not a number" in done.stderr


def test_a_sex_column_bars_pairings(tmp_path: Path) -> None:
    # example1's missing persons are all male; a female remains pairs with none of them.
    folder = copy_case(tmp_path)
    (folder / "remains.csv").write_text(
        "id,marker,allele1,allele2,sex\nV1,L1,1,1,1\nV2,L1,2,2,2\nV3,L1,1,2,1\n", encoding="utf-8"
    )
    lr, joint = tmp_path / "lr.csv", tmp_path / "joint.csv"
    call_command("kinship", "pairwise", *files(folder), "--out", str(lr))
    call_command("kinship", "joint", *files(folder), "--top", "100", "--out", str(joint))
    assert {r["lr"] for r in read(lr) if r["remains"] == "V2"} == {"NA"}
    rows = read(joint)
    assert rows and all(r["V2"] == "*" for r in rows)
    assert sum(float(r["posterior"]) for r in rows) == pytest.approx(1.0)


def test_max_incompatible_makes_dvirs_exclusion_example_tractable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = EXAMPLE1.parent / "exclusionExample"
    out = tmp_path / "joint.csv"
    args = [*files(folder), "--mutation", str(folder / "mutation.csv"), "--out", str(out)]
    call_command("kinship", "joint", *args, "--max-incompatible", "2", "--top", "1")
    best = read(out)[0]
    assert {v: m for v, m in best.items() if v.startswith("V") and m != "*"} == {
        "V5": "M13",
        "V13": "M14",
        "V15": "M6",
    }
    assert "197 assignments searched, 155 pairs excluded before" in capsys.readouterr().err
    with pytest.raises(CommandError, match="--max-incompatible must be 0 or more"):
        call_command("kinship", "joint", *args, "--max-incompatible", "-1")


def test_pairwise_dropout_on_a_remains_showing_one_allele(tmp_path: Path) -> None:
    # The engine's hand-worked case (test_pairwise): mother a/b, the remains shows only a,
    # p_a = 0.2: LR 1 / (2 p_a) = 2.5 without drop-out, 40/19 with d = 0.1.
    texts = {
        "families.csv": "family,id,fid,mid,sex,missing\nF,fa,0,0,1,FALSE\nF,mo,0,0,2,FALSE\n"
        "F,son,fa,mo,1,TRUE\n",
        "references.csv": "id,marker,allele1,allele2\nmo,L1,a,b\n",
        "remains.csv": "id,marker,allele1,allele2\nV1,L1,a,-\n",
        "freqs.csv": "marker,allele,freq\nL1,a,0.2\nL1,b,0.3\nL1,c,0.5\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "lr.csv"
    call_command("kinship", "pairwise", *files(tmp_path), "--out", str(out))
    assert float(read(out)[0]["lr"]) == pytest.approx(2.5, rel=1e-12)
    call_command("kinship", "pairwise", *files(tmp_path), "--dropout", "0.1", "--out", str(out))
    assert float(read(out)[0]["lr"]) == pytest.approx(40 / 19, rel=1e-12)
    with pytest.raises(CommandError, match=r"--dropout must be in \[0, 1\)"):
        call_command("kinship", "pairwise", *files(tmp_path), "--dropout", "1", "--out", str(out))


def test_joint_dropout(tmp_path: Path) -> None:
    # The same case jointly: V1 = son or nobody, LR 40/19 with d = 0.1: posterior 40/59.
    test_pairwise_dropout_on_a_remains_showing_one_allele(tmp_path)
    out = tmp_path / "joint.csv"
    call_command("kinship", "joint", *files(tmp_path), "--dropout", "0.1", "--out", str(out))
    rows = read(out)
    assert [r["V1"] for r in rows] == ["son", "*"]
    assert float(rows[0]["posterior"]) == pytest.approx(40 / 59, rel=1e-12)


def test_pairwise_on_a_cluster_writes_the_same_lrs(tmp_path: Path) -> None:
    call_command("kinship", "pairwise", *files(EXAMPLE1), "--out", str(tmp_path / "here.csv"))
    call_command("kinship", "pairwise", *files(EXAMPLE1), "--out", str(tmp_path / "there.csv"),
                 "--scheduler", "local:1")  # fmt: skip
    assert (tmp_path / "there.csv").read_text() == (tmp_path / "here.csv").read_text()


def test_the_cluster_path_refuses_theta_rather_than_ignore_it(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--scheduler computes without θ and drop-out"):
        call_command("kinship", "pairwise", *files(EXAMPLE1), "--theta", "0.01", "--scheduler", "local:1",
                     "--out", str(tmp_path / "lr.csv"))  # fmt: skip
