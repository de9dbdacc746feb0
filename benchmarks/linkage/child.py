"""`python -m benchmarks.linkage.child LIST REGISTRY OUT [THRESHOLD]`: link through the Python API.

The scale benchmark's stand-in for `tracebureau link` while the engine's branch has no such
command yet: the same work (read both files, link, write the matches) without Django.
"""

from __future__ import annotations

import csv
import sys

from tracebureau.engines.linkage import link, read_records_csv


def main(argv: list[str]) -> int:
    list_csv, registry_csv, out_csv, *rest = argv
    matches = link(
        read_records_csv(list_csv), read_records_csv(registry_csv), threshold=float(rest[0]) if rest else 0.5
    )
    with open(out_csv, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["left_id", "right_id", "probability"])
        writer.writerows((m.left_id, m.right_id, f"{m.probability:.6f}") for m in matches)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
