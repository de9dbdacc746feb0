"""`tracebureau exchange-arrivals EX-REF FILE.csv --as USER`: the list of who came back from an
exchange, matched against the registry from a file on disk, as the exchange page does it.

All or nothing: a file with a row that cannot be read, that fits nobody, fits only uncertainly
or repeats a person stores nothing, and every such row is named. On success it prints the
outcome each person would get; `--verify "how it was checked"` then verifies the exchange.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.commands import staff_account
from tracebureau.exchanges import selectors, services
from tracebureau.exchanges.choices import Outcome


class Command(BaseCommand):
    help = "Match an exchange's arrivals list (CSV or XLSX) against the registry; optionally verify."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the exchange's reference, e.g. EX-2022-09-21")
        parser.add_argument("file", type=Path, help="CSV (UTF-8) or XLSX, with a header row")
        parser.add_argument("--as", dest="username", required=True, help="the coordinator's account")
        parser.add_argument("--verify", metavar="REASON", help="verify the exchange afterwards, saying how")

    def handle(self, *args: Any, reference: str, file: Path, username: str, **options: Any) -> None:
        user = staff_account(username)
        exchange = selectors.exchanges_visible(user=user).filter(reference=reference).first()
        if exchange is None:
            raise CommandError(f"{reference}: no such exchange (or not one you may see).")
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            upload = services.arrivals_upload(
                exchange=exchange, by=user, expected_version=exchange.version, file_name=file.name,
                content=file.read_bytes(),
            )
        except ValidationError as error:
            raise CommandError(_describe(file, error)) from None
        self.stdout.write(f"{upload.rows.count()} rows matched.")
        exchange.refresh_from_db()
        counts = Counter(item.outcome for item in selectors.planned_outcomes(exchange))
        for outcome, label in Outcome.choices:
            if counts[outcome]:
                self.stdout.write(f"  {label}: {counts[outcome]}")
        if options["verify"]:
            try:
                services.verify(
                    exchange=exchange, by=user, expected_version=exchange.version, reason=options["verify"]
                )
            except ValidationError as error:
                raise CommandError(_describe(file, error)) from None
            self.stdout.write(self.style.SUCCESS(f"{reference} verified."))


def _describe(file: Path, error: ValidationError) -> str:
    lines = [f"{file}: nothing was stored."]
    if hasattr(error, "error_dict"):
        for messages in error.message_dict.values():
            lines.extend(f"  {m}" for m in messages)
    else:
        lines.extend(f"  {m}" for m in error.messages)
    return "\n".join(lines)
