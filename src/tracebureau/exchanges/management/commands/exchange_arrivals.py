"""`tracebureau exchange-arrivals EX-REF FILE.csv --as USER`: the list of who came back from an
exchange, matched against the registry from a file on disk, as the exchange page does it.

All or nothing: a file with a row that cannot be read, that fits nobody, fits only uncertainly
or repeats a person stores nothing, and every such row is named. On success it prints the
outcome each person would get; `--dry-run` checks and prints without storing anything, and
`--verify "how it was checked"` then verifies the exchange.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from tracebureau.core.commands import staff_account
from tracebureau.exchanges import selectors, services
from tracebureau.exchanges.choices import Outcome
from tracebureau.registry.models import Person


class Command(BaseCommand):
    help = "Match an exchange's arrivals list (CSV or XLSX) against the registry; optionally verify."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the exchange's reference, e.g. EX-2022-09-21")
        parser.add_argument("file", type=Path, help="CSV (UTF-8) or XLSX, with a header row")
        parser.add_argument("--as", dest="username", required=True, help="the coordinator's account")
        parser.add_argument("--verify", metavar="REASON", help="verify the exchange afterwards, saying how")
        parser.add_argument("--dry-run", action="store_true", help="match and print, store nothing")

    def handle(self, *args: Any, reference: str, file: Path, username: str, **options: Any) -> None:
        user = staff_account(username)
        exchange = selectors.exchanges_visible(user=user).filter(reference=reference).first()
        if exchange is None:
            raise CommandError(f"{reference}: no such exchange (or not one you may see).")
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        if options["dry_run"] and options["verify"]:
            raise CommandError("--dry-run and --verify exclude each other.")
        try:
            with transaction.atomic():
                upload = services.arrivals_upload(
                    exchange=exchange,
                    by=user,
                    expected_version=exchange.version,
                    file_name=file.name,
                    content=file.read_bytes(),
                )
                self.stdout.write(_("%(n)s rows matched.") % {"n": upload.rows.count()})
                exchange.refresh_from_db()
                self._outcomes(exchange)
                if options["dry_run"]:
                    transaction.set_rollback(True)
                    self.stdout.write(_("Dry run: nothing was stored."))
                    return
        except ValidationError as error:
            raise CommandError(_describe(file, error)) from None
        if options["verify"]:
            try:
                services.verify(
                    exchange=exchange, by=user, expected_version=exchange.version, reason=options["verify"]
                )
            except ValidationError as error:
                raise CommandError(_describe(file, error)) from None
            self.stdout.write(self.style.SUCCESS(_("%(ref)s verified.") % {"ref": reference}))

    def _outcomes(self, exchange: Any) -> None:
        """Each person's outcome as the list tells it, then the counts."""
        planned = selectors.planned_outcomes(exchange)
        names = {
            p.pk: str(p) for p in Person.objects.filter(pk__in=[i.person_id for i in planned if i.person_id])
        }
        for item in planned:
            who = f"#{item.person_id} {names[item.person_id]}" if item.person_id else _("unnamed body")
            self.stdout.write(f"  {Outcome(item.outcome).label}: {who}")
        counts = Counter(item.outcome for item in planned)
        self.stdout.write(
            ", ".join(f"{label}: {counts[value]}" for value, label in Outcome.choices if counts[value])
        )


def _describe(file: Path, error: ValidationError) -> str:
    lines = [_("%(file)s: nothing was stored.") % {"file": file}]
    if hasattr(error, "error_dict"):
        for messages in error.message_dict.values():
            lines.extend(f"  {m}" for m in messages)
    else:
        lines.extend(f"  {m}" for m in error.messages)
    return "\n".join(lines)
