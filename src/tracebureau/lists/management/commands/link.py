"""`tracebureau link LIST.csv REGISTRY.csv --out MATCHES.csv [--threshold 0.5]`, and
`tracebureau link FILE.csv --dedupe --out MATCHES.csv`: the name-matching engine on CSV files.
`--scheduler ADDRESS` runs the comparisons on a Dask cluster (engines.cluster), with the same
matches as on this machine; TRACEBUREAU_DASK_SCHEDULER is the default.

Thin on purpose: the engine reads, matches and explains; this writes the pairs at or above the
threshold as `left_id,right_id,probability,explanation` (left = the list, right = the registry)
and reports progress on stderr. A malformed file stops it with the row and column named.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.commands import add_scheduler_argument
from tracebureau.engines.cluster import ClusterUnavailable
from tracebureau.engines.linkage import LinkageInputError, Record, dedupe, link, read_records_csv


class Command(BaseCommand):
    help = "Match a list against the registry (or deduplicate one file); write the pairs as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE.csv", help="LIST.csv REGISTRY.csv, or one file with --dedupe"
        )
        parser.add_argument("--out", required=True, help="where to write the matches (CSV)")
        parser.add_argument("--threshold", type=float, default=0.5, help="lowest probability written (0.5)")
        parser.add_argument(
            "--dedupe", dest="one_file", action="store_true", help="find duplicates within one file"
        )
        add_scheduler_argument(parser)

    def handle(
        self, *args: Any, files: list[str], out: str, threshold: float, one_file: bool, scheduler: str,
        **options: Any,
    ) -> None:
        if len(files) != (1 if one_file else 2):
            raise CommandError("give LIST.csv REGISTRY.csv, or one FILE.csv with --dedupe")
        if not 0.0 <= threshold <= 1.0:
            raise CommandError(f"--threshold must be between 0 and 1, not {threshold}")
        sides = [self._read(path) for path in files]
        report = self._progress()
        cluster = scheduler or None
        try:
            if one_file:
                matches = dedupe(sides[0], threshold=threshold, progress=report, scheduler=cluster)
            else:
                matches = link(sides[0], sides[1], threshold=threshold, progress=report, scheduler=cluster)
        except ClusterUnavailable as error:
            raise CommandError(str(error)) from None
        with open(out, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["left_id", "right_id", "probability", "explanation"])
            for match in matches:
                writer.writerow([match.left_id, match.right_id, f"{match.probability:.6f}", match.explain()])
        self.stderr.write(f"{len(matches)} pairs at or above {threshold} written to {out}")

    def _read(self, path: str) -> list[Record]:
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such file")
        try:
            return read_records_csv(path)
        except LinkageInputError as error:
            raise CommandError(f"{path}: {error}") from None

    def _progress(self) -> Callable[[str, float], None]:
        shown: set[tuple[str, int]] = set()

        def report(stage: str, fraction: float) -> None:
            step = (stage, int(fraction * 4))
            if step not in shown:
                shown.add(step)
                self.stderr.write(f"{stage} {fraction:.0%}")

        return report

