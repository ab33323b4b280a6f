"""Write the malformed-input corpus for intake, and the outcome each file must produce.

Run from anywhere: ``python tests/corpus/make_corpus.py``. The output is deterministic (fixed
seeds, fixed zip timestamps), so re-running it leaves ``git diff`` empty. Each case below is a
realistic department upload (or a tricky one that must still be accepted) together with what
the intake report must say about it; the expectations are written down here, next to the input,
and dumped to ``expected.json`` for ``tests/unit/test_corpus.py``.

The clock of the tests is 2026-11-23 11:30 in India, the department folder is ``health`` and
visits are kept 400 days, so 2025-10-19 is the oldest visit date accepted.

Files over 50 KB (the > 1 MiB single line, an invalid byte past the 64 KB sniffing window)
are not stored: the test generates them into ``tmp_path``.

Expected keys per file: ``quarantined``, ``quarantine_code``; for files that are read,
``rows``, ``accepted``, ``rejected``, ``duplicates``, ``rejected_by_reason``, and optionally
``blank_rows``, ``header_row``, ``ignored_columns``, ``format``, ``encoding``, ``names`` (the
citizen names that must be stored, exactly), ``reject_rows`` (row numbers in the rejects file),
``raw_contains`` (text the rejects file must keep so swallowed rows are not lost) and
``same_code`` (rejection codes counted as another, where either is a correct answer).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import random
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = "Mobile No,Date of Visit,Office Code,Service,Citizen Name"
ODIA_NAME = "ସୀତା ପ୍ରଧାନ"  # Sita Pradhan
HINDI_NAME = "रमेश कुमार"  # Ramesh Kumar
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def phone(n: int) -> str:
    """A distinct, valid Odisha mobile number (94370 series)."""
    return f"94370{n:05d}"


def row(n: int, name: str = "", date: str = "20/11/2026", office: str = "PHC-01") -> str:
    return f"{phone(n)},{date},{office},OPD,{name or f'Citizen {n}'}"


def lines(*items: str, end: str = "\n") -> str:
    return "".join(item + end for item in items)


def read(rows, accepted, rejected=0, duplicates=0, reasons=None, **extra) -> dict:
    outcome = {
        "quarantined": False,
        "quarantine_code": None,
        "rows": rows,
        "accepted": accepted,
        "rejected": rejected,
        "duplicates": duplicates,
        "rejected_by_reason": reasons or {},
    }
    outcome.update(extra)
    assert accepted + rejected + duplicates == rows, outcome
    assert sum(outcome["rejected_by_reason"].values()) == rejected, outcome
    return outcome


def quarantined(code: str) -> dict:
    return {"quarantined": True, "quarantine_code": code}


# -- encodings ------------------------------------------------------------------------------


def utf8_bom() -> bytes:
    text = lines(HEADER, row(1, ODIA_NAME), row(2, HINDI_NAME), row(3, "Ram Das"))
    return codecs.BOM_UTF8 + text.encode("utf-8")


def utf16le_tab() -> bytes:
    """Excel's "Unicode Text": UTF-16 LE with a BOM, tab-separated, CRLF."""
    text = lines(
        HEADER.replace(",", "\t"),
        *(row(n, name).replace(",", "\t") for n, name in ((1, ODIA_NAME), (2, "Ram Das"))),
        f"{phone(3)}\t20-11-2026\tCHC-07\tImmunisation\t{HINDI_NAME}",
        end="\r\n",
    )
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def cp1252_jose() -> bytes:
    """Excel's "CSV (Comma delimited)" on Windows: Windows-1252, no BOM."""
    text = lines(HEADER, row(1, "José Fernandes"), row(2, "Zoë D’Souza"), row(3, "Ram Das"))
    return text.encode("cp1252")


def utf8_one_bad_row() -> bytes:
    """UTF-8 with Odia names; one row has a Windows-1252 é pasted in (byte 0xE9)."""
    good = lines(HEADER, row(1, ODIA_NAME), row(2, HINDI_NAME)).encode("utf-8")
    bad = row(3, "Jos_ Fernandes").encode("ascii").replace(b"_", b"\xe9") + b"\n"
    return good + bad + lines(row(4, "Ram Das")).encode("utf-8")


def odia_headers() -> bytes:
    """Headers in Odia (letters with combining vowel signs), data in Odia too."""
    header = "ମୋବାଇଲ ନମ୍ବର,ତାରିଖ,Office Code,ସେବା,ନାମ"
    return lines(header, row(1, ODIA_NAME), row(2, "ରମେଶ ସାହୁ")).encode("utf-8")


# -- line structure and quoting -------------------------------------------------------------


def crlf() -> bytes:
    """Windows line endings, and the trailing empty cells Excel writes past the last column."""
    return lines(HEADER + ",,", row(1) + ",,", row(2) + ",", row(3), end="\r\n").encode()


def quoted_newline_name() -> bytes:
    """A name with a line break and one with a comma, both properly quoted: valid.

    The row after the two-line record starts on physical line 5 and has a bad phone, so its
    rejection must say row 5.
    """
    return lines(
        HEADER,
        f'{phone(1)},20/11/2026,PHC-01,OPD,"Sita\nDevi"',
        f'{phone(2)},20/11/2026,PHC-01,OPD,"Das, Ram"',
        "94370123,20/11/2026,PHC-01,OPD,Hari",
        row(4, "Gita"),
    ).encode()


def unclosed_quote_to_eof() -> bytes:
    """An opening quote that is never closed swallows every row after it."""
    return lines(
        HEADER,
        row(1, "Ram"),
        f'{phone(2)},20/11/2026,PHC-01,OPD,"Sita',
        row(42, "Hari"),
        row(43, "Gita"),
    ).encode()


def unclosed_quote_closed_later() -> bytes:
    """A stray opening quote, closed by another stray quote two lines down."""
    return lines(
        HEADER,
        row(1, "Ram"),
        f'{phone(2)},20/11/2026,PHC-01,OPD,"Sita Devi',
        row(42, "Hari"),
        f'{phone(43)},20/11/2026,PHC-01,OPD,"Gita" Das',
        row(5, "Mina"),
    ).encode()


def unclosed_quote_long() -> bytes:
    """A quote opened on line 4 and closed on line 28: longer than a record may span."""
    swallowed = [row(100 + n) for n in range(24)]
    swallowed[-1] = swallowed[-1] + ' (see "note)'
    return lines(
        HEADER,
        row(1),
        row(2),
        f'{phone(3)},20/11/2026,PHC-01,OPD,"Sita',
        *swallowed,
        row(4),
        row(5),
    ).encode()


def semicolon() -> bytes:
    """European-locale Excel: semicolons between cells; commas inside a cell are plain text."""
    header = HEADER.replace(",", ";")
    return lines(
        header,
        f"{phone(1)};20/11/2026;PHC-01;OPD;Das, Ram",
        f"{phone(2)};21/11/2026;PHC-01;OPD;{ODIA_NAME}",
    ).encode()


def blank_lines() -> bytes:
    """Blank lines, a row of only commas and a row of only spaces between data rows."""
    return lines(HEADER, "", row(1), "", "", row(2), ",,,,", "   ", row(3), "", end="\r\n").encode()


def extra_cells() -> bytes:
    """An unquoted comma inside a name in the middle of the row shifts every cell after it."""
    header = "Mobile No,Citizen Name,Date of Visit,Office Code,Service"
    return lines(
        header,
        f"{phone(1)},Ram,20/11/2026,PHC-01,OPD",
        f"{phone(2)},Das, Ram,20/11/2026,PHC-01,OPD",
        f"{phone(3)},Gita,20/11/2026,PHC-01,OPD",
    ).encode()


# -- headers --------------------------------------------------------------------------------


def missing_phone_column() -> bytes:
    return lines(
        "Date of Visit,Office Code,Service,Citizen Name",
        "20/11/2026,PHC-01,OPD,Ram",
    ).encode()


def extra_columns() -> bytes:
    return lines(
        "Sl No,Mobile No,Date of Visit,Office Code,Service,Remarks,Token Colour",
        f"1,{phone(1)},20/11/2026,PHC-01,OPD,follow-up,red",
        f"2,{phone(2)},20/11/2026,PHC-01,OPD,,blue",
    ).encode()


def duplicate_phone_header() -> bytes:
    return lines(
        "Mobile No,Date of Visit,Office Code,Service,Contact Number",
        f"{phone(1)},20/11/2026,PHC-01,OPD,{phone(9)}",
    ).encode()


def title_rows() -> bytes:
    """Two title rows above the header, as registers printed from a portal have."""
    return lines(
        "Government of Odisha - Health & Family Welfare Department,,,,",
        "OPD register for November 2026 (PHC Khurda),,,,",
        HEADER,
        row(1),
        row(2),
        ",20/11/2026,PHC-01,OPD,No Phone",
    ).encode()


def no_header() -> bytes:
    """Data rows only: the header row was deleted before upload."""
    return lines(row(1), row(2), row(3)).encode()


def html_saved_as_xls() -> bytes:
    """A portal's "Export to Excel" that is really an HTML table named .xls."""
    return (
        "<html><head><meta charset='utf-8'></head><body><table>\n"
        "<tr><th>Mobile No</th><th>Date of Visit</th><th>Office Code</th><th>Service</th></tr>\n"
        f"<tr><td>{phone(1)}</td><td>20/11/2026</td><td>PHC-01</td><td>OPD</td></tr>\n"
        "</table></body></html>\n"
    ).encode()


def header_only() -> bytes:
    return lines(HEADER).encode()


# -- values ---------------------------------------------------------------------------------


def bad_dates() -> bytes:
    return lines(
        HEADER,
        row(1, date="31/02/2026"),  # impossible
        row(2, date="2026/11/22"),  # unrecognised: slashes in ISO order
        row(3, date="22.11.26"),  # unrecognised: dots, two-digit year
        row(4, date="25/12/2026"),  # future
        row(5, date="24/11/2026"),  # tomorrow in India: future
        row(6, date="23/11/2026"),  # today: accepted
        row(7, date="15/01/2024"),  # older than the retention period
        row(8, date="20-11-2026 10:30"),  # with a time: accepted
        row(9, date="20/11/2026 25:00"),  # impossible time
        row(10, date="11/20/2026"),  # month-first is never guessed: month 20
    ).encode()


def bad_phones() -> bytes:
    return lines(
        HEADER,
        "943701234,20/11/2026,PHC-01,OPD,Nine Digits",
        "0674-2391234,20/11/2026,PHC-01,OPD,Bhubaneswar Landline",
        "98765abcde,20/11/2026,PHC-01,OPD,Letters",
        "+1 415 555 2671,20/11/2026,PHC-01,OPD,US Number",
        ",20/11/2026,PHC-01,OPD,Blank",
        "9.43701E+09,20/11/2026,PHC-01,OPD,Excel Scientific",
        "+91 94370 00001,20/11/2026,PHC-01,OPD,Plus Ninety One",
        "094370-00002,20/11/2026,PHC-01,OPD,Trunk Zero",
        "9437000003.0,20/11/2026,PHC-01,OPD,Excel Float",
    ).encode()


def duplicates() -> bytes:
    """Exact repeats, and repeats that differ only in how the phone or service is written."""
    return lines(
        HEADER,
        row(1, "Ram"),
        row(2, "Sita"),
        row(1, "Ram"),  # exact repeat of line 2
        row(3, "Hari"),
        row(1, "Ram"),  # again
        "+91 94370 00002,20/11/2026,PHC-01,opd,Sita",  # line 3 written differently
    ).encode()


def department_mismatch() -> bytes:
    return lines(
        "Department,Mobile No,Date of Visit,Office Code,Service",
        f"health,{phone(1)},20/11/2026,PHC-01,OPD",
        f"HEALTH,{phone(2)},20/11/2026,PHC-01,OPD",
        f"revenue,{phone(3)},20/11/2026,TAH-01,Caste Certificate",
        f",{phone(4)},20/11/2026,PHC-01,OPD",
        f" Health ,{phone(5)},20/11/2026,PHC-01,OPD",
    ).encode()


# -- not text at all ------------------------------------------------------------------------


def empty() -> bytes:
    return b""


def whitespace_only() -> bytes:
    return b"  \r\n\t\n   \n"


def binary_garbage() -> bytes:
    rng = random.Random(20261123)
    body = bytes(rng.randrange(256) for _ in range(4096))
    return b"\x07\x00\x13\x00" + body


def png_renamed() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02" + bytes(
        range(256)
    )


def pdf_renamed() -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"


def gzip_renamed() -> bytes:
    import gzip

    return gzip.compress(lines(HEADER, row(1)).encode(), mtime=0)


def corrupt_xls() -> bytes:
    """An Excel 97-2003 signature (OLE2 compound file), then garbage: a damaged .xls."""
    rng = random.Random(97)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(2040))


def legacy_xls() -> bytes:
    """A real Excel 97-2003 workbook (written by xlwt): a notes sheet, then one sheet per office
    with typed cells (numbers, dates formatted as dates, text), columns in different orders."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    notes = book.add_sheet("Read me")
    notes.write(0, 0, "One sheet per office. Do not rename the columns.")
    first = book.add_sheet("PHC-01")
    for c, text in enumerate(
        ["Mobile No", "Date of Visit", "Office Code", "Service", "Citizen Name"]
    ):
        first.write(0, c, text)
    rows = [
        (9437000001, dt.date(2026, 11, 20), "PHC-01", "OPD", ODIA_NAME),
        (9437000002.0, dt.date(2026, 11, 21), "PHC-01", "OPD", "Ram Das"),
        ("943700003", dt.date(2026, 11, 21), "PHC-01", "OPD", "Eight Digits"),
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            first.write(
                r, c, value, dates if isinstance(value, dt.date) else xlwt.Style.default_style
            )
    second = book.add_sheet("CHC-07")
    for c, text in enumerate(
        ["Citizen Name", "Service", "Mobile No", "Office Code", "Date of Visit", "Age"]
    ):
        second.write(0, c, text)
    second.write(1, 0, HINDI_NAME)
    second.write(1, 1, "Immunisation")
    second.write(1, 2, 9437000004)
    second.write(1, 3, "CHC-07")
    second.write(1, 4, dt.date(2026, 11, 22), dates)
    second.write(1, 5, 41)
    second.write(2, 0, "No Date")
    second.write(2, 1, "OPD")
    second.write(2, 2, 9437000005)
    second.write(2, 3, "CHC-07")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_per_office_xlsx() -> bytes:
    """A workbook with one sheet per office (columns in different orders), a cover sheet, a
    sheet with the wrong columns and a hidden scratch sheet."""
    from openpyxl import Workbook

    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["Visits register, Khordha district, November 2026"])
    first = book.create_sheet("PHC-01")
    first.append(["Mobile No", "Date of Visit", "Office Code", "Service", "Citizen Name"])
    first.append([9437000011, dt.datetime(2026, 11, 20), "PHC-01", "OPD", "Ram"])
    first.append([9437000012, dt.datetime(2026, 11, 20), "PHC-01", "OPD", "Sita"])
    first.append([9437000013, dt.datetime(2026, 11, 21), "CHC-07", "Immunisation", "Hari"])
    second = book.create_sheet("CHC-07")
    second.append(
        ["Sl No", "Service", "Office Code", "Date of Visit", "Mobile No", "Citizen Name", "Gender"]
    )
    second.append([1, "Immunisation", "CHC-07", dt.datetime(2026, 11, 21), 9437000013, "Hari", "M"])
    second.append([2, "OPD", "CHC-07", "31/02/2026", 9437000014, "Gita", "F"])
    second.append([3, "OPD", "CHC-07", dt.datetime(2026, 11, 21), 9437000011, "Ram", "M"])
    wrong = book.create_sheet("Summary")
    wrong.append(["Office", "Total visits"])
    wrong.append(["PHC-01", 2])
    hidden = book.create_sheet("Scratch")
    hidden.sheet_state = "hidden"
    hidden.append(["Mobile No", "Date of Visit", "Office Code", "Service"])
    hidden.append([9437000099, dt.datetime(2026, 11, 21), "PHC-01", "OPD"])
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def corrupt_xlsx() -> bytes:
    """A zip header, then garbage: an .xlsx cut short or overwritten."""
    rng = random.Random(7)
    return b"PK\x03\x04\x14\x00\x06\x00" + bytes(rng.randrange(256) for _ in range(1024))


def zip_not_xlsx() -> bytes:
    """A valid zip holding a CSV, renamed .xlsx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("visits.csv", ZIP_TIME), lines(HEADER, row(1)))
    return buffer.getvalue()


def typed_xlsx() -> bytes:
    """A real workbook: an instructions sheet first, then visits with typed cells."""
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "Instructions"
    notes.append(["Fill one row per visit. Do not change the column names."])
    sheet = book.create_sheet("Visits")
    sheet.append(["Mobile No", "Date of Visit", "Office Code", "Service", "Citizen Name", "Age"])
    sheet.append([9437000001, dt.datetime(2026, 11, 20), "PHC-01", "OPD", ODIA_NAME, 34])
    sheet.append([9437000002.0, dt.date(2026, 11, 21), "PHC-01", "OPD", "Ram Das", 61.0])
    sheet.append([9437000003, dt.datetime(2026, 11, 21, 10, 15), "PHC-01", "OPD", "Hari", None])
    sheet.append(["94370 00004", "22/11/2026", "phc-01", "Immunisation", "Gita", "26-35"])
    sheet.append([None, None, None, None, None, None])  # a formatted but empty row
    sheet.append([943700005, dt.datetime(2026, 11, 22), "PHC-01", "OPD", "Nine Digits", 40])
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps so the bytes are reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", body)
            target.writestr(member, body)
    return buffer.getvalue()


def _ods(sheets: list[tuple[str, list[list], bool]]) -> bytes:
    """An OpenDocument spreadsheet written by odfpy: (title, rows, hidden) per sheet, typed
    cells (floats, dates, date-times, text), reproducible bytes."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def cell(value: object) -> TableCell:
        if value is None:
            return TableCell()
        if isinstance(value, int | float):
            made = TableCell(valuetype="float", value=value)
        elif isinstance(value, dt.date):  # a datetime too: ISO with its time
            made = TableCell(valuetype="date", datevalue=value.isoformat())
        else:
            made = TableCell(valuetype="string")
        made.addElement(P(text=str(value)))
        return made

    document = OpenDocumentSpreadsheet()
    hidden = Style(name="hidden-sheet", family="table")
    hidden.addElement(TableProperties(display="false"))
    document.automaticstyles.addElement(hidden)
    for title, rows, is_hidden in sheets:
        table = Table(name=title, **({"stylename": hidden} if is_hidden else {}))
        for values in rows:
            table_row = TableRow()
            for value in values:
                table_row.addElement(cell(value))
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return _fixed_ods_times(buffer.getvalue())


def _fixed_ods_times(data: bytes) -> bytes:
    """``_fixed_zip_times`` for OpenDocument: ``mimetype`` stays first and stored (the format
    requires it, and the intake sniffs it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, ZIP_TIME)
            stored = info.filename == "mimetype"
            member.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            body = source.read(info.filename)
            if info.filename == "meta.xml":  # odfpy stamps the generator's version and dates
                stamp = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?"
                body = re.sub(stamp, b"2026-01-01T00:00:00", body)
            if info.filename.endswith(".xml"):
                body = _unused_namespaces_dropped(body)
            target.writestr(member, body)
    return buffer.getvalue()


def _unused_namespaces_dropped(xml: bytes) -> bytes:
    """odfpy declares every namespace any earlier document of the process used: keep only
    those this document uses, so the bytes do not depend on what was written before."""
    declaration = rb' xmlns:([\w-]+)="[^"]*"'
    rest = re.sub(declaration, b"", xml)
    for prefix in set(re.findall(declaration, xml)):
        if not re.search(rb"[<\s/]" + re.escape(prefix) + rb":[\w-]", rest):
            xml = re.sub(rb" xmlns:" + re.escape(prefix) + rb'="[^"]*"', b"", xml)
    return xml


def typed_ods() -> bytes:
    """``typed_xlsx``'s sheets and cells, saved as LibreOffice Calc would (.ods)."""
    return _ods(
        [
            ("Instructions", [["Fill one row per visit. Do not change the column names."]], False),
            (
                "Visits",
                [
                    ["Mobile No", "Date of Visit", "Office Code", "Service", "Citizen Name", "Age"],
                    [9437000001, dt.datetime(2026, 11, 20), "PHC-01", "OPD", ODIA_NAME, 34],
                    [9437000002.0, dt.date(2026, 11, 21), "PHC-01", "OPD", "Ram Das", 61.0],
                    [9437000003, dt.datetime(2026, 11, 21, 10, 15), "PHC-01", "OPD", "Hari", None],
                    ["94370 00004", "22/11/2026", "phc-01", "Immunisation", "Gita", "26-35"],
                    [None, None, None, None, None, None],  # an empty row
                    [943700005, dt.datetime(2026, 11, 22), "PHC-01", "OPD", "Nine Digits", 40],
                ],
                False,
            ),
        ]
    )


def sheet_per_office_ods() -> bytes:
    """``sheet_per_office_xlsx`` as .ods: a cover sheet, one sheet per office (columns in
    different orders), a sheet with the wrong columns and a hidden scratch sheet."""
    return _ods(
        [
            ("Cover", [["Visits register, Khordha district, November 2026"]], False),
            (
                "PHC-01",
                [
                    ["Mobile No", "Date of Visit", "Office Code", "Service", "Citizen Name"],
                    [9437000011, dt.datetime(2026, 11, 20), "PHC-01", "OPD", "Ram"],
                    [9437000012, dt.datetime(2026, 11, 20), "PHC-01", "OPD", "Sita"],
                    [9437000013, dt.datetime(2026, 11, 21), "CHC-07", "Immunisation", "Hari"],
                ],
                False,
            ),
            (
                "CHC-07",
                [
                    ["Sl No", "Service", "Office Code", "Date of Visit", "Mobile No",
                     "Citizen Name", "Gender"],
                    [1, "Immunisation", "CHC-07", dt.datetime(2026, 11, 21), 9437000013, "Hari",
                     "M"],
                    [2, "OPD", "CHC-07", "31/02/2026", 9437000014, "Gita", "F"],
                    [3, "OPD", "CHC-07", dt.datetime(2026, 11, 21), 9437000011, "Ram", "M"],
                ],
                False,
            ),
            ("Summary", [["Office", "Total visits"], ["PHC-01", 2]], False),
            (
                "Scratch",
                [
                    ["Mobile No", "Date of Visit", "Office Code", "Service"],
                    [9437000099, dt.datetime(2026, 11, 21), "PHC-01", "OPD"],
                ],
                True,
            ),
        ]
    )  # fmt: skip


def corrupt_ods() -> bytes:
    """An .ods whose ``mimetype`` member is intact and the rest overwritten with garbage."""
    rng = random.Random(11)
    whole = typed_ods()
    head = whole[: whole.index(b"opendocument.spreadsheet") + 24]  # header and mimetype
    return head + bytes(rng.randrange(256) for _ in range(1024))


def ods_without_content() -> bytes:
    """A valid zip that says it is an .ods but holds no ``content.xml`` (the sheets)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype", ZIP_TIME), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr(zipfile.ZipInfo("visits.csv", ZIP_TIME), lines(HEADER, row(1)))
    return buffer.getvalue()


# -- JSON -----------------------------------------------------------------------------------


def mixed_jsonl() -> bytes:
    def obj(n: int, **more) -> str:
        record = {
            "mobile_no": phone(n),
            "visit_date": "2026-11-20",
            "office_code": "PHC-01",
            "service": "OPD",
            "citizen_name": f"Citizen {n}",
        }
        record.update(more)
        return json.dumps(record, ensure_ascii=False)

    return lines(
        obj(1, citizen_name=ODIA_NAME),
        obj(2, remarks="walk-in"),
        '{"mobile_no": "9437000003", "visit_date": "2026-11-20", "office_code": "PHC-01",',
        "[1, 2, 3]",
        "",
        obj(4, visit_date="20/11/2026"),
    ).encode()


def json_array() -> bytes:
    records = [
        {"mobile": phone(n), "date": "2026-11-20", "office": "PHC-01", "service": "OPD"}
        for n in (1, 2)
    ]
    return json.dumps(records, indent=2).encode()


# -- the corpus -----------------------------------------------------------------------------

CASES: dict[str, tuple] = {
    "utf8_bom.csv": (
        utf8_bom,
        read(3, 3, encoding="utf-8-sig", names=[ODIA_NAME, HINDI_NAME, "Ram Das"]),
    ),
    "utf16le_tab.txt": (
        utf16le_tab,
        read(3, 3, encoding="utf-16", names=[ODIA_NAME, "Ram Das", HINDI_NAME]),
    ),
    "cp1252_jose.csv": (
        cp1252_jose,
        read(3, 3, encoding="cp1252", names=["José Fernandes", "Zoë D’Souza", "Ram Das"]),
    ),
    "utf8_one_bad_row.csv": (
        utf8_one_bad_row,
        read(
            4,
            3,
            1,
            reasons={"undecodable": 1},
            encoding="utf-8",
            names=[ODIA_NAME, HINDI_NAME, "Ram Das"],
            reject_rows=[4],
        ),
    ),
    "odia_headers.csv": (odia_headers, read(2, 2, names=[ODIA_NAME, "ରମେଶ ସାହୁ"])),
    "crlf.csv": (crlf, read(3, 3, blank_rows=0, ignored_columns=[])),
    "quoted_newline_name.csv": (
        quoted_newline_name,
        read(
            4,
            3,
            1,
            reasons={"phone_wrong_length": 1},
            names=["Sita Devi", "Das, Ram", "Gita"],
            reject_rows=[5],
        ),
    ),
    "unclosed_quote_to_eof.csv": (
        unclosed_quote_to_eof,
        read(
            2,
            1,
            1,
            reasons={"unbalanced_quote": 1},
            same_code={"malformed_csv": "unbalanced_quote"},
            names=["Ram"],
            reject_rows=[3],
            raw_contains=[phone(42), phone(43)],
        ),
    ),
    "unclosed_quote_closed_later.csv": (
        unclosed_quote_closed_later,
        read(
            3,
            2,
            1,
            reasons={"unbalanced_quote": 1},
            same_code={"malformed_csv": "unbalanced_quote"},
            names=["Ram", "Mina"],
            reject_rows=[3],
            raw_contains=[phone(42), phone(43)],
        ),
    ),
    "unclosed_quote_long.csv": (
        unclosed_quote_long,
        read(
            5,
            4,
            1,
            reasons={"unbalanced_quote": 1},
            same_code={"malformed_csv": "unbalanced_quote"},
            reject_rows=[4],
            raw_contains=[phone(100), phone(123)],
        ),
    ),
    "semicolon.csv": (semicolon, read(2, 2, names=["Das, Ram", ODIA_NAME])),
    "blank_lines.csv": (blank_lines, read(3, 3, blank_rows=6)),
    "extra_cells.csv": (
        extra_cells,
        read(3, 2, 1, reasons={"extra_cells": 1}, reject_rows=[3]),
    ),
    "missing_phone_column.csv": (missing_phone_column, quarantined("missing_required_column")),
    "extra_columns.csv": (
        extra_columns,
        read(2, 2, ignored_columns=["Sl No", "Remarks", "Token Colour"], header_row=1),
    ),
    "duplicate_phone_header.csv": (duplicate_phone_header, quarantined("duplicate_column")),
    "title_rows.csv": (
        title_rows,
        read(3, 2, 1, reasons={"phone_blank": 1}, header_row=3, reject_rows=[6]),
    ),
    "no_header.csv": (no_header, quarantined("no_header")),
    "html_saved_as.xls": (html_saved_as_xls, quarantined("html")),
    "header_only.csv": (header_only, read(0, 0, header_row=1)),
    "bad_dates.csv": (
        bad_dates,
        read(
            10,
            2,
            8,
            reasons={
                "date_impossible": 2,
                "date_unrecognised": 2,
                "date_future": 2,
                "date_too_old": 1,
                "time_invalid": 1,
            },
            names=["Citizen 6", "Citizen 8"],
            reject_rows=[2, 3, 4, 5, 6, 8, 10, 11],
        ),
    ),
    "bad_phones.csv": (
        bad_phones,
        read(
            9,
            3,
            6,
            reasons={
                "phone_wrong_length": 1,
                "phone_landline": 1,
                "phone_not_digits": 2,
                "phone_foreign": 1,
                "phone_blank": 1,
            },
            names=["Plus Ninety One", "Trunk Zero", "Excel Float"],
        ),
    ),
    "duplicates.csv": (duplicates, read(6, 3, duplicates=3, names=["Ram", "Sita", "Hari"])),
    "department_mismatch.csv": (
        department_mismatch,
        read(5, 4, 1, reasons={"department_mismatch": 1}, reject_rows=[4]),
    ),
    "empty.csv": (empty, quarantined("empty")),
    "whitespace_only.csv": (whitespace_only, quarantined("empty")),
    "binary_garbage.csv": (binary_garbage, quarantined("binary")),
    "png_renamed.csv": (png_renamed, quarantined("binary")),
    "pdf_renamed.csv": (pdf_renamed, quarantined("binary")),
    "gzip_renamed.csv": (gzip_renamed, quarantined("binary")),
    "corrupt_2003.xls": (corrupt_xls, quarantined("xls_corrupt")),
    "legacy_2003.xls": (
        legacy_xls,
        read(
            5,
            3,
            2,
            reasons={"phone_wrong_length": 1, "date_blank": 1},
            format="xls",
            names=[ODIA_NAME, "Ram Das", HINDI_NAME],
            sheets=["PHC-01", "CHC-07"],
            skipped_sheets=[
                "sheet 'Read me': no header row found in the first 10 rows: expected columns "
                "such as 'Mobile No', 'Date of Visit', 'Office Code' and 'Service' (see "
                "docs/intake.md)"
            ],
            reject_sheet_rows=[["CHC-07", 3], ["PHC-01", 4]],
        ),
    ),
    "sheet_per_office.xlsx": (
        sheet_per_office_xlsx,
        read(
            6,
            4,
            1,
            1,
            reasons={"date_impossible": 1},
            format="xlsx",
            names=["Ram", "Sita", "Hari", "Ram"],
            sheets=["PHC-01", "CHC-07"],
            skipped_sheets=[
                "sheet 'Cover': no header row found in the first 10 rows: expected columns "
                "such as 'Mobile No', 'Date of Visit', 'Office Code' and 'Service' (see "
                "docs/intake.md)",
                "sheet 'Summary': no header row found in the first 10 rows: expected columns "
                "such as 'Mobile No', 'Date of Visit', 'Office Code' and 'Service' (see "
                "docs/intake.md)",
            ],
            ignored_columns=["Sl No"],
            reject_sheet_rows=[["CHC-07", 3]],
        ),
    ),
    "corrupt.xlsx": (corrupt_xlsx, quarantined("xlsx_corrupt")),
    "zip_not_xlsx.xlsx": (zip_not_xlsx, quarantined("xlsx_corrupt")),
    "typed.xlsx": (
        typed_xlsx,
        read(
            5,
            4,
            1,
            reasons={"phone_wrong_length": 1},
            format="xlsx",
            header_row=1,
            blank_rows=1,
            names=[ODIA_NAME, "Ram Das", "Hari", "Gita"],
            reject_rows=[7],
        ),
    ),
    "typed.ods": (
        typed_ods,
        read(
            5,
            4,
            1,
            reasons={"phone_wrong_length": 1},
            format="ods",
            header_row=1,
            blank_rows=1,
            names=[ODIA_NAME, "Ram Das", "Hari", "Gita"],
            reject_rows=[7],
        ),
    ),
    "sheet_per_office.ods": (
        sheet_per_office_ods,
        read(
            6,
            4,
            1,
            1,
            reasons={"date_impossible": 1},
            format="ods",
            names=["Ram", "Sita", "Hari", "Ram"],
            sheets=["PHC-01", "CHC-07"],
            skipped_sheets=[
                "sheet 'Cover': no header row found in the first 10 rows: expected columns "
                "such as 'Mobile No', 'Date of Visit', 'Office Code' and 'Service' (see "
                "docs/intake.md)",
                "sheet 'Summary': no header row found in the first 10 rows: expected columns "
                "such as 'Mobile No', 'Date of Visit', 'Office Code' and 'Service' (see "
                "docs/intake.md)",
            ],
            ignored_columns=["Sl No"],
            reject_sheet_rows=[["CHC-07", 3]],
        ),
    ),
    "corrupt.ods": (corrupt_ods, quarantined("ods_corrupt")),
    "ods_without_content.ods": (ods_without_content, quarantined("ods_corrupt")),
    "mixed.jsonl": (
        mixed_jsonl,
        read(
            5,
            3,
            2,
            reasons={"invalid_json": 1, "json_not_object": 1},
            format="jsonl",
            ignored_columns=["remarks"],
            names=[ODIA_NAME, "Citizen 2", "Citizen 4"],
            reject_rows=[3, 4],
        ),
    ),
    "array.json": (json_array, quarantined("json_array")),
}


def main() -> None:
    expected = {}
    for name, (make, outcome) in CASES.items():
        data = make()
        assert len(data) < 50 * 1024, name
        (HERE / name).write_bytes(data)
        expected[name] = outcome
    text = json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(expected)} files and expected.json to {HERE}")


if __name__ == "__main__":
    main()
