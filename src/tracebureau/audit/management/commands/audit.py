"""`tracebureau audit verify` checks the hash chain; `tracebureau audit tail` shows the newest entries."""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.audit import chain
from tracebureau.audit.models import AuditEntry

CHUNK = 2_000


class Command(BaseCommand):
    help = "The audit trail: verify its hash chain, or show its newest entries."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        verify = commands.add_parser("verify", help="recompute every hash and check the links and numbering")
        verify.add_argument(
            "--head", default="", help="a head printed by an earlier verify, which must still be in the chain"
        )
        tail = commands.add_parser("tail", help="print the newest entries, oldest first")
        tail.add_argument("-n", type=int, default=20, help="how many (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(options["head"])
        else:
            self.tail(options["n"])

    def verify(self, anchor: str) -> None:
        if anchor and not re.fullmatch(r"[0-9a-fA-F]{12,64}", anchor):
            raise CommandError("--head takes a head as printed: at least 12 hexadecimal digits.")
        # In insertion order, which is the order the chain was written in (see audit.chain).
        entries = AuditEntry.objects.order_by("pk").iterator(chunk_size=CHUNK)
        verdict = chain.verify(entries, anchor=anchor, progress=self._progress)
        if anchor and not verdict.head_found:
            verdict.problems.append((0, f"the head {anchor} noted earlier is not in the chain"))
        if not verdict.intact:
            lines = [f"position {n}: {message}" if n else message for n, message in verdict.problems]
            found = f"{len(lines)} problem{'s' if len(lines) > 1 else ''} in {verdict.count} entries"
            raise CommandError(f"The audit trail is NOT intact ({found}):\n" + "\n".join(lines))
        self.stdout.write(self.style.SUCCESS(f"OK: {verdict.count} entries, head {verdict.head[:12]}"))

    def _progress(self, count: int) -> None:
        self.stderr.write(f"... {count} entries checked")

    def tail(self, count: int) -> None:
        newest = list(AuditEntry.objects.order_by("-seq")[: max(count, 0)])
        for entry in reversed(newest):
            target = f"{entry.object_type} #{entry.object_id}" if entry.object_type else ""
            person = f"person #{entry.person_id}" if entry.person_id else ""
            self.stdout.write(
                "  ".join(part for part in (
                    f"#{entry.seq}", entry.at.isoformat(timespec="seconds"), entry.username or "-",
                    entry.action, entry.surface, target, person, entry.reason,
                ) if part)
            )
