"""`tracebureau export persons|icrc-cta --as USER`: the CSV exports, from the command line.

The command acts as the named staff account, through the same policy as the web pages: it
writes what that user may see, with the same masks, and refuses what their roles do not allow.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.audit.services import audit_export
from tracebureau.core import policy
from tracebureau.core.commands import staff_account
from tracebureau.core.exports import csv_lines
from tracebureau.core.policy import Can
from tracebureau.registry.selectors import EXPORT_FIELDS, person_export_rows, person_search
from tracebureau.timeline.selectors import cta_export_rows

WHAT = {"persons": Can.EXPORT, "icrc-cta": Can.EXPORT_CTA}


class Command(BaseCommand):
    help = (
        "Write a CSV export as the given staff account: 'persons' (a search, masks applied) or "
        "'icrc-cta' (GC III art. 122 notifications for the ICRC Central Tracing Agency)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=sorted(WHAT))
        parser.add_argument("--as", dest="username", required=True, help="the staff account exporting")
        parser.add_argument("--query", default="", help="for 'persons': a search, as on the persons page")
        parser.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, what: str, username: str, query: str, output: Path | None,
               **options: Any) -> None:
        user = staff_account(username)
        try:
            policy.require(user, WHAT[what])
        except PermissionDenied as exc:
            raise CommandError(f"{username} may not export {what}: {exc}") from None
        if what == "persons":
            header, rows = EXPORT_FIELDS, person_export_rows(
                user=user, persons=person_search(user=user, query=query)
            )
        else:
            header, rows = cta_export_rows(user=user)
        count = self._write(csv_lines(header, rows), output)
        audit_export(user=user, what=what, query=query, count=count)
        sys.stderr.write(f"Exported {count} rows as {username}.\n")

    def _write(self, lines: Any, output: Path | None) -> int:
        """Write the lines; the number of rows, the header not counted."""
        rows = -1
        with output.open("w", encoding="utf-8", newline="") if output else nullcontext() as stream:
            for line in lines:
                if stream is None:
                    self.stdout.write(line, ending="")
                else:
                    stream.write(line)
                rows += 1
        return rows
