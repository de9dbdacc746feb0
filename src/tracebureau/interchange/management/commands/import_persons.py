"""`tracebureau import-persons FILE --as USER --system NAME --source-id N [--map field=Header ...]
[--dry-run]`: a registry's list of persons (CSV or XLSX) into ours, as the import page does it.

Without --map the columns are guessed from the header (printed, so the guess can be checked).
Every problem is printed with its row and column, and nothing is stored unless the whole file
is sound. --dry-run prints what would be created, updated, matched or left for review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.commands import staff_account
from tracebureau.interchange.persons import FIELDS, Defaults, guess_mapping, persons_import
from tracebureau.interchange.reports import ImportFailed, ImportReport
from tracebureau.lists.tables import read_table
from tracebureau.timeline.selectors import sources_visible


class Command(BaseCommand):
    help = "Import persons from a registry's CSV or XLSX list; --dry-run to see what it would do."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--system", required=True, help="the registry the list comes from")
        parser.add_argument(
            "--source-id", type=int, required=True, help="the source its records are graded as"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help=f"which column holds a field; fields: {', '.join(FIELDS)}",
        )
        parser.add_argument("--category", default="missing")
        parser.add_argument("--side", default="own")
        parser.add_argument("--classification", default="restricted")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, file: Path, username: str, **options: Any) -> None:
        user = staff_account(username)
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        source = sources_visible(user=user).filter(pk=options["source_id"]).first()
        if source is None:
            raise CommandError(f"--source-id {options['source_id']}: no such source.")
        content = file.read_bytes()
        try:
            mapping = self._mapping(file.name, content, options["map"])
            report = persons_import(
                content=content,
                file_name=file.name,
                mapping=mapping,
                system=options["system"],
                source=source,
                by=user,
                dry_run=options["dry_run"],
                defaults=Defaults(options["category"], options["side"], options["classification"]),
            )
        except ImportFailed as failed:
            for problem in failed.report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(failed.report.problems)} problems: nothing was imported.") from None
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        self._print(report)

    def _mapping(self, name: str, content: bytes, pairs: list[str]) -> dict[str, str]:
        if not pairs:
            mapping = guess_mapping(read_table(name, content).headers)
            self.stdout.write("Columns guessed: " + ", ".join(f"{f}={h}" for f, h in mapping.items()))
            return mapping
        bad = [p for p in pairs if "=" not in p]
        if bad:
            raise CommandError(f"--map takes FIELD=HEADER, not {bad[0]!r}.")
        return dict(p.split("=", 1) for p in pairs)

    def _print(self, report: ImportReport) -> None:
        for outcome in report.outcomes:
            changes = "; ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in outcome.changes.items())
            self.stdout.write(
                f"{outcome.location}: {outcome.action} {outcome.label} {outcome.detail} {changes}".rstrip()
            )
        counts = ", ".join(f"{n} {a}" for a, n in sorted(report.counts.items()))
        verb = "Dry run, nothing stored" if report.dry_run else "Imported"
        self.stdout.write(f"{verb}: {counts or 'nothing'}.")
