"""Reading an uploaded list (CSV or XLSX) into a header and rows of text, and guessing which
column holds what from the header's words in Ukrainian, Russian or English."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024

# Words a header may contain, per record field; the first field whose word appears wins, so the
# more specific words (patronymic, full name) come before the ones they contain (name).
HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id", ("id", "№", "no", "номер з/п", "номер п/п", "п/п", "з/п", "row")),
    ("patronymic", ("patronymic", "по батькові", "по-батькові", "отчество", "middle")),
    ("full_name", ("full name", "full_name", "піб", "п.і.б", "фио", "ф.и.о", "name in full")),
    ("family_name", ("family", "surname", "last name", "last_name", "прізвище", "фамилия")),
    ("given_name", ("given", "first name", "first_name", "forename", "ім'я", "імʼя", "имя")),
    ("birth_date", ("birth", "dob", "народження", "рождения", "д.н", "д.р")),
    ("sex", ("sex", "gender", "стать", "пол")),
    ("service_number", ("service", "personal number", "жетон", "особистий номер", "личный номер")),
    ("call_sign", ("call sign", "call_sign", "callsign", "позивний", "позывной")),
)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


def read_table(name: str, content: bytes) -> Table:
    """The file's header and rows, every cell as text; a ValidationError says what is wrong."""
    if len(content) > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1024 // 1024})
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        table = _read_xlsx(content)
    elif lowered.endswith((".csv", ".txt")):
        table = _read_csv(content)
    else:
        raise ValidationError(_("Upload a CSV or an XLSX file."))
    if not table.headers or not any(table.headers):
        raise ValidationError(_("The file has no header row."))
    duplicates = sorted({h for h in table.headers if h and table.headers.count(h) > 1})
    if duplicates:
        raise ValidationError(_("Column names appear twice: %(names)s.") % {"names": ", ".join(duplicates)})
    if not table.rows:
        raise ValidationError(_("The file has a header but no rows."))
    if len(table.rows) > MAX_ROWS:
        raise ValidationError(_("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS})
    return table


def _read_csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ValidationError(
            _("Row %(row)s: the file is not UTF-8 text (save it as CSV UTF-8).") % {"row": line}
        ) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = [[cell.strip() for cell in line] for line in csv.reader(io.StringIO(text), dialect)]
    return _table(lines)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(_("The file is not a readable XLSX workbook.")) from None
    sheet = book.worksheets[0]
    lines = [[_cell_text(value) for value in line] for line in sheet.iter_rows(values_only=True)]
    book.close()
    return _table(lines)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(lines: list[list[str]]) -> Table:
    lines = [line for line in lines if any(line)] if lines else []
    if not lines:
        return Table([], [])
    headers = lines[0]
    while headers and not headers[-1]:
        headers = headers[:-1]
    width = len(headers)
    rows = [(line + [""] * width)[:width] for line in lines[1:]]
    return Table(headers, rows)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """{record field: header} for the headers whose words say what they hold."""
    mapping: dict[str, str] = {}
    for header in headers:
        words = re.sub(r"\s+", " ", header.lower().replace("_", " ")).strip()
        exact = words.replace(" ", "_")
        for field, hints in HEADER_WORDS:
            if field in mapping:
                continue
            if exact == field or any(_contains(words, hint) for hint in hints):
                mapping[field] = header
                break
    return mapping


def _contains(words: str, hint: str) -> bool:
    hint = hint.replace("_", " ")
    if len(hint) <= 3:  # short hints ("id", "№", "пол") only as a whole word
        return hint in re.split(r"[\s,.;:()/-]+", words) or words == hint
    return hint in words
