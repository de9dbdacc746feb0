"""`tracebureau bulk-event`: one reported event for every person listed in a CSV file.

The operator's way to record "211 evacuated to Olenivka on 2022-05-17" from a list on disk:
every row is checked first, and a single bad row writes nothing and is reported by its line.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracebureau.core.commands import staff_account
from tracebureau.registry.selectors import persons_by_reference
from tracebureau.timeline.choices import EventKind, Precision
from tracebureau.timeline.selectors import places_visible, sources_visible
from tracebureau.timeline.services import bulk_event_record

COLUMNS = ("person", "service_number")


class Command(BaseCommand):
    help = (
        "Record one event for every person in a CSV file (a column 'person' with record numbers, or "
        "'service_number'). All or nothing: any bad row writes nothing and is named by its line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, with a header row")
        parser.add_argument("--as", dest="username", required=True, help="the staff account recording it")
        parser.add_argument("--label", required=True, help='what was reported, e.g. "211 evacuated"')
        parser.add_argument(
            "--kind", required=True, choices=[k for k in EventKind.values if k != "retraction"]
        )
        parser.add_argument("--date", required=True, help="YYYY-MM-DD (a month or year: the first day)")
        parser.add_argument("--precision", default="day", choices=Precision.values)
        parser.add_argument("--source", required=True, type=int, help="source record number")
        parser.add_argument("--credibility", required=True, type=int, choices=range(1, 7))
        parser.add_argument("--place", type=int, help="place record number")
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = staff_account(options["username"])
        fields = self._event_fields(options, user)
        persons = self._persons(options["file"], user)
        try:
            bulk = bulk_event_record(
                persons=persons, label=options["label"], kind=options["kind"], by=user, **fields
            )
        except ValidationError as exc:
            raise CommandError(_describe(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Recorded {bulk.events.count()} events as bulk event #{bulk.pk}.")
        )

    def _persons(self, path: Path, user: Any) -> list[Any]:
        rows = _read_rows(path)
        resolved = persons_by_reference(user=user, references=[ref for _line, ref in rows])
        problems = [_row_problem(line, ref, resolved[ref]) for line, ref in rows]
        problems = [p for p in problems if p]
        if problems:
            raise CommandError(f"{path}: nothing was recorded.\n" + "\n".join(problems))
        return [resolved[ref][0] for _line, ref in rows]

    def _event_fields(self, options: dict[str, Any], user: Any) -> dict[str, Any]:
        try:
            occurred_on = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"--date {options['date']!r}: not a date (YYYY-MM-DD).") from None
        source = sources_visible(user=user).filter(pk=options["source"]).first()
        if source is None:
            raise CommandError(f"--source {options['source']}: no such source.")
        place = None
        if options["place"] is not None:
            place = places_visible(user=user).filter(pk=options["place"]).first()
            if place is None:
                raise CommandError(f"--place {options['place']}: no such place.")
        return {
            "occurred_on": occurred_on,
            "precision": options["precision"],
            "source": source,
            "credibility": options["credibility"],
            "place": place,
            "note": options["note"],
        }


def _read_rows(path: Path) -> list[tuple[int, str]]:
    """(line number, reference) for each data row; line numbers count the header as line 1."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            column = next((c for c in COLUMNS if c in (reader.fieldnames or [])), None)
            if column is None:
                raise CommandError(f"{path}: the header needs a column named one of: {', '.join(COLUMNS)}.")
            rows = [(reader.line_num, (row[column] or "").strip()) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"{path}: cannot be read ({exc}).") from None
    if not rows:
        raise CommandError(f"{path}: has no data rows.")
    return rows


def _row_problem(line: int, reference: str, matches: list[Any]) -> str:
    if not reference:
        return f"line {line}: the person column is empty."
    if not matches:
        return f"line {line} ({reference}): no such person."
    if len(matches) > 1:
        return f"line {line} ({reference}): matches several persons; give the record number as #N."
    return ""


def _describe(error: ValidationError) -> str:
    lines = ["Nothing was recorded:"]
    for field, messages in error.message_dict.items():
        lines.extend(f"  {field}: {message}" for message in messages)
    return "\n".join(lines)
