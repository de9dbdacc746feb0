"""`tracebureau cta prepare|authorise|send|withdraw|verify|show`: transmissions to the ICRC
Central Tracing Agency from the command line, through the same services and policy as the pages.

    tracebureau cta prepare --as officer -o /secure/outbox      # writes CTA-2026-0001.{pdf,csv,json}
    tracebureau cta authorise CTA-2026-0001 --as colleague
    tracebureau cta send CTA-2026-0001 --as officer --note "Secure e-mail to ICRC Kyiv"
    tracebureau cta verify                                       # the whole log: digests, chain, seals
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.commands import staff_account
from tracebureau.interchange import selectors, services


class Command(BaseCommand):
    help = (
        "Prepare, authorise, send or withdraw a transmission to the ICRC Central Tracing Agency; "
        "verify the log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["prepare", "authorise", "send", "withdraw", "verify", "files"])
        parser.add_argument(
            "reference", nargs="?", help="the batch, e.g. CTA-2026-0001 (not for prepare/verify)"
        )
        parser.add_argument("--as", dest="username", help="the staff account acting (not for verify)")
        parser.add_argument("--note", default="", help="how it was sent; why it was withdrawn")
        parser.add_argument("--output", "-o", type=Path, help="folder for the batch's PDF, CSV and JSON")

    def handle(
        self,
        *args: Any,
        action: str,
        reference: str | None,
        username: str | None,
        note: str,
        output: Path | None,
        **options: Any,
    ) -> None:
        if action == "verify":
            return self._verify()
        if not username:
            raise CommandError(f"cta {action} needs --as USER.")
        user = staff_account(username)
        try:
            batch = (
                services.batch_prepare(by=user)
                if action == "prepare"
                else self._act(action, reference, user, note)
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        self.stdout.write(
            f"{batch.reference}: {batch.item_count} items, {services.batch_state(batch) or 'prepared'}, "
            f"digest {batch.digest}"
        )
        if output is not None:
            self._write(batch, output)

    def _act(self, action: str, reference: str | None, user: Any, note: str) -> Any:
        batch = selectors.batches_visible(user=user).filter(reference=reference or "").first()
        if batch is None:
            raise CommandError(f"{reference}: no such batch (or not one you may see).")
        if action == "authorise":
            services.batch_authorise(batch=batch, by=user, note=note)
        elif action == "send":
            services.batch_send(batch=batch, by=user, note=note)
        elif action == "withdraw":
            services.batch_withdraw(batch=batch, by=user, note=note)
        return batch

    def _write(self, batch: Any, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{batch.reference}.pdf").write_bytes(bytes(batch.pdf))
        (folder / f"{batch.reference}.csv").write_text(batch.csv_text, encoding="utf-8")
        (folder / f"{batch.reference}.json").write_text(batch.json_text, encoding="utf-8")
        self.stdout.write(f"Wrote {batch.reference}.pdf, .csv and .json to {folder}.")

    def _verify(self) -> None:
        check = services.log_verify()
        for problem in check.problems:
            self.stderr.write(problem)
        if not check.intact:
            raise CommandError(f"The transmission log is NOT intact: {len(check.problems)} problems.")
        self.stdout.write(f"The transmission log is intact: {check.count} batches, digests, chain and seals.")
