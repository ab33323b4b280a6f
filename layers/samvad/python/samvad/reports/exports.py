"""CSV exports that a spreadsheet cannot execute.

Text cells go through ``samvad.spreadsheet.formula_safe`` (a formula, even behind whitespace
or in full-width characters, gets a leading apostrophe). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from samvad.spreadsheet import formula_safe


def safe_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple | set):
        value = " ".join(str(v) for v in value)
    return formula_safe(str(value))


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
