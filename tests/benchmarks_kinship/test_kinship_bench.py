"""The kinship benchmark harness, run end to end at a tiny size so it cannot rot.

No timing is asserted (that belongs in REPORT.md); the test checks that the generator is
deterministic and keeps its promises, and that a tiny run writes a report whose accuracy
figures are sane: true remains are found, nothing unrelated is identified, and the batch agrees
with the exact path.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `benchmarks` is a top-level folder, not part of the package

from benchmarks.kinship.generate import SHAPES, generate, generate_joint  # noqa: E402


def test_the_generator_gives_the_same_case_for_the_same_seed() -> None:
    first, second = (generate(remains=30, families=60, true_share=0.5, seed=3) for _ in range(2))

    assert first.truth == second.truth and first.case.remains == second.case.remains
    assert first.case.references == second.case.references and first.case.families == second.case.families
    assert len(first.case.remains) == 30 and len(first.case.families) == 60 and len(first.truth) == 15
    assert all(r.startswith("R") for r in first.case.remains)
    assert all(f.startswith("F") and len(p.missing) == 1 for f, p in first.case.families.items())


def test_true_remains_are_their_missing_member_and_references_are_only_typed_relatives() -> None:
    bench = generate(remains=40, families=90, true_share=0.5, seed=4)
    case = bench.case

    for remains, (family, missing) in bench.truth.items():
        assert missing in case.families[family].missing
        assert case.remains_sex[remains] == case.families[family][missing].sex
    typed_roles = {role for _, typed in SHAPES.values() for role in typed}
    assert {person.split("-", 1)[1] for person in case.references} <= typed_roles
    assert len(case.loci) == 23 and all(8 <= len(locus.alleles) <= 25 for locus in case.loci.values())


def test_the_joint_case_has_ten_missing_in_six_families_and_ten_true_remains() -> None:
    bench = generate(remains=5, families=5, true_share=0.2, seed=1)
    joint = generate_joint(seed=2, loci=bench.case.loci)

    assert len(joint.case.families) == 6 and len(joint.case.remains) == 10
    assert sorted(m for _, m in joint.truth.values()) == sorted(
        m for p in joint.case.families.values() for m in p.missing
    )


def test_a_tiny_run_writes_the_report_with_sane_figures(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "benchmarks.kinship",
        "--quick",
        "--remains",
        "30",
        "--families",
        "60",
        "--true",
        "15",
        "--sample",
        "4",
        "--out-dir",
        str(tmp_path),
    ]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)

    results = json.loads((tmp_path / "results.json").read_text())
    report = (tmp_path / "REPORT.md").read_text()
    accuracy, peer = results["matrix"]["accuracy"], results["matrix"]["peer"]
    assert results["matrix"]["returncode"] == 0 and results["matrix"]["shape"] == [30, 60]
    assert accuracy["true_pairs"] == 15 and accuracy["true_excluded"] == 0
    assert accuracy["true_identified"] >= 10 and accuracy["true_ranked_first"] >= 12
    assert accuracy["false_identified"] == 0 and accuracy["false_max_lr"] < 1e4
    assert peer["max_relative_difference"] < 1e-9 and peer["nan_where_exact_is_none"]
    assert results["joint"]["top_is_truth"]
    assert "## Targets" in report and "Peer comparison" in report and "pairwise_table" in report
