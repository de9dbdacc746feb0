"""The distributed benchmark harness, run end to end at a tiny size so it cannot rot.

No timing is asserted (that belongs in REPORT.md): the test checks that a tiny run on a real
cluster of worker processes cuts each engine's work into several tasks, finds the answers
identical to the one-process run, and writes the report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# The harness needs the benchmark extras (pandas, for the linkage data); `make test` installs only
# the test extras, so there it is skipped, and .ci/run runs it after installing them.
pytest.importorskip("pandas", reason="benchmark extras not installed: `make bench-harness` runs this")

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_is_identical_on_the_cluster_and_writes_the_report(tmp_path: Path) -> None:
    sizes = {"--list-size": 60, "--registry-size": 1500, "--remains": 30, "--families": 60}
    chunks = {"--chunk-pairs": 2000, "--rows-per-task": 8, "--workers": 2}
    command = [sys.executable, "-m", "benchmarks.distributed", "--quick", "--out-dir", str(tmp_path)]
    command += [str(part) for option in (sizes | chunks).items() for part in option]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"

    results = json.loads((tmp_path / "results.json").read_text())
    report = (tmp_path / "REPORT.md").read_text()
    assert results["quick"] and results["workers"] == 2
    assert results["linkage"]["identical"] and results["linkage"]["matches"] > 0
    assert results["kinship"]["identical"] and results["kinship"]["shape"] == [30, 60]
    assert results["linkage"]["tasks"] >= 3 and results["kinship"]["tasks"] >= 3
    assert "| linkage |" in report and "| kinship |" in report and "ratio" in report
