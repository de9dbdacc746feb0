"""CSV written safely: every export of the product goes through here.

A cell that starts with = + - @ (or a tab or carriage return) is read as a formula by
spreadsheet programs; a name like `=HYPERLINK(...)` typed into a form would run when an analyst
opens the export. Such cells get a leading apostrophe (OWASP's advice), which spreadsheets show
as text and which a reader can strip.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text line by line (UTF-8 with a BOM, so spreadsheet programs read Cyrillic)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])
