"""`tracebureau pfif import FILE --as USER [--dry-run] [--source-id N]` and
`tracebureau pfif export --as USER [-o FILE]`: PFIF 1.4 from the command line.

The command acts as the named staff account, through the same policy as the web pages. An
import prints what it did (or would do) record by record; a file with problems prints each
with its line, commits nothing and exits non-zero.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.commands import staff_account
from tracebureau.interchange.pfif import pfif_export, pfif_import
from tracebureau.interchange.reports import Action, ImportFailed, ImportReport
from tracebureau.timeline.selectors import sources_visible


class Command(BaseCommand):
    help = "Import a PFIF 1.4 file into the registry, or export what may be public as PFIF 1.4."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", nargs="?", type=Path, help="for 'import': the PFIF file")
        parser.add_argument("--as", dest="username", required=True, help="the staff account acting")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; commit nothing")
        parser.add_argument(
            "--source-id",
            type=int,
            help="record notes with this source (default: 'PFIF: <domain>', graded E)",
        )
        parser.add_argument("--output", "-o", type=Path, help="for 'export': file to write (default: stdout)")

    def handle(self, *args: Any, action: str, username: str, **options: Any) -> None:
        user = staff_account(username)
        try:
            if action == "import":
                self._import(user, options["file"], options["dry_run"], options["source_id"])
            else:
                self._export(user, options["output"])
        except PermissionDenied as exc:
            raise CommandError(f"{username} may not {action} PFIF: {exc}") from None

    def _import(self, user: Any, path: Path | None, dry_run: bool, source_id: int | None) -> None:
        if path is None:
            raise CommandError("pfif import: name the file to import.")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        source = None
        if source_id is not None:
            source = sources_visible(user=user).filter(pk=source_id).first()
            if source is None:
                raise CommandError(f"--source-id {source_id}: no such source.")
        try:
            report = pfif_import(
                content=content, file_name=path.name, by=user, source=source, dry_run=dry_run
            )
        except ImportFailed as failed:
            for problem in failed.report.problems:
                sys.stderr.write(f"{path.name}, {problem}\n")
            raise CommandError(
                f"{len(failed.report.problems)} problem(s) in {path.name}: nothing was imported."
            ) from None
        self._print(report)

    def _print(self, report: ImportReport) -> None:
        for outcome in report.outcomes:
            if outcome.action in (Action.UPDATE, Action.CONFLICT):
                changes = "; ".join(
                    f"{k}: {ours!r} / {theirs!r}" for k, (ours, theirs) in outcome.changes.items()
                )
                detail = " ".join(x for x in (changes, outcome.detail) if x)
                self.stdout.write(f"{outcome.location}: {outcome.action} {outcome.label}: {detail}")
        counts = ", ".join(f"{action} {n}" for action, n in sorted(report.counts.items()))
        verdict = "dry run, nothing committed" if report.dry_run else f"import #{report.import_id}"
        self.stdout.write(f"{report.file_name}: {counts or 'nothing'} ({verdict}).")

    def _export(self, user: Any, output: Path | None) -> None:
        content = pfif_export(user=user)
        if output is None:
            self.stdout.write(content.decode("utf-8"), ending="")
        else:
            output.write_bytes(content)
            sys.stderr.write(f"Wrote {output}.\n")
