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
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text), strict=True)
    lines: list[list[str]] = []
    try:
        for cells in reader:
            lines.append([cell.strip() for cell in cells])
    except csv.Error as exc:
        # strict: a quote left open at the end is a file cut short, not one long last cell.
        raise ValidationError(
            _("Row %(row)s: the file is cut short or malformed here (%(why)s).")
            % {"row": reader.line_num, "why": exc}
        ) from None
    return _table(lines)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        # Formulas read as formulas (not as the value a spreadsheet last computed), to refuse them.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows())
    except Exception:  # openpyxl and zipfile raise many kinds for a file that is not a workbook
        raise ValidationError(_("The file is not a readable XLSX workbook (is it cut short?).")) from None
    lines = [[_cell_text(cell.value, formula=cell.data_type == "f") for cell in line] for line in rows]
    book.close()
    return _table(lines)


def _delimiter(text: str) -> str:
    """The separator the header line uses most: comma, semicolon (Excel in Ukrainian and Russian
    locales) or tab. Read from the header alone, which names the columns and has no quotes to
    mislead a sniffer the way a cut-short row does."""
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


# A cell a spreadsheet would run: refused rather than imported or cleaned, so the sender sees it.
_FORMULA = re.compile(r"^(=|@|[+-][^\d\s.])")


def _cell_text(value: object, *, formula: bool = False) -> str:
    if value is None:
        return ""
    if formula:
        return FORMULA_MARK + str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


FORMULA_MARK = "\x00formula:"


def _table(lines: list[list[str]]) -> Table:
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if any(line)]
    if not numbered:
        return Table([], [])
    headers = numbered[0][1]
    while headers and not headers[-1]:
        headers = headers[:-1]
    width = len(headers)
    errors = _formula_errors(numbered, headers)
    rows = []
    for number, line in numbered[1:]:
        extra = [cell for cell in line[width:] if cell]
        if extra:
            errors.append(
                _("Row %(row)s has %(n)s cells beyond the last named column (“%(cell)s”).")
                % {"row": number, "n": len(extra), "cell": extra[0][:40]}
            )
        rows.append((line + [""] * width)[:width])
    if errors:
        raise ValidationError(errors[:50])
    return Table(headers, rows)


def _formula_errors(numbered: list[tuple[int, list[str]]], headers: list[str]) -> list[str]:
    errors = []
    for number, line in numbered:
        for column, cell in enumerate(line):
            if cell.startswith(FORMULA_MARK) or _FORMULA.match(cell):
                name = headers[column] if column < len(headers) and headers[column] else f"#{column + 1}"
                errors.append(
                    _("Row %(row)s, column “%(column)s”: a formula (%(cell)s); paste it as a value.")
                    % {"row": number, "column": name, "cell": cell.removeprefix(FORMULA_MARK)[:40]}
                )
    return errors


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
