"""Readers: format and separator sniffing, quoting heuristics, blank lines."""

import io

import pytest

from samvad.intake.aliases import alias_table
from samvad.intake.sources import UnreadableFile, open_table


def table(data: bytes):
    return open_table(io.BytesIO(data), alias_table())


def test_a_multi_line_address_is_a_cell_not_swallowed_rows():
    """Given a quoted address spanning two lines, When read, Then the record is accepted:
    only row-shaped text after a line break means a stray quote."""
    data = (
        b"Mobile No,Date of Visit,Office Code,Service,Address\n"
        b'9876543210,22/11/2026,A1,OPD,"Plot 12,\nSaheed Nagar, Bhubaneswar"\n'
        b"9937012345,22/11/2026,A1,OPD,Cuttack\n"
    )
    records = list(table(data).records)
    assert [r.problem for r in records] == [None, None]
    assert [r.number for r in records] == [2, 4]


def test_a_stray_quote_that_swallows_rows_is_rejected_with_the_raw_text():
    """Given an unclosed quote followed by rows, When read, Then one record is refused as
    unbalanced and its raw text keeps the swallowed rows for the rejects file."""
    data = (
        b"Mobile No,Date of Visit,Office Code,Service,Name\n"
        b'9876543210,22/11/2026,A1,OPD,"Sita\n'
        b"9937012345,22/11/2026,A1,OPD,Hari\n"
    )
    (record,) = table(data).records
    assert record.problem.code == "unbalanced_quote"
    assert "9937012345,22/11/2026,A1,OPD,Hari" in record.raw


@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_the_separator_is_found_past_title_rows(separator):
    """Given a title line without separators above a header, When read, Then the separator
    is taken from the lines that have the most cells and the header is found."""
    sep = separator.encode()
    data = (
        b"District Hospital Khordha - OPD register\n"
        + sep.join([b"Mobile No", b"Date of Visit", b"Office Code", b"Service"])
        + b"\n"
        + sep.join([b"9876543210", b"22/11/2026", b"A1", b"OPD"])
        + b"\n"
    )
    found = table(data)
    assert found.header_row == 2
    assert [r.cells for r in found.records] == [["9876543210", "22/11/2026", "A1", "OPD"]]


def test_blank_json_lines_are_reported_as_blank_rows():
    """Given JSON Lines with an empty line, When read, Then it yields a blank record (the
    report counts it) instead of vanishing."""
    data = (
        b'{"mobile": "9876543210", "date": "22/11/2026", "office": "A1", "service": "OPD"}\n'
        b"\n"
        b'{"mobile": "9937012345", "date": "22/11/2026", "office": "A1", "service": "OPD"}\n'
    )
    records = list(table(data).records)
    assert [(r.number, any(r.cells)) for r in records] == [(1, True), (2, False), (3, True)]


def test_a_file_of_only_whitespace_and_bom_is_empty():
    """Given a file holding only a BOM and new lines, When opened, Then it is 'empty'."""
    with pytest.raises(UnreadableFile) as error:
        table(b"\xef\xbb\xbf\r\n\r\n  \n")
    assert error.value.code == "empty"


@pytest.mark.parametrize("bad_row", [3, 4_000])
def test_undecodable_bytes_reject_their_row_wherever_they_are(bad_row):
    """Given a UTF-8 file with one invalid byte in row ``bad_row`` (in the first decoded block,
    or far past it), When read, Then exactly that row is undecodable and the others are clean
    (rows are checked for bad bytes only once the decoder has met one)."""
    header = b"Mobile,Visit Date,Office Code,Service,Language\n"
    odia = "ଓଡ଼ିଆ".encode()  # valid UTF-8 around it: the file is read as UTF-8, not cp1252
    rows = [b"9876543210,2026-11-22,OFF-1,OPD," + odia + b"\n"] * 5_000
    rows[bad_row - 2] = b"9876543210,2026-11-22,OFF-1,OPD \xff," + odia + b"\n"  # 1: header
    table = open_table(io.BytesIO(header + b"".join(rows)), alias_table())
    problems = {r.number: r.problem.code for r in table.records if r.problem is not None}
    assert problems == {bad_row: "undecodable"}
