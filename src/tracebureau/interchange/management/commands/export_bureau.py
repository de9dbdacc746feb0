"""`tracebureau export-bureau -o FILE`: the whole bureau in one file, to move the installation.

For the operator on the server (no `--as`): it reads every record, whoever may see it. The file
holds password hashes, TOTP secrets and every person's record: keep it as the database itself.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tracebureau.interchange.bureau import BureauFileError, bureau_export


class Command(BaseCommand):
    help = (
        "Write every record of this installation (accounts and the audit trail included) to one "
        "gzip'd JSON Lines file, for `tracebureau import-bureau` on a new installation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, required=True, help="the file to write (.jsonl.gz)")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        if output.exists():
            raise CommandError(_("%(file)s already exists: name a new file.") % {"file": output})
        # Written beside the target and renamed when complete, so that a failed export leaves no
        # file that looks whole; readable by its owner only.
        handle, partial = tempfile.mkstemp(dir=output.parent or ".", prefix=f".{output.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                summary = bureau_export(stream, progress=self._progress)
            os.replace(partial, output)
        except BureauFileError as exc:
            raise CommandError(_("Nothing was exported: %(error)s") % {"error": exc}) from None
        finally:
            Path(partial).unlink(missing_ok=True)
        self.stdout.write(
            self.style.SUCCESS(
                _("Exported %(rows)d records to %(file)s (SHA-256 of the content %(digest)s).")
                % {"rows": summary.total, "file": output, "digest": summary.sha256}
            )
        )
        if summary.unfinished_tasks:
            self.stderr.write(
                self.style.WARNING(
                    _(
                        "%(n)d background jobs were queued or running; they are not in the file. Let the "
                        "worker finish and export again."
                    )
                    % {"n": summary.unfinished_tasks}
                )
            )

    def _progress(self, label: str, count: int) -> None:
        sys.stderr.write(f"  {label}: {count}\n")
