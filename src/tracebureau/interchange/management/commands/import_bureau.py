"""`tracebureau import-bureau FILE`: load a file of `tracebureau export-bureau` into a freshly
migrated, empty database. All or nothing: a fault is named by its line, and nothing is kept."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tracebureau.interchange.bureau import BureauFileError, bureau_import


class Command(BaseCommand):
    help = (
        "Load a file written by `tracebureau export-bureau` into this installation, which must be "
        "freshly migrated and hold no records: every id is kept as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the file written by export-bureau")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            with file.open("rb") as stream:
                summary = bureau_import(stream, progress=self._progress)
        except OSError as exc:
            message = _("%(file)s cannot be read (%(error)s).") % {"file": file, "error": exc}
            raise CommandError(message) from None
        except BureauFileError as exc:
            raise CommandError(
                _("%(file)s, %(error)s\nNothing was imported.") % {"file": file, "error": exc}
            ) from None
        for label, count in sorted(summary.counts.items()):
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(rows)d records from %(file)s. Check the audit trail with `tracebureau audit "
                    "verify`."
                )
                % {"rows": summary.total, "file": file}
            )
        )

    def _progress(self, label: str, count: int) -> None:
        sys.stderr.write(f"  {label}: {count}\n")
