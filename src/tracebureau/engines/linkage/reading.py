"""Reading records from a CSV file, with every problem named by row and column."""

from __future__ import annotations

import csv
import io
import os
from typing import IO

from tracebureau.engines.linkage.normalise import check_birth_date
from tracebureau.engines.linkage.records import LinkageInputError, Record

COLUMNS = (
    "id",
    "family_name",
    "given_name",
    "patronymic",
    "full_name",
    "birth_date",
    "sex",
    "service_number",
    "call_sign",
)


def _bytes(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> bytes | str:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as file:
            return file.read()
    return source.read()


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw.count(b"\n", 0, error.start) + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        header = raw.split(b"\n", 1)[0].decode("utf-8-sig", "replace").strip().split(",")
        index = raw.count(b",", line_start, error.start)
        column = header[index].strip() if index < len(header) else f"#{index + 1}"
        raise LinkageInputError(
            f"row {row}, column {column}: not UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        ) from None


def read_records_csv(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> list[Record]:
    """Records from a UTF-8 CSV file with a header row; rows are numbered as a spreadsheet shows
    them (the header is row 1). Columns other than those of `Record` are ignored.

    >>> import io
    >>> read_records_csv(io.BytesIO(b"id,full_name,birth_date,notes\\nA1,Andrey Yermak,1985,x\\n"))
    [Record(id='A1', family_name='', given_name='', patronymic='', full_name='Andrey Yermak', \
birth_date='1985', sex='', service_number='', call_sign='')]
    >>> try:
    ...     read_records_csv(io.BytesIO(b"id,birth_date\\nA1,1985-02-30\\n"))
    ... except LinkageInputError as error:
    ...     print(error)
    row 2, column birth_date: impossible date '1985-02-30'
    """
    raw = _bytes(source)
    text = _decode(raw) if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().casefold() for name in next(reader, [])]
    if "id" not in header:
        found = ", ".join(h for h in header if h) or "none"
        raise LinkageInputError(f"row 1, column id: the header has no id column (columns: {found})")
    where = {name: header.index(name) for name in COLUMNS if name in header}
    records: list[Record] = []
    first_row: dict[str, int] = {}
    for values in reader:
        row = reader.line_num
        if not any(v.strip() for v in values):
            continue
        fields = {name: values[k].strip() if k < len(values) else "" for name, k in where.items()}
        if not fields["id"]:
            raise LinkageInputError(f"row {row}, column id: the id is empty")
        if fields["id"] in first_row:
            raise LinkageInputError(
                f"row {row}, column id: duplicate id {fields['id']!r}"
                f" (first on row {first_row[fields['id']]})"
            )
        first_row[fields["id"]] = row
        check_birth_date(fields.get("birth_date", ""), f"row {row}")
        records.append(Record(**fields))
    return records
