"""The malformed-input corpus through the real intake use case, with every port in memory.

Each file in ``tests/corpus`` (written by ``make_corpus.py``) is uploaded to
``uploads/health/<name>`` and ingested by ``samvad.intake.service.ingest``; the report must say
what ``expected.json`` says, every row must be accounted for, quarantined files must be moved
aside with a reason a person can read, and every rejected row must appear in the rejects file
with its row number and reason. Inputs too big to keep in the repository (over 1 MiB on one
line; an invalid byte past the 64 KB the reader sniffs) are generated into ``tmp_path``.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from samvad.intake import sources
from samvad.intake.service import Upload, ingest
from tests.fakes import memory_ports

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
BUCKET = "b"
DEPARTMENT = "health"
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 11:30 in India: "today" is 23 Nov
HEADER = "Mobile No,Date of Visit,Office Code,Service,Citizen Name\n"


def _row(n: int, name: str = "Citizen") -> str:
    return f"94370{n:05d},20/11/2026,PHC-01,OPD,{name}\n"


def _huge_first_line() -> bytes:
    """One line of 1.2 MB and no line break: a dump, not a table."""
    return b"a," * 600_000


def _huge_data_row() -> bytes:
    """A good file whose third data row is one 1 MiB+ line (a pasted blob in the name)."""
    blob = "x" * (sources.MAX_LINE_CHARS + 10)
    text = HEADER + _row(1) + _row(2) + f"9437000003,20/11/2026,PHC-01,OPD,{blob}\n" + _row(4)
    return text.encode()


def _bad_byte_past_sniff_window() -> bytes:
    """2,000 UTF-8 rows with Odia names, then one row holding a Windows-1252 é (0xE9)."""
    good = (HEADER + "".join(_row(n, "ସୀତା ପ୍ରଧାନ") for n in range(1, 2001))).encode()
    assert len(good) > sources.SNIFF_BYTES
    return good + b"9437099999,20/11/2026,PHC-01,OPD,Jos\xe9\n" + _row(5000, "Ram").encode()


# name → (bytes, expected outcome); same keys as expected.json
GENERATED: dict[str, tuple[Callable[[], bytes], dict]] = {
    "huge_first_line.csv": (
        _huge_first_line,
        {"quarantined": True, "quarantine_code": "line_too_long"},
    ),
    "huge_data_row.csv": (
        _huge_data_row,
        {
            "quarantined": False,
            "quarantine_code": None,
            "rows": 4,
            "accepted": 3,
            "rejected": 1,
            "duplicates": 0,
            "rejected_by_reason": {"line_too_long": 1},
            "reject_rows": [4],
        },
    ),
    "bad_byte_past_sniff_window.csv": (
        _bad_byte_past_sniff_window,
        {
            "quarantined": False,
            "quarantine_code": None,
            "rows": 2002,
            "accepted": 2001,
            "rejected": 1,
            "duplicates": 0,
            "rejected_by_reason": {"undecodable": 1},
            "encoding": "utf-8",
            "reject_rows": [2002],
            "raw_bytes_kept": b"Jos\xe9".hex(),
        },
    ),
}

ALL_CASES = sorted([*EXPECTED, *GENERATED])


def _expected(name: str) -> dict:
    return EXPECTED[name] if name in EXPECTED else GENERATED[name][1]


def _input(name: str, tmp_path: Path) -> bytes:
    if name in EXPECTED:
        return (CORPUS / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(GENERATED[name][0]())
    if name.startswith("huge"):
        assert path.stat().st_size > sources.MAX_LINE_CHARS
    return path.read_bytes()


def _cases(predicate: Callable[[dict], bool]) -> list[str]:
    return [name for name in ALL_CASES if predicate(_expected(name))]


def _same_code(expected: dict, code: str) -> str:
    return expected.get("same_code", {}).get(code, code)


class Ingested:
    """One file after ``ingest``: its report and the in-memory ports it wrote to."""

    def __init__(self, name: str, data: bytes):
        self.name = name
        self.key = f"uploads/{DEPARTMENT}/{name}"
        self.ports = memory_ports(now=NOW)
        self.ports.objects.add(BUCKET, self.key, data)
        self.report = ingest(Upload(bucket=BUCKET, key=self.key), self.ports)

    def stored(self, key: str) -> bytes | None:
        return self.ports.objects.objects.get((BUCKET, key))

    @property
    def visits(self) -> list[dict]:
        return list(self.ports.visits.items.values())

    def rejects(self) -> tuple[bytes, list[list[str]]]:
        """The rejects file's bytes, and its rows (header first)."""
        data = self.stored(f"rejects/{DEPARTMENT}/{self.name}.csv")
        assert data is not None, f"no rejects file for {self.name}"
        text = data.decode("utf-8", errors="surrogateescape")
        return data, list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def ingested(request, tmp_path) -> Ingested:
    name = request.param
    return Ingested(name, _input(name, tmp_path))


# -- the corpus itself --------------------------------------------------------------------


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_files_are_what_the_generator_writes():
    """Given make_corpus.py and the files committed next to it,
    when every case is generated again in memory,
    then each stored file and expected.json are byte-for-byte what it produces (none stale),
    every file has an expectation, and each is small."""
    generator = _load_generator()
    on_disk = {p.name for p in CORPUS.iterdir()} - {"make_corpus.py", "expected.json"}
    on_disk -= {"__pycache__"}
    assert on_disk == set(generator.CASES) == set(EXPECTED)
    assert len(EXPECTED) >= 24
    for name, (make, outcome) in generator.CASES.items():
        data = (CORPUS / name).read_bytes()
        assert data == make(), f"{name} differs from make_corpus.py: run it again"
        assert len(data) < 50 * 1024, name
        assert EXPECTED[name] == json.loads(json.dumps(outcome)), name


# -- per file -------------------------------------------------------------------------------


@pytest.mark.parametrize("ingested", ALL_CASES, indirect=True)
def test_report_matches_expected_outcome(ingested: Ingested):
    """Given a corpus file uploaded to uploads/health/,
    when the intake use case ingests it,
    then the report's quarantine verdict, counts and reasons are the expected ones,
    and every row is accepted, rejected or a duplicate — none is lost."""
    report, expected = ingested.report, _expected(ingested.name)
    assert report["quarantined"] is expected["quarantined"], report["quarantine_reason"]
    assert report["quarantine_code"] == expected["quarantine_code"], report["quarantine_reason"]
    assert report["department"] == DEPARTMENT
    assert report["accepted"] + report["rejected"] + report["duplicates"] == report["rows"]
    if expected["quarantined"]:
        assert (report["rows"], report["accepted"], report["rejected"]) == (0, 0, 0)
        return
    reasons = Counter()
    for code, count in report["rejected_by_reason"].items():
        reasons[_same_code(expected, code)] += count
    actual = {
        "rows": report["rows"],
        "accepted": report["accepted"],
        "rejected": report["rejected"],
        "duplicates": report["duplicates"],
        "rejected_by_reason": dict(reasons),
    }
    wanted = {k: expected[k] for k in actual}
    assert actual == wanted
    for optional in (
        "blank_rows", "header_row", "ignored_columns", "format", "encoding", "sheets",
        "skipped_sheets",
    ):  # fmt: skip
        if optional in expected:
            assert report[optional] == expected[optional], optional


@pytest.mark.parametrize("ingested", _cases(lambda e: e["quarantined"]), indirect=True)
def test_quarantined_file_is_moved_aside_with_a_readable_reason(ingested: Ingested):
    """Given a file that cannot be read as a table of visits,
    when it is ingested,
    then the object moves to quarantine/health/<name>, a .report.json beside it gives the
    code and a sentence a data officer can act on, and no visit is stored."""
    report, name = ingested.report, ingested.name
    moved = f"quarantine/{DEPARTMENT}/{name}"
    assert ingested.stored(ingested.key) is None, "the upload was not moved"
    assert ingested.stored(moved) is not None
    assert report["quarantine_key"] == moved
    reason = json.loads(ingested.stored(f"{moved}.report.json"))
    assert reason["code"] == report["quarantine_code"]
    message = reason["reason"]
    assert message == report["quarantine_reason"]
    assert isinstance(message, str) and len(message.strip()) > 15, message
    assert ingested.visits == []
    assert report["rejects_key"] is None


@pytest.mark.parametrize("ingested", _cases(lambda e: not e["quarantined"]), indirect=True)
def test_stored_visits_are_the_accepted_rows(ingested: Ingested):
    """Given a file that can be read,
    when it is ingested,
    then exactly `accepted` visits are stored, the upload stays in place, and the citizen
    names are stored as written (no mojibake, line breaks folded into spaces)."""
    report, expected = ingested.report, _expected(ingested.name)
    assert len(ingested.visits) == report["accepted"] == expected["accepted"]
    assert ingested.stored(ingested.key) is not None
    assert report["quarantine_key"] is None
    if "names" in expected:
        stored = sorted(v.get("citizen_name", {}).get("S", "") for v in ingested.visits)
        assert stored == sorted(expected["names"])


@pytest.mark.parametrize("ingested", _cases(lambda e: e.get("rejected", 0) > 0), indirect=True)
def test_rejects_file_lists_every_rejected_row(ingested: Ingested):
    """Given a file with some bad rows,
    when it is ingested,
    then rejects/health/<name>.csv (UTF-8 with a BOM, for Excel) has one data row per
    rejection, each with the row number a person would count (and its sheet, for a workbook
    read from several) and a reason code, and keeps the text of any rows a broken quote
    swallowed."""
    report, expected = ingested.report, _expected(ingested.name)
    assert report["rejects_key"] == f"rejects/{DEPARTMENT}/{ingested.name}.csv"
    data, rows = ingested.rejects()
    assert data.startswith(b"\xef\xbb\xbf")
    header, body = rows[0], rows[1:]
    header[0] = header[0].lstrip("\ufeff")
    if "reject_sheet_rows" in expected:
        assert header[0] == "sheet"
        assert sorted([line[0], int(line[1])] for line in body) == expected["reject_sheet_rows"]
        header, body = header[1:], [line[1:] for line in body]
    assert header[0] == "row"
    assert header[1:3] == ["reason_code", "reason"]
    assert len(body) == report["rejected"] == expected["rejected"]
    for line in body:
        assert line[0].isdigit() and int(line[0]) >= 1, line
        assert line[1] and line[2], line
    codes = Counter(_same_code(expected, line[1]) for line in body)
    assert dict(codes) == expected["rejected_by_reason"]
    if "reject_rows" in expected:
        assert sorted(int(line[0]) for line in body) == expected["reject_rows"]
    for text in expected.get("raw_contains", []):
        assert text in data.decode("utf-8", errors="replace"), f"{text} was lost"
    if "raw_bytes_kept" in expected:
        kept = bytes.fromhex(expected["raw_bytes_kept"])
        assert kept in data, "undecodable bytes were not written back unchanged"


@pytest.mark.parametrize("ingested", ALL_CASES, indirect=True)
def test_every_upload_ends_with_a_report_and_one_event(ingested: Ingested):
    """Given any corpus file, readable or not,
    when it is ingested,
    then the intake report is stored under reports/intake/, one IntakeCompleted event
    carries it, and the ledger marks the upload finished."""
    report, name = ingested.report, ingested.name
    stored = ingested.stored(f"reports/intake/{DEPARTMENT}/{name}.json")
    assert stored is not None and json.loads(stored)["upload_id"] == report["upload_id"]
    assert [kind for kind, _ in ingested.ports.events.published] == ["IntakeCompleted"]
    assert ingested.ports.ledger.finished_report(report["upload_id"]) == report
