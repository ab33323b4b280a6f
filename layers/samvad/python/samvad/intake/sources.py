"""Read an uploaded file as a stream of records, whatever its format.

``open_table`` sniffs the bytes (not the file name) to tell CSV, XLSX and JSON Lines apart,
reads legacy Excel 97-2003 (.xls) through xlrd and every matching sheet of a workbook,
detects the text encoding (UTF-8 with or without BOM, UTF-16 as Excel writes it, Windows-1252
as a last resort), finds the header row, and maps its columns to canonical fields. Records are
yielded one at a time so memory stays flat in the size of the file; XLSX is spooled to a
temporary file because a zip needs random access.

A file that cannot be read at all raises ``UnreadableFile`` with the reason; a single record
that cannot be read is yielded with its ``Problem`` so the row is rejected, not lost.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

from samvad.intake.aliases import CANONICAL_FIELDS, REQUIRED_FIELDS, normalise_header
from samvad.problems import Problem

SNIFF_BYTES = 64 * 1024
MAX_LINE_CHARS = 1024 * 1024
MAX_RECORD_LINES = 20
EXCERPT_CHARS = 4096
HEADER_SEARCH_ROWS = 10
MIN_RECOGNISED_COLUMNS = 3
XLSX_SPOOL_BYTES = 16 * 1024 * 1024
SHEET_ROW_SPAN = 10_000_000
"""Rows of the n-th sheet read (from 0) are identified as n × this + row (a sheet has at most
1,048,576 rows), so rows of different sheets never share an identity."""

OVERSIZED_LINE = "\x00samvad:oversized-line\x00"

UNDECODABLE = Problem(
    "undecodable", "row contains bytes that are not valid text in the file's encoding"
)
UNBALANCED_QUOTE = Problem("unbalanced_quote", "an opening quote is never closed")
MALFORMED_CSV = Problem("malformed_csv", "row cannot be parsed as CSV")
LINE_TOO_LONG = Problem("line_too_long", f"row is longer than {MAX_LINE_CHARS:,} characters")
EXTRA_CELLS = Problem("extra_cells", "row has more cells than the header (an unquoted comma?)")
INVALID_JSON = Problem("invalid_json", "line is not valid JSON")
NOT_AN_OBJECT = Problem("json_not_object", "line is JSON but not an object")


class UnreadableFile(Exception):
    """The file as a whole cannot be read; it goes to quarantine with this reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Record:
    """One data row: its number as a person would count it, its cells, or why it is unreadable."""

    number: int
    cells: list = field(default_factory=list)
    problem: Problem | None = None
    raw: str | None = None
    sheet: str | None = None
    sheet_index: int = 0

    @property
    def position(self) -> int:
        """The row's identity within the file: its number, made unique across sheets."""
        return self.sheet_index * SHEET_ROW_SPAN + self.number


@dataclass
class Table:
    format: str
    encoding: str | None
    header: list[str]
    columns: dict[str, int]
    ignored_columns: list[str]
    header_row: int
    records: Iterator[Record]
    sheets: list[str] = field(default_factory=list)
    """Workbooks: the sheets read, in order (a record's ``sheet`` is one of them)."""
    skipped_sheets: list[str] = field(default_factory=list)
    """Workbooks: each visible sheet not read, with the reason."""


def open_table(stream: BinaryIO, aliases: dict[str, str]) -> Table:
    """Sniff ``stream`` and return its records; raises ``UnreadableFile``."""
    head = _read_prefix(stream, SNIFF_BYTES)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UnreadableFile("empty", "the file is empty")
    whole = _Chained(head, stream)
    if head.startswith(b"PK\x03\x04"):
        if ODS_MIMETYPE in head[:ODS_SNIFF_BYTES]:
            return _ods_table(whole, aliases)
        return _xlsx_table(whole, aliases)
    if head.startswith(OLE2_SIGNATURE):
        return _xls_table(whole, aliases)
    _refuse_known_binaries(head)
    encoding = _detect_encoding(head)
    text = io.TextIOWrapper(
        io.BufferedReader(whole), encoding=encoding, errors=_DecodeErrors.NAME, newline=""
    )
    first = _first_text_char(head, encoding)
    if first == "<":
        raise UnreadableFile(
            "html",
            "the file is a web page (HTML) saved with a spreadsheet name: open it in "
            "Excel and save it as .xlsx or CSV",
        )
    if first == "[":
        raise UnreadableFile(
            "json_array", "a JSON array is not JSON Lines: write one object per line"
        )
    if first == "{":
        return _jsonl_table(text, encoding, aliases)
    return _csv_table(text, encoding, aliases, _delimiter(head, encoding))


# -- sniffing -------------------------------------------------------------------------------


def _read_prefix(stream: BinaryIO, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


class _Chained(io.RawIOBase):
    """The sniffed prefix followed by the rest of the stream, as one readable stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO):
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
"""An OpenDocument spreadsheet's first zip member: ``mimetype``, stored, holding this type."""
ODS_SNIFF_BYTES = 128

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""A compound document: an Excel 97-2003 workbook (or a Word file renamed .xls)."""

_BINARY_SIGNATURES = {
    b"%PDF": ("binary", "a PDF document, not a table of visits"),
    b"\x1f\x8b": ("binary", "a gzip archive: upload the file uncompressed"),
    b"\x89PNG": ("binary", "a PNG image, not a table of visits"),
    b"\xff\xd8\xff": ("binary", "a JPEG image, not a table of visits"),
}


def _refuse_known_binaries(head: bytes) -> None:
    for signature, (code, message) in _BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise UnreadableFile(code, f"the file is {message}")


def _detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even == 0:
            return "utf-16-le"
        if even > len(sample) // 4 and odd == 0:
            return "utf-16-be"
        raise UnreadableFile("binary", "the file is binary data, not text or a spreadsheet")
    text = head.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for ch in text[:-3] if "\udc80" <= ch <= "\udcff")
    if not invalid:
        return "utf-8"
    valid_multibyte = sum(1 for ch in text if ch > "\x7f" and not "\udc80" <= ch <= "\udcff")
    if valid_multibyte > invalid:
        return "utf-8"  # a UTF-8 file with a few bad bytes: those rows are rejected one by one
    return _legacy_or_binary(head)


def _legacy_or_binary(head: bytes) -> str:
    controls = sum(1 for b in head[:4096] if b < 32 and b not in (9, 10, 13))
    if controls > len(head[:4096]) // 100:
        raise UnreadableFile("binary", "the file is binary data, not text or a spreadsheet")
    return "cp1252"  # Excel's "CSV" on Windows; an odd byte in a UTF-8 file is caught per row


def _first_text_char(head: bytes, encoding: str) -> str:
    text = head[:4096].decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n")
    return text[:1]


# -- header ---------------------------------------------------------------------------------


def map_header(header: list[str], aliases: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """Canonical field → column index, and the headers that mean nothing to Samvad."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, text in enumerate(header):
        name = str(text).strip() if text is not None else ""
        if not name:
            continue
        canonical = aliases.get(normalise_header(name))
        if canonical is None:
            ignored.append(name)
        elif canonical in columns:
            first = header[columns[canonical]]
            raise UnreadableFile(
                "duplicate_column",
                f"columns {first!r} (column {columns[canonical] + 1}) and {name!r} "
                f"(column {index + 1}) both mean {canonical}: keep one",
            )
        else:
            columns[canonical] = index
    return columns, ignored


def _find_header(
    rows: Iterable[tuple[int, list]], aliases: dict[str, str]
) -> tuple[int, list[str], dict[str, int], list[str]]:
    seen = 0
    for number, cells in rows:
        if not any(_filled(c) for c in cells):
            continue
        seen += 1
        header = [str(c).strip() if c is not None else "" for c in cells]
        columns, ignored = map_header(header, aliases)
        if len(columns) >= MIN_RECOGNISED_COLUMNS or set(REQUIRED_FIELDS) <= set(columns):
            missing = [f for f in REQUIRED_FIELDS if f not in columns]
            if missing:
                raise UnreadableFile(
                    "missing_required_column",
                    f"required column(s) {', '.join(missing)} not found in the header on row "
                    f"{number} (columns: {', '.join(h for h in header if h)})",
                )
            return number, header, columns, ignored
        if seen >= HEADER_SEARCH_ROWS:
            break
    raise UnreadableFile(
        "no_header",
        f"no header row found in the first {HEADER_SEARCH_ROWS} rows: expected columns such as "
        "'Mobile No', 'Date of Visit', 'Office Code' and 'Service' (see docs/intake.md)",
    )


def _filled(cell: object) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


# -- CSV ------------------------------------------------------------------------------------


def _csv_table(
    text: io.TextIOWrapper, encoding: str, aliases: dict[str, str], delimiter: str
) -> Table:
    csv.field_size_limit(MAX_LINE_CHARS * 2)
    lines = _LimitedLines(text)
    first_line = next(iter(lines), "")
    if first_line.startswith(OVERSIZED_LINE):
        raise UnreadableFile(
            "line_too_long",
            f"line 1 is longer than {MAX_LINE_CHARS:,} characters: not a file of one row per line",
        )
    reader = csv.reader(
        itertools.chain([first_line] if first_line else [], lines), delimiter=delimiter
    )
    records = _csv_records(reader, lines, delimiter)
    header_row, header, columns, ignored = _find_header(
        ((r.number, r.cells) for r in records if r.problem is None), aliases
    )
    return Table(
        "csv",
        encoding,
        header,
        columns,
        ignored,
        header_row,
        _csv_records(reader, lines, delimiter, len(header), reader.line_num),
    )


def _delimiter(head: bytes, encoding: str) -> str:
    """The separator that splits the sniffed lines into the most cells (title rows have few)."""
    sample = (
        head[:SNIFF_BYTES].decode(encoding, errors="ignore").splitlines()[: HEADER_SEARCH_ROWS * 2]
    )
    best, most = ",", 0
    for candidate in (",", ";", "\t", "|"):
        count = max((line.count(candidate) for line in sample), default=0)
        if count > most:
            best, most = candidate, count
    return best


class _LimitedLines:
    """Physical lines, each at most ``MAX_LINE_CHARS``; longer ones become a marker line."""

    def __init__(self, text: io.TextIOWrapper):
        self._text = text
        self.physical = 0
        self.raw_since_mark: list[str] = []
        self.excerpt = ""
        self.oversized = 0  # lines replaced by the marker so far
        self.decode_errors = _DecodeErrors.count  # before the first read: rows are checked
        # for undecodable bytes once the count has moved

    def __iter__(self) -> Iterator[str]:
        readline = self._text.readline
        keep = self.raw_since_mark.append  # the one list, cleared in place at each mark
        while True:
            line = readline(MAX_LINE_CHARS)
            if not line:
                return
            self.physical += 1
            if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                self.excerpt = line[:EXCERPT_CHARS]
                while True:
                    more = readline(MAX_LINE_CHARS)
                    if not more or more.endswith(("\n", "\r")):
                        break
                line = OVERSIZED_LINE + "\n"
                self.oversized += 1
            keep(line)
            yield line


def _csv_records(
    reader: Any,
    lines: _LimitedLines,
    delimiter: str,
    width: int | None = None,
    line_before: int = 0,
) -> Iterator[Record]:
    """Records from ``reader`` after line ``line_before``; with the header's ``width`` (once it
    is known) each also has the checks of ``_checked``, in this one loop (every row runs it)."""
    threshold = _swallow_threshold(width or 0)
    mark = lines.raw_since_mark.clear
    while True:
        mark()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            start = line_before + 1
            line_before = reader.line_num
            yield Record(
                start, [], MALFORMED_CSV.with_detail(str(error)), "".join(lines.raw_since_mark)
            )
            continue
        start, line_before = line_before + 1, reader.line_num
        span = reader.line_num - start + 1
        if span > MAX_RECORD_LINES:
            raw = "".join(lines.raw_since_mark)
            yield Record(
                start,
                [],
                UNBALANCED_QUOTE.with_detail(
                    f"the row starting on line {start} runs to line {reader.line_num}"
                ),
                raw,
            )
        elif lines.oversized and any(OVERSIZED_LINE in cell for cell in cells):
            yield Record(start, [], LINE_TOO_LONG, lines.excerpt + " …(truncated)")
        elif _DecodeErrors.count != lines.decode_errors and not _encodable(cells):
            yield Record(start, cells, UNDECODABLE, None)
        elif span == 1 and (width is None or len(cells) <= width):
            yield Record(start, cells)  # the common case: nothing more to check
        else:
            record = Record(start, cells, None, "".join(lines.raw_since_mark) if span > 1 else None)
            yield record if width is None else _check(record, delimiter, width, threshold)


def _checked(records: Iterator[Record], delimiter: str, width: int) -> Iterator[Record]:
    """Records after the header, each with ``_check``."""
    threshold = _swallow_threshold(width)
    for record in records:
        yield _check(record, delimiter, width, threshold)


def _check(record: Record, delimiter: str, width: int, threshold: int) -> Record:
    """The two checks that need the header's width.

    Extra cells: a row with something past its header (an unquoted comma, usually).
    Swallowed rows: a stray ``"`` makes the reader swallow following lines (up to the next
    stray quote, or the end of the file) into one cell. A genuine multi-line cell (an
    address) rarely holds, after a line break, as many separators as half a row.
    """
    if record.problem is None:
        cells = record.cells
        if len(cells) > width and any(map(_filled, cells[width:])):
            record.problem = EXTRA_CELLS.with_detail(f"{len(cells)} cells, header has {width}")
        elif record.raw is not None and _swallows_rows(cells, delimiter, threshold):
            record.problem = UNBALANCED_QUOTE.with_detail(
                f"the row starting on line {record.number} swallowed the lines after it"
            )
    return record


def _swallow_threshold(width: int) -> int:
    return max(2, (width - 1) // 2)


def _swallows_rows(cells: list[str], delimiter: str, threshold: int) -> bool:
    return any(
        ("\n" in cell or "\r" in cell)
        and any(part.count(delimiter) >= threshold for part in cell.splitlines()[1:])
        for cell in cells
    )


class _DecodeErrors:
    """Python's ``surrogateescape`` handler, counting: undecodable bytes become lone surrogates
    only through it, so a CSV row needs checking for them only once the count has moved."""

    NAME = "samvad-surrogateescape"
    count = 0
    _escape = codecs.lookup_error("surrogateescape")

    @classmethod
    def handle(cls, error: UnicodeError) -> tuple[str | bytes, int]:
        cls.count += 1
        return cls._escape(error)


codecs.register_error(_DecodeErrors.NAME, _DecodeErrors.handle)


def _encodable(cells: list[str]) -> bool:
    try:
        "".join(cells).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# -- JSON Lines -----------------------------------------------------------------------------


def _jsonl_table(text: io.TextIOWrapper, encoding: str, aliases: dict[str, str]) -> Table:
    lines = _LimitedLines(text)
    columns = {name: i for i, name in enumerate(CANONICAL_FIELDS)}
    mapper = _JsonKeyMapper(aliases)
    records = _jsonl_records(lines, mapper)
    first = next(records, None)
    if first is None or first.problem is not None:
        reason = first.problem.message if first and first.problem else "no objects"
        raise UnreadableFile("not_jsonl", f"the first line is not a JSON object ({reason})")
    present = {f for f, v in zip(CANONICAL_FIELDS, first.cells, strict=True) if v != ""}
    recognised = mapper.recognised_keys
    if len(recognised) < MIN_RECOGNISED_COLUMNS:
        raise UnreadableFile(
            "no_header",
            f"the objects' keys are not visit fields (keys: {', '.join(mapper.all_keys)})",
        )
    missing = [f for f in REQUIRED_FIELDS if f not in recognised and f not in present]
    if missing:
        raise UnreadableFile(
            "missing_required_column",
            f"required field(s) {', '.join(missing)} not in the first object "
            f"(keys: {', '.join(mapper.all_keys)})",
        )
    return Table(
        "jsonl",
        encoding,
        list(CANONICAL_FIELDS),
        columns,
        mapper.ignored,
        0,
        _prepend_record(first, records),
    )


def object_table(objects: list[Any], aliases: dict[str, str]) -> Table:
    """JSON objects already parsed (a pushed batch's records) as a table, each read as a line
    of a JSON Lines file is; record numbers count from 1. ``ignored_columns`` fills as the
    records are read."""
    mapper = _JsonKeyMapper(aliases)

    def records() -> Iterator[Record]:
        for number, obj in enumerate(objects, start=1):
            if not isinstance(obj, dict):
                yield Record(number, [], NOT_AN_OBJECT)
                continue
            cells = mapper.cells(obj)
            yield Record(number, cells, None if _encodable(cells) else UNDECODABLE)

    columns = {name: i for i, name in enumerate(CANONICAL_FIELDS)}
    return Table("json", "utf-8", list(CANONICAL_FIELDS), columns, mapper.ignored, 0, records())


def _prepend_record(first: Record, rest: Iterator[Record]) -> Iterator[Record]:
    yield first
    yield from rest


class _JsonKeyMapper:
    def __init__(self, aliases: dict[str, str]):
        self._aliases = aliases
        self._plans: dict[tuple[str, ...], list[tuple[int, str]]] = {}
        self.recognised_keys: set[str] = set()
        self.ignored: list[str] = []
        self.all_keys: list[str] = []

    def cells(self, obj: dict) -> list:
        keys = tuple(obj)
        plan = self._plans.get(keys)
        if plan is None:
            plan = self._plan(keys)
        cells: list = [""] * len(CANONICAL_FIELDS)
        for index, key in plan:
            cells[index] = _json_cell(obj[key])
        return cells

    def _plan(self, keys: tuple[str, ...]) -> list[tuple[int, str]]:
        plan = []
        taken: set[str] = set()
        for key in keys:
            if key not in self.all_keys:
                self.all_keys.append(key)
            canonical = self._aliases.get(normalise_header(key))
            if canonical is None or canonical in taken:
                if key not in self.ignored:
                    self.ignored.append(key)
                continue
            taken.add(canonical)
            self.recognised_keys.add(canonical)
            plan.append((CANONICAL_FIELDS.index(canonical), key))
        self._plans[keys] = plan
        return plan


def _json_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _jsonl_records(lines: _LimitedLines, mapper: _JsonKeyMapper) -> Iterator[Record]:
    mark = lines.raw_since_mark.clear  # one line is one record: nothing to keep
    for line in lines:
        mark()
        number = lines.physical
        if not line.strip():
            yield Record(number, [])  # counted as a blank row
            continue
        if line.startswith(OVERSIZED_LINE):
            yield Record(number, [], LINE_TOO_LONG, lines.excerpt + " …(truncated)")
            continue
        try:
            obj = json.loads(line)
        except ValueError as error:
            problem = (
                UNDECODABLE if "surrogates" in str(error) else INVALID_JSON.with_detail(str(error))
            )
            yield Record(number, [], problem, line.rstrip("\r\n"))
            continue
        if not isinstance(obj, dict):
            yield Record(number, [], NOT_AN_OBJECT, line.rstrip("\r\n"))
            continue
        cells = mapper.cells(obj)
        yield Record(number, cells, None if _encodable(cells) else UNDECODABLE)


# -- workbooks (XLSX, XLS) ------------------------------------------------------------------


@dataclass
class _Sheet:
    """One visible sheet: its title and its rows (lists of raw cell values, from row 1)."""

    title: str
    rows: Callable[[], Iterator[list]]


def _workbook_table(
    fmt: str, sheets: list[_Sheet], close: Callable[[], None], aliases: dict[str, str]
) -> Table:
    """Every sheet whose header matches, read in order; the others are reported, not skipped.

    One matching sheet keeps its own header (the rejects file mirrors it). Several matching
    sheets (one per office is common) are read into one layout: the first sheet's columns,
    then any field a later sheet adds, so each row keeps its values whatever the column order.
    """
    matched: list[tuple[_Sheet, int, list[str], dict[str, int], list[str]]] = []
    skipped: list[str] = []
    try:
        for sheet in sheets:
            try:
                found = _find_header(enumerate(sheet.rows(), start=1), aliases)
            except UnreadableFile as error:
                skipped.append(f"sheet {sheet.title!r}: {error.message}")
                continue
            matched.append((sheet, *found))
    except BaseException:
        close()
        raise
    if not matched:
        close()
        raise UnreadableFile("no_header", "; ".join(skipped) or "the workbook has no visible sheet")
    header, columns, ignored = _union_layout([m[2:] for m in matched])
    return Table(
        fmt,
        None,
        header,
        columns,
        ignored,
        matched[0][1],
        _sheet_records(matched, columns, len(header), close),
        sheets=[m[0].title for m in matched],
        skipped_sheets=skipped,
    )


def _union_layout(
    layouts: list[tuple[list[str], dict[str, int], list[str]]],
) -> tuple[list[str], dict[str, int], list[str]]:
    header, columns, ignored = layouts[0]
    if len(layouts) == 1:
        return header, columns, ignored
    header, columns, ignored = list(header), dict(columns), list(ignored)
    for other_header, other_columns, other_ignored in layouts[1:]:
        for name, index in sorted(other_columns.items(), key=lambda item: item[1]):
            if name not in columns:
                columns[name] = len(header)
                header.append(other_header[index])
        ignored += [name for name in other_ignored if name not in ignored]
    return header, columns, ignored


def _sheet_records(
    matched: list[tuple[_Sheet, int, list[str], dict[str, int], list[str]]],
    union: dict[str, int],
    width: int,
    close: Callable[[], None],
) -> Iterator[Record]:
    try:
        for index, (sheet, header_row, header, columns, _) in enumerate(matched):
            rows = (
                Record(
                    number,
                    [_workbook_cell(v) for v in values],
                    sheet=sheet.title,
                    sheet_index=index,
                )
                for number, values in enumerate(sheet.rows(), start=1)
                if number > header_row
            )
            remap = None if columns == union else [(union[f], i) for f, i in columns.items()]
            for record in _checked(rows, "", len(header)):
                if remap is not None and record.problem is None:
                    cells = [""] * width
                    for to, frm in remap:
                        if frm < len(record.cells):
                            cells[to] = record.cells[frm]
                    record.cells = cells
                yield record
    finally:
        close()


def _xlsx_table(stream: io.RawIOBase, aliases: dict[str, str]) -> Table:
    import zipfile

    from openpyxl import load_workbook

    spool = _spooled(stream)
    try:
        workbook = load_workbook(spool, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        spool.close()
        raise UnreadableFile("xlsx_corrupt", f"the workbook cannot be opened ({error})") from None

    def close() -> None:
        workbook.close()
        spool.close()

    def rows(sheet: Any) -> Iterator[list]:
        return (list(values) for values in sheet.iter_rows(values_only=True))

    sheets = [
        _Sheet(sheet.title, functools.partial(rows, sheet))
        for sheet in workbook.worksheets
        if sheet.sheet_state == "visible"
    ]
    return _workbook_table("xlsx", sheets, close, aliases)


def _xls_table(stream: io.RawIOBase, aliases: dict[str, str]) -> Table:
    """Excel 97-2003 (BIFF) through xlrd, which reads the whole workbook into memory: an .xls
    sheet holds at most 65,536 rows, so the size is bounded by the format."""
    import xlrd

    spool = _spooled(stream)
    try:
        book = xlrd.open_workbook(file_contents=spool.read(), on_demand=True, logfile=io.StringIO())
    except Exception as error:  # xlrd raises a dozen error types on damaged bytes; all mean this
        raise UnreadableFile(
            "xls_corrupt",
            f"the Excel 97-2003 (.xls) workbook cannot be opened ({error}): save it again "
            "from Excel, or as .xlsx or CSV",
        ) from None
    finally:
        spool.close()

    def rows(index: int) -> Iterator[list]:
        sheet = book.sheet_by_index(index)
        for r in range(sheet.nrows):
            yield [_xls_value(cell, book.datemode) for cell in sheet.row(r)]

    sheets = [
        _Sheet(name, functools.partial(rows, index))
        for index, name in enumerate(book.sheet_names())
        if book.sheet_by_index(index).visibility == 0
    ]
    return _workbook_table("xls", sheets, book.release_resources, aliases)


def _xls_value(cell: Any, datemode: int) -> object:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return cell.value


def _ods_table(stream: io.RawIOBase, aliases: dict[str, str]) -> Table:
    """OpenDocument (LibreOffice Calc's .ods) through python-calamine, which holds the workbook
    in memory while it is read, like xlrd: a file beyond the chunk threshold is split first."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    spool = _spooled(stream)
    try:
        book = CalamineWorkbook.from_filelike(spool)
        visible = [
            meta.name for meta in book.sheets_metadata if meta.visible == SheetVisibleEnum.Visible
        ]
    except Exception as error:  # calamine raises its own zip, XML and value errors; all mean this
        raise UnreadableFile(
            "ods_corrupt",
            f"the OpenDocument spreadsheet (.ods) cannot be opened ({error}): save it again "
            "from LibreOffice Calc, or as .xlsx or CSV",
        ) from None
    finally:
        spool.close()

    def rows(name: str) -> Iterator[list]:
        try:
            sheet = book.get_sheet_by_name(name)
            values = sheet.to_python(skip_empty_area=False)
        except Exception as error:
            raise UnreadableFile(
                "ods_corrupt", f"sheet {name!r} of the .ods cannot be read ({error})"
            ) from None
        return iter(values)

    sheets = [_Sheet(name, functools.partial(rows, name)) for name in visible]
    return _workbook_table("ods", sheets, book.close, aliases)


def _spooled(stream: io.RawIOBase) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    reader = io.BufferedReader(stream)
    while chunk := reader.read(1024 * 1024):
        spool.write(chunk)
    spool.seek(0)
    return spool


def _workbook_cell(value: object) -> str:
    """Cells as text, like every other format: whole numbers without ``.0``, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
