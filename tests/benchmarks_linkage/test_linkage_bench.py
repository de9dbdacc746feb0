"""The linkage benchmark harness, run end to end at a tiny size so it cannot rot.

No figure is asserted against a target here (timing and accuracy belong in REPORT.md); the test
checks that every part runs, that the report names both systems, and that the generator is
deterministic and keeps its promises about namesakes.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

# The harness needs the benchmark extras (pandas with Splink); `make test` installs only the
# test extras, so there it is skipped, and .ci/run runs it after installing them.
pytest.importorskip("pandas", reason="benchmark extras not installed: `make bench-harness` runs this")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `benchmarks` is a top-level folder, not part of the package

from benchmarks.linkage.generate import generate  # noqa: E402
from benchmarks.linkage.systems import engine_available  # noqa: E402

MISSING = [m for m in ("splink", "recordlinkage", "unidecode") if importlib.util.find_spec(m) is None]


def test_the_generator_gives_the_same_files_for_the_same_seed() -> None:
    first, second = (generate(list_size=50, registry_size=400, seed=3) for _ in range(2))

    assert first.registry.equals(second.registry)
    assert first.people_list.equals(second.people_list)
    assert first.truth == second.truth
    assert len(first.truth) == 40 and len(first.registry) == 400 and len(first.people_list) == 50


def test_outsider_namesakes_carry_a_registry_name_but_are_in_no_true_pair() -> None:
    bench = generate(list_size=200, registry_size=2_000, seed=5)
    matched = {left for left, _ in bench.truth}

    assert bench.namesakes and not bench.namesakes & matched
    assert all(bench.registry["id"].str.startswith("R")) and bench.registry["full_name"].eq("").all()


@pytest.mark.skipif(
    bool(MISSING), reason=f"benchmark extras not installed ({', '.join(MISSING)}): pip install -e '.[bench]'"
)
def test_it_runs_every_part_and_writes_the_report(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "benchmarks.linkage",
        "--quick",
        "--febrl4-size",
        "100",
        "--list-size",
        "40",
        "--registry-size",
        "300",
        "--scale-list",
        "20",
        "--scale-registry",
        "300",
        "--out-dir",
        str(tmp_path),
    ]

    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=600)

    results = json.loads((tmp_path / "results.json").read_text())
    report = (tmp_path / "REPORT.md").read_text()
    assert {"febrl4", "crossscript", "scale", "machine"} <= set(results)
    assert results["febrl4"]["true_pairs"] == 100 and results["crossscript"]["true_pairs"] == 32
    assert not results["febrl4"]["splink"]["error"] and not results["crossscript"]["splink"]["error"]
    assert "## Targets" in report and "Splink 5" in report
    assert [r["seed"] for r in results["crossscript"]["other_seeds"]] == [20220517]  # --quick: one more
    assert "perfect reader" in report
    if not engine_available():
        assert not results["febrl4"]["ours"]["error"] and not results["crossscript"]["ours"]["error"]
        assert results["scale"]["returncode"] == 0, results["scale"]["error"]
