"""`tracebureau link`: the fixed CLI contract, on a good file and on every kind of bad one."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

LIST = (
    "id,full_name,birth_date,notes\n"
    "L1,Andrey Yermak,1985-03-12,seen in Olenivka\n"
    "L2,Dmitry Kozatsky,1990-03-07,\n"
)
REGISTRY = (
    "id,family_name,given_name,patronymic,birth_date,service_number\n"
    "R1,Єрмак,Андрій,Петрович,1985-03-12,\n"
    "R2,Козацький,Дмитро,Олександрович,1990-07-03,\n"
    "R3,Шевченко,Олена,,1995,\n"
)


def write(path: Path, text: str | bytes) -> str:
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def test_it_writes_every_pair_at_or_above_the_threshold(tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"
    call_command("link", write(tmp_path / "l.csv", LIST), write(tmp_path / "r.csv", REGISTRY), out=str(out))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["left_id", "right_id", "probability", "explanation"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("L1", "R1"), ("L2", "R2")]
    assert all(float(r[2]) >= 0.5 for r in rows[1:])
    assert "birth_date day_month_swapped" in rows[2][3]


def test_it_deduplicates_one_file(tmp_path: Path) -> None:
    both = REGISTRY + "R4,Kozatsky,Dmitry,Aleksandrovich,1990-07-03,\n"
    out = tmp_path / "matches.csv"
    call_command("link", write(tmp_path / "r.csv", both), dedupe=True, out=str(out))
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert [(r[0], r[1]) for r in rows[1:]] == [("R2", "R4")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,birth_date\nA,1990\n", "row 1, column id: the header has no id column"),
        ("id,birth_date\nA,1990\nB,1991\nA,1992\n", "row 4, column id: duplicate id 'A' (first on row 2)"),
        ("id,family_name\nA,Koval\nB,\xff\xfeK\n".encode("latin-1"), "row 3, column family_name: not UTF-8"),
        ("id,family_name,birth_date\nA,Koval,1990-02-30\n", "row 2, column birth_date: impossible date"),
        ("id,family_name,birth_date\nA,Koval,1990-13\n", "row 2, column birth_date: impossible month"),
        ("id,family_name\n,Koval\n", "row 2, column id: the id is empty"),
    ],
)
def test_it_names_the_row_and_column_of_a_malformed_file(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    bad = write(tmp_path / "bad.csv", content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("link", bad, write(tmp_path / "r.csv", REGISTRY), out=str(tmp_path / "m.csv"))


def test_it_exits_non_zero_with_the_message_on_stderr(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", "id,birth_date\nA,1990-02-30\n")
    done = subprocess.run(
        [sys.executable, "-m", "tracebureau.cli", "link", bad, "--dedupe", "--out", str(tmp_path / "m.csv")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "TRACEBUREAU_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode != 0
    assert "row 2, column birth_date: impossible date '1990-02-30'" in done.stderr
    assert not (tmp_path / "m.csv").exists()


def test_it_reports_progress_on_stderr(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracebureau.cli",
            "link",
            write(tmp_path / "l.csv", LIST),
            write(tmp_path / "r.csv", REGISTRY),
            "--out",
            str(tmp_path / "m.csv"),
            "--threshold",
            "0.9",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "TRACEBUREAU_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "compare 100%" in done.stderr and "score 100%" in done.stderr
    assert (tmp_path / "m.csv").read_text(encoding="utf-8").count("\n") == 3


def test_on_a_cluster_it_writes_the_same_pairs(tmp_path: Path) -> None:
    files = [write(tmp_path / "l.csv", LIST), write(tmp_path / "r.csv", REGISTRY)]
    call_command("link", *files, out=str(tmp_path / "here.csv"))
    call_command("link", *files, out=str(tmp_path / "there.csv"), scheduler="local:1")
    assert (tmp_path / "there.csv").read_text() == (tmp_path / "here.csv").read_text()


def test_an_unreachable_scheduler_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracebureau.engines import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    files = [write(tmp_path / "l.csv", LIST), write(tmp_path / "r.csv", REGISTRY)]
    with pytest.raises(CommandError, match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:1'"):
        call_command("link", *files, out=str(tmp_path / "m.csv"), scheduler="tcp://127.0.0.1:1")
