"""The chunked intake (split → chunks → reduce, in-process) against the inline intake.

Every test uploads the same bytes twice, to two sets of in-memory ports, and ingests one inline
and one chunked: the report (but for ``seconds``), the rejects file, the stored visits, the
strata, the directory and the event must be the same.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from samvad.intake.chunk import ingest_chunk
from samvad.intake.chunking import Chunking, ChunkLayout, chunk_of
from samvad.intake.reduce import ChunkMissing, fail, reduce
from samvad.intake.service import Upload, ingest
from samvad.intake.split import decode_visit, split
from tests.fakes import FailOnce, memory_ports
from tests.unit.test_corpus import ALL_CASES, NOW, _input

BUCKET = "data"
HEADER = "Mobile No,Date of Visit,Office Code,Service,Patient Name,Hospital Name,District"


def _rows(n: int, *, bad_every: int = 7, dup_of: dict[int, int] | None = None) -> list[str]:
    """``n`` data rows: every ``bad_every``-th has a short phone; ``dup_of[i] = j`` repeats
    row j's visit at row i."""
    rows = []
    for i in range(n):
        j = (dup_of or {}).get(i, i)
        phone = "98765" if bad_every and i % bad_every == 3 else f"94370{j:05d}"
        office = f"PHC-{j % 5:02d}"
        rows.append(f"{phone},20/11/2026,{office},OPD,Citizen {j},Hospital {j % 5},Khordha")
    return rows


def _csv(rows: list[str], newline: str = "\n") -> str:
    return newline.join([HEADER, *rows]) + newline


class Run:
    """One upload ingested through fresh in-memory ports."""

    def __init__(self, data: bytes, name: str = "day.csv", chunking: Chunking | None = None):
        self.ports = memory_ports(now=NOW)
        self.key = f"uploads/health/{name}"
        self.ports.objects.add(BUCKET, self.key, data)
        self.upload = Upload(BUCKET, self.key, etag="e1", size=len(data))
        if chunking is not None:
            self.ports = dataclasses.replace(self.ports, chunking=chunking)
        self.report = ingest(self.upload, self.ports)

    def outputs(self) -> dict:
        """Every object the user sees (the working objects aside), reports without timing."""
        seen = {}
        for (_, key), body in self.ports.objects.objects.items():
            if key.startswith("intake-chunks/"):
                continue
            if key.startswith("reports/intake/"):
                body = _timeless(json.loads(body))
            seen[key] = body
        return seen

    def working_keys(self) -> list[str]:
        return [k for _, k in self.ports.objects.objects if k.startswith("intake-chunks/")]

    def state(self) -> tuple:
        p = self.ports
        return (
            p.visits.items,
            p.strata.contributions,
            p.directory.entries,
            [(kind, _timeless(detail)) for kind, detail in p.events.published],
        )


def _timeless(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "seconds"}


def assert_same(data: bytes, name: str = "day.csv", chunks: int | None = None) -> tuple[Run, Run]:
    """Chunked with a threshold of one byte, in ``chunks`` chunks or chunks of ~4 rows."""
    chunking = Chunking(threshold_bytes=1, rows_per_chunk=4, chunks=chunks)
    inline, chunked = Run(data, name), Run(data, name, chunking)
    assert not inline.working_keys(), "the inline run must not go the chunked way"
    assert chunked.working_keys(), "the chunked run must go the chunked way"
    assert _timeless(chunked.report) == _timeless(inline.report)
    assert chunked.outputs() == inline.outputs()
    assert chunked.state() == inline.state()
    return inline, chunked


# -- awkward files ---------------------------------------------------------------------------


def test_a_quoted_newline_bom_and_crlf_file_gives_the_inline_report():
    """Given a UTF-8 file with a BOM, CRLF line ends and a name holding a quoted line break,
    When it is ingested inline and in 4 chunks,
    Then reports, rejects files, visits, strata, directory and events are the same."""
    rows = _rows(60)
    rows[30] = '9437000030,20/11/2026,PHC-00,OPD,"Sita\r\nPradhan",Hospital 0,Khordha'
    data = b"\xef\xbb\xbf" + _csv(rows, "\r\n").encode()

    inline, chunked = assert_same(data, chunks=4)

    assert chunked.report["rejected"] == inline.report["rejected"] > 0
    names = {v["citizen_name"]["S"] for v in chunked.ports.visits.items.values()}
    assert "Sita Pradhan" in names


def test_a_utf16_tab_separated_file_gives_the_inline_report():
    """Given Excel's "Unicode Text" (UTF-16 LE with a BOM, tab-separated, CRLF),
    When it is ingested inline and in 3 chunks, Then both say the same."""
    text = _csv([r.replace(",", "\t") for r in _rows(40)], "\r\n").replace(",", "\t")

    inline, _ = assert_same("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), chunks=3)

    assert inline.report["encoding"].startswith("utf-16")


def test_duplicates_far_apart_in_the_file_are_counted_once_each():
    """Given rows repeated 500 rows after their first occurrence (which row-range chunks
    running in parallel would both count as accepted),
    When ingested inline and in 8 chunks,
    Then the duplicates are the inline count, and each key sat in one chunk only."""
    rows = _rows(600, dup_of={500 + i: i for i in range(0, 40)})
    data = _csv(rows).encode()

    inline, chunked = assert_same(data, chunks=8)

    assert chunked.report["duplicates"] == inline.report["duplicates"] >= 25
    layout = ChunkLayout(chunked.upload.upload_id)
    chunks_of: dict[str, set[int]] = {}
    for n in range(8):
        for line in chunked.ports.objects.find(BUCKET, layout.chunk(n)).splitlines():
            key = decode_visit(line).visit_key
            assert chunk_of(key, 8) == n
            chunks_of.setdefault(key, set()).add(n)
    assert all(len(chunks) == 1 for chunks in chunks_of.values())


def test_a_file_of_only_rejected_rows_leaves_every_chunk_empty():
    """Given a file whose every row is refused, When chunked in 3, Then the chunks are empty,
    and the report and the rejects file are the inline ones."""
    data = _csv([f"98765,20/11/2026,PHC-01,OPD,Bad {i},H,D" for i in range(30)]).encode()

    _, chunked = assert_same(data, chunks=3)

    assert chunked.report["accepted"] == 0 and chunked.report["rejected"] == 30
    layout = ChunkLayout(chunked.upload.upload_id)
    assert all(chunked.ports.objects.find(BUCKET, layout.chunk(n)) == b"" for n in range(3))


def test_more_chunks_than_keys_leaves_some_chunks_empty():
    """Given 5 visits and 40 chunks, When chunked, Then empty chunks are ingested as empty
    (result zero) and the report is the inline one."""
    data = _csv(_rows(5, bad_every=0)).encode()

    _, chunked = assert_same(data, chunks=40)

    layout = ChunkLayout(chunked.upload.upload_id)
    results = [json.loads(chunked.ports.objects.find(BUCKET, layout.result(n))) for n in range(40)]
    assert sum(r["rows"] == 0 for r in results) >= 35
    assert sum(r["accepted"] for r in results) == 5


def test_a_multi_sheet_workbook_gives_the_inline_report():
    """Given the corpus's workbook with one sheet per office, When chunked in 3, Then the same
    report and rejects file (with its sheet column) come out."""
    data = (Path(__file__).parents[1] / "corpus" / "sheet_per_office.xlsx").read_bytes()

    inline, _ = assert_same(data, "offices.xlsx", chunks=3)

    assert len(inline.report["sheets"]) > 1


@pytest.mark.parametrize("name", ALL_CASES)
def test_the_malformed_corpus_through_tiny_chunks_gives_the_inline_reports(name, tmp_path):
    """Given each file of the malformed corpus,
    When ingested with a one-byte threshold and chunks of about 4 rows,
    Then what the user sees (report, rejects, quarantine) and what is stored are the inline
    run's — quarantined files included (the reducer quarantines them)."""
    data = _input(name, tmp_path)
    if not data:
        pytest.skip("an empty object is never chunked (size 0): the inline path quarantines it")

    assert_same(data, name)


# -- routing -----------------------------------------------------------------------------------


def test_only_uploads_over_the_threshold_go_the_chunked_way():
    """Given a 2 KB file, When the threshold is the default 64 MiB, Then it is ingested
    inline; When ``chunk_rows=10`` lowers it to about 10 rows (640 bytes), Then it is chunked,
    in chunks of about 10 rows, with the same report."""
    data = _csv(_rows(30)).encode()

    small = Run(data)
    lowered = memory_ports(now=NOW)
    lowered.objects.add(BUCKET, small.key, data)

    report = ingest(small.upload, lowered, chunk_rows=10)

    assert small.working_keys() == []
    assert _timeless(report) == _timeless(small.report)
    items = json.loads(lowered.objects.find(BUCKET, ChunkLayout(small.upload.upload_id).items))
    assert len(items) == Chunking.for_rows(10).chunks_for(len(data)) >= 3


# -- at least once ---------------------------------------------------------------------------


def _split(data: bytes, chunks: int) -> tuple[Run, list[dict]]:
    """A run whose upload is split but whose chunks and reducer have not run."""
    run = Run(data)  # inline, for the expected outputs
    fresh = memory_ports(now=NOW)
    fresh.objects.add(BUCKET, run.key, data)
    run.expected, run.ports = run.outputs(), fresh
    reference = split(run.upload, fresh, Chunking(chunks=chunks))
    return run, json.loads(fresh.objects.find(BUCKET, reference["items_key"]))


def test_a_retried_chunk_writes_nothing_twice_and_the_ledger_shows_progress():
    """Given a split upload, When every chunk runs twice (the map retrying each),
    Then the second runs return the first results and write no visit; the ledger shows
    all chunks done; the reducer's report is the inline one."""
    run, items = _split(_csv(_rows(300, dup_of={250: 10})).encode(), chunks=4)
    ports = run.ports
    first = [ingest_chunk(item, ports) for item in items[:2]]
    assert ports.ledger.progress[run.upload.upload_id] == (frozenset({0, 1}), 4)
    first += [ingest_chunk(item, ports) for item in items[2:]]
    writes, stored = ports.visits.put_calls, dict(ports.visits.items)

    again = [ingest_chunk(item, ports) for item in items]

    assert again == first
    assert (ports.visits.put_calls, ports.visits.items) == (writes, stored)
    assert ports.ledger.progress[run.upload.upload_id] == (frozenset(range(4)), 4)
    reduce(run.upload, ports)
    assert run.outputs() == run.expected


def test_a_chunk_that_crashed_half_way_is_recounted_exactly():
    """Given a chunk whose visit store dies after its first write (no result recorded),
    When the chunk is retried, Then it counts its own earlier writes as accepted, and the
    report is the inline one."""
    run, items = _split(_csv(_rows(400)).encode(), chunks=2)
    ports, store = run.ports, run.ports.visits
    ports = dataclasses.replace(ports, visits=FailOnce(store, "put_all"))
    with pytest.raises(RuntimeError):
        ingest_chunk(items[0], ports)
    assert ports.objects.find(BUCKET, items[0]["result_key"]) is None

    for item in items:
        ingest_chunk(item, ports)
    reduce(run.upload, ports)

    assert run.outputs() == run.expected


def test_a_lost_reducer_run_again_gives_the_same_report_and_at_most_one_more_event():
    """Given every chunk done, When the reducer dies after publishing (before the ledger is
    marked finished) and runs again, and then a third time,
    Then the report is the inline one, one extra event at most, and nothing written twice."""
    run, items = _split(_csv(_rows(200)).encode(), chunks=3)
    ports = run.ports
    for item in items:
        ingest_chunk(item, ports)
    ledger = ports.ledger
    ports = dataclasses.replace(ports, ledger=FailOnce(ledger, "finished"))
    with pytest.raises(RuntimeError):
        reduce(run.upload, ports)
    writes = ports.visits.put_calls
    strata = dict(ports.strata.contributions)

    second = reduce(run.upload, ports)
    third = reduce(run.upload, ports)

    assert second == third == ledger.finished_report(run.upload.upload_id)
    assert run.outputs() == run.expected
    assert len(ports.events.published) == 2
    assert ports.visits.put_calls == writes and ports.strata.contributions == strata


def test_a_reducer_before_every_chunk_is_done_refuses_and_changes_nothing():
    """Given a split upload whose last chunk has not run, When the reducer runs,
    Then it raises ChunkMissing (the state machine retries) and publishes nothing."""
    run, items = _split(_csv(_rows(50)).encode(), chunks=3)
    for item in items[:2]:
        ingest_chunk(item, run.ports)

    with pytest.raises(ChunkMissing):
        reduce(run.upload, run.ports)

    assert run.ports.events.published == []
    assert run.ports.ledger.finished_report(run.upload.upload_id) is None


def test_a_retried_split_returns_its_manifest_without_reading_the_upload_again():
    """Given a split upload, When the split runs again, Then it returns the same reference and
    rewrites no object."""
    run, _ = _split(_csv(_rows(50)).encode(), chunks=3)
    before = dict(run.ports.objects.objects)
    run.ports.objects.objects[(BUCKET, run.key)] = b"changed underneath"

    again = split(run.upload, run.ports, Chunking(chunks=3))

    assert again["chunks"] == 3
    assert {k: v for k, v in run.ports.objects.objects.items() if k[1] != run.key} == {
        k: v for k, v in before.items() if k[1] != run.key
    }


def test_the_failure_path_marks_the_upload_failed_with_its_reason():
    """Given a chunked intake that gave up, When the failure path runs, Then the ledger marks
    the upload failed with the error and (truncated) cause, and no report is published."""
    run, _ = _split(_csv(_rows(20)).encode(), chunks=2)

    fail(run.upload, run.ports, "IncompleteBatch", "x" * 2000)

    reason = run.ports.ledger.failures[run.upload.upload_id]
    assert reason.startswith("IncompleteBatch: xxx") and len(reason) == 500
    assert run.ports.events.published == []
