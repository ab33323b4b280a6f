"""Rewrite an uploaded or rejects file without one citizen's rows (CSV, JSON Lines, XLSX, XLS).

Every other row is kept as it was read (values, order, sheets, delimiter, encoding); a legacy
``.xls`` cannot be written back, so its rows are written as an ``.xlsx`` workbook at the same
key (intake reads a file by its content, not its name).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from samvad.erasure.citizen import Citizen

_XLSX = b"PK\x03\x04"
_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def without_citizen(body: bytes, citizen: Citizen) -> tuple[bytes | None, int]:
    """``(new body, rows removed)``; the body is ``None`` when no row was the citizen's."""
    if body.startswith(_XLSX):
        return _xlsx(body, citizen)
    if body.startswith(_XLS):
        return _xls(body, citizen)
    text, encoding = _decode(body)
    if text.lstrip("\ufeff \r\n\t").startswith("{"):
        return _jsonl(text, encoding, citizen)
    return _csv(text, encoding, citizen)


def _decode(body: bytes) -> tuple[str, str]:
    if body.startswith(b"\xef\xbb\xbf"):
        return body.decode("utf-8-sig"), "utf-8-sig"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16"), "utf-16"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="surrogateescape"), "cp1252"


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="surrogateescape" if encoding == "cp1252" else "strict")


def _jsonl(text: str, encoding: str, citizen: Citizen) -> tuple[bytes | None, int]:
    kept, removed = [], 0
    for line in text.splitlines(keepends=True):
        if citizen.holds_number(line):
            removed += 1
        else:
            kept.append(line)
    return (_encode("".join(kept), encoding) if removed else None), removed


def _csv(text: str, encoding: str, citizen: Citizen) -> tuple[bytes | None, int]:
    if not citizen.holds_number(text):
        return None, 0
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t", "|"), key=first.count)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if "\r\n" in text else "\n")
    removed = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if any(citizen.in_cell(cell) for cell in row):
            removed += 1
        else:
            writer.writerow(row)
    return (_encode(out.getvalue(), encoding) if removed else None), removed


def _xlsx(body: bytes, citizen: Citizen) -> tuple[bytes | None, int]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        sheets = [(ws.title, list(ws.iter_rows(values_only=True))) for ws in book.worksheets]
    finally:
        book.close()
    return _workbook(sheets, citizen)


def _xls(body: bytes, citizen: Citizen) -> tuple[bytes | None, int]:
    import xlrd

    book = xlrd.open_workbook(file_contents=body)
    sheets = []
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            row = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                else:
                    row.append(cell.value)
            rows.append(tuple(row))
        sheets.append((sheet.name, rows))
    return _workbook(sheets, citizen)


def _workbook(sheets: list[tuple[str, list[tuple]]], citizen: Citizen) -> tuple[bytes | None, int]:
    from openpyxl import Workbook

    removed = 0
    kept: list[tuple[str, list[tuple]]] = []
    for title, rows in sheets:
        mine = [row for row in rows if _row_is_citizens(row, citizen)]
        removed += len(mine)
        kept.append((title, [row for row in rows if not _row_is_citizens(row, citizen)]))
    if not removed:
        return None, 0
    book = Workbook(write_only=True)
    for title, rows in kept:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), removed


def _row_is_citizens(row: Iterable, citizen: Citizen) -> bool:
    return any(citizen.in_cell(_cell_text(cell)) for cell in row if cell is not None and cell != "")


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a phone typed as a number: 9876543210.0
    if isinstance(cell, dt.date | dt.datetime):
        return ""
    return str(cell)
