"""OpenDocument spreadsheets (.ods): read with the same rows and visits as the same CSV."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

import pytest

from samvad.intake.aliases import alias_table
from samvad.intake.sources import UnreadableFile, open_table
from samvad.intake.validate import IntakePolicy, Rejection, RowValidator, Source

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
KEY = b"k" * 32
SOURCE = Source("upload-1", "2026-11-23T06:00:00+00:00")


def _make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HEADER = ["Mobile No", "Date of Visit", "Office Code", "Service", "Citizen Name", "Age"]
# as a spreadsheet types them: numbers, dates, date-times, text
TYPED = [
    [9437000001, dt.date(2026, 11, 20), "PHC-01", "OPD", "ସୀତା ପ୍ରଧାନ", 34],
    [9437000002.0, dt.datetime(2026, 11, 21, 10, 15), "PHC-01", "OPD", "Ram Das", 61.0],
    ["94370 00004", "22/11/2026", "phc-01", "Immunisation", "Gita", "26-35"],
    [943700005, dt.date(2026, 11, 22), "PHC-01", "OPD", "Nine Digits", 40],
]
# the same rows as a CSV export writes them
CSV = (
    "Mobile No,Date of Visit,Office Code,Service,Citizen Name,Age\n"
    "9437000001,2026-11-20,PHC-01,OPD,ସୀତା ପ୍ରଧାନ,34\n"
    "9437000002,2026-11-21 10:15:00,PHC-01,OPD,Ram Das,61\n"
    "94370 00004,22/11/2026,phc-01,Immunisation,Gita,26-35\n"
    "943700005,2026-11-22,PHC-01,OPD,Nine Digits,40\n"
)


def _read(data: bytes):
    table = open_table(io.BytesIO(data), alias_table())
    validate = RowValidator(
        table.columns,
        len(table.header),
        IntakePolicy("health", dt.date(2026, 11, 23)),
        KEY,
        KEY,
    )
    outcomes = []
    for record in table.records:
        outcome = validate(record.number, record.cells)
        if isinstance(outcome, Rejection):
            outcomes.append((record.number, outcome.problem.code))
        else:
            outcomes.append((record.number, outcome.to_item(SOURCE)))
    return table, outcomes


def test_an_ods_is_read_with_the_same_rows_and_visits_as_the_same_csv():
    """Given an .ods (written by odfpy, typed cells) and the CSV of the same rows,
    When both are read and validated,
    Then the header, the row numbers, the visits stored and the rejections are the same."""
    ods = _make_corpus()._ods([("Visits", [HEADER, *TYPED], False)])

    ods_table, ods_outcomes = _read(ods)
    csv_table, csv_outcomes = _read(CSV.encode())

    assert ods_table.format == "ods"
    assert ods_table.header == csv_table.header
    assert ods_outcomes == csv_outcomes
    assert [number for number, _ in ods_outcomes] == [2, 3, 4, 5]
    assert ods_outcomes[3][1] == "phone_wrong_length"
    assert ods_outcomes[1][1]["visit_time"] == {"S": "10:15:00"}


def test_every_matching_sheet_of_an_ods_is_read_and_the_others_reported():
    """Given the corpus's one-sheet-per-office .ods (a cover, two offices, a summary and a
    hidden sheet), When read, Then both offices' rows are read in order, the cover and
    summary are reported, and the hidden sheet is not read."""
    table = open_table(io.BytesIO((CORPUS / "sheet_per_office.ods").read_bytes()), alias_table())
    records = list(table.records)

    assert table.sheets == ["PHC-01", "CHC-07"]
    assert [s.split(":")[0] for s in table.skipped_sheets] == ["sheet 'Cover'", "sheet 'Summary'"]
    assert [(r.sheet, r.number) for r in records] == [
        ("PHC-01", 2),
        ("PHC-01", 3),
        ("PHC-01", 4),
        ("CHC-07", 2),
        ("CHC-07", 3),
        ("CHC-07", 4),
    ]
    assert "9437000099" not in {cell for r in records for cell in r.cells}


@pytest.mark.parametrize("name", ["corrupt.ods", "ods_without_content.ods"])
def test_a_broken_ods_is_unreadable_with_a_message_that_says_what_to_do(name):
    """Given an .ods whose zip is damaged, or that holds no sheets, When read, Then the file
    is refused as ``ods_corrupt`` with a message naming the format and the fix."""
    with pytest.raises(UnreadableFile) as refused:
        open_table(io.BytesIO((CORPUS / name).read_bytes()), alias_table())

    assert refused.value.code == "ods_corrupt"
    assert "OpenDocument spreadsheet (.ods) cannot be opened" in refused.value.message
    assert "save it again from LibreOffice Calc, or as .xlsx or CSV" in refused.value.message
