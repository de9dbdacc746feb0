"""`tracebureau kinship pairwise|joint --families F.csv --references R.csv --remains V.csv
--frequencies Q.csv [--mutation M.csv] [--theta θ] [--dropout D] [--unknown-alleles error|add]
--out OUT.csv`: the kinship engine on CSV files.

Thin on purpose: the engine reads, checks and computes; this writes what it returns.

* `pairwise` writes `remains,family,missing,lr` for every (remains, missing person) pair: LR 0
  is an exclusion, `NA` a pairing the sexes rule out (only when remains.csv gives a sex).
* `joint [--top N] [--undisputed T | --no-undisputed] [--max-incompatible K]` writes
  `rank,loglik,posterior` and one column per remains with the missing person assigned or `*`;
  `loglik` is the natural log of the likelihood of all the data under the assignment, the
  posterior is under a flat prior over the assignments searched. Undisputed identifications
  (dvir's rule, T = 10 000 by default) are fixed before the search, hold in every row, and are
  named on stderr. Pairs with LR 0 are never proposed; `--max-incompatible K` also drops pairs
  with more than K markers that only a mutation explains (dvir's `findExcluded`).

Both take `--dropout D`: each allele of a remains drops out with probability D, so a remains
showing one allele (`a,-` or `a,a`) may be a heterozygote; 0, no drop-out, by default.

`pairwise --scheduler ADDRESS` computes the LR matrix on a Dask cluster (engines.cluster), with
the same figures as here; TRACEBUREAU_DASK_SCHEDULER is the default. The cluster path knows
neither θ nor drop-out, and refuses them.

A malformed file stops it with the file, row and column named; progress goes to stderr.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.commands import add_scheduler_argument
from tracebureau.engines.cluster import ClusterUnavailable
from tracebureau.engines.kinship import (
    MAX_ASSIGNMENTS,
    UNDISPUTED,
    Case,
    KinshipInputError,
    joint_identification,
    pairwise_table,
    pairwise_table_batch,
    read_case_files,
)

FILES = ("families", "references", "remains", "frequencies")


class Command(BaseCommand):
    help = "DNA kinship: pairwise LRs, or the most likely joint identifications, written as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="pairwise|joint")
        pairwise = actions.add_parser("pairwise", help="the LR of every remains against every missing person")
        add_scheduler_argument(pairwise)
        joint = actions.add_parser("joint", help="the most likely assignments of remains to missing persons")
        for sub in (pairwise, joint):
            for name in FILES:
                sub.add_argument(f"--{name}", required=True, metavar=f"{name.upper()}.csv")
            sub.add_argument("--mutation", metavar="MUTATION.csv", help="marker,sex,model,rate[,rate2,range]")
            sub.add_argument("--theta", type=float, default=0.0, help="the F_ST correction θ (0)")
            sub.add_argument(
                "--unknown-alleles",
                choices=("error", "add"),
                default="error",
                help="an allele absent from the frequencies: report it (error) or add it at 0.001 (add)",
            )
            sub.add_argument(
                "--dropout",
                type=float,
                default=0.0,
                metavar="D",
                help="drop-out probability of each allele of a remains (0)",
            )
            sub.add_argument("--out", required=True, help="where to write the CSV")
        joint.add_argument("--top", type=int, default=10, help="how many assignments to write (10)")
        joint.add_argument(
            "--undisputed",
            type=float,
            default=UNDISPUTED,
            metavar="T",
            help=f"fix identifications with LR >= T and T times every rival first ({UNDISPUTED:g})",
        )
        joint.add_argument("--no-undisputed", action="store_true", help="fix nothing before the search")
        joint.add_argument(
            "--max-incompatible",
            type=int,
            default=None,
            metavar="K",
            help="also never propose a pair with more than K markers incompatible without mutation "
            "(dvir's maxIncomp, 2 there); by default only pairs with LR 0 are never proposed",
        )
        joint.add_argument(
            "--max-assignments",
            type=int,
            default=MAX_ASSIGNMENTS,
            help=f"stop with an error beyond this many assignments ({MAX_ASSIGNMENTS})",
        )

    def handle(self, *args: Any, action: str, out: str, theta: float, **options: Any) -> None:
        if not 0.0 <= theta < 1.0:
            raise CommandError(f"--theta must be in [0, 1), not {theta}")
        if not 0.0 <= options["dropout"] < 1.0:
            raise CommandError(f"--dropout must be in [0, 1), not {options['dropout']}")
        case = self._read(options)
        try:
            if action == "pairwise":
                on = options["scheduler"] or None
                count = self._pairwise(case, theta=theta, dropout=options["dropout"], out=out, scheduler=on)
            else:
                if options["top"] < 1:
                    raise CommandError(f"--top must be at least 1, not {options['top']}")
                if (options["max_incompatible"] or 0) < 0:
                    raise CommandError(
                        f"--max-incompatible must be 0 or more, not {options['max_incompatible']}"
                    )
                undisputed = None if options["no_undisputed"] else options["undisputed"]
                limits = {
                    "top": options["top"],
                    "undisputed": undisputed,
                    "most": options["max_assignments"],
                    "incompatible": options["max_incompatible"],
                    "dropout": options["dropout"],
                }
                count = self._joint(case, theta=theta, limits=limits, out=out)
        except (KinshipInputError, ClusterUnavailable) as error:
            raise CommandError(str(error)) from None
        self.stderr.write(f"{count} rows written to {out}")

    def _read(self, options: dict[str, Any]) -> Case:
        paths = {name: options[name] for name in (*FILES, "mutation") if options.get(name)}
        for path in paths.values():
            if not Path(path).is_file():
                raise CommandError(f"{path}: no such file")
        try:
            return read_case_files(
                families=paths["families"],
                references=paths["references"],
                remains=paths["remains"],
                frequencies=paths["frequencies"],
                mutation=paths.get("mutation"),
                missing_allele=options["unknown_alleles"],
            )
        except KinshipInputError as error:
            raise CommandError(str(error)) from None
        except UnicodeDecodeError as error:
            raise CommandError(f"a file is not UTF-8: {error}") from None

    def _pairwise(self, case: Case, *, theta: float, dropout: float, out: str, scheduler: str | None) -> int:
        self.stderr.write(f"pairwise: {len(case.remains)} remains against {_missing_count(case)} missing")
        if theta > 0 or dropout > 0:  # the batch path knows neither
            if scheduler:
                raise CommandError("--scheduler computes without θ and drop-out: omit --theta, --dropout")
            table = pairwise_table(case=case, theta=theta, dropout=dropout)
        else:
            table = pairwise_table_batch(case=case, scheduler=scheduler)
        rows = 0
        with open(out, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["remains", "family", "missing", "lr"])
            for remains, lrs in zip(table.remains, table.lr, strict=True):
                for (family, missing), lr in zip(table.missing, lrs, strict=True):
                    writer.writerow([remains, family, missing, "NA" if lr is None else repr(lr)])
                    rows += 1
        return rows

    def _joint(self, case: Case, *, theta: float, limits: dict[str, Any], out: str) -> int:
        result = joint_identification(
            case=case,
            top=limits["top"],
            theta=theta,
            undisputed=limits["undisputed"],
            max_assignments=limits["most"],
            max_incompatible=limits["incompatible"],
            dropout=limits["dropout"],
            progress=self._progress(),
        )
        for fixed in result.undisputed:
            self.stderr.write(
                f"undisputed: {fixed.remains} = {fixed.missing} of {fixed.family} (LR {fixed.lr:.6g}), "
                "fixed before the search"
            )
        self.stderr.write(f"{result.count} assignments searched, {result.excluded} pairs excluded before")
        with open(out, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["rank", "loglik", "posterior", *result.remains])
            for rank, row in enumerate(result.rows, start=1):
                people = [missing or "*" for missing in row.assignment]
                writer.writerow([rank, repr(row.loglik), repr(row.posterior), *people])
        return len(result.rows)

    def _progress(self) -> Callable[[str, float], None]:
        shown: set[tuple[str, int]] = set()

        def report(stage: str, fraction: float) -> None:
            step = (stage, int(fraction * 4))
            if step not in shown:
                shown.add(step)
                self.stderr.write(f"{stage} {fraction:.0%}")

        return report


def _missing_count(case: Case) -> int:
    return sum(len(pedigree.missing) for pedigree in case.families.values())
