"""The rejects file: every refused row, its number and the reason, in the original columns.

Written as UTF-8 with a BOM so Excel shows Odia and Hindi correctly, spooled to disk past a few
megabytes so memory stays flat. The original cell values are kept so the data officer can fix
the rows and upload this file again (``sheet``/``row``/``reason`` columns are ignored on
re-upload); a workbook read from several sheets gets a ``sheet`` column first. Bytes that were
not valid in the source encoding are written back unchanged. A text cell that a spreadsheet
would run as a formula gets a leading apostrophe (``samvad.spreadsheet``); the intake reads a
phone written so as the number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from typing import IO

from samvad.intake.validate import Rejection
from samvad.spreadsheet import formula_safe

SPOOL_BYTES = 4 * 1024 * 1024


class RejectsFile:
    def __init__(self, header: list[str], with_sheet: bool = False):
        self._header = list(header)
        self._with_sheet = with_sheet
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
        self._text = io.TextIOWrapper(
            self._spool, encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
        self._writer = csv.writer(self._text)
        sheet = ["sheet"] if with_sheet else []
        self._writer.writerow([*sheet, "row", "reason_code", "reason", *self._header, "raw"])
        self.count = 0

    def add(self, rejection: Rejection) -> None:
        width = len(self._header)
        cells = [_cell(c) for c in rejection.cells[:width]]
        cells += [""] * (width - len(cells))
        extra = [_cell(c) for c in rejection.cells[width:]]
        raw = formula_safe(rejection.raw if rejection.raw is not None else ",".join(extra))
        sheet = [formula_safe(rejection.sheet or "")] if self._with_sheet else []
        self._writer.writerow(
            [*sheet, rejection.row, rejection.problem.code, rejection.problem.message, *cells, raw]
        )
        self.count += 1

    def finish(self) -> IO[bytes]:
        """Flush and return the binary file positioned at its start."""
        self._text.flush()
        self._text.detach()
        self._spool.seek(0)
        return self._spool


def _cell(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "" if value is None else formula_safe(str(value))
