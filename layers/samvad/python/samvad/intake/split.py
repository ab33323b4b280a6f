"""The splitter of the chunked intake: read an upload once, partition its visits by key.

It sniffs and validates exactly as the inline intake does (``read_upload``), then streams

* every visit that may be accepted to chunk ``crc32(visit_key) mod N``, as JSON Lines of the
  validated visit (so a chunk does no re-validation); every occurrence of a key lands in the
  same chunk, in file order, which is what makes the chunked counts equal the inline ones;
* every rejected row to one rejects part, in file order, with the file's own row numbers;
* the counts (rows, blank rows, rejections by reason, warnings, header, sheets) and the
  upload's directory entries into the manifest.

Chunks are spooled to temporary files (64 KB of buffer each) and streamed to S3, so memory
stays flat in file size. The manifest is written last: its presence means the split is done,
and a retried split returns it without reading the upload again.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import tempfile
from typing import IO

from samvad.intake.chunking import Chunking, ChunkLayout, chunk_of
from samvad.intake.service import (
    IntakePorts,
    IntakeReport,
    Upload,
    department_of,
    json_bytes,
    new_report,
    read_upload,
)
from samvad.intake.sources import UnreadableFile
from samvad.intake.store import DirectoryEntries
from samvad.intake.validate import Rejection, Visit

VISIT_FIELDS = tuple(f.name for f in dataclasses.fields(Visit))
_visit_values = operator.attrgetter(*VISIT_FIELDS)
BUFFER_BYTES = 64 * 1024
JSON_LINES = "application/x-ndjson"


def encode_visit(visit: Visit) -> bytes:
    return json.dumps(_visit_values(visit), separators=(",", ":")).encode() + b"\n"


def decode_visit(line: bytes) -> Visit:
    return Visit(*json.loads(line))


def split(upload: Upload, ports: IntakePorts, chunking: Chunking) -> dict:
    """Split ``upload`` into chunks; return the reference the state machine carries on."""
    layout = ChunkLayout(upload.upload_id)
    done = ports.objects.find(upload.bucket, layout.manifest)
    if done is not None:
        return _reference(upload, json.loads(done))
    started = ports.clock()
    report = new_report(upload, started)
    manifest = {
        "upload": dataclasses.asdict(upload),
        "upload_id": upload.upload_id,
        "ingested_at": started.isoformat(),
        "chunks": chunking.chunks_for(upload.size),
        "manifest_key": layout.manifest,
        "items_key": layout.items,
        "rejects_part": None,
        "quarantine": None,
        "directory": {},
    }
    try:
        department_of(report)  # a chunked upload always has one; None would be unreadable
        items = _split_rows(upload, ports, report, manifest, layout)
    except UnreadableFile as error:
        manifest["quarantine"] = {"code": error.code, "message": error.message}
        manifest["chunks"], items = 0, []
    manifest["report"] = report.as_dict()
    ports.objects.put(upload.bucket, layout.items, json_bytes(items), "application/json")
    ports.objects.put(upload.bucket, layout.manifest, json_bytes(manifest), "application/json")
    return _reference(upload, manifest)


def _split_rows(
    upload: Upload, ports: IntakePorts, report: IntakeReport, manifest: dict, layout: ChunkLayout
) -> list[dict]:
    chunks = manifest["chunks"]
    spools = [_Spool() for _ in range(chunks)]
    seen = DirectoryEntries()
    with ports.objects.open(upload.bucket, upload.key, upload.version_id) as stream:
        reading = read_upload(stream, ports, report)
        for outcome in reading.outcomes:
            if isinstance(outcome, Rejection):
                reading.rejects.add(outcome)
            else:
                seen.add(outcome)
                spools[chunk_of(outcome.visit_key, chunks)].add(outcome)
    reading.close(report)
    if reading.rejects.count:
        ports.objects.put(upload.bucket, layout.rejects, reading.rejects.finish(), "text/csv")
        manifest["rejects_part"] = layout.rejects
    manifest["directory"] = seen.entries
    items = []
    for n, spool in enumerate(spools):
        ports.objects.put(upload.bucket, layout.chunk(n), spool.finish(), JSON_LINES)
        items.append(
            {
                "bucket": upload.bucket,
                "upload_id": upload.upload_id,
                "ingested_at": manifest["ingested_at"],
                "chunk": n,
                "chunks": chunks,
                "rows": spool.rows,
                "key": layout.chunk(n),
                "result_key": layout.result(n),
            }
        )
    return items


def _reference(upload: Upload, manifest: dict) -> dict:
    """Small enough for a state's payload: the manifest stays in S3."""
    return {
        "upload": dataclasses.asdict(upload),
        "bucket": upload.bucket,
        "manifest_key": manifest["manifest_key"],
        "items_key": manifest["items_key"],
        "chunks": manifest["chunks"],
    }


class _Spool:
    """One chunk's visits on a temporary file (only its buffer is in memory)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(buffering=BUFFER_BYTES)  # noqa: SIM115 (returned open)
        self.rows = 0

    def add(self, visit: Visit) -> None:
        self._file.write(encode_visit(visit))
        self.rows += 1

    def finish(self) -> IO[bytes]:
        self._file.flush()
        self._file.seek(0)
        return self._file
