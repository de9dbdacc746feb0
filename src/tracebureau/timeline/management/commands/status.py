"""`tracebureau status check|rebuild`: the kept derived status against the timelines.

Every write keeps the derived status in step, so neither is needed in normal running: `check`
after restoring a backup or loading rows by hand (the registry generator, say), `rebuild` to
derive every record's status again from its events, a chunk per transaction, with progress.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.timeline.materialised import CHUNK, status_check, status_rebuild


class Command(BaseCommand):
    help = "Check the kept derived status against the timelines, or derive it again from the events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "rebuild"])
        parser.add_argument("--chunk", type=int, default=CHUNK, help="records per transaction")

    def handle(self, *args: Any, action: str, chunk: int, **options: Any) -> None:
        if chunk < 1:
            raise CommandError("--chunk must be at least 1.")
        if action == "rebuild":
            done = status_rebuild(chunk=chunk, progress=self._progress)
            self.stdout.write(f"Derived the status of {done} records again from their events.")
            return
        wrong = status_check(chunk=chunk)
        if wrong:
            shown = ", ".join(f"#{pk}" for pk in wrong[:20]) + (" …" if len(wrong) > 20 else "")
            raise CommandError(
                f"{len(wrong)} records' kept status differs from their events: {shown}. "
                "Run `tracebureau status rebuild`."
            )
        self.stdout.write("The kept status of every record agrees with its events.")

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"\r{done:,} of {total:,} records", ending="")
        if done == total:
            self.stderr.write("")
