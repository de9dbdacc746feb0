"""Scale: the `tracebureau link` command on a generated list and registry, in a child process.

The child is the command line an operator runs (reading both CSV files, linking, writing the
matches), pinned to two cores when the machine has more, so the figure answers the issue's "on 2
cores". Its wall time is measured around the process and its peak memory is the child's own
maximum resident set size, read with `os.wait4` so that nothing else this process ran counts.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.linkage.generate import generate
from benchmarks.linkage.metrics import Accuracy

CORES = 2
NO_COMMAND = " (the engine branch has no `link` command yet)"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ScaleRun:
    list_size: int
    registry_size: int
    generate_seconds: float = 0.0
    seconds: float = 0.0  # the median of all_seconds
    all_seconds: list[float] = field(default_factory=list)
    peak_memory_bytes: int = 0
    cores: list[int] = field(default_factory=list)
    returncode: int | None = None
    via: str = ""
    best_attainable_f1: float = 0.0  # see generate.mark_identifiable
    phases: dict[str, float] = field(default_factory=dict)  # progress phase → second it began
    error: str = ""
    accuracy: dict[str, Any] = field(default_factory=dict)


def tracebureau_command() -> list[str]:
    script = Path(sys.executable).with_name("tracebureau")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tracebureau.cli"]


def run_scale(
    *,
    list_size: int,
    registry_size: int,
    seed: int,
    workdir: Path,
    threshold: float = 0.5,
    timeout: float = 900,
    repeats: int = 1,
) -> ScaleRun:
    """Generate the files, then run the command `repeats` times: the median time, the largest memory."""
    result = ScaleRun(list_size, registry_size)
    started = time.perf_counter()
    bench = generate(list_size=list_size, registry_size=registry_size, seed=seed)
    workdir.mkdir(parents=True, exist_ok=True)
    list_csv, registry_csv, out_csv = workdir / "list.csv", workdir / "registry.csv", workdir / "matches.csv"
    bench.people_list.to_csv(list_csv, index=False)
    bench.registry.to_csv(registry_csv, index=False)
    result.generate_seconds = time.perf_counter() - started

    result.cores = sorted(os.sched_getaffinity(0))[:CORES]
    arguments = [str(list_csv), str(registry_csv), "--out", str(out_csv), "--threshold", str(threshold)]
    result.via = "tracebureau link"
    command = [*tracebureau_command(), "link", *arguments]
    _measure(result, command, workdir, timeout)
    if result.returncode != 0 and "Unknown command" in result.error:
        # The engine's branch has the library but not yet the command: same work through the API.
        result.via = "python -m benchmarks.linkage.child" + NO_COMMAND
        command = [
            sys.executable,
            "-m",
            "benchmarks.linkage.child",
            str(list_csv),
            str(registry_csv),
            str(out_csv),
            str(threshold),
        ]
        _measure(result, command, workdir, timeout)
    result.all_seconds, peaks = [result.seconds], [result.peak_memory_bytes]
    for _ in range(repeats - 1):
        if result.returncode != 0:
            break
        _measure(result, command, workdir, timeout)
        result.all_seconds.append(result.seconds)
        peaks.append(result.peak_memory_bytes)
    result.seconds = statistics.median(result.all_seconds)
    result.peak_memory_bytes = max(peaks)
    identity = Counter(t["identity"] for t in bench.traits.values())
    result.best_attainable_f1 = 2 * identity["unique"] / (identity["unique"] + len(bench.truth))
    if result.returncode == 0:
        result.accuracy = Accuracy.of(read_pairs(out_csv), bench.truth).as_dict()
    return result


def _measure(result: ScaleRun, command: list[str], workdir: Path, timeout: float) -> None:
    """Run the command pinned to the chosen cores; its wall time, exit code and peak memory.

    Its progress lines on stderr are kept with the second each phase first appeared, so the
    report can say where the time went.
    """
    result.error = ""
    result.phases = {}
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        preexec_fn=lambda: os.sched_setaffinity(0, result.cores),
    )
    reader = threading.Thread(target=_follow, args=(child, started, result.phases, workdir / "stderr.txt"))
    reader.start()
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            result.error = f"killed after {timeout:.0f} s; "
            break
        time.sleep(0.05)
    result.seconds = time.perf_counter() - started
    reader.join()
    child.returncode = result.returncode = os.waitstatus_to_exitcode(status)
    result.peak_memory_bytes = usage.ru_maxrss * 1024  # Linux reports kilobytes
    if result.returncode != 0:
        tail = (workdir / "stderr.txt").read_text(errors="replace").strip().splitlines()[-3:]
        result.error += f"exit {result.returncode}: " + " / ".join(tail)


def _follow(child: subprocess.Popen[bytes], started: float, phases: dict[str, float], log: Path) -> None:
    """Copy the child's stderr to a file, noting when each progress phase (first word) began."""
    assert child.stderr is not None
    with log.open("wb") as out:
        for line in iter(child.stderr.readline, b""):
            out.write(line)
            for part in line.decode(errors="replace").replace("\r", "\n").splitlines():
                words = part.split()
                if words and words[0].isalpha() and words[0] not in phases:
                    phases[words[0]] = round(time.perf_counter() - started, 2)


def read_pairs(path: Path) -> set[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return {(row["left_id"], row["right_id"]) for row in csv.DictReader(file)}
