"""CSV exports that a spreadsheet cannot execute.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
(or becomes one) in Excel, LibreOffice and Google Sheets (CSV injection): such text cells get
a leading apostrophe, which spreadsheets show as plain text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple | set):
        value = " ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: Iterable[dict], columns: list[str]) -> bytes:
    """UTF-8 (with BOM, so Excel reads Odia names) CSV of ``columns`` from ``rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(_flat(row.get(c))) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _flat(value: object) -> object:
    if isinstance(value, dict):
        return " ".join(f"L{k}:{v}" for k, v in value.items())
    return value
